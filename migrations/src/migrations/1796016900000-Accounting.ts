import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounting (DESIGN §3/§4, issue 8 items 3–6): emission sources (bound to a meter or manual), manual
 * activity records with evidence, measured factors, production/revenue per period, inventories
 * (canonical JSON + hash + numeric totals, revisions, guarded states) and the enterprise's quota
 * history. Regulator quotas and standard versions come from the chain mirror (schema `chain`).
 */
export class Accounting1796016900000 implements MigrationInterface {
  name = 'Accounting1796016900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounting_source (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        site_id uuid NULL REFERENCES sites(id),
        code text NOT NULL,
        name text NOT NULL,
        source_type text NOT NULL,
        category text NOT NULL,
        scope smallint NULL CHECK (scope IS NULL OR scope IN (1, 2, 3)),
        meter_id uuid NULL,
        unit text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (enterprise_id, code),
        FOREIGN KEY (enterprise_id, meter_id) REFERENCES metering_meter (enterprise_id, id)
      )`);

    // Manual activity data with evidence; append-only (a correction is a new record).
    await q.query(`
      CREATE TABLE accounting_activity (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        source_id uuid NOT NULL REFERENCES accounting_source(id),
        period_start date NOT NULL,
        period_end date NOT NULL CHECK (period_end >= period_start),
        quantity numeric NOT NULL CHECK (quantity >= 0),
        unit text NOT NULL,
        evidence_kind text NOT NULL,
        evidence_reference text NOT NULL,
        attachment_sha256 text NULL,
        note text NULL,
        created_by text NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX accounting_activity_period_idx ON accounting_activity (enterprise_id, source_id, period_start)`,
    );

    await q.query(`
      CREATE TABLE accounting_measured_factor (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        source_id uuid NOT NULL REFERENCES accounting_source(id),
        role text NOT NULL CHECK (role IN ('ncv','carbonContent','oxidationRate','gasMassFraction','emissionFactor')),
        value numeric NOT NULL CHECK (value >= 0),
        unit text NOT NULL,
        evidence_reference text NOT NULL,
        attachment_sha256 text NULL,
        valid_from date NOT NULL,
        valid_to date NOT NULL CHECK (valid_to >= valid_from),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX accounting_measured_factor_idx ON accounting_measured_factor (enterprise_id, source_id, valid_from)`,
    );

    await q.query(`
      CREATE TABLE accounting_production (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        site_id uuid NULL REFERENCES sites(id),
        period_start date NOT NULL,
        period_end date NOT NULL CHECK (period_end >= period_start),
        output_quantity numeric NULL CHECK (output_quantity IS NULL OR output_quantity > 0),
        output_unit text NULL,
        revenue_amount numeric NULL CHECK (revenue_amount IS NULL OR revenue_amount > 0),
        revenue_unit text NULL CHECK (revenue_unit IS NULL OR revenue_unit IN ('CNY','10^4 CNY')),
        evidence_reference text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((output_quantity IS NULL) = (output_unit IS NULL)),
        CHECK ((revenue_amount IS NULL) = (revenue_unit IS NULL))
      )`);
    await q.query(
      `CREATE INDEX accounting_production_idx ON accounting_production (enterprise_id, period_start)`,
    );

    await q.query(`
      CREATE TABLE accounting_inventory (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        site_id uuid NULL REFERENCES sites(id),
        period_kind text NOT NULL CHECK (period_kind IN ('MONTH','YEAR')),
        period_start date NOT NULL,
        period_end date NOT NULL,
        revision integer NOT NULL CHECK (revision >= 1),
        state text NOT NULL DEFAULT 'DRAFT' CHECK (state IN ('DRAFT','FINAL','ANCHORED','VERIFIED')),
        standard_source text NOT NULL CHECK (standard_source IN ('CHAIN','EXPLICIT')),
        standard_version text NULL,
        pack_ref text NOT NULL,
        pack_hash text NOT NULL,
        warnings text[] NOT NULL DEFAULT '{}',
        canonical_json text NOT NULL,
        inventory_hash text NOT NULL,
        activity_json jsonb NOT NULL,
        total_location numeric NOT NULL,
        total_market numeric NULL,
        scope1 numeric NOT NULL,
        scope2_location numeric NOT NULL,
        scope2_market numeric NULL,
        scope3 numeric NOT NULL,
        previous_id uuid NULL REFERENCES accounting_inventory(id),
        diff jsonb NULL,
        anchor_ref text NULL,
        verification_ref text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finalized_at timestamptz NULL,
        anchored_at timestamptz NULL,
        verified_at timestamptz NULL,
        CHECK (state = 'DRAFT' OR standard_source = 'CHAIN')
      )`);
    await q.query(`
      CREATE UNIQUE INDEX accounting_inventory_revision_uq ON accounting_inventory
        (enterprise_id, coalesce(site_id, '00000000-0000-0000-0000-000000000000'::uuid), period_kind, period_start, revision)`);
    // At most one open draft per enterprise/site/period.
    await q.query(`
      CREATE UNIQUE INDEX accounting_inventory_draft_uq ON accounting_inventory
        (enterprise_id, coalesce(site_id, '00000000-0000-0000-0000-000000000000'::uuid), period_kind, period_start)
        WHERE state = 'DRAFT'`);

    // Guard: content of a non-draft inventory never changes; states only move forward
    // DRAFT → FINAL → ANCHORED → VERIFIED; only drafts may be deleted.
    await q.query(`
      CREATE FUNCTION accounting_inventory_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.state <> 'DRAFT' THEN
            RAISE EXCEPTION 'inventory % is % and locked', OLD.id, OLD.state USING ERRCODE = '42501';
          END IF;
          RETURN OLD;
        END IF;
        IF OLD.state <> 'DRAFT' AND (
             NEW.canonical_json IS DISTINCT FROM OLD.canonical_json OR NEW.inventory_hash IS DISTINCT FROM OLD.inventory_hash
          OR NEW.activity_json IS DISTINCT FROM OLD.activity_json OR NEW.total_location IS DISTINCT FROM OLD.total_location
          OR NEW.total_market IS DISTINCT FROM OLD.total_market OR NEW.scope1 IS DISTINCT FROM OLD.scope1
          OR NEW.scope2_location IS DISTINCT FROM OLD.scope2_location OR NEW.scope2_market IS DISTINCT FROM OLD.scope2_market
          OR NEW.scope3 IS DISTINCT FROM OLD.scope3 OR NEW.pack_hash IS DISTINCT FROM OLD.pack_hash
          OR NEW.revision IS DISTINCT FROM OLD.revision OR NEW.period_start IS DISTINCT FROM OLD.period_start
          OR NEW.enterprise_id IS DISTINCT FROM OLD.enterprise_id OR NEW.diff IS DISTINCT FROM OLD.diff) THEN
          RAISE EXCEPTION 'inventory % is % and locked', OLD.id, OLD.state USING ERRCODE = '42501';
        END IF;
        IF NEW.state IS DISTINCT FROM OLD.state AND NOT (
             (OLD.state = 'DRAFT' AND NEW.state = 'FINAL')
          OR (OLD.state = 'FINAL' AND NEW.state = 'ANCHORED')
          OR (OLD.state = 'ANCHORED' AND NEW.state = 'VERIFIED')) THEN
          RAISE EXCEPTION 'inventory transition % -> % refused', OLD.state, NEW.state USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER accounting_inventory_guard BEFORE UPDATE OR DELETE ON accounting_inventory
      FOR EACH ROW EXECUTE FUNCTION accounting_inventory_guard()`);

    // Quota history entered by the enterprise (SET = new amount, ADJUST = delta); append-only.
    await q.query(`
      CREATE TABLE accounting_quota (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        year integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
        kind text NOT NULL CHECK (kind IN ('SET','ADJUST')),
        amount numeric NOT NULL CHECK (amount >= 0),
        delta numeric NOT NULL,
        reason text NOT NULL,
        entered_by text NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX accounting_quota_idx ON accounting_quota (enterprise_id, year, created_at)`);

    for (const t of [
      'accounting_source',
      'accounting_activity',
      'accounting_measured_factor',
      'accounting_production',
      'accounting_inventory',
      'accounting_quota',
    ]) {
      await q.query(`SELECT opencep_enable_tenant_rls('${t}')`);
    }
    // Evidence and history: the app role may add, never change or remove.
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON accounting_activity, accounting_measured_factor,
      accounting_quota FROM PUBLIC, opencep_app`);
    await q.query(`REVOKE TRUNCATE ON accounting_inventory FROM PUBLIC, opencep_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE accounting_quota, accounting_inventory, accounting_production,
      accounting_measured_factor, accounting_activity, accounting_source`);
    await q.query(`DROP FUNCTION accounting_inventory_guard()`);
  }
}
