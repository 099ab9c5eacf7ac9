import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/scalars';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID, DEMO_PARK_ID } from '../../seed/users';
import { calculate, inventoryHash, inventoryToCanonicalJson } from '../accounting/engine/calculate';
import { activity, isoPack, line } from '../accounting/testing';

let db: TestDatabase;
let api: TestApi;
let parkAdmin: TestSession;
let entAdmin: TestSession;
const inv: Record<string, { id: string; hash: string; total: Decimal; scope1: Decimal }> = {};
let entB = '';
let entC = '';
let rootB = '';

async function insertFinalInventory(enterpriseId: string, gridMwh: string, gas: string) {
  const inventory = calculate(
    isoPack(),
    activity(
      [
        line('grid', 'electricity.purchased', gridMwh, 'MWh'),
        line('boiler', 'combustion.natural-gas', gas, '10^4 Nm3'),
      ],
      { enterprise: { id: enterpriseId }, revenue: { amount: '1000', unit: '10^4 CNY' } },
    ),
  );
  const json = inventoryToCanonicalJson(inventory);
  const t = inventory.totals;
  const [row] = (await api.server.dataSource.query(
    `INSERT INTO accounting_inventory (enterprise_id, period_kind, period_start, period_end, revision, state,
       standard_source, pack_ref, pack_hash, canonical_json, inventory_hash, activity_json, total_location, total_market,
       scope1, scope2_location, scope2_market, scope3)
     VALUES ($1, 'YEAR', '2023-01-01', '2023-12-31', 1, 'FINAL', 'CHAIN', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     RETURNING id`,
    [
      enterpriseId,
      `${inventory.pack.id}@${inventory.pack.version}`,
      inventory.pack.hash,
      json,
      inventoryHash(inventory),
      JSON.stringify({ revenue: { amount: '1000', unit: '10^4 CNY' } }),
      t.location.exact,
      t.market?.exact ?? null,
      t.byScope.scope1.exact,
      t.byScope.scope2Location.exact,
      t.byScope.scope2Market?.exact ?? null,
      t.byScope.scope3.exact,
    ],
  )) as { id: string }[];
  inv[enterpriseId] = {
    id: row?.id as string,
    hash: inventoryHash(inventory),
    total: new Decimal((t.market ?? t.location).exact),
    scope1: new Decimal(t.byScope.scope1.exact),
  };
}

beforeAll(async () => {
  db = await createTestDatabase('park');
  api = await startTestApi(db.url);
  const q = (sql: string, p: unknown[] = []) =>
    api.server.dataSource.query(sql, p) as Promise<{ id: string }[]>;
  entB = (
    await q(`INSERT INTO enterprises (park_id, name) VALUES ($1, 'Sharing B') RETURNING id`, [DEMO_PARK_ID])
  )[0]?.id as string;
  entC = (
    await q(`INSERT INTO enterprises (park_id, name) VALUES ($1, 'Private C') RETURNING id`, [DEMO_PARK_ID])
  )[0]?.id as string;
  await insertFinalInventory(DEMO_ENTERPRISE_ID, '8500', '120');
  await insertFinalInventory(entB, '1234.5', '10');
  await insertFinalInventory(entC, '999', '99');
  // B's inventory is committed in a trust batch (anchored root).
  const root = randomBytes(32);
  rootB = `0x${root.toString('hex')}`;
  await q(
    `INSERT INTO trust_batch (enterprise_id, kind, scope, period_start, period_end, seq, root, leaf_count)
     VALUES ($1, 'inventory', $2, '2023-01-01', '2023-12-31', 0, $3, 2)`,
    [entB, inv[entB]?.id, root],
  );
  await q(`INSERT INTO park_share_consent (enterprise_id, park_id) VALUES ($1, $2)`, [entB, DEMO_PARK_ID]);
  parkAdmin = await api.loginAs('park@changsha.demo');
  entAdmin = await api.loginAs('admin@plant18.demo');
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const OVERVIEW = `query($p: ID!) { parkOverview(parkId: $p, year: 2023) {
  enterpriseCount sharingCount reportingCount
  totals { scope1 totalMarket totalLocation }
  enterprises { enterpriseId inventoryHash anchoredRoot totals { totalMarket } intensityPerRevenue quotaWarning forecast { method } }
} }`;

describe('park aggregation', () => {
  it('enterprise admin grants sharing; operators may not', async () => {
    const r = await entAdmin.gql(
      `mutation($e: ID!) { grantParkSharing(enterpriseId: $e) { parkId revokedAt } }`,
      {
        e: DEMO_ENTERPRISE_ID,
      },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ grantParkSharing: { parkId: DEMO_PARK_ID, revokedAt: null } });
    const op = await api.loginAs('operator@plant18.demo');
    const d = await op.gql(`mutation($e: ID!) { grantParkSharing(enterpriseId: $e) { id } }`, {
      e: DEMO_ENTERPRISE_ID,
    });
    expect(d.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('park totals equal the sum of consenting members’ inventories and reference their hashes', async () => {
    const r = await parkAdmin.gql<{
      parkOverview: {
        enterpriseCount: number;
        sharingCount: number;
        reportingCount: number;
        totals: { scope1: string; totalMarket: string };
        enterprises: { enterpriseId: string; inventoryHash: string; anchoredRoot: string | null }[];
      };
    }>(OVERVIEW, { p: DEMO_PARK_ID });
    expect(r.errors).toBeUndefined();
    const o = r.data?.parkOverview;
    expect(o?.enterpriseCount).toBe(3);
    expect(o?.sharingCount).toBe(2);
    expect(o?.reportingCount).toBe(2);
    const a = inv[DEMO_ENTERPRISE_ID];
    const b = inv[entB];
    expect(new Decimal(o?.totals.totalMarket ?? 0).eq(a?.total.add(b?.total ?? 0) ?? 0)).toBe(true);
    expect(new Decimal(o?.totals.scope1 ?? 0).eq(a?.scope1.add(b?.scope1 ?? 0) ?? 0)).toBe(true);
    const ids = o?.enterprises.map((e) => e.enterpriseId) ?? [];
    expect(ids).not.toContain(entC);
    expect(o?.enterprises.find((e) => e.enterpriseId === entB)).toMatchObject({
      inventoryHash: b?.hash,
      anchoredRoot: rootB,
    });
    expect(JSON.stringify(r.data)).not.toContain('Private C');
  });

  it('ranks members and exports a verifiable document; tampering is detected', async () => {
    const rank = await parkAdmin.gql<{ parkRanking: { rank: number; enterpriseId: string }[] }>(
      `query($p: ID!) { parkRanking(parkId: $p, year: 2023, by: INTENSITY_REVENUE) { rank enterpriseId value } }`,
      { p: DEMO_PARK_ID },
    );
    expect(rank.errors).toBeUndefined();
    expect(rank.data?.parkRanking.map((x) => x.enterpriseId)).toEqual([DEMO_ENTERPRISE_ID, entB]);
    const ex = await parkAdmin.gql<{ parkExport: { json: string; csv: string; sha256: string } }>(
      `query($p: ID!) { parkExport(parkId: $p, year: 2023) { format json csv sha256 } }`,
      { p: DEMO_PARK_ID },
    );
    expect(ex.errors).toBeUndefined();
    const json = ex.data?.parkExport.json as string;
    expect(json).toContain(inv[entB]?.hash);
    expect(json).toContain(rootB);
    expect(ex.data?.parkExport.csv.split('\n')[0]).toContain('inventory_hash');
    const verify = `query($p: ID!, $j: String!) { verifyParkExport(parkId: $p, json: $j) { ok mismatches } }`;
    const ok = await parkAdmin.gql<{ verifyParkExport: { ok: boolean; mismatches: string[] } }>(verify, {
      p: DEMO_PARK_ID,
      j: json,
    });
    expect(ok.data?.verifyParkExport).toEqual({ ok: true, mismatches: [] });
    const doc = JSON.parse(json) as {
      enterprises: { figures: { scope1: string } }[];
      totals: { scope1: string };
    };
    const first = doc.enterprises[0] as { figures: { scope1: string } };
    first.figures.scope1 = new Decimal(first.figures.scope1).sub(1).toFixed();
    doc.totals.scope1 = new Decimal(doc.totals.scope1).sub(1).toFixed();
    const bad = await parkAdmin.gql<{ verifyParkExport: { ok: boolean; mismatches: string[] } }>(verify, {
      p: DEMO_PARK_ID,
      j: JSON.stringify(doc),
    });
    expect(bad.data?.verifyParkExport.ok).toBe(false);
    expect(bad.data?.verifyParkExport.mismatches.join(' ')).toMatch(/scope1/);
  });

  it('revoking consent removes the enterprise from the park view', async () => {
    const r = await entAdmin.gql(`mutation($e: ID!) { revokeParkSharing(enterpriseId: $e) { revokedAt } }`, {
      e: DEMO_ENTERPRISE_ID,
    });
    expect(r.errors).toBeUndefined();
    const o = await parkAdmin.gql<{
      parkOverview: { sharingCount: number; totals: { totalMarket: string } };
    }>(OVERVIEW, { p: DEMO_PARK_ID });
    expect(o.data?.parkOverview.sharingCount).toBe(1);
    expect(new Decimal(o.data?.parkOverview.totals.totalMarket ?? 0).eq(inv[entB]?.total ?? -1)).toBe(true);
  });

  it('park admins get no raw readings and no foreign park', async () => {
    const r = await parkAdmin.gql(`query($p: ID!) { parkOverview(parkId: $p, year: 2023) { year } }`, {
      p: '00000000-0000-4000-8000-000000000000',
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
