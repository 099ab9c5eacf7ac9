import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from './events';
import type { BlockHeader } from './rpc';
import { type Batch, NOTIFY_CHANNEL, Store } from './store';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const header = (n: number): BlockHeader => ({
  number: n,
  hash: hash(1000 + n),
  parentHash: hash(1000 + n - 1),
  timestamp: 1_800_000_000 + n,
});
const ts = (n: number) => new Date((1_800_000_000 + n) * 1000).toISOString();

function logRow(block: number, logIndex: number): Row {
  return {
    chain_id: 31337,
    tx_hash: hash(block * 100),
    log_index: logIndex,
    block_number: block,
    block_timestamp: ts(block),
    address: '0x00000000000000000000000000000000000000aa',
    block_hash: header(block).hash,
    topic0: hash(7),
    topic1: null,
    topic2: null,
    topic3: null,
    data: '0x',
    contract: 'Emitter',
    event_name: 'Anchored',
    args: null,
  };
}

function anchorRow(block: number, logIndex: number): Row {
  return {
    chain_id: 31337,
    tx_hash: hash(block * 100),
    log_index: logIndex,
    block_number: block,
    block_timestamp: ts(block),
    address: '0x00000000000000000000000000000000000000aa',
    enterprise_id: hash(1),
    standard_ref: hash(2),
    root: hash(3000 + block * 10 + logIndex),
    period_start: ts(0),
    period_end: ts(1),
    kind: 'readings',
    leaf_count: '10',
    submitter: '0x00000000000000000000000000000000000000bb',
  };
}

function batch(from: number, to: number, logIndexes: number[]): Batch {
  const logs = logIndexes.map((i) => logRow(to, i));
  return {
    chainId: 31337,
    fromBlock: from,
    toBlock: to,
    checkpoint: header(to),
    blocks: [{ ...header(to), logCount: logs.length }],
    logs,
    typed: new Map([['anchor', logIndexes.map((i) => anchorRow(to, i))]]),
    proposals: new Set(),
    quotas: new Map(),
    notifications: new Map([['anchor_confirmed', logIndexes.map((i) => ({ root: hash(i) }))]]),
    pruneBelow: to,
    keepBlock: 1,
    sample: { n: to, h: header(to).hash },
  };
}

describe('Store.commit', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: Store;
  const q = async (sql: string) => (await pool.query(sql)).rows;

  beforeAll(async () => {
    db = await createTestDatabase('indexer_store');
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    store = new Store(pool);
    await store.init(
      { chainId: 31337, genesisHash: hash(1), deploymentBlock: 1, samples: [{ n: 1, h: header(1).hash }] },
      header(0),
      header(1),
    );
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('writes rows, checkpoint, sample and NOTIFYs in one transaction; refuses a range not after the checkpoint', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const notes: { kind: string; count: number }[] = [];
    listener.on('notification', (n) => notes.push(JSON.parse(n.payload ?? '{}')));
    await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
    try {
      await store.commit(batch(1, 3, [0, 1, 2]));
      expect(await store.checkpoint()).toMatchObject({ blockNumber: 3, blockHash: header(3).hash });
      expect(await q(`SELECT count(*)::int AS n FROM chain.log`)).toEqual([{ n: 3 }]);
      expect(await q(`SELECT count(*)::int AS n FROM chain.anchor`)).toEqual([{ n: 3 }]);
      expect(await q(`SELECT samples FROM chain.meta`)).toEqual([
        {
          samples: [
            { n: 1, h: header(1).hash },
            { n: 3, h: header(3).hash },
          ],
        },
      ]);
      await new Promise((r) => setTimeout(r, 100));
      expect(notes.map((n) => [n.kind, n.count])).toEqual([
        ['batch', 3],
        ['anchor_confirmed', 3],
      ]);

      // Same range again: the checkpoint guard refuses it and nothing is written.
      await expect(store.commit(batch(1, 3, [0, 1, 2]))).rejects.toThrow(/checkpoint moved/);
      expect(await q(`SELECT count(*)::int AS n FROM chain.log`)).toEqual([{ n: 3 }]);
    } finally {
      await listener.end();
    }
  });

  it('re-applies a batch whose rows partly exist (replay) with ON CONFLICT: no duplicate, no loss', async () => {
    // Rows of block 5 that are already there although the checkpoint is at 3.
    await pool.query(
      `INSERT INTO chain.log (chain_id, tx_hash, log_index, block_number, block_timestamp, address, block_hash,
         topic0, data, contract, event_name)
       VALUES (31337, $1, 1, 5, $2, '0x00000000000000000000000000000000000000aa', $3, $4, '0x', 'Emitter', 'Anchored')`,
      [hash(500), ts(5), header(5).hash, hash(7)],
    );
    await store.commit(batch(4, 5, [0, 1, 2, 3]));
    expect(await store.checkpoint()).toMatchObject({ blockNumber: 5 });
    expect(
      await q(`SELECT block_number::int AS b, count(*)::int AS n FROM chain.log GROUP BY 1 ORDER BY 1`),
    ).toEqual([
      { b: 3, n: 3 },
      { b: 5, n: 4 },
    ]);
    expect(await q(`SELECT count(*)::int AS n FROM chain.anchor WHERE block_number = 5`)).toEqual([{ n: 4 }]);
    // Header rows: the deployment block and the checkpoint are kept, log-less ones below are pruned.
    expect(await q(`SELECT block_number::int AS b, log_count AS n FROM chain.block ORDER BY 1`)).toEqual([
      { b: 1, n: 0 },
      { b: 3, n: 3 },
      { b: 5, n: 4 },
    ]);
  });
});
