import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { uuidToBytes32, verifyProof } from 'opencep-verify';
import { devAccount, type LocalRegistry, startLocalRegistry } from 'opencep-verify/testing';
import pg from 'pg';
import { createWalletClient, type Hex, http, keccak256, parseAbi, toBytes } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/scalars';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { standardIdOf } from '../accounting/accounting.service';
import { isoPack } from '../accounting/testing';
import { configureReports } from '../reports/report.chain';
import { sha256Hex } from '../reports/report.content';
import type { AnchorWorker } from '../trust/trust.anchor-worker';
import { type AnchorPipeline, startAnchorPipeline } from '../trust/testing';
import { runTamperCheck } from '../trust/trust.tamper';
import {
  drainInventoryCommits,
  parseRetirementLine,
  RETIREMENT_LINE_PREFIX,
  startInventoryCommitter,
} from './offsets.commitment';

/**
 * End to end on a real Hardhat node with the real indexer (issues 8, 9, 11): finalising an inventory
 * queues its commitment (hash, totals, net, one leaf per retirement) in the same transaction; the
 * committer commits it, the anchoring worker anchors it, the reconciler moves the inventory to
 * ANCHORED from the confirmed mirror and to VERIFIED once a confirmed verifier statement covers it
 * (directly on the inventory root, or through the reports verifier workflow). A crash between
 * finalisation and commitment, or between commitment and marking the outbox row, loses nothing and
 * commits once. The tamper job sees a changed retirement row.
 */
const E = DEMO_ENTERPRISE_ID;
const anchorKey = devAccount(8);
const verifierKey = devAccount(9);
let db: TestDatabase;
let api: TestApi;
let chain: LocalRegistry;
let pool: pg.Pool;
let chainSide: AnchorPipeline;
let worker: AnchorWorker;
let stopCommitter: (() => Promise<void>) | null = null;
let admin: TestSession;
let verifier: TestSession;
let sourceId = '';

const sql = <T = Record<string, unknown>>(q: string, p: unknown[] = []) =>
  pool.query(q, p).then((r) => r.rows as T[]);
async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const mine = () => chain.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
const startCommitter = () => {
  stopCommitter = startInventoryCommitter({ pool, events: api.server.events, intervalMs: 200 });
};
const batches = (inventoryId: string) =>
  sql<{ id: string; seq: number; root: string; leaf_count: number }>(
    `SELECT id, seq, '0x' || encode(root, 'hex') AS root, leaf_count FROM trust_batch
     WHERE kind = 'inventory' AND scope = $1 ORDER BY seq`,
    [inventoryId],
  );
const outbox = async (inventoryId: string) =>
  (
    await sql<{ batch_id: string | null; committed: boolean; lines: { line: string; value: string }[] }>(
      `SELECT batch_id, committed_at IS NOT NULL AS committed, lines FROM inventory_commit_outbox WHERE inventory_id = $1`,
      [inventoryId],
    )
  )[0];
const invState = async (id: string) =>
  (
    await sql<{ state: string; anchor_ref: string | null; verification_ref: string | null }>(
      `SELECT state, anchor_ref, verification_ref FROM accounting_inventory WHERE id = $1`,
      [id],
    )
  )[0];
/** Ticks the anchoring worker until the root's anchor is mined, then mines one block (finality 1). */
async function anchor(root: string) {
  await until(`anchor ${root} mined`, async () => {
    await worker.tick();
    const [a] = await sql<{ state: string }>(
      `SELECT state FROM trust_anchor WHERE root = decode($1, 'hex')`,
      [root.slice(2)],
    );
    return a?.state === 'confirmed' ? true : undefined;
  });
  await mine();
}
async function statement(root: Hex, opinion: number): Promise<Hex> {
  const w = createWalletClient({ chain: chain.chain, transport: http(chain.url), account: verifierKey });
  const hash = await w.writeContract({
    address: chain.registry,
    abi: parseAbi(['function recordStatement(bytes32 root, uint8 opinion, bytes32 documentHash)']),
    functionName: 'recordStatement',
    args: [root, opinion, sha256Hex(`statement ${opinion}`) as Hex],
  });
  await chain.publicClient.waitForTransactionReceipt({ hash });
  return hash;
}
async function calc(period: string) {
  const r = await admin.gql<{ calculateInventory: { id: string; totalMarket: string } }>(
    `mutation($e: ID!, $p: String!) { calculateInventory(enterpriseId: $e, period: $p, standard: "iso14064-ghgp") { id totalMarket } }`,
    { e: E, p: period },
  );
  expect(r.errors).toBeUndefined();
  return r.data?.calculateInventory as { id: string; totalMarket: string };
}
async function finalize(id: string) {
  return admin.gql<{ finalizeInventory: { state: string } }>(
    `mutation($id: ID!) { finalizeInventory(id: $id) { state } }`,
    { id },
  );
}
async function activity(year: number, quantity: string) {
  const r = await admin.gql(`mutation($i: RecordActivityInput!) { recordActivity(input: $i) { id } }`, {
    i: {
      sourceId,
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
      quantity,
      unit: 'MWh',
      evidenceKind: 'voucher',
      evidenceReference: `GRID-${year}`,
    },
  });
  expect(r.errors).toBeUndefined();
}

beforeAll(async () => {
  [db, chain] = await Promise.all([createTestDatabase('offsets_finalize_chain'), startLocalRegistry()]);
  api = await startTestApi(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await chain.registerEnterprise(uuidToBytes32(E) as Hex, anchorKey.address);
  const deployer = createWalletClient({
    chain: chain.chain,
    transport: http(chain.url),
    account: devAccount(0),
  });
  const grant = await deployer.writeContract({
    address: chain.participants,
    abi: parseAbi(['function grantRole(bytes32 role, address account)']),
    functionName: 'grantRole',
    args: [keccak256(toBytes('VERIFIER_ROLE')), verifierKey.address],
  });
  await chain.publicClient.waitForTransactionReceipt({ hash: grant });
  configureReports({
    chainId: chain.chainId,
    statements: {
      rpcUrl: chain.url,
      registry: chain.registry,
      chain: chain.chain,
      verifierAccount: async () => verifierKey,
    },
  });
  // The ISO pack is the standard version active on chain (mirrored below the indexer's start block).
  await sql(
    `INSERT INTO chain.standard_version (chain_id, tx_hash, log_index, block_number, block_timestamp, address,
       standard_id, content_hash, version_index, version, uri, effective_from)
     VALUES ($1, $2, 0, 0, now(), '0x00', $3, $4, 0, '1.0.0', 'ipfs://x', '2020-01-01T00:00:00Z')`,
    [chain.chainId, `0x${'ab'.repeat(32)}`, standardIdOf('iso14064-ghgp'), isoPack().hash],
  );
  chainSide = await startAnchorPipeline({
    databaseUrl: db.url,
    pool,
    chain,
    events: api.server.events,
    anchorKey,
    workerPollMs: 50,
  });
  worker = chainSide.worker;
  [admin, verifier] = await Promise.all([
    api.loginAs('admin@plant18.demo'),
    api.loginAs('verifier@audit.demo'),
  ]);
  const src = await admin.gql<{ createEmissionSource: { id: string } }>(
    `mutation($i: CreateEmissionSourceInput!) { createEmissionSource(input: $i) { id } }`,
    {
      i: {
        enterpriseId: E,
        code: 'grid',
        name: 'Purchased electricity',
        sourceType: 'electricity.purchased',
        unit: 'MWh',
      },
    },
  );
  expect(src.errors).toBeUndefined();
  sourceId = src.data?.createEmissionSource.id as string;
  await activity(2023, '8500');
  await activity(2022, '7000');
}, 120_000);

afterAll(async () => {
  configureReports({ chainId: 31337 });
  await stopCommitter?.();
  await chainSide?.stop();
  await pool?.end();
  await api?.close();
  await db?.drop();
  await chain?.stop();
});

describe('finalise → committed → anchored → verified', () => {
  let inv2023 = '';
  let root: Hex = '0x';
  const ret: Record<'cert' | 'credit', string> = { cert: '', credit: '' };

  it('finalising commits the inventory with its retirements automatically; the reconciler makes it ANCHORED', async () => {
    startCommitter();
    const year = { enterpriseId: E, periodStart: '2023-01-01', periodEnd: '2023-12-31' };
    const purchase = async (i: Record<string, unknown>) => {
      const r = await admin.gql<{ recordOffsetPurchase: { id: string } }>(
        `mutation($i: RecordOffsetPurchaseInput!) { recordOffsetPurchase(input: $i) { id } }`,
        { i: { ...year, ...i } },
      );
      expect(r.errors).toBeUndefined();
      return r.data?.recordOffsetPurchase.id as string;
    };
    const retire = async (i: Record<string, unknown>) => {
      const r = await admin.gql<{ retireOffset: { id: string } }>(
        `mutation($i: RetireOffsetInput!) { retireOffset(input: $i) { id } }`,
        { i: { ...year, ...i } },
      );
      expect(r.errors).toBeUndefined();
      return r.data?.retireOffset.id as string;
    };
    const cert = await purchase({
      kind: 'CERTIFICATE',
      registry: 'GEC',
      serialStart: '100',
      serialEnd: '199',
      counterparty: 'Gansu wind',
      evidenceKind: 'certificate-registry',
      evidenceReference: 'GEC order',
    });
    const credit = await purchase({
      kind: 'CARBON_CREDIT',
      quantity: '30',
      registry: 'CCER',
      counterparty: 'Forestry sink',
      evidenceKind: 'certificate-registry',
      evidenceReference: 'CCER-1',
    });
    ret.cert = await retire({
      purchaseId: cert,
      serialStart: '100',
      serialEnd: '149',
      evidenceReference: 'R-1',
    });
    ret.credit = await retire({ purchaseId: credit, quantity: '12.5', evidenceReference: 'R-2' });
    const inv = await calc('2023');
    inv2023 = inv.id;
    expect(await outbox(inv2023)).toBeUndefined(); // a draft is not committed

    const fin = await finalize(inv2023);
    expect(fin.errors).toBeUndefined();
    expect(fin.data?.finalizeInventory.state).toBe('FINAL');
    // The committer (woken by the finalisation's notice) committed the lines queued with FINAL.
    const [b] = await until('inventory committed', async () => {
      const x = await batches(inv2023);
      return x.length ? x : undefined;
    });
    root = b?.root as Hex;
    const row = await until('outbox row marked', async () => {
      const r = await outbox(inv2023);
      return r?.committed ? r : undefined;
    });
    expect(row.batch_id).toBe(b?.id);
    const leaves = await sql<{ line: string; value: string; unit: string }>(
      `SELECT line_data->>'line' AS line, line_data->>'value' AS value, line_data->>'unit' AS unit
       FROM trust_leaf WHERE batch_id = $1 ORDER BY leaf_index`,
      [b?.id],
    );
    expect(leaves.map((l) => [l.line, l.value])).toEqual(row.lines.map((l) => [l.line, l.value]));
    expect(leaves[0]?.line).toMatch(/^inventory\/sha256\/0x[0-9a-f]{64}$/);
    const retLeaves = leaves.filter((l) => l.line.startsWith(RETIREMENT_LINE_PREFIX));
    expect(retLeaves.map((l) => [parseRetirementLine(l.line)?.retirementId, l.value, l.unit]).sort()).toEqual(
      [
        [ret.cert, '50', 'MWh'],
        [ret.credit, '12.5', 'tCO2e'],
      ].sort(),
    );
    expect(leaves.find((l) => l.line === 'totals/net')?.value).toBe(
      new Decimal(inv.totalMarket).sub('12.5').toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed(),
    );

    expect((await invState(inv2023))?.state).toBe('FINAL');
    await anchor(root);
    const s = await until('inventory ANCHORED', async () => {
      const x = await invState(inv2023);
      return x?.state === 'ANCHORED' ? x : undefined;
    });
    expect(s.anchor_ref).toBe(root);
  }, 90_000);

  it("a retirement's proof from the anchored inventory verifies against the chain", async () => {
    const p = await admin.gql<{ retirementProof: { root: string; anchorState: string; proofJson: string } }>(
      `query($e: ID!, $i: ID!, $r: ID!) { retirementProof(enterpriseId: $e, inventoryId: $i, retirementId: $r) {
        root anchorState proofJson } }`,
      { e: E, i: inv2023, r: ret.cert },
    );
    expect(p.errors).toBeUndefined();
    expect(p.data?.retirementProof.root).toBe(root);
    expect(await verifyProof(p.data?.retirementProof.proofJson, { rpcUrl: chain.url })).toMatchObject({
      ok: true,
      checkedOnChain: true,
    });
    const forged = JSON.parse(p.data?.retirementProof.proofJson as string) as { leaf: { value: string } };
    forged.leaf.value = '51';
    expect((await verifyProof(forged, { rpcUrl: chain.url })).ok).toBe(false);
  });

  it('re-finalising or re-running the committer never commits twice', async () => {
    const again = await finalize(inv2023);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const r = await drainInventoryCommits(pool);
    expect(r).toEqual({ committed: [], recovered: [], failed: [] });
    expect((await batches(inv2023)).length).toBe(1);
  });

  it('an adverse statement does not verify; an unqualified statement on the anchored root does', async () => {
    await statement(root, 2); // Adverse
    await mine();
    await until('adverse statement mirrored and confirmed', async () => {
      const r = await sql(
        `SELECT 1 FROM chain.verifier_statement WHERE root = $1 AND block_number <= chain.confirmed_block()`,
        [root],
      );
      return r.length ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 500)); // several reconciler passes
    expect((await invState(inv2023))?.state).toBe('ANCHORED');

    const tx = await statement(root, 0); // Unqualified
    expect((await invState(inv2023))?.state).toBe('ANCHORED'); // not before it is confirmed
    await mine();
    const s = await until('inventory VERIFIED', async () => {
      const x = await invState(inv2023);
      return x?.state === 'VERIFIED' ? x : undefined;
    });
    expect(s.verification_ref).toBe(tx);
    const g = await admin.gql<{ inventory: { state: string; verificationRef: string; verifiedAt: string } }>(
      `query($id: ID!) { inventory(id: $id) { state verificationRef verifiedAt } }`,
      { id: inv2023 },
    );
    expect(g.data?.inventory).toMatchObject({ state: 'VERIFIED', verificationRef: tx });
    expect(g.data?.inventory.verifiedAt).not.toBeNull();
  }, 60_000);

  it('the scheduled tamper check raises an alarm when a committed retirement row changes', async () => {
    const clean = await runTamperCheck(pool, { enterpriseId: E });
    expect(clean.findings.filter((f) => f.detail.source === 'offset_retirement')).toEqual([]);
    // Someone with database access shrinks the retired serial range and deletes the credit retirement.
    await sql(`UPDATE offset_retirement SET serials = '[100,140)', quantity = 40 WHERE id = $1`, [ret.cert]);
    await sql(`DELETE FROM offset_retirement WHERE id = $1`, [ret.credit]);
    const run = await runTamperCheck(pool, { enterpriseId: E });
    const found = run.findings.filter((f) => f.detail.source === 'offset_retirement');
    expect(
      found
        .map((f) => [f.detail.retirementId, f.kind, f.detail.committedValue, f.detail.currentValue])
        .sort(),
    ).toEqual(
      [
        [ret.cert, 'leaf_mismatch', '50', '40'],
        [ret.credit, 'row_missing', '12.5', null],
      ].sort(),
    );
    const alarms = await sql<{ kind: string; leaf_index: number }>(
      `SELECT kind, leaf_index FROM trust_tamper_alarm WHERE run_id = $1 AND detail->>'source' = 'offset_retirement'`,
      [run.runId],
    );
    expect(alarms.map((a) => a.kind).sort()).toEqual(['leaf_mismatch', 'row_missing']);
  });
});

describe('crash and restart; verification through the reports workflow', () => {
  let inv2022 = '';

  it('a crash after finalising leaves the commitment queued; a crash after committing does not commit twice', async () => {
    await stopCommitter?.(); // the process that runs the committer is down
    stopCommitter = null;
    inv2022 = (await calc('2022')).id;
    const fin = await finalize(inv2022);
    expect(fin.data?.finalizeInventory.state).toBe('FINAL');
    await new Promise((r) => setTimeout(r, 300));
    expect(await batches(inv2022)).toEqual([]);
    expect(await outbox(inv2022)).toMatchObject({ committed: false, batch_id: null });

    // The committer dies between committing the batch and marking the row.
    await expect(
      drainInventoryCommits(pool, {
        inventoryIds: [inv2022],
        afterCommit: async () => {
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const [b] = await batches(inv2022);
    expect(b).toBeDefined();
    expect(await outbox(inv2022)).toMatchObject({ committed: false, batch_id: null });

    // Restart: the row is marked with the existing batch; nothing is committed again.
    let result: Awaited<ReturnType<typeof drainInventoryCommits>> | null = null;
    stopCommitter = startInventoryCommitter({
      pool,
      events: api.server.events,
      intervalMs: 200,
      onResult: (r) => {
        if (r.recovered.length) result = r;
      },
    });
    const row = await until('outbox row recovered', async () => {
      const r = await outbox(inv2022);
      return r?.committed ? r : undefined;
    });
    expect(row.batch_id).toBe(b?.id);
    expect(result).toMatchObject({ committed: [], recovered: [inv2022] });
    expect((await batches(inv2022)).map((x) => x.id)).toEqual([b?.id]);

    await anchor(b?.root as string);
    await until('2022 ANCHORED', async () =>
      (await invState(inv2022))?.state === 'ANCHORED' ? true : undefined,
    );
  }, 60_000);

  it("a verifier's positive statement on the inventory's anchored report makes it VERIFIED", async () => {
    const g = await admin.gql<{ generateReport: { id: string } }>(
      `mutation($i: GenerateReportInput!) { generateReport(input: $i) { id } }`,
      { i: { inventoryId: inv2022, language: 'en' } },
    );
    expect(g.errors).toBeUndefined();
    const id = g.data?.generateReport.id as string;
    const td = await admin.gql<{ reportTypedData: { json: string } }>(
      `query { reportTypedData(reportId: "${id}") { json } }`,
    );
    const signature = await anchorKey.signTypedData(JSON.parse(td.data?.reportTypedData.json as string));
    const s = await admin.gql<{ signReport: { anchorRoot: Hex } }>(
      `mutation { signReport(reportId: "${id}", signature: "${signature}", signer: "${anchorKey.address}") { anchorRoot } }`,
    );
    expect(s.errors).toBeUndefined();
    await anchor(s.data?.signReport.anchorRoot as string);
    await until('report anchored', async () => {
      const [r] = await sql<{ state: string }>(`SELECT state FROM report WHERE id = $1`, [id]);
      return r?.state === 'anchored' ? true : undefined;
    });
    const [u] = await sql<{ id: string }>(`SELECT id FROM users WHERE email = 'verifier@audit.demo'`);
    const grant = await admin.gql(
      `mutation { grantReportAccess(reportId: "${id}", verifierUserId: "${u?.id}") { id } }`,
    );
    expect(grant.errors).toBeUndefined();
    const v = await verifier.gql<{
      recordVerification: { chainTxHash: Hex | null; chainError: string | null };
    }>(
      `mutation($i: RecordVerificationInput!) { recordVerification(input: $i) { chainTxHash chainError } }`,
      { i: { reportId: id, opinion: 'POSITIVE', documentHash: sha256Hex('statement 2022') } },
    );
    expect(v.errors).toBeUndefined();
    expect(v.data?.recordVerification.chainError).toBeNull();
    const tx = v.data?.recordVerification.chainTxHash as Hex;
    await chain.publicClient.waitForTransactionReceipt({ hash: tx });
    expect((await invState(inv2022))?.state).toBe('ANCHORED');
    await mine();
    const st = await until('2022 VERIFIED', async () => {
      const x = await invState(inv2022);
      return x?.state === 'VERIFIED' ? x : undefined;
    });
    expect(st.verification_ref).toBe(tx);
  }, 60_000);
});
