import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports (DESIGN §3 reports, §5; docs/reports.md): report documents generated from a FINAL
 * inventory (canonical JSON + PDF + XLSX with their hashes), EIP-712 signature of the responsible
 * person, supersession with a reason, verifier grants and verification statements.
 * Also lets the trust layer's batch table carry report anchors (kind 'report').
 */
export class Reports1796017100000 implements MigrationInterface {
  name = 'Reports1796017100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        inventory_id uuid NOT NULL REFERENCES accounting_inventory(id),
        version integer NOT NULL CHECK (version >= 1),
        language text NOT NULL CHECK (language IN ('zh-CN','en')),
        standard_ref text NOT NULL,
        inventory_hash text NOT NULL,
        json_canonical text NOT NULL,
        json_hash text NOT NULL,
        pdf bytea NOT NULL,
        pdf_hash text NOT NULL,
        xlsx bytea NOT NULL,
        xlsx_hash text NOT NULL,
        state text NOT NULL DEFAULT 'generated' CHECK (state IN ('generated','signed','anchored')),
        signer text NULL,
        signature text NULL,
        signed_by uuid NULL,
        signed_at timestamptz NULL,
        anchor_root text NULL,
        anchor_batch_id uuid NULL,
        anchor_tx_hash text NULL,
        anchored_at timestamptz NULL,
        supersedes_report_id uuid NULL REFERENCES report(id),
        supersede_reason text NULL,
        superseded_by_report_id uuid NULL REFERENCES report(id),
        created_by uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (inventory_id, language, version),
        CHECK ((supersedes_report_id IS NULL) = (supersede_reason IS NULL)),
        CHECK (state = 'generated' OR (signer IS NOT NULL AND signature IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX report_enterprise_idx ON report (enterprise_id, created_at, id)`);
    // Only one report may supersede a given report.
    await q.query(`CREATE UNIQUE INDEX report_supersedes_uq ON report (supersedes_report_id)
      WHERE supersedes_report_id IS NOT NULL`);
    // Content is immutable; state only moves generated → signed → anchored.
    await q.query(`
      CREATE FUNCTION report_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'report % cannot be deleted', OLD.id USING ERRCODE = '42501';
        END IF;
        IF NEW.json_canonical IS DISTINCT FROM OLD.json_canonical OR NEW.json_hash IS DISTINCT FROM OLD.json_hash
          OR NEW.pdf IS DISTINCT FROM OLD.pdf OR NEW.pdf_hash IS DISTINCT FROM OLD.pdf_hash
          OR NEW.xlsx IS DISTINCT FROM OLD.xlsx OR NEW.xlsx_hash IS DISTINCT FROM OLD.xlsx_hash
          OR NEW.inventory_id IS DISTINCT FROM OLD.inventory_id OR NEW.enterprise_id IS DISTINCT FROM OLD.enterprise_id
          OR NEW.version IS DISTINCT FROM OLD.version OR NEW.inventory_hash IS DISTINCT FROM OLD.inventory_hash
          OR (OLD.signature IS NOT NULL AND (NEW.signature IS DISTINCT FROM OLD.signature OR NEW.signer IS DISTINCT FROM OLD.signer))
          OR (OLD.superseded_by_report_id IS NOT NULL AND NEW.superseded_by_report_id IS DISTINCT FROM OLD.superseded_by_report_id) THEN
          RAISE EXCEPTION 'report % is immutable', OLD.id USING ERRCODE = '42501';
        END IF;
        IF NEW.state IS DISTINCT FROM OLD.state AND NOT (
             (OLD.state = 'generated' AND NEW.state = 'signed') OR (OLD.state = 'signed' AND NEW.state = 'anchored')) THEN
          RAISE EXCEPTION 'report transition % -> % refused', OLD.state, NEW.state USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER report_guard BEFORE UPDATE OR DELETE ON report
      FOR EACH ROW EXECUTE FUNCTION report_guard()`);

    await q.query(`
      CREATE TABLE report_grant (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        report_id uuid NOT NULL REFERENCES report(id),
        verifier_user_id uuid NOT NULL REFERENCES users(id),
        granted_by uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (report_id, verifier_user_id)
      )`);
    await q.query(`CREATE INDEX report_grant_verifier_idx ON report_grant (verifier_user_id)`);

    await q.query(`
      CREATE TABLE report_verification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        report_id uuid NOT NULL REFERENCES report(id),
        verifier_user_id uuid NOT NULL REFERENCES users(id),
        opinion text NOT NULL CHECK (opinion IN ('POSITIVE','QUALIFIED','NEGATIVE')),
        document_hash text NOT NULL CHECK (document_hash ~ '^0x[0-9a-f]{64}$'),
        chain_tx_hash text NULL,
        chain_error text NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX report_verification_report_idx ON report_verification (enterprise_id, report_id, created_at)`,
    );

    for (const t of ['report', 'report_grant', 'report_verification']) {
      await q.query(`SELECT opencep_enable_tenant_rls('${t}')`);
    }
    // Grants and statements are append-only for the API.
    await q.query(`REVOKE UPDATE, DELETE ON report_grant, report_verification FROM opencep_app`);
    await q.query(`REVOKE DELETE ON report FROM opencep_app`);

    // Report anchors travel through the trust layer's queue as batches of kind 'report'.
    await q.query(`ALTER TABLE trust_batch DROP CONSTRAINT trust_batch_kind_check`);
    await q.query(`ALTER TABLE trust_batch ADD CONSTRAINT trust_batch_kind_check
      CHECK (kind IN ('readings','inventory','report'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM trust_anchor_tx t USING trust_batch b WHERE b.id = t.batch_id AND b.kind = 'report'`,
    );
    await q.query(
      `DELETE FROM trust_anchor a USING trust_batch b WHERE b.id = a.batch_id AND b.kind = 'report'`,
    );
    await q.query(`DELETE FROM trust_batch WHERE kind = 'report'`);
    await q.query(`ALTER TABLE trust_batch DROP CONSTRAINT trust_batch_kind_check`);
    await q.query(
      `ALTER TABLE trust_batch ADD CONSTRAINT trust_batch_kind_check CHECK (kind IN ('readings','inventory'))`,
    );
    await q.query(`DROP TABLE report_verification, report_grant, report`);
    await q.query(`DROP FUNCTION report_guard()`);
  }
}
