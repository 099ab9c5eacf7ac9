import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11: park data-sharing consent (park aggregation), reduction pathways (measures, scenarios) and
 * offsets (green power, certificates, carbon credits: purchases and retirements). Double counting of
 * certificate serials is impossible in SQL: exclusion constraints on int8range per registry, across
 * all tenants (a serial exists once in the world).
 */
export class ParkPathwaysOffsets1796017200000 implements MigrationInterface {
  name = 'ParkPathwaysOffsets1796017200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);

    await q.query(`
      CREATE TABLE park_share_consent (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        park_id uuid NOT NULL REFERENCES parks(id),
        granted_at timestamptz NOT NULL DEFAULT now(),
        granted_by text NULL,
        revoked_at timestamptz NULL CHECK (revoked_at IS NULL OR revoked_at >= granted_at),
        revoked_by text NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX park_share_consent_active_uq ON park_share_consent (enterprise_id, park_id)
      WHERE revoked_at IS NULL`);

    await q.query(`
      CREATE TABLE pathway_measure (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        code text NOT NULL,
        kind text NOT NULL,
        name text NOT NULL,
        capex numeric NOT NULL CHECK (capex >= 0),
        opex numeric NOT NULL,
        annual_savings numeric NOT NULL DEFAULT 0,
        lifetime_years integer NOT NULL CHECK (lifetime_years BETWEEN 1 AND 60),
        abatement numeric NOT NULL CHECK (abatement >= 0),
        energy_effect jsonb NOT NULL DEFAULT '{}',
        profile jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (enterprise_id, code)
      )`);
    await q.query(`
      CREATE TABLE pathway_scenario (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('OPTIMAL','INFEASIBLE')),
        inputs jsonb NOT NULL,
        result jsonb NOT NULL,
        total_cost numeric NULL,
        created_by text NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX pathway_scenario_idx ON pathway_scenario (enterprise_id, created_at)`);

    await q.query(`
      CREATE TABLE offset_purchase (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        kind text NOT NULL CHECK (kind IN ('GREEN_POWER','CERTIFICATE','CARBON_CREDIT')),
        registry text NULL,
        serials int8range NULL,
        quantity numeric NOT NULL CHECK (quantity > 0),
        unit text NOT NULL CHECK (unit IN ('MWh','tCO2e')),
        period_start date NOT NULL,
        period_end date NOT NULL CHECK (period_end >= period_start),
        monthly_volumes jsonb NULL,
        counterparty text NOT NULL,
        evidence_kind text NOT NULL,
        evidence_reference text NOT NULL,
        created_by text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (enterprise_id, id),
        CHECK ((kind = 'CERTIFICATE') = (serials IS NOT NULL AND registry IS NOT NULL)),
        CHECK (serials IS NULL OR (NOT isempty(serials) AND lower(serials) >= 0)),
        CHECK (serials IS NULL OR quantity = upper(serials) - lower(serials)),
        CHECK ((kind = 'CARBON_CREDIT') = (unit = 'tCO2e')),
        EXCLUDE USING gist (registry WITH =, serials WITH &&) WHERE (serials IS NOT NULL)
      )`);
    await q.query(`
      CREATE TABLE offset_retirement (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL,
        purchase_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('GREEN_POWER','CERTIFICATE','CARBON_CREDIT')),
        registry text NULL,
        serials int8range NULL,
        quantity numeric NOT NULL CHECK (quantity > 0),
        period_start date NOT NULL,
        period_end date NOT NULL CHECK (period_end >= period_start),
        evidence_reference text NOT NULL,
        created_by text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (enterprise_id, purchase_id) REFERENCES offset_purchase (enterprise_id, id),
        CHECK ((kind = 'CERTIFICATE') = (serials IS NOT NULL AND registry IS NOT NULL)),
        CHECK (serials IS NULL OR quantity = upper(serials) - lower(serials)),
        EXCLUDE USING gist (registry WITH =, serials WITH &&) WHERE (serials IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX offset_retirement_idx ON offset_retirement (enterprise_id, period_start)`);
    await q.query(
      `CREATE INDEX offset_retirement_purchase_idx ON offset_retirement (enterprise_id, purchase_id)`,
    );

    // Volume guard (safety net under the service's row lock): retirements never exceed the purchase.
    await q.query(`
      CREATE FUNCTION offset_retirement_volume_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE bought numeric; retired numeric;
      BEGIN
        -- Serialise retirements of one purchase (no row lock: the app role may not UPDATE purchases).
        PERFORM pg_advisory_xact_lock(hashtext('offset_purchase:' || NEW.purchase_id::text));
        SELECT quantity INTO bought FROM offset_purchase
          WHERE enterprise_id = NEW.enterprise_id AND id = NEW.purchase_id;
        SELECT coalesce(sum(quantity), 0) INTO retired FROM offset_retirement
          WHERE enterprise_id = NEW.enterprise_id AND purchase_id = NEW.purchase_id;
        IF retired + NEW.quantity > bought THEN
          RAISE EXCEPTION 'retirement exceeds purchased volume' USING ERRCODE = '23P01';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER offset_retirement_volume_guard BEFORE INSERT ON offset_retirement
      FOR EACH ROW EXECUTE FUNCTION offset_retirement_volume_guard()`);

    for (const t of [
      'park_share_consent',
      'pathway_measure',
      'pathway_scenario',
      'offset_purchase',
      'offset_retirement',
    ]) {
      await q.query(`SELECT opencep_enable_tenant_rls('${t}')`);
    }
    // Evidence: purchases and retirements are append-only for the API.
    await q.query(
      `REVOKE UPDATE, DELETE, TRUNCATE ON offset_purchase, offset_retirement FROM PUBLIC, opencep_app`,
    );
    await q.query(`REVOKE DELETE, TRUNCATE ON park_share_consent, pathway_scenario FROM PUBLIC, opencep_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE offset_retirement, offset_purchase, pathway_scenario, pathway_measure, park_share_consent`,
    );
    await q.query(`DROP FUNCTION offset_retirement_volume_guard()`);
  }
}
