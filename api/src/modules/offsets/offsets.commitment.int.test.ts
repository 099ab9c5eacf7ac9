import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { uuidToBytes32, verifyProof } from 'opencep-verify';
import { devAccount, type LocalRegistry, startLocalRegistry } from 'opencep-verify/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/scalars';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { standardIdOf } from '../accounting/accounting.service';
import { isoPack } from '../accounting/testing';
import { AnchorWorker } from '../trust';
import { drainInventoryCommits, parseRetirementLine, RETIREMENT_LINE_PREFIX } from './offsets.commitment';

const E = DEMO_ENTERPRISE_ID;
const signer = devAccount(8);
let db: TestDatabase;
let api: TestApi;
let pool: pg.Pool;
let chain: LocalRegistry;
let admin: TestSession;
const sql = (q: string, p: unknown[] = []) =>
  api.server.dataSource.query(q, p) as Promise<Record<string, unknown>[]>;

beforeAll(async () => {
  db = await createTestDatabase('offsets_commit');
  [api, chain] = await Promise.all([startTestApi(db.url), startLocalRegistry()]);
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  await chain.registerEnterprise(uuidToBytes32(E), signer.address);
  admin = await api.loginAs('admin@plant18.demo');
  // The ISO pack is the standard version active on chain (as the indexer mirrors it).
  await sql(
    `INSERT INTO chain.standard_version (chain_id, tx_hash, log_index, block_number, block_timestamp, address,
       standard_id, content_hash, version_index, version, uri, effective_from)
     VALUES (31337, $1, 0, 1, now(), '0x00', $2, $3, 0, '1.0.0', 'ipfs://x', '2020-01-01T00:00:00Z')`,
    [`0x${'ab'.repeat(32)}`, standardIdOf('iso14064-ghgp'), isoPack().hash],
  );
  const src = await admin.gql<{ createEmissionSource: { id: string } }>(
    `mutation($i: CreateEmissionSourceInput!) { createEmissionSource(input: $i) { id } }`,
    {
      i: {
        enterpriseId: E,
        code: 'grid-2023',
        name: 'Purchased electricity',
        sourceType: 'electricity.purchased',
        unit: 'MWh',
      },
    },
  );
  expect(src.errors).toBeUndefined();
  const act = await admin.gql(`mutation($i: RecordActivityInput!) { recordActivity(input: $i) { id } }`, {
    i: {
      sourceId: src.data?.createEmissionSource.id,
      periodStart: '2023-01-01',
      periodEnd: '2023-12-31',
      quantity: '8500',
      unit: 'MWh',
      evidenceKind: 'voucher',
      evidenceReference: 'GRID-2023',
    },
  });
  expect(act.errors).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await api?.close();
  await chain?.stop();
  await db?.drop();
});

const INV = `id state scope1 scope2Location scope2Market totalLocation totalMarket`;
type Inv = {
  id: string;
  state: string;
  scope1: string;
  scope2Location: string;
  scope2Market: string;
  totalLocation: string;
  totalMarket: string;
};
const calc = async () => {
  const r = await admin.gql<{ calculateInventory: Inv }>(
    `mutation($e: ID!) { calculateInventory(enterpriseId: $e, period: "2023", standard: "iso14064-ghgp") { ${INV} } }`,
    { e: E },
  );
  expect(r.errors).toBeUndefined();
  return r.data?.calculateInventory as Inv;
};
const PURCHASE = `mutation($i: RecordOffsetPurchaseInput!) { recordOffsetPurchase(input: $i) { id } }`;
const RETIRE = `mutation($i: RetireOffsetInput!) { retireOffset(input: $i) { id quantity } }`;
const year = { enterpriseId: E, periodStart: '2023-01-01', periodEnd: '2023-12-31' };
const CHECK = `query($e: ID!, $i: ID!) { retirementCommitment(enterpriseId: $e, inventoryId: $i) {
  batchId root rootSource anchorState committed ok
  findings { retirementId problem committedLine committedValue currentLine currentValue } } }`;
type Check = {
  retirementCommitment: {
    root: string;
    anchorState: string;
    committed: number;
    ok: boolean;
    findings: {
      retirementId: string;
      problem: string;
      committedValue: string | null;
      currentValue: string | null;
    }[];
  };
};

async function drain(w: AnchorWorker): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    await w.tick();
    const r = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM trust_anchor WHERE state IN ('pending', 'sent')`,
    );
    if (r.rows[0]?.n === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('retirements in the anchored inventory commitment', () => {
  let before: Inv;
  let after: Inv;
  const ret: Record<'cert' | 'gp' | 'credit', string> = { cert: '', gp: '', credit: '' };
  let gpPurchase = '';
  let certPurchase = '';

  it('market-based inventory changes exactly by the retired volumes × residual factor', async () => {
    before = await calc();
    const cert = await admin.gql<{ recordOffsetPurchase: { id: string } }>(PURCHASE, {
      i: {
        ...year,
        kind: 'CERTIFICATE',
        registry: 'GEC',
        serialStart: '5000',
        serialEnd: '5999',
        counterparty: 'Gansu wind',
        evidenceKind: 'certificate-registry',
        evidenceReference: 'GEC order 2023-11',
      },
    });
    const gp = await admin.gql<{ recordOffsetPurchase: { id: string } }>(PURCHASE, {
      i: {
        ...year,
        kind: 'GREEN_POWER',
        quantity: '300',
        counterparty: 'Provincial green trade',
        evidenceKind: 'contract',
        evidenceReference: 'GP-2023-7',
      },
    });
    const credit = await admin.gql<{ recordOffsetPurchase: { id: string } }>(PURCHASE, {
      i: {
        ...year,
        kind: 'CARBON_CREDIT',
        quantity: '50',
        registry: 'CCER',
        counterparty: 'Forestry sink',
        evidenceKind: 'certificate-registry',
        evidenceReference: 'CCER-88',
      },
    });
    for (const r of [cert, gp, credit]) expect(r.errors).toBeUndefined();
    certPurchase = cert.data?.recordOffsetPurchase.id as string;
    gpPurchase = gp.data?.recordOffsetPurchase.id as string;
    const retire = async (i: Record<string, unknown>) => {
      const r = await admin.gql<{ retireOffset: { id: string } }>(RETIRE, { i: { ...year, ...i } });
      expect(r.errors).toBeUndefined();
      return r.data?.retireOffset.id as string;
    };
    ret.cert = await retire({
      purchaseId: certPurchase,
      serialStart: '5000',
      serialEnd: '5399',
      evidenceReference: 'GEC retirement R-1',
    });
    ret.gp = await retire({
      purchaseId: gpPurchase,
      quantity: '250.5',
      evidenceReference: 'GP-2023-7 Q1-Q4',
    });
    ret.credit = await retire({
      purchaseId: credit.data?.recordOffsetPurchase.id,
      quantity: '20',
      evidenceReference: 'CCER-88 retirement',
    });
    after = await calc();
    const residual = isoPack().document.parameters.find((p) => p.id === 'grid.excl-market-nonfossil-2023');
    expect(residual?.unit).toBe('tCO2/MWh');
    const expected = new Decimal(residual?.value ?? 'NaN').mul('650.5'); // 400 serials + 250.5 MWh
    expect(new Decimal(before.scope2Market).sub(after.scope2Market).eq(expected)).toBe(true);
    expect(new Decimal(before.totalMarket).sub(after.totalMarket).eq(expected)).toBe(true);
    // Location-based and scope 1 do not move; carbon credits do not touch scope 2.
    expect(after.scope2Location).toBe(before.scope2Location);
    expect(after.totalLocation).toBe(before.totalLocation);
    expect(after.scope1).toBe(before.scope1);
  });

  it('a volume with more than 6 decimals is refused (it could not be committed exactly)', async () => {
    const r = await admin.gql(RETIRE, {
      i: { ...year, purchaseId: gpPurchase, quantity: '0.0000001', evidenceReference: 'tiny' },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('only an enterprise admin commits, and only a finalised inventory', async () => {
    const COMMIT = `mutation($e: ID!, $i: ID!) { commitInventoryWithRetirements(enterpriseId: $e, inventoryId: $i) { batchId } }`;
    const draft = await admin.gql(COMMIT, { e: E, i: after.id });
    expect(draft.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'INVENTORY_DRAFT' });
    const op = await api.loginAs('operator@plant18.demo');
    expect((await op.gql(COMMIT, { e: E, i: after.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('commits each retirement as a leaf, anchors on chain, and proves one retirement', async () => {
    const fin = await admin.gql<{ finalizeInventory: { state: string } }>(
      `mutation($id: ID!) { finalizeInventory(id: $id) { state } }`,
      { id: after.id },
    );
    expect(fin.data?.finalizeInventory.state).toBe('FINAL');
    const c = await admin.gql<{
      commitInventoryWithRetirements: {
        root: string;
        leafCount: number;
        lines: { line: string; value: string; unit: string }[];
      };
    }>(
      `mutation($e: ID!, $i: ID!) { commitInventoryWithRetirements(enterpriseId: $e, inventoryId: $i) {
        batchId root seq leafCount lines { line value unit } } }`,
      { e: E, i: after.id },
    );
    expect(c.errors).toBeUndefined();
    const lines = c.data?.commitInventoryWithRetirements.lines ?? [];
    // Finalising queued the same lines (no committer runs here); the committer's next pass finds the
    // inventory already committed (here by the manual mutation) and marks the row without committing again.
    const [queued] = (await sql(`SELECT lines FROM inventory_commit_outbox WHERE inventory_id = $1`, [
      after.id,
    ])) as { lines: typeof lines }[];
    expect(queued?.lines).toEqual(lines);
    expect(await drainInventoryCommits(pool, { inventoryIds: [after.id] })).toEqual({
      committed: [],
      recovered: [after.id],
      failed: [],
    });
    expect(
      await sql(`SELECT count(*)::int AS n FROM trust_batch WHERE kind = 'inventory' AND scope = $1`, [
        after.id,
      ]),
    ).toEqual([{ n: 1 }]);
    const retLines = lines.filter((l) => l.line.startsWith(RETIREMENT_LINE_PREFIX));
    expect(retLines.map((l) => [parseRetirementLine(l.line)?.retirementId, l.value, l.unit]).sort()).toEqual(
      [
        [ret.cert, '400', 'MWh'],
        [ret.gp, '250.5', 'MWh'],
        [ret.credit, '20', 'tCO2e'],
      ].sort(),
    );
    const certLine = parseRetirementLine(retLines.find((l) => l.line.includes(ret.cert))?.line ?? '');
    expect(certLine).toMatchObject({
      kind: 'CERTIFICATE',
      registry: 'GEC',
      serialStart: '5000',
      serialEnd: '5399',
    });
    // Net = market − retired credits; market total as reported by the inventory.
    expect(lines.find((l) => l.line === 'totals/net')?.value).toBe(
      new Decimal(after.totalMarket).sub(20).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed(),
    );
    expect(lines.find((l) => l.line === 'totals/scope2/market')?.value).toBe(
      new Decimal(after.scope2Market).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed(),
    );

    await drain(
      new AnchorWorker({
        pool,
        rpcUrl: chain.url,
        chainId: chain.chainId,
        registry: chain.registry,
        signerFor: () => signer,
        retryBaseSeconds: 0,
        pollMs: 50,
      }),
    );
    const p = await admin.gql<{
      retirementProof: { line: string; root: string; anchorState: string; proofJson: string };
    }>(
      `query($e: ID!, $i: ID!, $r: ID!) { retirementProof(enterpriseId: $e, inventoryId: $i, retirementId: $r) {
        line root leafHash anchorState proofJson } }`,
      { e: E, i: after.id, r: ret.cert },
    );
    expect(p.errors).toBeUndefined();
    expect(p.data?.retirementProof.anchorState).toBe('confirmed');
    expect(p.data?.retirementProof.root).toBe(c.data?.commitInventoryWithRetirements.root);
    const v = await verifyProof(p.data?.retirementProof.proofJson, { rpcUrl: chain.url });
    expect(v).toMatchObject({ ok: true, checkedOnChain: true });
    const file = JSON.parse(p.data?.retirementProof.proofJson as string) as {
      leaf: { line: string; value: string };
    };
    expect(file.leaf).toMatchObject({ value: '400' });
    expect(file.leaf.line).toContain('/CERTIFICATE/GEC/5000-5399/');
    // A proof whose disclosed serial range was edited no longer verifies.
    const forged = JSON.parse(p.data?.retirementProof.proofJson as string) as { leaf: { line: string } };
    forged.leaf.line = forged.leaf.line.replace('5000-5399', '5000-5999');
    expect((await verifyProof(forged, { rpcUrl: chain.url })).ok).toBe(false);

    const ok = await admin.gql<Check>(CHECK, { e: E, i: after.id });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.retirementCommitment).toMatchObject({
      ok: true,
      committed: 3,
      anchorState: 'confirmed',
      findings: [],
    });
  });

  it('double retirement is still refused after anchoring', async () => {
    const dup = await admin.gql(RETIRE, {
      i: {
        ...year,
        purchaseId: certPurchase,
        serialStart: '5399',
        serialEnd: '5400',
        evidenceReference: 'dup',
      },
    });
    expect(dup.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'SERIALS_ALREADY_RETIRED',
    });
    const over = await admin.gql(RETIRE, {
      i: { ...year, purchaseId: gpPurchase, quantity: '49.6', evidenceReference: 'over' },
    });
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'VOLUME_EXCEEDED' });
  });

  it('detects a retirement retired after the commitment, altered, or removed', async () => {
    const late = await admin.gql<{ retireOffset: { id: string } }>(RETIRE, {
      i: { ...year, purchaseId: gpPurchase, quantity: '49.5', evidenceReference: 'late' },
    });
    expect(late.errors).toBeUndefined();
    const lateId = late.data?.retireOffset.id as string;
    const check = async () => {
      const r = await admin.gql<Check>(CHECK, { e: E, i: after.id });
      expect(r.errors).toBeUndefined();
      return r.data?.retirementCommitment as Check['retirementCommitment'];
    };
    const c1 = await check();
    expect(c1.ok).toBe(false);
    expect(c1.findings.map((f) => [f.retirementId, f.problem])).toEqual([[lateId, 'NOT_COMMITTED']]);
    // Someone with database access narrows the stored serial range (the app role may not UPDATE).
    await sql(`UPDATE offset_retirement SET serials = '[5000,5300)', quantity = 300 WHERE id = $1`, [
      ret.cert,
    ]);
    await sql(`DELETE FROM offset_retirement WHERE id = $1`, [ret.credit]);
    const c2 = await check();
    expect(c2.ok).toBe(false);
    const byId = new Map(c2.findings.map((f) => [f.retirementId, f]));
    expect(byId.get(ret.cert)).toMatchObject({
      problem: 'ALTERED',
      committedValue: '400',
      currentValue: '300',
    });
    expect(byId.get(ret.credit)).toMatchObject({
      problem: 'REMOVED',
      committedValue: '20',
      currentValue: null,
    });
    expect(byId.get(ret.gp)).toBeUndefined();
    // A quiet change of the volume only (same serial count) is caught as well.
    await sql(`UPDATE offset_retirement SET quantity = 250.4 WHERE id = $1`, [ret.gp]);
    expect((await check()).findings.find((f) => f.retirementId === ret.gp)?.problem).toBe('ALTERED');
  });
});
