import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointOf,
  type HardhatNode,
  mirrorSnapshot,
  startHardhatNode,
  TestChain,
  waitFor,
} from '../test/chain';
import { startIndexer } from './index';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const KILLS = 24;

/** Runs the CLI (src/main.ts via tsx) as a child process on the crash database. */
function spawnIndexer(env: Record<string, string>): ChildProcess {
  return spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), [join(here, 'main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

describe('exactly once under kill -9', () => {
  let node: HardhatNode;
  let chain: TestChain;
  let clean: TestDatabase;
  let crash: TestDatabase;

  beforeAll(async () => {
    [node, clean, crash] = await Promise.all([
      startHardhatNode(),
      createTestDatabase('indexer_clean'),
      createTestDatabase('indexer_crash'),
    ]);
    chain = await TestChain.deploy(node.url);
    await chain.history(3, 14, 40);
    await chain.mine(400);
  });

  afterAll(async () => {
    await node?.stop();
    await clean?.drop();
    await crash?.drop();
  });

  it(`SIGKILL at ${KILLS} random points during backfill leaves a mirror identical to a clean run`, async () => {
    const head = await chain.head();
    const settings = { finalityDepth: 2, initialBlockRange: 1, maxBlockRange: 2 };

    const ref = await startIndexer({
      databaseUrl: clean.url,
      rpcUrl: node.url,
      deployment: chain.deployment,
      pollIntervalMs: 50,
      logger: silent,
      ...settings,
    });
    const t0 = Date.now();
    await waitFor(async () => (await checkpointOf(clean.url)) >= head, 60_000, 'clean run');
    await ref.stop();
    console.log(`clean run to block ${head}: ${Date.now() - t0} ms`);

    const dir = mkdtempSync(join(tmpdir(), 'opencep-indexer-'));
    const deploymentFile = join(dir, `${chain.deployment.chainId}.json`);
    writeFileSync(deploymentFile, JSON.stringify(chain.deployment));
    const env = {
      DATABASE_URL: crash.url,
      CHAIN_RPC_URL: node.url,
      CHAIN_DEPLOYMENT_FILE: deploymentFile,
      INDEXER_FINALITY_DEPTH: String(settings.finalityDepth),
      INDEXER_INITIAL_BLOCK_RANGE: String(settings.initialBlockRange),
      INDEXER_MAX_BLOCK_RANGE: String(settings.maxBlockRange),
      INDEXER_POLL_INTERVAL_MS: '50',
      LOG_LEVEL: 'warn',
    };
    const points: number[] = [];
    let kills = 0;
    while (kills < KILLS) {
      const before = await checkpointOf(crash.url);
      if (before >= head) break;
      const child = spawnIndexer(env);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      // Mostly kill while batches are being committed; every fourth kill lands at a random instant of
      // start-up (before or during the first transactions).
      if (kills % 4 === 3) {
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 800));
      } else {
        await waitFor(
          async () => (await checkpointOf(crash.url)) > before || child.exitCode !== null,
          30_000,
          'progress',
        );
        // Short: a fast machine must not finish the backfill before every kill point is used.
        await new Promise((r) => setTimeout(r, Math.random() * 30));
      }
      child.kill('SIGKILL');
      await exited;
      kills++;
      points.push(await checkpointOf(crash.url));
    }
    console.log(`kill points (checkpoint after each kill): ${points.join(' ')}`);
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(points[points.length - 1]).toBeLessThan(head); // every kill hit the backfill

    const last = spawnIndexer(env);
    await waitFor(async () => (await checkpointOf(crash.url)) >= head, 60_000, 'final run');
    last.kill('SIGTERM');
    await new Promise((r) => last.once('exit', r));

    const [a, b] = await Promise.all([mirrorSnapshot(clean.url), mirrorSnapshot(crash.url)]);
    expect(b.log?.length).toBeGreaterThan(500);
    expect(b).toEqual(a);
  }, 170_000);
});
