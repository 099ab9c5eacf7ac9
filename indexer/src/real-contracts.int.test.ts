import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointOf, type HardhatNode, startHardhatNode, TestChain, waitFor } from '../test/chain';
import { startIndexer } from './index';

const artifacts = join(
  import.meta.dirname,
  '..',
  '..',
  'contracts',
  'artifacts',
  'src',
  'StandardsRegistry.sol',
);
const silent = { info() {}, warn() {}, error() {}, debug() {} };

// The real OpenCEP contracts through contracts/deploy (deployAll + seedDemo: a full governance round,
// participants, roles, a quota). Needs compiled Hardhat artifacts (`npm test` compiles them first).
describe.skipIf(!existsSync(artifacts))('indexer on the real OpenCEP deployment', () => {
  let node: HardhatNode | undefined;
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await node?.stop();
    await db?.drop();
  });

  it('mirrors the demo seed into typed tables and derived state', async () => {
    const deploy = await import('../../contracts/deploy/index');
    [node, db] = await Promise.all([startHardhatNode(), createTestDatabase('indexer_real')]);
    const outDir = mkdtempSync(join(tmpdir(), 'opencep-deploy-'));
    const d = await deploy.deployAll({
      rpcUrl: node.url,
      deployerKey: deploy.DEV_DEPLOYER_KEY,
      outDir,
      ...deploy.DEMO_SETTINGS,
    });
    const indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: node.url,
      deploymentFile: join(outDir, `${d.chainId}.json`),
      finalityDepth: 2,
      pollIntervalMs: 50,
      logger: silent,
    });
    try {
      const seed = await deploy.seedDemo({ rpcUrl: node.url, deployment: d });
      const head = await new TestChain(node.url).head();
      await waitFor(async () => (await checkpointOf(db?.url ?? '')) >= head, 30_000, 'seed indexed');
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const one = async (sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows;
        expect(await one(`SELECT count(*)::int AS n FROM chain.log WHERE event_name IS NULL`)).toEqual([
          { n: 0 },
        ]);
        expect(await one(`SELECT proposal_id::text AS id, state, vote_count FROM chain.proposal`)).toEqual([
          { id: String(seed.proposalId), state: 'executed', vote_count: 3 },
        ]);
        expect(
          await one(`SELECT version FROM chain.active_standard_version($1, now())`, [
            seed.standardId.toLowerCase(),
          ]),
        ).toEqual([{ version: deploy.DEMO_STANDARD.version }]);
        expect(await one(`SELECT enterprise_id, amount::text FROM chain.quota`)).toEqual([
          { enterprise_id: seed.enterpriseId.toLowerCase(), amount: String(deploy.DEMO_QUOTA_GRAMS) },
        ]);
        expect(await one(`SELECT count(*)::int AS n FROM chain.member WHERE active`)).toEqual([{ n: 5 }]);
        expect(await one(`SELECT count(*)::int AS n FROM chain.device WHERE active`)).toEqual([{ n: 1 }]);
      } finally {
        await c.end();
      }
    } finally {
      await indexer.stop();
    }
  }, 90_000);
});
