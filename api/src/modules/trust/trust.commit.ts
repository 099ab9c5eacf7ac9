import { randomBytes } from 'node:crypto';
import {
  type InventoryLineLeafData,
  MerkleTree,
  type ReadingLeafData,
  inventoryLineLeafBytes,
  packProof,
  readingLeafBytes,
} from 'opencep-verify';
import type pg from 'pg';
import { type Pool, hex, to0x, tx } from './trust.sql';

/** Batching options (docs/trust.md §Batching). */
export interface BatcherOptions {
  /** Batch period in seconds (default 3600: hourly batches per enterprise). */
  periodSeconds?: number;
  /** A period is batched once it ended this many seconds ago (default 60). */
  settleSeconds?: number;
  /**
   * Rows are found through `received_at` from the last watermark minus this window (default 600 s),
   * which covers ingest transactions still in flight when the watermark moved.
   */
  lookbackSeconds?: number;
  /** Clock (tests). */
  now?: () => Date;
}

/**
 * The SQL forms of committed reading fields, shared with the tamper check so both recompute the
 * leaf identically: value rounded to 10^-6 (numeric round, half away from zero), time in Unix ms.
 */
export const READING_VALUE_SQL = (alias: string) => `round(${alias}.value, 6)::text`;
export const READING_TS_MS_SQL = (alias: string) =>
  `floor(extract(epoch FROM ${alias}.ts) * 1000)::bigint::text`;

export interface ReadingRow {
  meter_id: string;
  ts_us: string;
  source: string;
  value: string;
  unit: string;
  ts_ms: string;
}

export function readingLeafDataOfRow(
  enterpriseId: string,
  r: Pick<ReadingRow, 'meter_id' | 'value' | 'unit' | 'ts_ms'>,
  salt: Uint8Array,
): ReadingLeafData {
  return {
    salt: to0x(salt),
    enterprise: enterpriseId,
    meter: r.meter_id,
    tsMs: BigInt(r.ts_ms),
    value: r.value,
    unit: r.unit,
  };
}

export interface CommittedBatch {
  batchId: string;
  enterpriseId: string;
  root: `0x${string}`;
  leafCount: number;
  seq: number;
  previousBatchId: string | null;
}

interface LeafInsert {
  leaf: Uint8Array;
  salt: Uint8Array;
  proof: Uint8Array;
  meterId: string | null;
  tsUs: string | null;
  source: string | null;
  lineData: string | null;
}

/** Builds the tree, then inserts batch, leaves (with proofs) and the pending anchor in `c`'s transaction. */
async function insertBatch(
  c: pg.PoolClient,
  b: {
    enterpriseId: string;
    kind: 'readings' | 'inventory';
    scope: string;
    periodStart: Date;
    periodEnd: Date;
    standardRef?: Uint8Array;
  },
  leaves: Omit<LeafInsert, 'proof'>[],
): Promise<CommittedBatch> {
  const tree = MerkleTree.build(leaves.map((l) => l.leaf));
  const prev = await c.query<{ id: string; root: Buffer; seq: number }>(
    `SELECT id, root, seq FROM trust_batch WHERE enterprise_id = $1 AND kind = $2 AND scope = $3 AND period_start = $4
     ORDER BY seq DESC LIMIT 1`,
    [b.enterpriseId, b.kind, b.scope, b.periodStart],
  );
  const p = prev.rows[0];
  const seq = p ? p.seq + 1 : 0;
  const ins = await c.query<{ id: string }>(
    `INSERT INTO trust_batch (enterprise_id, kind, scope, period_start, period_end, seq, previous_batch_id, previous_root,
       root, leaf_count, standard_ref)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11, decode(repeat('00', 32), 'hex'))) RETURNING id`,
    [
      b.enterpriseId,
      b.kind,
      b.scope,
      b.periodStart,
      b.periodEnd,
      seq,
      p?.id ?? null,
      p?.root ?? null,
      Buffer.from(tree.rootBytes),
      leaves.length,
      b.standardRef ? Buffer.from(b.standardRef) : null,
    ],
  );
  const batchId = (ins.rows[0] as { id: string }).id;
  const CHUNK = 5000;
  for (let start = 0; start < leaves.length; start += CHUNK) {
    const part = leaves.slice(start, start + CHUNK);
    await c.query(
      `INSERT INTO trust_leaf (enterprise_id, batch_id, leaf_index, leaf, salt, proof, meter_id, ts, source, line_data)
       SELECT $1, $2, u.i, decode(u.leaf, 'hex'), decode(u.salt, 'hex'), decode(u.proof, 'hex'), u.meter,
              CASE WHEN u.ts_us IS NULL THEN NULL ELSE timestamptz 'epoch' + u.ts_us * interval '1 microsecond' END,
              u.source, u.line::jsonb
       FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::bigint[], $9::text[], $10::text[])
         AS u(i, leaf, salt, proof, meter, ts_us, source, line)`,
      [
        b.enterpriseId,
        batchId,
        part.map((_, k) => start + k),
        part.map((l) => hex(l.leaf)),
        part.map((l) => hex(l.salt)),
        part.map((_, k) => hex(packProof(tree.proofBytes(start + k)))),
        part.map((l) => l.meterId),
        part.map((l) => l.tsUs),
        part.map((l) => l.source),
        part.map((l) => l.lineData),
      ],
    );
  }
  await c.query(`INSERT INTO trust_anchor (enterprise_id, batch_id, root) VALUES ($1, $2, $3)`, [
    b.enterpriseId,
    batchId,
    Buffer.from(tree.rootBytes),
  ]);
  return {
    batchId,
    enterpriseId: b.enterpriseId,
    root: tree.root,
    leafCount: leaves.length,
    seq,
    previousBatchId: p?.id ?? null,
  };
}

/**
 * Commits the not-yet-committed readings of one enterprise and period into a new batch (seq 0, or
 * a late-data batch that references the previous one). Serialised per (enterprise, period) with an
 * advisory lock; the unique reading index is the safety net. Returns null when nothing is new.
 */
export async function commitReadingPeriod(
  pool: Pool,
  enterpriseId: string,
  periodStart: Date,
  periodEnd: Date,
): Promise<CommittedBatch | null> {
  return tx(pool, async (c) => {
    await c.query(`SELECT pg_advisory_xact_lock(hashtext('trust:readings:' || $1 || ':' || $2))`, [
      enterpriseId,
      periodStart.toISOString(),
    ]);
    const rows = await c.query<ReadingRow>(
      `SELECT r.meter_id, (extract(epoch FROM r.ts) * 1000000)::bigint::text AS ts_us, r.source,
              ${READING_VALUE_SQL('r')} AS value, r.unit, ${READING_TS_MS_SQL('r')} AS ts_ms
       FROM metering_reading r
       WHERE r.enterprise_id = $1 AND r.ts >= $2 AND r.ts < $3
         AND NOT EXISTS (SELECT 1 FROM trust_leaf l WHERE l.enterprise_id = r.enterprise_id AND l.meter_id = r.meter_id
                         AND l.ts = r.ts AND l.source = r.source)
       ORDER BY r.meter_id, r.ts, r.source`,
      [enterpriseId, periodStart, periodEnd],
    );
    if (rows.rows.length === 0) return null;
    const leaves = rows.rows.map((r) => {
      const salt = randomBytes(32);
      return {
        leaf: readingLeafBytes(readingLeafDataOfRow(enterpriseId, r, salt)),
        salt,
        meterId: r.meter_id,
        tsUs: r.ts_us,
        source: r.source,
        lineData: null,
      };
    });
    return insertBatch(c, { enterpriseId, kind: 'readings', scope: '', periodStart, periodEnd }, leaves);
  });
}

/**
 * One batcher pass: finds (enterprise, period) pairs with uncommitted readings in closed periods,
 * commits each as a batch, then advances the watermark. Read-only on metering tables, so ingestion
 * is never blocked; runs in its own loop (startBatcher).
 */
export async function runBatcherOnce(pool: Pool, opts: BatcherOptions = {}): Promise<CommittedBatch[]> {
  const period = opts.periodSeconds ?? 3600;
  const settle = opts.settleSeconds ?? 60;
  const lookback = opts.lookbackSeconds ?? 600;
  const now = (opts.now ?? (() => new Date()))();
  const cursorRow = await pool.query<{ received_at: Date }>(
    `SELECT received_at FROM trust_cursor WHERE name = 'readings'`,
  );
  const cursor = cursorRow.rows[0]?.received_at ?? new Date(0);
  const from = new Date(cursor.getTime() - lookback * 1000);
  const closedBefore = new Date(now.getTime() - settle * 1000);
  const groups = await pool.query<{
    enterprise_id: string;
    period_start: Date;
    open: boolean;
    min_received: Date;
    max_received: Date;
  }>(
    `SELECT r.enterprise_id, date_bin(make_interval(secs => $2), r.ts, timestamptz 'epoch') AS period_start,
            date_bin(make_interval(secs => $2), r.ts, timestamptz 'epoch') + make_interval(secs => $2) > $3 AS open,
            min(r.received_at) AS min_received, max(r.received_at) AS max_received
     FROM metering_reading r
     WHERE r.received_at >= $1
       AND NOT EXISTS (SELECT 1 FROM trust_leaf l WHERE l.enterprise_id = r.enterprise_id AND l.meter_id = r.meter_id
                       AND l.ts = r.ts AND l.source = r.source)
     GROUP BY 1, 2, 3`,
    [from, period, closedBefore],
  );
  const committed: CommittedBatch[] = [];
  for (const g of groups.rows.filter((x) => !x.open)) {
    const end = new Date(g.period_start.getTime() + period * 1000);
    const b = await commitReadingPeriod(pool, g.enterprise_id, g.period_start, end);
    if (b) committed.push(b);
  }
  // Never move the watermark past uncommitted rows of still-open periods.
  const open = groups.rows.filter((x) => x.open).map((x) => x.min_received.getTime());
  const seen = groups.rows.map((x) => x.max_received.getTime());
  if (seen.length > 0) {
    const next = new Date(
      Math.max(
        cursor.getTime(),
        Math.min(open.length ? Math.min(...open) : Number.POSITIVE_INFINITY, Math.max(...seen)),
      ),
    );
    await pool.query(
      `INSERT INTO trust_cursor (name, received_at) VALUES ('readings', $1)
       ON CONFLICT (name) DO UPDATE SET received_at = greatest(trust_cursor.received_at, EXCLUDED.received_at)`,
      [next],
    );
  }
  return committed;
}

/** A line of an inventory to commit (accounting calls this when an inventory is finalised). */
export interface InventoryLineInput {
  line: string;
  value: string;
  unit: string;
}

/**
 * Commits the lines of one inventory as a batch (kind 'inventory', scope = inventory id). Values
 * must be exact at 10^-6. Recommitting the same inventory makes a new batch referencing the previous.
 */
export async function commitInventory(
  pool: Pool,
  input: {
    enterpriseId: string;
    inventoryId: string;
    periodStart: Date;
    periodEnd: Date;
    standardRef?: Uint8Array;
    lines: InventoryLineInput[];
  },
): Promise<CommittedBatch> {
  if (input.lines.length === 0) throw new Error('an inventory batch needs at least one line');
  return tx(pool, async (c) => {
    await c.query(`SELECT pg_advisory_xact_lock(hashtext('trust:inventory:' || $1))`, [input.inventoryId]);
    const leaves = input.lines.map((l) => {
      const salt = randomBytes(32);
      const data: InventoryLineLeafData = {
        salt: to0x(salt),
        enterprise: input.enterpriseId,
        inventory: input.inventoryId,
        line: l.line,
        periodStart: BigInt(Math.floor(input.periodStart.getTime() / 1000)),
        periodEnd: BigInt(Math.floor(input.periodEnd.getTime() / 1000)),
        value: l.value,
        unit: l.unit,
      };
      const lineData = JSON.stringify({
        inventory: input.inventoryId,
        line: l.line,
        periodStart: input.periodStart.toISOString(),
        periodEnd: input.periodEnd.toISOString(),
        value: l.value,
        unit: l.unit,
      });
      return { leaf: inventoryLineLeafBytes(data), salt, meterId: null, tsUs: null, source: null, lineData };
    });
    return insertBatch(
      c,
      {
        enterpriseId: input.enterpriseId,
        kind: 'inventory',
        scope: input.inventoryId,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        standardRef: input.standardRef,
      },
      leaves,
    );
  });
}
