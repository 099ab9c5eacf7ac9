import type { MigrationInterface, QueryRunner } from 'typeorm';

const ALARM_KINDS_BEFORE = `'root_mismatch','leaf_mismatch','row_missing','leaf_count_mismatch',
  'chain_root_missing','chain_root_mismatch'`;

/**
 * Trust state from the chain mirror (docs/trust.md §Chain state, docs/reports.md §Supersession):
 * - the anchoring queue can carry a report supersession (`supersedes_root` + reason → the worker
 *   calls `AttestationRegistry.supersede` instead of `anchor`);
 * - the reconciler records, per anchor, the confirmed `Anchored` event it found in chain.anchor
 *   (tx, block, time) — batches, reports and inventories become anchored from there, not on read;
 * - reports keep the confirmed on-chain `AnchorSuperseded` event of their supersession;
 * - tamper alarms gain `report_mismatch` (stored report bytes or hashes no longer match the anchor).
 */
export class TrustChainState1796025000000 implements MigrationInterface {
  name = 'TrustChainState1796025000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE trust_anchor
        ADD COLUMN supersedes_root bytea NULL CHECK (supersedes_root IS NULL OR octet_length(supersedes_root) = 32),
        ADD COLUMN supersede_reason text NULL,
        ADD COLUMN chain_tx_hash text NULL,
        ADD COLUMN chain_block_number bigint NULL,
        ADD COLUMN chain_anchored_at timestamptz NULL,
        ADD CONSTRAINT trust_anchor_supersede_ck CHECK ((supersedes_root IS NULL) = (supersede_reason IS NULL))`);
    // The reconciler looks only at anchors the mirror has not confirmed yet.
    await q.query(
      `CREATE INDEX trust_anchor_unmirrored_idx ON trust_anchor (root) WHERE chain_anchored_at IS NULL`,
    );
    await q.query(`
      ALTER TABLE report
        ADD COLUMN anchor_block_number bigint NULL,
        ADD COLUMN superseded_tx_hash text NULL,
        ADD COLUMN superseded_block_number bigint NULL,
        ADD COLUMN superseded_at timestamptz NULL,
        ADD COLUMN superseded_reason_on_chain text NULL`);
    await q.query(`ALTER TABLE trust_tamper_alarm DROP CONSTRAINT trust_tamper_alarm_kind_check`);
    await q.query(`ALTER TABLE trust_tamper_alarm ADD CONSTRAINT trust_tamper_alarm_kind_check
      CHECK (kind IN (${ALARM_KINDS_BEFORE}, 'report_mismatch'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM trust_tamper_alarm WHERE kind = 'report_mismatch'`);
    await q.query(`ALTER TABLE trust_tamper_alarm DROP CONSTRAINT trust_tamper_alarm_kind_check`);
    await q.query(`ALTER TABLE trust_tamper_alarm ADD CONSTRAINT trust_tamper_alarm_kind_check
      CHECK (kind IN (${ALARM_KINDS_BEFORE}))`);
    await q.query(`ALTER TABLE report DROP COLUMN anchor_block_number, DROP COLUMN superseded_tx_hash,
      DROP COLUMN superseded_block_number, DROP COLUMN superseded_at, DROP COLUMN superseded_reason_on_chain`);
    await q.query(`DROP INDEX trust_anchor_unmirrored_idx`);
    await q.query(`ALTER TABLE trust_anchor DROP CONSTRAINT trust_anchor_supersede_ck,
      DROP COLUMN supersedes_root, DROP COLUMN supersede_reason, DROP COLUMN chain_tx_hash,
      DROP COLUMN chain_block_number, DROP COLUMN chain_anchored_at`);
  }
}
