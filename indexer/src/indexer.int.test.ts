import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointOf,
  type HardhatNode,
  mirroredLogs,
  startHardhatNode,
  TestChain,
  waitFor,
} from '../test/chain';
import { ChainReplacedError, type IndexerHandle, NOTIFY_CHANNEL, startIndexer } from './index';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

describe('indexer against a Hardhat node', () => {
  let node: HardhatNode;
  let chain: TestChain;
  let db: TestDatabase;
  let listener: pg.Client;
  const notes: { kind: string; [k: string]: unknown }[] = [];
  let indexer: IndexerHandle | undefined;

  const caughtUp = async () => (await checkpointOf(db.url)) >= (await chain.head());
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    [node, db] = await Promise.all([startHardhatNode(), createTestDatabase('indexer')]);
    chain = await TestChain.deploy(node.url);
    await chain.history(1, 8, 20);
    listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (n) => notes.push(JSON.parse(n.payload ?? '{}')));
    await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
  });

  afterAll(async () => {
    await indexer?.stop();
    await listener?.end();
    await node?.stop();
    await db?.drop();
  });

  it('backfills in adaptive ranges, then follows the head; the mirror equals eth_getLogs', async () => {
    indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: node.url,
      deployment: chain.deployment,
      finalityDepth: 3,
      pollIntervalMs: 50,
      initialBlockRange: 4,
      maxBlockRange: 32,
      metricsPort: 0,
      logger: silent,
    });
    await waitFor(caughtUp, 60_000, 'backfill');
    expect(await mirroredLogs(db.url)).toEqual(await chain.canonicalLogs());

    await chain.history(2, 3, 5);
    await waitFor(caughtUp, 30_000, 'follow');
    const canonical = await chain.canonicalLogs();
    expect(await mirroredLogs(db.url)).toEqual(canonical);
    expect(canonical.length).toBeGreaterThan(300);

    // Typed rows: one per decoded OpenCEP event; raw rows all decoded.
    const [undecoded] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM chain.log WHERE event_name IS NULL`,
    );
    expect(undecoded?.n).toBe(0);
    const [anchors] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM chain.anchor`);
    const [anchorLogs] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM chain.log WHERE event_name = 'Anchored'`,
    );
    expect(anchors?.n).toBe(anchorLogs?.n);

    // Derived state: tallies from votes, state from the last transition, quota from the last event.
    const proposals = await query<{
      proposal_id: string;
      state: string;
      for_votes: string;
      vote_count: number;
    }>(
      `SELECT proposal_id::text, state, for_votes::text, vote_count FROM chain.proposal ORDER BY proposal_id`,
    );
    expect(proposals).toHaveLength(11);
    expect(proposals[0]).toMatchObject({ proposal_id: '1000', state: 'executed', vote_count: 2 });
    expect(proposals[0]?.for_votes).toBe('3');
    expect(proposals[1]).toMatchObject({ proposal_id: '1001', state: 'canceled', for_votes: '5' });
    expect(proposals[2]).toMatchObject({ proposal_id: '1002', state: 'queued' });
    expect(proposals[3]).toMatchObject({ proposal_id: '1003', state: 'pending' });
    const quotas = await query<{ year: number; amount: string; revision: number }>(
      `SELECT year, amount::text, revision FROM chain.quota ORDER BY enterprise_id, year`,
    );
    expect(quotas).toContainEqual({ year: 2026, amount: '2000001006', revision: 6 });
    expect(quotas).toContainEqual({ year: 2027, amount: '2000001007', revision: 7 });

    // Active standard version per time: the latest non-deprecated effective one.
    const active = await query<{ version: string }>(
      `SELECT version FROM chain.active_standard_version(
         (SELECT standard_id FROM chain.standard_version WHERE version = '1.1003.0'), to_timestamp(1700010035))`,
    );
    expect(active.map((r) => r.version)).toEqual(['1.1003.0']);
    const beforeAll = await query(
      `SELECT * FROM chain.active_standard_version(
         (SELECT standard_id FROM chain.standard_version WHERE version = '1.1003.0'), to_timestamp(1600000000))`,
    );
    expect(beforeAll).toHaveLength(0);
    const deprecated = await query<{ version: string }>(
      `SELECT version FROM chain.active_standard_version(
         (SELECT standard_id FROM chain.standard_version WHERE version = '1.1005.0'), to_timestamp(1700010055))`,
    );
    expect(deprecated.map((r) => r.version)).toEqual(['1.1004.0']); // 1.1005.0 was deprecated

    // Confirmation: confirmed views stop finalityDepth below the head.
    const [conf] = await query<{ cb: string; head: string }>(
      `SELECT chain.confirmed_block()::text AS cb, head_block::text AS head FROM chain.indexer_status`,
    );
    expect(Number(conf?.cb)).toBe(Number(conf?.head) - 3);
    const [conf2] = await query<{ a: number; b: number }>(
      `SELECT (SELECT count(*)::int FROM chain.log_confirmed) AS a,
              (SELECT count(*)::int FROM chain.log WHERE chain.is_confirmed(block_number)) AS b`,
    );
    expect(conf2?.a).toBe(conf2?.b);

    // NOTIFY per committed batch with domain kinds.
    const kinds = new Set(notes.map((n) => n.kind));
    for (const k of [
      'batch',
      'standard_version_published',
      'proposal_state_changed',
      'vote_cast',
      'quota_issued',
      'anchor_confirmed',
    ]) {
      expect(kinds).toContain(k);
    }
    const vote = notes.find((n) => n.kind === 'vote_cast');
    expect(vote).toMatchObject({
      v: 1,
      chainId: 31337,
      ids: expect.arrayContaining([expect.objectContaining({ proposalId: expect.any(String) })]),
    });

    // Observability.
    const status = await indexer.status();
    expect(status).toMatchObject({ lagBlocks: 0, phase: 'following', lastError: null });
    const [row] = await query<{ lag_blocks: string; events_total: string }>(
      `SELECT lag_blocks, events_total FROM chain.indexer_status`,
    );
    expect(Number(row?.events_total)).toBe(canonical.length);
    const metrics = await (await fetch(`http://127.0.0.1:${indexer.metricsPort}/metrics`)).text();
    expect(metrics).toContain('opencep_indexer_lag_blocks 0');
    expect(metrics).toMatch(/opencep_indexer_events_total \d+/);
  });

  it('rolls back orphaned blocks on a reorg, re-applies the canonical ones and notifies', async () => {
    const snapshot = await chain.rpc<string>('evm_snapshot');
    const ent = '0x00000000000000000000000000000000000000000000000000000000000000ee';
    await chain.call('issueQuota', [ent, 2030, 5n]);
    await chain.call('vote', [1003n, chain.account, 0, 100n]);
    await chain.call('anchorMany', [ent, 7n, 99n]);
    await chain.mine(1);
    await waitFor(caughtUp, 30_000, 'orphan branch indexed');
    expect((await query(`SELECT * FROM chain.quota WHERE year = 2030`)).length).toBe(1);

    await chain.rpc('evm_revert', [snapshot]);
    await chain.resyncNonce();
    await chain.call('issueQuota', [ent, 2031, 6n]);
    await chain.call('anchorMany', [ent, 3n, 98n]);
    await chain.call('vote', [1003n, chain.account, 2, 1n]);
    await chain.mine(3);
    await waitFor(async () => notes.some((n) => n.kind === 'reorg'), 30_000, 'reorg notify');
    await waitFor(caughtUp, 30_000, 'canonical branch indexed');
    expect(await mirroredLogs(db.url)).toEqual(await chain.canonicalLogs());
    expect((await query(`SELECT * FROM chain.quota WHERE year = 2030`)).length).toBe(0);
    expect((await query(`SELECT * FROM chain.quota WHERE year = 2031`)).length).toBe(1);
    const [p] = await query<{ against_votes: string; abstain_votes: string; vote_count: number }>(
      `SELECT against_votes::text, abstain_votes::text, vote_count FROM chain.proposal WHERE proposal_id = 1003`,
    );
    expect(p).toEqual({ against_votes: '2', abstain_votes: '1', vote_count: 3 }); // the orphaned 100 against is gone
    const reorg = notes.find((n) => n.kind === 'reorg');
    expect(reorg).toMatchObject({ chainId: 31337, commonAncestor: expect.any(Number) });
    expect((await indexer?.status())?.reorgsTotal).toBe(1);
  });

  it('detects a replaced chain: stop mode refuses, reindex mode rebuilds', async () => {
    await indexer?.stop();
    indexer = undefined;
    const oldGenesis = chain.deployment.genesisHash;
    const node2 = await startHardhatNode();
    try {
      const chain2 = await TestChain.deploy(node2.url);
      await chain2.history(7, 2, 3);
      const opts = {
        databaseUrl: db.url,
        rpcUrl: node2.url,
        deployment: chain2.deployment,
        finalityDepth: 3,
        pollIntervalMs: 50,
        logger: silent,
      };
      const err = await startIndexer(opts).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ChainReplacedError);
      expect(String((err as Error).message)).toContain(String(oldGenesis));
      expect(String((err as Error).message)).toContain(String(chain2.deployment.genesisHash));

      indexer = await startIndexer({ ...opts, onChainReplaced: 'reindex' });
      await waitFor(async () => (await checkpointOf(db.url)) >= (await chain2.head()), 30_000, 'reindex');
      expect(await mirroredLogs(db.url)).toEqual(await chain2.canonicalLogs());
      expect(notes.some((n) => n.kind === 'chain_reset')).toBe(true);
      await indexer.stop();
      indexer = undefined;
    } finally {
      await node2.stop();
    }
  });

  it('re-indexes when the dev chain restarts empty under a running indexer (reindex mode)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opencep-indexer-'));
    const deploymentFile = join(dir, '31337.json');
    const node3 = await startHardhatNode();
    let node4: HardhatNode | undefined;
    try {
      const chain3 = await TestChain.deploy(node3.url);
      await chain3.history(8, 2, 4);
      writeFileSync(deploymentFile, JSON.stringify(chain3.deployment));
      const running = await startIndexer({
        databaseUrl: db.url,
        rpcUrl: node3.url,
        deploymentFile,
        finalityDepth: 3,
        pollIntervalMs: 50,
        onChainReplaced: 'reindex',
        logger: silent,
      });
      indexer = running;
      await waitFor(async () => (await checkpointOf(db.url)) >= (await chain3.head()), 30_000, 'first chain');
      const resets = notes.filter((n) => n.kind === 'chain_reset').length;

      // The dev chain restarts empty on the same URL and the deploy script rewrites the file.
      const url = node3.url;
      await node3.stop();
      node4 = await startHardhatNode(Number(new URL(url).port));
      const chain4 = await TestChain.deploy(node4.url);
      await chain4.history(9, 3, 6);
      writeFileSync(deploymentFile, JSON.stringify(chain4.deployment));
      await waitFor(
        async () => notes.filter((n) => n.kind === 'chain_reset').length > resets,
        30_000,
        'chain_reset',
      );
      await waitFor(
        async () =>
          JSON.stringify(await mirroredLogs(db.url)) === JSON.stringify(await chain4.canonicalLogs()),
        30_000,
        'rebuilt mirror',
      );
      await running.stop();
      indexer = undefined;
    } finally {
      await node3.stop();
      await node4?.stop();
    }
  }, 90_000);
});
