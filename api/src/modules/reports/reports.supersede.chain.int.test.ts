import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { ATTESTATION_VERIFY_ABI, uuidToBytes32 } from 'opencep-verify';
import { devAccount, type LocalRegistry, startLocalRegistry } from 'opencep-verify/testing';
import pg from 'pg';
import { type Hex, parseEventLogs } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { calculate, inventoryHash, inventoryToCanonicalJson } from '../accounting/engine/calculate';
import { activity, line, machineryPack } from '../accounting/testing';
import type { AnchorWorker } from '../trust/trust.anchor-worker';
import { type AnchorPipeline, startAnchorPipeline } from '../trust/testing';
import { commitInventory } from '../trust/trust.commit';
import { reconcileChainState } from '../trust/trust.reconcile';
import { configureReports } from './report.chain';

/**
 * End to end on a real Hardhat node with the real indexer: report and inventory anchors become
 * `anchored` from the confirmed chain mirror (not on read), and a corrected report supersedes its
 * predecessor ON CHAIN (AttestationRegistry.supersede through the anchoring queue), visible in
 * GraphQL as supersession { state reason txHash } and pushed to reportChanged subscribers.
 */
const E = DEMO_ENTERPRISE_ID;
const anchorKey = devAccount(8);
let db: TestDatabase;
let api: TestApi;
let chain: LocalRegistry;
let pool: pg.Pool;
let anchor: AnchorPipeline;
let worker: AnchorWorker;
let admin: TestSession;
let regulator: TestSession;
let inventoryId = '';
const changes: { reportId: string; change: string; state: string; txHash: string | null }[] = [];
let unsubscribe: () => void = () => undefined;

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const mine = () => chain.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
const queueRow = async (root: string) =>
  (
    await pool.query<{
      state: string;
      tx_hash: string | null;
      block_number: string | null;
      attempts: number;
    }>(
      `SELECT state, tx_hash, block_number::text, attempts FROM trust_anchor WHERE root = decode($1, 'hex')`,
      [root.slice(2)],
    )
  ).rows[0];
/** Ticks the anchoring worker until the queue row of `root` is confirmed (mined). */
async function anchorNow(root: string) {
  return until(`anchor ${root} confirmed`, async () => {
    await worker.tick();
    const a = await queueRow(root);
    return a?.state === 'confirmed' ? a : undefined;
  });
}
const anchorOf = (root: Hex) =>
  chain.publicClient.readContract({
    address: chain.registry,
    abi: ATTESTATION_VERIFY_ABI,
    functionName: 'anchorOf',
    args: [root],
  });

const FIELDS = `id state anchorRoot anchorTxHash anchorBlockNumber anchoredAt supersededByReportId
  supersession { supersededByReportId reason state txHash blockNumber recordedAt }
  supersededBy { id state }`;
type R = {
  id: string;
  state: string;
  anchorRoot: Hex | null;
  anchorTxHash: string | null;
  anchorBlockNumber: number | null;
  anchoredAt: string | null;
  supersededByReportId: string | null;
  supersession: {
    supersededByReportId: string;
    reason: string;
    state: string;
    txHash: string | null;
    blockNumber: number | null;
    recordedAt: string | null;
  } | null;
  supersededBy: { id: string; state: string } | null;
};
const get = async (id: string, who = admin) => {
  const r = await who.gql<{ report: R }>(`query($id: ID!) { report(id: $id) { ${FIELDS} } }`, { id });
  expect(r.errors).toBeUndefined();
  return r.data?.report as R;
};
async function generate(language: string, extra: Record<string, unknown> = {}): Promise<string> {
  const g = await admin.gql<{ generateReport: { id: string } }>(
    `mutation($i: GenerateReportInput!) { generateReport(input: $i) { id } }`,
    { i: { inventoryId, language, ...extra } },
  );
  expect(g.errors).toBeUndefined();
  return g.data?.generateReport.id as string;
}
async function sign(id: string): Promise<Hex> {
  const td = await admin.gql<{ reportTypedData: { json: string } }>(
    `query { reportTypedData(reportId: "${id}") { json } }`,
  );
  const signature = await anchorKey.signTypedData(JSON.parse(td.data?.reportTypedData.json as string));
  const s = await admin.gql<{ signReport: { anchorRoot: Hex } }>(
    `mutation { signReport(reportId: "${id}", signature: "${signature}", signer: "${anchorKey.address}") { anchorRoot } }`,
  );
  expect(s.errors).toBeUndefined();
  return s.data?.signReport.anchorRoot as Hex;
}

beforeAll(async () => {
  [db, chain] = await Promise.all([createTestDatabase('reports_supersede'), startLocalRegistry()]);
  api = await startTestApi(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  await chain.registerEnterprise(uuidToBytes32(E) as Hex, anchorKey.address);
  configureReports({ chainId: chain.chainId });
  anchor = await startAnchorPipeline({
    databaseUrl: db.url,
    pool,
    chain,
    events: api.server.events,
    anchorKey,
  });
  worker = anchor.worker;
  [admin, regulator] = await Promise.all([
    api.loginAs('admin@plant18.demo'),
    api.loginAs('regulator@hunan.demo'),
  ]);
  const inv = calculate(machineryPack(), activity([line('grid', 'electricity.purchased', '100', 'MWh')]));
  const [row] = (await api.server.dataSource.query(
    `INSERT INTO accounting_inventory (enterprise_id, period_kind, period_start, period_end, revision, state,
       standard_source, pack_ref, pack_hash, canonical_json, inventory_hash, activity_json, total_location, scope1, scope2_location, scope3)
     VALUES ($1, 'YEAR', '2023-01-01', '2023-12-31', 1, 'FINAL', 'CHAIN', 'cn-machinery-2015@1.0.0', $2, $3, $4, '{}', 57.03, 0, 57.03, 0)
     RETURNING id`,
    [E, inv.pack.hash, inventoryToCanonicalJson(inv), inventoryHash(inv)],
  )) as { id: string }[];
  inventoryId = row?.id as string;
  const ws = api.ws(admin.accessToken);
  unsubscribe = ws.subscribe<{ reportChanged: (typeof changes)[number] }>(
    { query: `subscription { reportChanged(enterpriseId: "${E}") { reportId change state txHash } }` },
    {
      next: (m) => {
        if (m.data) changes.push(m.data.reportChanged);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  await new Promise((r) => setTimeout(r, 300));
}, 90_000);

afterAll(async () => {
  unsubscribe();
  configureReports({ chainId: 31337 });
  await anchor?.stop();
  await pool?.end();
  await api?.close();
  await db?.drop();
  await chain?.stop();
});

describe('chain state and on-chain supersession', () => {
  let v1 = '';
  let v1Root: Hex = '0x';

  it('a report becomes anchored from the confirmed mirror event, not when read; subscribers see it', async () => {
    v1 = await generate('en');
    v1Root = await sign(v1);
    const q = await anchorNow(v1Root);
    // Mined, and the indexer mirrored the Anchored event, but it is not confirmed (finality 1).
    await until('Anchored mirrored', async () => {
      const r = await pool.query(`SELECT 1 FROM chain.anchor WHERE root = $1`, [v1Root]);
      return r.rowCount ? true : undefined;
    });
    expect(await reconcileChainState(pool)).toMatchObject({ reports: 0 });
    const before = await get(v1);
    expect(before.state).toBe('signed'); // a read changes nothing, whatever the queue says
    expect((await get(v1)).state).toBe('signed');
    const reg = await regulator.gql<{ regulatorReports: { id: string }[] }>(`{ regulatorReports { id } }`);
    expect(reg.data?.regulatorReports).toEqual([]);

    await mine();
    const after = await until('report anchored', async () => {
      const r = await get(v1);
      return r.state === 'anchored' ? r : undefined;
    });
    expect(after.anchorTxHash).toBe(q?.tx_hash);
    expect(after.anchorBlockNumber).toBe(Number(q?.block_number));
    expect(after.anchoredAt).not.toBeNull();
    await until('ANCHORED pushed', async () =>
      changes.some((c) => c.reportId === v1 && c.change === 'ANCHORED' && c.state === 'anchored')
        ? true
        : undefined,
    );
    const reg2 = await regulator.gql<{ regulatorReports: { id: string; state: string }[] }>(
      `{ regulatorReports { id state } }`,
    );
    expect(reg2.data?.regulatorReports).toEqual([{ id: v1, state: 'anchored' }]);
  }, 60_000);

  it('an inventory becomes ANCHORED once its committed root is confirmed on chain; emissionsUpdated pushes it', async () => {
    const updates: { inventoryId: string; state: string }[] = [];
    const stopUpdates = api.ws(admin.accessToken).subscribe<{
      emissionsUpdated: { inventoryId: string; state: string };
    }>(
      { query: `subscription { emissionsUpdated(enterpriseId: "${E}") { inventoryId state } }` },
      {
        next: (m) => {
          if (m.data) updates.push(m.data.emissionsUpdated);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    const batch = await commitInventory(pool, {
      enterpriseId: E,
      inventoryId,
      periodStart: new Date('2023-01-01T00:00:00Z'),
      periodEnd: new Date('2024-01-01T00:00:00Z'),
      lines: [{ line: 'scope2/electricity/location', value: '57.03', unit: 'tCO2e' }],
    });
    const root = batch.root;
    await anchorNow(root);
    const state = async () =>
      (
        await pool.query<{ state: string; anchor_ref: string | null }>(
          `SELECT state, anchor_ref FROM accounting_inventory WHERE id = $1`,
          [inventoryId],
        )
      ).rows[0];
    expect((await state())?.state).toBe('FINAL');
    const proof = () =>
      admin.gql<{ inventoryLineProof: { anchorState: string; chainAnchoredAt: string | null } }>(
        `query($e: ID!, $i: ID!) { inventoryLineProof(enterpriseId: $e, inventoryId: $i, line: "scope2/electricity/location") { anchorState chainAnchoredAt } }`,
        { e: E, i: inventoryId },
      );
    expect((await proof()).data?.inventoryLineProof).toEqual({
      anchorState: 'confirmed',
      chainAnchoredAt: null,
    });
    await mine();
    const s = await until('inventory anchored', async () => {
      const x = await state();
      return x?.state === 'ANCHORED' ? x : undefined;
    });
    expect(s.anchor_ref).toBe(root);
    expect((await proof()).data?.inventoryLineProof.chainAnchoredAt).not.toBeNull();
    await until('emissionsUpdated ANCHORED pushed', async () =>
      updates.some((u) => u.inventoryId === inventoryId && u.state === 'ANCHORED') ? true : undefined,
    );
    stopUpdates();
  }, 60_000);

  it('a correction supersedes the anchored report on chain with its reason; GraphQL shows supersededBy, reason, tx', async () => {
    const reason = 'corrected purchased electricity';
    const v2 = await generate('en', { supersedesReportId: v1, reason });
    const pending = await get(v1);
    expect(pending.supersededByReportId).toBe(v2);
    expect(pending.supersession).toMatchObject({
      supersededByReportId: v2,
      reason,
      state: 'PENDING',
      txHash: null,
    });
    const v2Root = await sign(v2);
    const queued = await pool.query(
      `SELECT '0x' || encode(supersedes_root, 'hex') AS old, supersede_reason FROM trust_anchor WHERE root = decode($1, 'hex')`,
      [v2Root.slice(2)],
    );
    expect(queued.rows).toEqual([{ old: v1Root, supersede_reason: reason }]);

    const q = await anchorNow(v2Root);
    // On chain: the old anchor is marked superseded, the new root anchored, the event carries the reason.
    expect((await anchorOf(v1Root)).superseded).toBe(true);
    expect((await anchorOf(v2Root)).anchoredAt).not.toBe(0);
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: q?.tx_hash as Hex });
    const ev = parseEventLogs({ abi: chain.registryAbi, logs: receipt.logs, eventName: 'AnchorSuperseded' });
    expect((ev[0] as unknown as { args: { oldRoot: Hex; newRoot: Hex; reason: string } }).args).toMatchObject(
      {
        oldRoot: v1Root,
        newRoot: v2Root,
        reason,
      },
    );

    await mine();
    const old = await until('supersession recorded', async () => {
      const r = await get(v1);
      return r.supersession?.state === 'RECORDED' && r.supersededBy?.state === 'anchored' ? r : undefined;
    });
    expect(old.supersession).toMatchObject({
      supersededByReportId: v2,
      reason,
      txHash: q?.tx_hash,
      blockNumber: Number(q?.block_number),
    });
    expect(old.supersession?.recordedAt).not.toBeNull();
    expect(old.supersededBy).toEqual({ id: v2, state: 'anchored' });
    expect(old.state).toBe('anchored'); // history is kept: the old report stays anchored, marked superseded
    await until('SUPERSEDED_ON_CHAIN pushed', async () =>
      changes.some((c) => c.reportId === v1 && c.change === 'SUPERSEDED_ON_CHAIN' && c.txHash === q?.tx_hash)
        ? true
        : undefined,
    );
    // The regulator sees both, with the supersession.
    const reg = await regulator.gql<{
      regulatorReports: { id: string; supersession: { state: string; reason: string } | null }[];
    }>(`{ regulatorReports { id supersession { state reason } } }`);
    expect(reg.errors).toBeUndefined();
    expect(reg.data?.regulatorReports.find((r) => r.id === v1)?.supersession).toEqual({
      state: 'RECORDED',
      reason,
    });
    expect(reg.data?.regulatorReports.find((r) => r.id === v2)?.supersession).toBeNull();
  }, 60_000);

  it('a correction waits in the queue until its predecessor is anchored, then supersedes it', async () => {
    const z1 = await generate('zh-CN');
    const z1Root = await sign(z1);
    // Hold the predecessor's anchor back: the correction must not go out as a plain anchor.
    await pool.query(
      `UPDATE trust_anchor SET next_attempt_at = now() + interval '1 hour' WHERE root = decode($1, 'hex')`,
      [z1Root.slice(2)],
    );
    const z2 = await generate('zh-CN', { supersedesReportId: z1, reason: 'wrong reporting boundary' });
    const z2Root = await sign(z2);
    await worker.tick();
    expect(await queueRow(z2Root)).toMatchObject({ state: 'pending', attempts: 0, tx_hash: null });
    expect((await anchorOf(z2Root)).anchoredAt).toBe(0);

    await pool.query(`UPDATE trust_anchor SET next_attempt_at = now() WHERE root = decode($1, 'hex')`, [
      z1Root.slice(2),
    ]);
    await anchorNow(z1Root);
    await pool.query(`UPDATE trust_anchor SET next_attempt_at = now() WHERE root = decode($1, 'hex')`, [
      z2Root.slice(2),
    ]);
    await anchorNow(z2Root);
    expect((await anchorOf(z1Root)).superseded).toBe(true);
    await mine();
    const old = await until('supersession recorded', async () => {
      const r = await get(z1);
      return r.supersession?.state === 'RECORDED' ? r : undefined;
    });
    expect(old.supersession?.reason).toBe('wrong reporting boundary');
  }, 60_000);
});
