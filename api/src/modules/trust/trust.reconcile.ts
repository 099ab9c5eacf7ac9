import type pg from 'pg';
import { CHAIN_NOTICE_TOPIC, type EventBus, publish } from '../../core/events';
import { startPassLoop } from '../../core/pass-loop';
import { EMISSIONS_UPDATED, type EmissionsUpdatePayload } from '../accounting/accounting.service';
import { REPORT_CHANGED } from '../reports/report.chain';
import { type Pool, tx } from './trust.sql';

/** What one reconciliation pass changed. */
export interface ReconcileResult {
  /** Anchors (batches) whose Anchored event is now confirmed in the mirror. */
  anchors: number;
  /** Reports signed → anchored. */
  reports: number;
  /** Reports whose on-chain supersession (AnchorSuperseded) is now confirmed. */
  supersessions: number;
  /** Inventories FINAL → ANCHORED. */
  inventories: number;
  /** Inventories ANCHORED → VERIFIED (a confirmed verifier statement covers their anchored root). */
  verified: number;
}

/** Indexer notice kinds after which the chain state may have changed for the trust layer. */
export const RECONCILE_NOTICE_KINDS = [
  'anchor_confirmed',
  'anchor_superseded',
  'verifier_statement_recorded',
  'reorg',
] as const;

/** Statement opinions that verify an inventory (an adverse opinion or a disclaimer does not). */
export const VERIFYING_OPINIONS = ['unqualified', 'qualified'] as const;

/** `query` of a transaction client, in the shape core/events `publish` takes. */
const queryable = (c: pg.PoolClient): Parameters<typeof publish>[0] =>
  ({
    query: (sql: string, params?: unknown[]) => c.query(sql, params).then((r) => r.rows),
  }) as unknown as Parameters<typeof publish>[0];

interface InventoryChange {
  id: string;
  enterprise_id: string;
  period_kind: string;
  period_start: string;
  period_end: string;
  revision: number;
  total_location: string;
}
const INVENTORY_RETURNING = `i.id, i.enterprise_id, i.period_kind, to_char(i.period_start, 'YYYY-MM-DD') AS period_start,
  to_char(i.period_end, 'YYYY-MM-DD') AS period_end, i.revision, i.total_location::text`;

/** `accounting.emissions-updated` for an inventory whose state the reconciler moved (on commit). */
async function publishInventory(c: pg.PoolClient, i: InventoryChange, state: 'ANCHORED' | 'VERIFIED') {
  const payload: EmissionsUpdatePayload = {
    enterpriseId: i.enterprise_id,
    inventoryId: i.id,
    periodKind: i.period_kind,
    periodStart: i.period_start,
    periodEnd: i.period_end,
    revision: i.revision,
    state,
    totalLocation: i.total_location,
  };
  await publish(queryable(c), EMISSIONS_UPDATED, payload, i.enterprise_id);
}

/**
 * Moves trust state forward from the indexer's chain mirror, never from a read (docs/trust.md
 * §Chain state). A root counts as anchored once its `Anchored` event is in chain.anchor at a block
 * the indexer considers confirmed (`chain.confirmed_block()`: head − finality depth). In one
 * transaction it:
 * 1. records the confirmed event (tx, block, block time) on the anchoring queue row (the batch);
 * 2. moves signed reports whose anchor is confirmed to `anchored`;
 * 3. copies a confirmed `AnchorSuperseded(old, new, reason)` onto the superseded report;
 * 4. moves FINAL inventories whose committed root is confirmed to `ANCHORED`;
 * 5. moves ANCHORED inventories to `VERIFIED` once a confirmed `StatementRecorded` with an unqualified
 *    or qualified opinion covers them: the statement's root is one of the inventory's committed roots
 *    anchored on chain, or the anchored root of a report on the inventory (same inventory hash) — the
 *    verifier workflow of the reports module records its statement on the report's root;
 * and publishes `report.changed` / `accounting.emissions-updated` for subscriptions (delivered on
 * commit). Every statement is conditional, so concurrent passes (several processes) are harmless.
 */
export async function reconcileChainState(pool: Pool): Promise<ReconcileResult> {
  return tx(pool, async (c) => {
    const anchors = await c.query(
      // Driven by the (few) anchors not yet seen confirmed (partial index), each looked up by root.
      `UPDATE trust_anchor a SET chain_tx_hash = m.tx_hash, chain_block_number = m.block_number,
         chain_anchored_at = m.block_timestamp, updated_at = now()
       FROM (SELECT u.enterprise_id, u.batch_id, c.tx_hash, c.block_number, c.block_timestamp
             FROM trust_anchor u
             CROSS JOIN LATERAL (SELECT tx_hash, block_number, block_timestamp FROM chain.anchor c
               WHERE c.root = '0x' || encode(u.root, 'hex') AND c.block_number <= chain.confirmed_block()
                 AND (u.chain_id IS NULL OR c.chain_id = u.chain_id) AND (u.registry IS NULL OR c.address = u.registry)
               ORDER BY c.block_number, c.log_index LIMIT 1) c
             WHERE u.chain_anchored_at IS NULL) m
       WHERE a.enterprise_id = m.enterprise_id AND a.batch_id = m.batch_id AND a.chain_anchored_at IS NULL`,
    );
    const reports = await c.query<{
      id: string;
      enterprise_id: string;
      anchor_tx_hash: string;
      anchor_block_number: string;
    }>(
      `UPDATE report r SET state = 'anchored', anchored_at = a.chain_anchored_at, anchor_tx_hash = a.chain_tx_hash,
         anchor_block_number = a.chain_block_number
       FROM trust_anchor a
       WHERE r.state = 'signed' AND a.enterprise_id = r.enterprise_id AND a.batch_id = r.anchor_batch_id
         AND a.chain_anchored_at IS NOT NULL
       RETURNING r.id, r.enterprise_id, r.anchor_tx_hash, r.anchor_block_number::text`,
    );
    for (const r of reports.rows) {
      await publish(
        queryable(c),
        REPORT_CHANGED,
        {
          reportId: r.id,
          enterpriseId: r.enterprise_id,
          change: 'ANCHORED',
          state: 'anchored',
          txHash: r.anchor_tx_hash,
          blockNumber: Number(r.anchor_block_number),
        },
        r.enterprise_id,
      );
    }
    const superseded = await c.query<{
      id: string;
      enterprise_id: string;
      state: string;
      superseded_tx_hash: string;
      superseded_block_number: string;
    }>(
      `UPDATE report o SET superseded_tx_hash = s.tx_hash, superseded_block_number = s.block_number,
         superseded_at = s.block_timestamp, superseded_reason_on_chain = s.reason
       FROM report n, chain.anchor_supersession s
       WHERE o.superseded_tx_hash IS NULL AND n.supersedes_report_id = o.id
         AND s.old_root = o.anchor_root AND s.new_root = n.anchor_root
         AND s.block_number <= chain.confirmed_block()
       RETURNING o.id, o.enterprise_id, o.state, o.superseded_tx_hash, o.superseded_block_number::text`,
    );
    for (const r of superseded.rows) {
      await publish(
        queryable(c),
        REPORT_CHANGED,
        {
          reportId: r.id,
          enterpriseId: r.enterprise_id,
          change: 'SUPERSEDED_ON_CHAIN',
          state: r.state,
          txHash: r.superseded_tx_hash,
          blockNumber: Number(r.superseded_block_number),
        },
        r.enterprise_id,
      );
    }
    const inventories = await c.query<InventoryChange>(
      `UPDATE accounting_inventory i SET state = 'ANCHORED', anchor_ref = m.ref, anchored_at = m.at, updated_at = now()
       FROM (SELECT f.id, x.ref, x.at FROM accounting_inventory f
             CROSS JOIN LATERAL (SELECT '0x' || encode(a.root, 'hex') AS ref, a.chain_anchored_at AS at
               FROM trust_batch b JOIN trust_anchor a ON a.enterprise_id = b.enterprise_id AND a.batch_id = b.id
               WHERE b.enterprise_id = f.enterprise_id AND b.kind = 'inventory' AND b.scope = f.id::text
                 AND a.chain_anchored_at IS NOT NULL
               ORDER BY b.seq DESC LIMIT 1) x
             WHERE f.state = 'FINAL') m
       WHERE i.id = m.id AND i.state = 'FINAL'
       RETURNING ${INVENTORY_RETURNING}`,
    );
    for (const i of inventories.rows) await publishInventory(c, i, 'ANCHORED');
    const verified = await c.query<InventoryChange>(
      // Driven by the (few) confirmed statements: each matched by root to an inventory batch (unique
      // root index) or to an anchored report, then to its ANCHORED inventory; the earliest statement wins.
      `UPDATE accounting_inventory i SET state = 'VERIFIED', verification_ref = m.ref, verified_at = m.at,
         updated_at = now()
       FROM (SELECT DISTINCT ON (x.inventory_id) x.inventory_id, s.tx_hash AS ref, s.block_timestamp AS at
             FROM chain.verifier_statement s
             JOIN LATERAL (
               SELECT CASE WHEN b.scope ~* '^[0-9a-f-]{36}$' THEN b.scope::uuid END AS inventory_id FROM trust_batch b
                 JOIN trust_anchor a ON a.enterprise_id = b.enterprise_id AND a.batch_id = b.id
               WHERE b.root = decode(substr(s.root, 3), 'hex') AND b.kind = 'inventory'
                 AND a.chain_anchored_at IS NOT NULL
               UNION ALL
               SELECT r.inventory_id FROM report r JOIN accounting_inventory ri ON ri.id = r.inventory_id
               WHERE r.anchor_root = s.root AND r.state = 'anchored' AND r.inventory_hash = ri.inventory_hash
             ) x ON true
             WHERE s.block_number <= chain.confirmed_block() AND s.opinion = ANY ($1::text[])
               AND s.root ~ '^0x[0-9a-f]{64}$'
             ORDER BY x.inventory_id, s.block_number, s.log_index) m
       WHERE i.id = m.inventory_id AND i.state = 'ANCHORED'
       RETURNING ${INVENTORY_RETURNING}`,
      [VERIFYING_OPINIONS],
    );
    for (const i of verified.rows) await publishInventory(c, i, 'VERIFIED');
    return {
      anchors: anchors.rowCount ?? 0,
      reports: reports.rows.length,
      supersessions: superseded.rows.length,
      inventories: inventories.rows.length,
      verified: verified.rows.length,
    };
  });
}

export interface ChainReconcilerOptions {
  pool: Pool;
  /**
   * The API process's event bus: a pass runs as soon as the indexer reports an anchor, a
   * supersession or a reorg (`chain.notice`), instead of waiting for the next interval.
   */
  events?: Pick<EventBus, 'subscribe'>;
  /**
   * Interval of the scheduled pass (default 5000 ms). Needed even with `events`: an event becomes
   * confirmed when the head moves past the finality depth, which produces no notice.
   */
  intervalMs?: number;
  onResult?: (r: ReconcileResult) => void;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

/**
 * Runs `reconcileChainState` on a timer and on chain notices. Passes never overlap; a notice during
 * a pass schedules one more. Returns a stop function.
 */
export function startChainReconciler(o: ChainReconcilerOptions): () => Promise<void> {
  return startPassLoop({
    intervalMs: o.intervalMs ?? 5000,
    notices: o.events?.subscribe<{ kind?: string }>(CHAIN_NOTICE_TOPIC, (e) =>
      (RECONCILE_NOTICE_KINDS as readonly string[]).includes(
        String((e.payload as { kind?: string } | null)?.kind),
      ),
    ),
    run: async () => {
      const r = await reconcileChainState(o.pool);
      o.onResult?.(r);
    },
    onError: (e) => o.log?.('chain reconcile failed', { error: e.message }),
  });
}
