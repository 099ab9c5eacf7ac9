/**
 * Indexer bench (`npm run bench:indexer`): generates BENCH_EVENTS events (default 100,000) on a
 * local Hardhat node, then measures
 *   - the floor: raw eth_getLogs over the same range + a bulk COPY of the same raw rows into a table
 *     equivalent to chain.log (same columns and indexes),
 *   - the indexer: backfill from the deployment block to the head into a fresh database (decode,
 *     raw + typed rows, derived state, checkpoint, NOTIFY), as events/s and as a ratio of the floor,
 *   - steady-state lag: a transaction every 250 ms while following; time from receipt to the
 *     committed batch's NOTIFY, and lag in blocks.
 * Goal: indexer backfill >= 50% of the floor.
 */
import { createTestDatabase } from '@opencep/migrations';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { z } from 'zod';
import { startHardhatNode, TestChain } from '../indexer/test/chain';
import { NOTIFY_CHANNEL, startIndexer } from '../indexer/src/index';

const config = z
  .object({
    BENCH_EVENTS: z.coerce.number().int().positive().default(100_000),
    DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
  })
  .parse(process.env);
// createTestDatabase reads the server URL from the environment.
process.env.DATABASE_URL = config.DATABASE_URL;

const PER_TX = 2000;
/** eth_getLogs requests of the indexer: answered, and refused (their range fetched again, smaller). */
const requests = { ok: 0, refused: 0 };
const silent = {
  info() {},
  warn() {},
  error() {},
  debug(o: object, m?: string) {
    if (m === 'eth_getLogs') requests.ok++;
    if (m === 'eth_getLogs failed, shrinking range') requests.refused++;
    if (process.argv.includes('--verbose') && m !== 'eth_getLogs')
      console.log(m, JSON.stringify(o).slice(0, 400));
  },
};
const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;

interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logIndex: string;
}

async function rawGetLogs(url: string, address: string, from: number, to: number): Promise<RawLog[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_getLogs',
      params: [{ address, fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` }],
    }),
  });
  const body = (await res.json()) as { result?: RawLog[]; error?: { message: string } };
  if (!body.result) throw new Error(`eth_getLogs: ${body.error?.message}`);
  return body.result;
}

async function main(): Promise<void> {
  const node = await startHardhatNode();
  const dbs = await Promise.all([createTestDatabase('bench_indexer'), createTestDatabase('bench_floor')]);
  const [db, floorDb] = dbs;
  if (!db || !floorDb) throw new Error('no database');
  try {
    const chain = await TestChain.deploy(node.url);
    let t = performance.now();
    let emitted = 0;
    for (let i = 0; emitted < config.BENCH_EVENTS; i++) {
      const n = Math.min(PER_TX, config.BENCH_EVENTS - emitted);
      await chain.call('anchorMany', ['0x'.padEnd(66, '1'), BigInt(n), BigInt(i)]);
      emitted += n;
    }
    const head = await chain.head();
    const from = chain.deployment.contracts.Emitter?.blockNumber ?? 0;
    console.log(`generated ${emitted} events in blocks ${from}..${head} (${ms(t)})`);

    // Floor: raw eth_getLogs over the same range (same 10,000-block cap as the indexer) + COPY.
    t = performance.now();
    const logs: RawLog[] = [];
    for (let b = from; b <= head; b += 10_000) {
      logs.push(...(await rawGetLogs(node.url, chain.address, b, Math.min(head, b + 9_999))));
    }
    const getLogsMs = performance.now() - t;
    const floor = new pg.Client({ connectionString: floorDb.url });
    await floor.connect();
    await floor.query(`CREATE TABLE floor_log (LIKE chain.log INCLUDING ALL)`);
    const tCopy = performance.now();
    const now = new Date().toISOString();
    const stream = floor.query(copyFrom(`COPY floor_log FROM STDIN`));
    const lines: string[] = [];
    for (const l of logs) {
      const topics = [0, 1, 2, 3].map((i) => l.topics[i] ?? '\\N');
      lines.push(
        [
          31337,
          l.transactionHash,
          Number(l.logIndex),
          Number(l.blockNumber),
          l.blockHash,
          now,
          l.address,
          ...topics,
          l.data,
          '\\N',
          '\\N',
          '\\N',
        ].join('\t'),
      );
      if (lines.length === 5000) stream.write(`${lines.splice(0).join('\n')}\n`);
    }
    if (lines.length) stream.write(`${lines.join('\n')}\n`);
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end();
    });
    const copyMs = performance.now() - tCopy;
    await floor.end();
    const floorMs = getLogsMs + copyMs;
    const floorRate = logs.length / (floorMs / 1000);
    console.log(
      `floor: eth_getLogs ${getLogsMs.toFixed(0)} ms + COPY ${copyMs.toFixed(0)} ms = ${floorMs.toFixed(0)} ms → ${floorRate.toFixed(0)} events/s`,
    );

    // Indexer backfill.
    const watch = new pg.Client({ connectionString: db.url });
    await watch.connect();
    const batches: { toBlock: number; at: number }[] = [];
    watch.on('notification', (n) => {
      const p = JSON.parse(n.payload ?? '{}') as { kind?: string; toBlock?: number };
      if (p.kind === 'batch' && p.toBlock !== undefined)
        batches.push({ toBlock: p.toBlock, at: performance.now() });
    });
    await watch.query(`LISTEN ${NOTIFY_CHANNEL}`);
    t = performance.now();
    const indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: node.url,
      deployment: chain.deployment,
      finalityDepth: 2,
      pollIntervalMs: 100,
      logger: silent,
    });
    const checkpoint = async () =>
      Number((await watch.query(`SELECT block_number FROM chain.checkpoint`)).rows[0]?.block_number ?? -1);
    while ((await checkpoint()) < head) await new Promise((r) => setTimeout(r, 20));
    const backfillMs = performance.now() - t;
    const { rows } = await watch.query(`SELECT count(*)::int AS n FROM chain.log`);
    const indexed = Number(rows[0]?.n);
    const rate = indexed / (backfillMs / 1000);
    const backfillRequests = { ...requests };
    console.log(
      `indexer backfill: ${indexed} events in ${backfillMs.toFixed(0)} ms → ${rate.toFixed(0)} events/s ` +
        `(eth_getLogs: ${backfillRequests.ok} answered, ${backfillRequests.refused} refused and re-fetched smaller)`,
    );

    // Steady state: one 20-event transaction every 250 ms for 10 s.
    const lags: number[] = [];
    const lagBlocks: number[] = [];
    const end = performance.now() + 10_000;
    let k = 0;
    while (performance.now() < end) {
      const hash = await chain.call('anchorMany', ['0x'.padEnd(66, '2'), 20n, BigInt(1_000_000 + k++)]);
      const sent = performance.now();
      const receipt = await chain.pub.waitForTransactionReceipt({ hash, pollingInterval: 10 });
      const block = Number(receipt.blockNumber);
      while (!batches.some((b) => b.toBlock >= block)) await new Promise((r) => setTimeout(r, 5));
      lags.push((batches.find((b) => b.toBlock >= block)?.at ?? sent) - sent);
      lagBlocks.push((await indexer.status()).lagBlocks ?? 0);
      await new Promise((r) => setTimeout(r, 250));
    }
    lags.sort((a, b) => a - b);
    const p50 = lags[Math.floor(lags.length / 2)] ?? 0;
    const max = lags[lags.length - 1] ?? 0;
    console.log(
      `steady state (poll 100 ms, HTTP): ${lags.length} txs, lag p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms, ` +
        `lag after commit max ${Math.max(...lagBlocks)} blocks`,
    );
    await indexer.stop();
    await watch.end();

    const ratio = rate / floorRate;
    console.log(`ratio indexer/floor: ${(ratio * 100).toFixed(0)}% (goal >= 50%)`);
    console.log(
      JSON.stringify({
        bench: 'indexer',
        events: indexed,
        floorEventsPerSec: Math.round(floorRate),
        indexerEventsPerSec: Math.round(rate),
        ratio: Math.round(ratio * 100) / 100,
        steadyLagMsP50: Math.round(p50),
        steadyLagMsMax: Math.round(max),
        getLogsRefused: backfillRequests.refused,
      }),
    );
  } finally {
    await node.stop();
    await Promise.all(dbs.map((d) => d.drop()));
  }
}

await main();
