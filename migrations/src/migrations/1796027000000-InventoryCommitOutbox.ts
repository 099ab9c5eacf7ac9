import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inventory commitment outbox (docs/trust.md §Inventories, issues 8/9/11): finalising an inventory
 * writes, in the same transaction as DRAFT → FINAL, one row holding the lines to commit (inventory
 * hash, scope totals, net, one line per retirement — frozen at finalisation). The inventory
 * committer (a trust job, connection role) turns each row into a trust batch queued for anchoring
 * and records the batch here. A crash between finalisation and commitment leaves the row pending,
 * never a FINAL inventory without a commitment; one row per inventory makes re-finalising harmless,
 * and the committer marks a row done (without committing again) when the inventory already has a
 * batch (crash after the commit, before the row was marked).
 */
export class InventoryCommitOutbox1796027000000 implements MigrationInterface {
  name = 'InventoryCommitOutbox1796027000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inventory_commit_outbox (
        inventory_id uuid PRIMARY KEY REFERENCES accounting_inventory(id),
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL CHECK (period_end > period_start),
        lines jsonb NOT NULL CHECK (jsonb_typeof(lines) = 'array' AND jsonb_array_length(lines) > 0),
        batch_id uuid NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text NULL,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        committed_at timestamptz NULL,
        CHECK ((committed_at IS NULL) = (batch_id IS NULL)),
        FOREIGN KEY (enterprise_id, batch_id) REFERENCES trust_batch (enterprise_id, id)
      )`);
    await q.query(`CREATE INDEX inventory_commit_outbox_due_idx ON inventory_commit_outbox (next_attempt_at)
      WHERE committed_at IS NULL`);
    // The API enqueues in the tenant's transaction; only the committer (connection role) updates rows.
    await q.query(`SELECT opencep_enable_tenant_rls('inventory_commit_outbox')`);
    await q.query(`REVOKE UPDATE, DELETE ON inventory_commit_outbox FROM opencep_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inventory_commit_outbox`);
  }
}
