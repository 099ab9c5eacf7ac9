import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalChain, startLocalChain } from '../../scripts/chain/local-chain';
import {
  checkpointOf,
  freePort,
  type HardhatNode,
  mirroredLogs,
  startHardhatNode,
  TestChain,
  waitFor,
} from '../test/chain';
import { type IndexerHandle, startIndexer } from './index';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
/** Long enough that only a pushed head can wake an idle indexer within a test. */
const NO_POLLING = 600_000;

/** A TCP relay in front of the node's WebSocket endpoint that a test can cut and restore. */
async function relay(targetPort: number, port?: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  const listenPort = port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', resolve);
  });
  return {
    port: listenPort,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('following the head', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it('keeps up across hardhat_mine of 500 blocks in one call (reserved blocks report a zero parentHash)', async () => {
    const [node, db]: [HardhatNode, TestDatabase] = await Promise.all([
      startHardhatNode(),
      createTestDatabase('indexer_mine'),
    ]);
    cleanups.push(
      () => node.stop(),
      () => db.drop(),
    );
    const chain = await TestChain.deploy(node.url);
    const caughtUp = async () => (await checkpointOf(db.url)) >= (await chain.head());
    const burst = async (seed: number) => {
      await chain.call('anchorMany', [`0x${String(seed).padStart(64, '0')}`, 5n, BigInt(seed)]);
      await chain.rpc('hardhat_mine', ['0x1f4']); // 500 blocks in one call
      await chain.call('issueQuota', [`0x${String(seed).padStart(64, '0')}`, 2030, BigInt(seed)]);
    };
    // Backfill over reserved blocks: finality depth 200 puts some of them below and some inside
    // the unfinalized window, where every header link is checked.
    await burst(1);
    await burst(2);
    let indexer: IndexerHandle | undefined = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: node.url,
      deployment: chain.deployment,
      finalityDepth: 200,
      pollIntervalMs: 50,
      maxBlockRange: 64,
      logger: silent,
    });
    cleanups.push(() => indexer?.stop() ?? Promise.resolve());
    await waitFor(caughtUp, 60_000, 'backfill over hardhat_mine blocks');
    expect(await mirroredLogs(db.url)).toEqual(await chain.canonicalLogs());

    // Follow: more one-call mines while the indexer is at the head.
    await burst(3);
    await chain.rpc('hardhat_mine', ['0x1f4']);
    await chain.call('anchorMany', [`0x${'4'.padStart(64, '0')}`, 3n, 4n]);
    await waitFor(caughtUp, 60_000, 'follow over hardhat_mine blocks');
    const canonical = await chain.canonicalLogs();
    expect(canonical.length).toBe(3 * 6 + 3);
    expect(await mirroredLogs(db.url)).toEqual(canonical);
    const status = await indexer.status();
    expect(status.lagBlocks).toBe(0);
    expect(status.reorgsTotal).toBe(0); // a zero parentHash is not taken for a reorg
    await indexer.stop();
    indexer = undefined;
  }, 120_000);

  it('follows over a WebSocket newHeads subscription, falls back to polling when it is down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opencep-indexer-ws-'));
    const [lc, db]: [LocalChain, TestDatabase] = await Promise.all([
      freePort().then((port) => startLocalChain({ dataDir: dir, port })),
      createTestDatabase('indexer_ws'),
    ]);
    cleanups.push(
      () => lc.stop(),
      () => db.drop(),
    );
    const chain = await TestChain.deploy(lc.url);
    const caughtUp = async () => (await checkpointOf(db.url)) >= (await chain.head());
    const same = async () =>
      JSON.stringify(await mirroredLogs(db.url)) === JSON.stringify(await chain.canonicalLogs());
    await chain.history(3, 2, 5);
    const nodePort = Number(new URL(lc.url).port);
    let ws = await relay(nodePort);
    cleanups.push(() => ws.close());

    // HTTP for requests, WebSocket for new heads; polling effectively off.
    let indexer: IndexerHandle | undefined = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: lc.url,
      wsUrl: `ws://127.0.0.1:${ws.port}`,
      deployment: chain.deployment,
      finalityDepth: 2,
      pollIntervalMs: NO_POLLING,
      metricsPort: 0,
      logger: silent,
    });
    cleanups.push(() => indexer?.stop() ?? Promise.resolve());
    await waitFor(caughtUp, 30_000, 'backfill');
    await waitFor(async () => (await indexer?.status())?.headSource === 'websocket', 10_000, 'ws live');
    const metrics = await (await fetch(`http://127.0.0.1:${indexer.metricsPort}/metrics`)).text();
    expect(metrics).toContain('opencep_indexer_heads_websocket 1');

    // Idle at the head: only a pushed head can bring these in.
    await chain.history(4, 2, 5);
    await waitFor(caughtUp, 20_000, 'follow via pushed heads');
    expect(await same()).toBe(true);

    // The socket drops: the indexer notices and reports polling; the socket comes back: pushes again.
    await ws.close();
    await waitFor(async () => (await indexer?.status())?.headSource === 'polling', 10_000, 'ws lost');
    ws = await relay(nodePort, ws.port);
    await waitFor(async () => (await indexer?.status())?.headSource === 'websocket', 20_000, 'ws back');
    await chain.history(5, 1, 5);
    await waitFor(caughtUp, 20_000, 'follow after reconnect');
    expect(await same()).toBe(true);
    await indexer.stop();

    // WebSocket unavailable from the start: HTTP polling carries the indexer.
    await ws.close();
    indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: lc.url,
      wsUrl: `ws://127.0.0.1:${ws.port}`,
      deployment: chain.deployment,
      finalityDepth: 2,
      pollIntervalMs: 100,
      logger: silent,
    });
    await chain.history(6, 2, 5);
    await waitFor(caughtUp, 30_000, 'follow by polling');
    expect(await same()).toBe(true);
    expect((await indexer.status()).headSource).toBe('polling');
    expect((await indexer.status()).lastError).toBeNull();
    await indexer.stop();

    // A ws:// rpcUrl alone: requests and new heads over the one socket.
    indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: lc.wsUrl,
      deployment: chain.deployment,
      finalityDepth: 2,
      pollIntervalMs: NO_POLLING,
      logger: silent,
    });
    await waitFor(async () => (await indexer?.status())?.headSource === 'websocket', 10_000, 'ws rpc');
    await chain.history(7, 1, 5);
    await waitFor(caughtUp, 20_000, 'follow over ws rpcUrl');
    expect(await same()).toBe(true);
    await indexer.stop();
    indexer = undefined;
  }, 150_000);

  it('indexes a deployment recorded at the genesis block (sentinel checkpoint −1)', async () => {
    const [node, db]: [HardhatNode, TestDatabase] = await Promise.all([
      startHardhatNode(),
      createTestDatabase('indexer_genesis'),
    ]);
    cleanups.push(
      () => node.stop(),
      () => db.drop(),
    );
    const chain = await TestChain.deploy(node.url);
    await chain.history(2, 2, 3);
    const emitter = chain.deployment.contracts.Emitter;
    if (!emitter) throw new Error('no emitter in the test deployment');
    const deployment = {
      ...chain.deployment,
      contracts: { Emitter: { ...emitter, blockNumber: 0 } },
    };
    const indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: node.url,
      deployment,
      finalityDepth: 1,
      pollIntervalMs: 50,
      logger: silent,
    });
    cleanups.push(() => indexer.stop());
    await waitFor(
      async () => (await checkpointOf(db.url)) >= (await chain.head()),
      30_000,
      'backfill from genesis',
    );
    expect(await mirroredLogs(db.url)).toEqual(await chain.canonicalLogs());
    expect((await indexer.status()).lastError).toBeNull();
  }, 60_000);
});
