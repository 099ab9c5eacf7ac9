import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { EVENT_TABLES, type Row, TABLES, type TableName } from './events';
import type { BlockHeader } from './rpc';

export const NOTIFY_CHANNEL = 'opencep_chain';
/** Postgres caps NOTIFY payloads at 8000 bytes; stay well below. */
const MAX_PAYLOAD = 7000;

export interface Checkpoint {
  blockNumber: number;
  blockHash: string;
  blockTimestamp: number | null;
}

export interface Meta {
  chainId: number;
  genesisHash: string;
  deploymentBlock: number;
  samples: { n: number; h: string }[];
}

/** Everything one block range commits, in one transaction together with the checkpoint. */
export interface Batch {
  chainId: number;
  fromBlock: number;
  toBlock: number;
  checkpoint: BlockHeader;
  blocks: (BlockHeader & { logCount: number })[];
  logs: Row[];
  typed: Map<TableName, Row[]>;
  proposals: Set<string>;
  quotas: Map<string, { enterpriseId: string; year: number }>;
  notifications: Map<string, Record<string, string | number>[]>;
  /** New finalized sample for chain.meta (replacement detection), when the batch is final. */
  sample?: { n: number; h: string };
  /** Blocks without logs below this number may be pruned. */
  pruneBelow: number;
  keepBlock: number;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** COPY text-format field: NULL as \N; backslash, tab, newline and CR escaped. */
function copyField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v !== 'string') return String(v);
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : v;
}

async function copyRows(c: pg.ClientBase, target: string, columns: string[], rows: Row[]): Promise<void> {
  const stream = c.query(copyFrom(`COPY ${target} (${columns.join(', ')}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const chunk: string[] = [];
  for (const r of rows) {
    chunk.push(columns.map((col) => copyField(r[col])).join('\t'));
    if (chunk.length === 2000) stream.write(`${chunk.splice(0).join('\n')}\n`);
  }
  if (chunk.length) stream.write(`${chunk.join('\n')}\n`);
  stream.end();
  await done;
}

/** A COPY hit an existing key: the batch is re-applied in replay mode (ON CONFLICT). */
class ReplayNeeded extends Error {}

/**
 * Bulk insert. Rows above the checkpoint never exist (they are only written together with the
 * checkpoint, and a rollback deletes them with it), so a range normally COPYs straight into the
 * table (`replay` false). Should a row exist anyway, that COPY fails on the key, the whole
 * transaction is rolled back and the batch is re-applied with `replay` true: INSERT … ON CONFLICT
 * through a temp table. A replay is harmless either way, and the normal path pays for no savepoint.
 */
async function insertRows(c: pg.ClientBase, table: TableName, rows: Row[], replay: boolean): Promise<void> {
  if (!rows.length) return;
  const columns = TABLES[table].map(([name]) => name);
  if (!replay && table !== 'block') {
    try {
      await copyRows(c, `chain.${table}`, columns, rows);
      return;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new ReplayNeeded(table, { cause: err });
      throw err;
    }
  }
  if (table === 'block') {
    await upsertBlocks(c, rows);
    return;
  }
  const list = columns.join(', ');
  // Each table is staged at most once per transaction; ON COMMIT DELETE ROWS empties it.
  const stage = `stage_${table}`;
  await c.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE chain.${table}) ON COMMIT DELETE ROWS`);
  await copyRows(c, stage, columns, rows);
  await c.query(`INSERT INTO chain.${table} (${list}) SELECT ${list} FROM ${stage} ON CONFLICT DO NOTHING`);
}

/**
 * Block headers in one statement. A block row may first be written as a bare checkpoint/deployment
 * header; a later batch brings its logs.
 */
async function upsertBlocks(c: pg.ClientBase, rows: Row[]): Promise<void> {
  if (!rows.length) return;
  const col = (name: string) => rows.map((r) => r[name] ?? null);
  await c.query(
    `INSERT INTO chain.block (chain_id, block_number, block_hash, parent_hash, block_timestamp, log_count)
     SELECT * FROM unnest($1::int4[], $2::int8[], $3::text[], $4::text[], $5::timestamptz[], $6::int4[])
     ON CONFLICT (chain_id, block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash,
       parent_hash = EXCLUDED.parent_hash, log_count = greatest(chain.block.log_count, EXCLUDED.log_count)`,
    [
      col('chain_id'),
      col('block_number'),
      col('block_hash'),
      col('parent_hash'),
      col('block_timestamp'),
      col('log_count'),
    ],
  );
}

/** Recomputes derived proposal rows (tallies, state) from the event tables for the given ids. */
async function refreshProposals(c: pg.ClientBase, chainId: number, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await c.query(`DELETE FROM chain.proposal WHERE chain_id = $1 AND proposal_id = ANY($2::numeric[])`, [
    chainId,
    ids,
  ]);
  await c.query(
    `INSERT INTO chain.proposal (chain_id, proposal_id, proposer, description, vote_start, vote_end, eta, state,
       for_votes, against_votes, abstain_votes, vote_count, created_block, block_number, updated_at)
     SELECT $1, p.id, cr.proposer, cr.description, cr.vote_start, cr.vote_end, q.eta,
       CASE last.kind WHEN 'created' THEN 'pending' ELSE last.kind END,
       coalesce(v.for_votes, 0), coalesce(v.against_votes, 0), coalesce(v.abstain_votes, 0), coalesce(v.n, 0),
       cr.block_number, greatest(last.block_number, v.last_block), greatest(last.block_timestamp, v.last_ts)
     FROM unnest($2::numeric[]) AS p(id)
     JOIN LATERAL (SELECT kind, block_number, block_timestamp FROM chain.proposal_event e
                   WHERE e.chain_id = $1 AND e.proposal_id = p.id
                   ORDER BY block_number DESC, log_index DESC LIMIT 1) last ON true
     LEFT JOIN LATERAL (SELECT proposer, description, vote_start, vote_end, block_number FROM chain.proposal_event e
                   WHERE e.chain_id = $1 AND e.proposal_id = p.id AND kind = 'created'
                   ORDER BY block_number, log_index LIMIT 1) cr ON true
     LEFT JOIN LATERAL (SELECT eta FROM chain.proposal_event e
                   WHERE e.chain_id = $1 AND e.proposal_id = p.id AND kind = 'queued'
                   ORDER BY block_number DESC, log_index DESC LIMIT 1) q ON true
     LEFT JOIN LATERAL (SELECT sum(weight) FILTER (WHERE support = 1) AS for_votes,
                          sum(weight) FILTER (WHERE support = 0) AS against_votes,
                          sum(weight) FILTER (WHERE support = 2) AS abstain_votes,
                          count(*)::int AS n, max(block_number) AS last_block, max(block_timestamp) AS last_ts
                   FROM chain.vote w WHERE w.chain_id = $1 AND w.proposal_id = p.id) v ON true`,
    [chainId, ids],
  );
}

/** Recomputes the current quota of the given (enterprise, year) keys from chain.quota_event. */
async function refreshQuotas(
  c: pg.ClientBase,
  chainId: number,
  keys: { enterpriseId: string; year: number }[],
): Promise<void> {
  if (!keys.length) return;
  const ents = keys.map((k) => k.enterpriseId);
  const years = keys.map((k) => k.year);
  await c.query(
    `DELETE FROM chain.quota q USING unnest($2::text[], $3::int[]) AS k(e, y)
     WHERE q.chain_id = $1 AND q.enterprise_id = k.e AND q.year = k.y`,
    [chainId, ents, years],
  );
  await c.query(
    `INSERT INTO chain.quota (chain_id, enterprise_id, year, amount, revision, issued_at, block_number, updated_at)
     SELECT $1, k.e, k.y, last.amount, last.revision, iss.block_timestamp, last.block_number, last.block_timestamp
     FROM unnest($2::text[], $3::int[]) AS k(e, y)
     JOIN LATERAL (SELECT amount, revision, block_number, block_timestamp FROM chain.quota_event q
                   WHERE q.chain_id = $1 AND q.enterprise_id = k.e AND q.year = k.y
                   ORDER BY block_number DESC, log_index DESC LIMIT 1) last ON true
     JOIN LATERAL (SELECT block_timestamp FROM chain.quota_event q
                   WHERE q.chain_id = $1 AND q.enterprise_id = k.e AND q.year = k.y
                   ORDER BY (kind = 'issued') DESC, block_number, log_index LIMIT 1) iss ON true
     ON CONFLICT DO NOTHING`,
    [chainId, ents, years],
  );
}

/**
 * Splits one kind's ids into NOTIFY payloads under the size cap. Payload:
 * `{ v: 1, kind, chainId, fromBlock, toBlock, count, ids: [...], more?: true }`.
 */
export function notificationPayloads(
  base: { chainId: number; fromBlock: number; toBlock: number },
  kind: string,
  ids: Record<string, string | number>[],
): string[] {
  const out: string[] = [];
  let chunk: Record<string, string | number>[] = [];
  let size = 0;
  const flush = (more: boolean) => {
    out.push(
      JSON.stringify({
        v: 1,
        kind,
        ...base,
        count: chunk.length,
        ids: chunk,
        ...(more ? { more: true } : {}),
      }),
    );
    chunk = [];
    size = 0;
  };
  for (const id of ids) {
    const len = JSON.stringify(id).length + 1;
    if (size + len > MAX_PAYLOAD - 200 && chunk.length) flush(true);
    chunk.push(id);
    size += len;
  }
  flush(false);
  // Huge batches (backfill) would flood listeners; past 20 payloads send only a count.
  if (out.length > 20) {
    return [JSON.stringify({ v: 1, kind, ...base, count: ids.length, ids: [], truncated: true })];
  }
  return out;
}

async function notify(c: pg.ClientBase, payloads: string[]): Promise<void> {
  if (!payloads.length) return;
  await c.query(`SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, [NOTIFY_CHANNEL, payloads]);
}

export class Store {
  constructor(readonly pool: pg.Pool) {}

  /**
   * Runs `fn` in a transaction. `begin` may add statements to the BEGIN round trip (simple-query
   * protocol); their results are passed to `fn`.
   */
  async tx<T>(fn: (c: pg.PoolClient, began: pg.QueryResult[]) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const c = await this.pool.connect();
    try {
      const res = (await c.query(begin)) as pg.QueryResult | pg.QueryResult[];
      const out = await fn(c, Array.isArray(res) ? res : [res]);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  async meta(): Promise<Meta | undefined> {
    const { rows } = await this.pool.query(
      `SELECT chain_id, genesis_hash, deployment_block, samples FROM chain.meta WHERE id`,
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      chainId: r.chain_id,
      genesisHash: r.genesis_hash,
      deploymentBlock: Number(r.deployment_block),
      samples: r.samples,
    };
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const { rows } = await this.pool.query(
      `SELECT block_number, block_hash, extract(epoch FROM block_timestamp)::bigint AS ts FROM chain.checkpoint WHERE id`,
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      blockNumber: Number(r.block_number),
      blockHash: r.block_hash,
      blockTimestamp: r.ts === null ? null : Number(r.ts),
    };
  }

  /** First start on a chain: meta, the checkpoint just below the deployment block, its header. */
  async init(meta: Meta, start: BlockHeader, deployHeader: BlockHeader): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO chain.meta (chain_id, genesis_hash, deployment_block, samples) VALUES ($1, $2, $3, $4)`,
        [meta.chainId, meta.genesisHash, meta.deploymentBlock, JSON.stringify(meta.samples)],
      );
      await c.query(
        `INSERT INTO chain.checkpoint (chain_id, block_number, block_hash, block_timestamp) VALUES ($1, $2, $3, $4)`,
        [meta.chainId, start.number, start.hash, iso(start.timestamp)],
      );
      await upsertBlocks(
        c,
        [start, deployHeader].map((h) => ({
          chain_id: meta.chainId,
          block_number: h.number,
          block_hash: h.hash,
          parent_hash: h.parentHash,
          block_timestamp: iso(h.timestamp),
          log_count: 0,
        })),
      );
    });
  }

  /**
   * Commits one block range: blocks, raw logs, typed rows, derived state, checkpoint, NOTIFY — in
   * one transaction and few round trips (a batch is Postgres-bound during backfill).
   */
  async commit(b: Batch): Promise<void> {
    try {
      await this.commitOnce(b, false);
    } catch (err) {
      if (!(err instanceof ReplayNeeded)) throw err;
      await this.commitOnce(b, true);
    }
  }

  private async commitOnce(b: Batch, replay: boolean): Promise<void> {
    // Guard against a second writer or a stale in-memory cursor: the range must start right after
    // the stored checkpoint, else nothing is written. (Simple-query protocol: one round trip.)
    const begin = `BEGIN; SELECT block_number FROM chain.checkpoint WHERE id FOR UPDATE`;
    await this.tx(async (c, began) => {
      const stored = Number(began[1]?.rows[0]?.block_number);
      if (stored !== b.fromBlock - 1) {
        throw new Error(`checkpoint moved: expected ${b.fromBlock - 1}, found ${stored}`);
      }
      await upsertBlocks(
        c,
        b.blocks.map((h) => ({
          chain_id: b.chainId,
          block_number: h.number,
          block_hash: h.hash,
          parent_hash: h.parentHash,
          block_timestamp: iso(h.timestamp),
          log_count: h.logCount,
        })),
      );
      await insertRows(c, 'log', b.logs, replay);
      for (const [table, rows] of b.typed) await insertRows(c, table, rows, replay);
      await refreshProposals(c, b.chainId, [...b.proposals]);
      await refreshQuotas(c, b.chainId, [...b.quotas.values()]);
      const base = { chainId: b.chainId, fromBlock: b.fromBlock, toBlock: b.toBlock };
      const payloads = [
        JSON.stringify({ v: 1, kind: 'batch', ...base, count: b.logs.length }),
        ...[...b.notifications].flatMap(([kind, ids]) => notificationPayloads(base, kind, ids)),
      ];
      // Checkpoint, replacement sample, pruning of log-less headers below the unfinalized window,
      // and the NOTIFYs (delivered on commit only) in one statement: data-modifying CTEs always run.
      await c.query(
        `WITH cp AS (
           UPDATE chain.checkpoint SET block_number = $1, block_hash = $2, block_timestamp = $3, updated_at = now()
           WHERE id RETURNING 1),
         sample AS (
           UPDATE chain.meta SET samples = jsonb_build_array(samples -> 0, $4::jsonb), updated_at = now()
           WHERE id AND $4::jsonb IS NOT NULL RETURNING 1),
         pruned AS (
           DELETE FROM chain.block WHERE chain_id = $5 AND block_number < $6 AND block_number >= $6 - 100000
             AND log_count = 0 AND block_number <> $7 AND block_number <> $1 RETURNING 1)
         SELECT count(pg_notify($8, p)) FROM unnest($9::text[]) AS p`,
        [
          b.checkpoint.number,
          b.checkpoint.hash,
          iso(b.checkpoint.timestamp),
          b.sample ? JSON.stringify(b.sample) : null,
          b.chainId,
          b.pruneBelow,
          b.keepBlock,
          NOTIFY_CHANNEL,
          payloads,
        ],
      );
    }, begin);
  }

  /** Stored block hashes at or below `n`, newest first (reorg common-ancestor search). */
  async storedBlocks(below: number, limit: number): Promise<{ n: number; h: string }[]> {
    const { rows } = await this.pool.query(
      `SELECT block_number, block_hash FROM chain.block WHERE block_number <= $1 ORDER BY block_number DESC LIMIT $2`,
      [below, limit],
    );
    return rows.map((r) => ({ n: Number(r.block_number), h: r.block_hash as string }));
  }

  /** Reorg: drops every row above the common ancestor, recomputes derived state, moves the checkpoint. */
  async rollback(
    chainId: number,
    ancestor: BlockHeader,
    oldCheckpoint: number,
  ): Promise<{ removedLogs: number; payload: string }> {
    return this.tx(async (c) => {
      const proposals = new Set<string>();
      const quotas = new Map<string, { enterpriseId: string; year: number }>();
      for (const t of EVENT_TABLES) {
        if (t === 'proposal_event' || t === 'vote') {
          const { rows } = await c.query(
            `DELETE FROM chain.${t} WHERE block_number > $1 RETURNING proposal_id::text AS id`,
            [ancestor.number],
          );
          for (const r of rows) proposals.add(r.id);
        } else if (t === 'quota_event') {
          const { rows } = await c.query(
            `DELETE FROM chain.${t} WHERE block_number > $1 RETURNING enterprise_id, year`,
            [ancestor.number],
          );
          for (const r of rows)
            quotas.set(`${r.enterprise_id}/${r.year}`, { enterpriseId: r.enterprise_id, year: r.year });
        } else {
          await c.query(`DELETE FROM chain.${t} WHERE block_number > $1`, [ancestor.number]);
        }
      }
      const removed = await c.query(`DELETE FROM chain.log WHERE block_number > $1`, [ancestor.number]);
      await c.query(`DELETE FROM chain.block WHERE block_number > $1`, [ancestor.number]);
      await refreshProposals(c, chainId, [...proposals]);
      await refreshQuotas(c, chainId, [...quotas.values()]);
      await c.query(
        `UPDATE chain.checkpoint SET block_number = $1, block_hash = $2, block_timestamp = $3, updated_at = now() WHERE id`,
        [ancestor.number, ancestor.hash, iso(ancestor.timestamp)],
      );
      const payload = JSON.stringify({
        v: 1,
        kind: 'reorg',
        chainId,
        commonAncestor: ancestor.number,
        fromBlock: ancestor.number + 1,
        toBlock: oldCheckpoint,
        count: removed.rowCount ?? 0,
        ids: [],
      });
      await notify(c, [payload]);
      return { removedLogs: removed.rowCount ?? 0, payload };
    });
  }

  /** Chain replaced in 'reindex' mode: empties the whole mirror in one transaction. */
  async wipe(reason: Record<string, string | number>): Promise<void> {
    await this.tx(async (c) => {
      const tables = [...EVENT_TABLES, 'log', 'block', 'proposal', 'quota', 'checkpoint', 'meta'];
      await c.query(`TRUNCATE ${tables.map((t) => `chain.${t}`).join(', ')}`);
      await c.query(`UPDATE chain.indexer_status SET events_total = 0, reorgs_total = 0 WHERE id`);
      await notify(c, [JSON.stringify({ v: 1, kind: 'chain_reset', ...reason, ids: [] })]);
    });
  }

  async writeStatus(s: {
    chainId: number | null;
    phase: string;
    headBlock: number | null;
    headTimestamp: number | null;
    checkpointBlock: number | null;
    finalityDepth: number;
    lagBlocks: number | null;
    lagSeconds: number | null;
    eventsTotal: number;
    eventsPerSecond: number;
    reorgsTotal: number;
    lastError: string | null;
    lastErrorAt: Date | null;
  }): Promise<void> {
    await this.pool.query(
      `INSERT INTO chain.indexer_status (id, chain_id, phase, head_block, head_timestamp, checkpoint_block,
         finality_depth, lag_blocks, lag_seconds, events_total, events_per_second, reorgs_total, last_error,
         last_error_at, updated_at)
       VALUES (true, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())
       ON CONFLICT (id) DO UPDATE SET chain_id = EXCLUDED.chain_id, phase = EXCLUDED.phase,
         head_block = EXCLUDED.head_block, head_timestamp = EXCLUDED.head_timestamp,
         checkpoint_block = EXCLUDED.checkpoint_block, finality_depth = EXCLUDED.finality_depth,
         lag_blocks = EXCLUDED.lag_blocks, lag_seconds = EXCLUDED.lag_seconds, events_total = EXCLUDED.events_total,
         events_per_second = EXCLUDED.events_per_second, reorgs_total = EXCLUDED.reorgs_total,
         last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at, updated_at = now()`,
      [
        s.chainId,
        s.phase,
        s.headBlock,
        s.headTimestamp === null ? null : iso(s.headTimestamp),
        s.checkpointBlock,
        s.finalityDepth,
        s.lagBlocks,
        s.lagSeconds,
        s.eventsTotal,
        s.eventsPerSecond,
        s.reorgsTotal,
        s.lastError,
        s.lastErrorAt,
      ],
    );
  }
}
