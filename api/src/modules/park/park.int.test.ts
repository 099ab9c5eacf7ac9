import { createHash, randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/scalars';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID, DEMO_PARK_ID } from '../../seed/users';
import { calculate, inventoryHash, inventoryToCanonicalJson } from '../accounting/engine/calculate';
import { activity, isoPack, line } from '../accounting/testing';
import { FIGURE_KEYS, type Figures, type ParkExportDocument, RANKING_METRICS } from './park.export';
import { PARK_XLSX_SHEETS } from './park.xlsx';

let db: TestDatabase;
let api: TestApi;
let parkAdmin: TestSession;
let entAdmin: TestSession;
const inv: Record<string, { id: string; hash: string; total: Decimal; scope1: Decimal; figures: Figures }> =
  {};
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
    figures: {
      scope1: t.byScope.scope1.exact,
      scope2Location: t.byScope.scope2Location.exact,
      scope2Market: (t.byScope.scope2Market ?? t.byScope.scope2Location).exact,
      scope3: t.byScope.scope3.exact,
      totalLocation: t.location.exact,
      totalMarket: (t.market ?? t.location).exact,
    },
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

  it('XLSX export: a sheet per view, figures equal the JSON export and the sum of member inventories', async () => {
    const q = (sql: string, p: unknown[] = []) => api.server.dataSource.query(sql, p);
    await q(`UPDATE enterprises SET industry = 'machinery' WHERE id = $1`, [DEMO_ENTERPRISE_ID]);
    await q(`UPDATE enterprises SET industry = 'chemicals' WHERE id = $1`, [entB]);
    // B: a manual quota below its final total → quota warning; a reading → data freshness.
    await q(
      `INSERT INTO accounting_quota (enterprise_id, year, kind, amount, delta, reason) VALUES ($1, 2023, 'SET', 1, 1, 't')`,
      [entB],
    );
    const WB = `query($p: ID!) { parkExportWorkbook(parkId: $p, year: 2023) {
      filename contentType xlsxBase64 xlsxSha256 jsonSha256 json } }`;
    const r = await parkAdmin.gql<{
      parkExportWorkbook: { xlsxBase64: string; xlsxSha256: string; jsonSha256: string; json: string };
    }>(WB, { p: DEMO_PARK_ID });
    expect(r.errors).toBeUndefined();
    const out = r.data?.parkExportWorkbook as {
      xlsxBase64: string;
      xlsxSha256: string;
      jsonSha256: string;
      json: string;
    };
    const jsonExport = await parkAdmin.gql<{ parkExport: { json: string; sha256: string } }>(
      `query($p: ID!) { parkExport(parkId: $p, year: 2023) { json sha256 } }`,
      { p: DEMO_PARK_ID },
    );
    expect(out.jsonSha256).toBe(jsonExport.data?.parkExport.sha256);
    expect(out.json).toBe(jsonExport.data?.parkExport.json);
    const doc = JSON.parse(out.json) as ParkExportDocument;
    const bytes = Buffer.from(out.xlsxBase64, 'base64');
    expect(`0x${createHash('sha256').update(bytes).digest('hex')}`).toBe(out.xlsxSha256);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([...PARK_XLSX_SHEETS]);
    const rows = (name: string) => {
      const ws = wb.getWorksheet(name);
      if (!ws) throw new Error(`no sheet ${name}`);
      const list: (string | number | boolean | null)[][] = [];
      ws.eachRow((row, n) => {
        if (n === 1) return;
        const vals = (row.values as (string | number | boolean | null | undefined)[]).slice(1);
        list.push(vals.map((v) => (v === undefined || v === '' ? null : v)));
      });
      return list;
    };
    // Tie: the workbook names the JSON's hash and carries the JSON itself.
    const meta = new Map(rows('Export').map((x) => [x[0], x[1]]));
    expect(meta.get('json sha256')).toBe(out.jsonSha256);
    const embedded = rows('JSON')
      .map((x) => x[0])
      .join('');
    expect(`0x${createHash('sha256').update(embedded, 'utf8').digest('hex')}`).toBe(out.jsonSha256);

    // Totals by scope: every cell is the exact decimal string of the JSON, and the TOTAL row is the
    // sum of the member inventories (computed here from the engine's own output, not from the export).
    const totals = rows('Totals by scope');
    expect(totals.length).toBe(3);
    for (const e of doc.enterprises) {
      const row = totals.find((x) => x[0] === e.enterpriseId);
      expect(row?.slice(3)).toEqual(FIGURE_KEYS.map((k) => e.figures[k]));
      expect(row?.slice(3)).toEqual(FIGURE_KEYS.map((k) => inv[e.enterpriseId]?.figures[k]));
    }
    const totalRow = totals.find((x) => x[0] === 'TOTAL');
    expect(totalRow?.slice(3)).toEqual(FIGURE_KEYS.map((k) => doc.totals[k]));
    for (const [i, k] of FIGURE_KEYS.entries()) {
      const sum = [DEMO_ENTERPRISE_ID, entB].reduce(
        (a, id) => a.add(inv[id]?.figures[k] ?? 'NaN'),
        new Decimal(0),
      );
      expect(new Decimal(String(totalRow?.[3 + i])).eq(sum)).toBe(true);
    }
    // Members: inventory hashes and anchored roots as in the JSON.
    const members = rows('Members');
    expect(members.find((x) => x[0] === entB)?.slice(2, 5)).toEqual([inv[entB]?.id, inv[entB]?.hash, rootB]);
    expect(members.find((x) => x[0] === DEMO_ENTERPRISE_ID)?.[3]).toBe(inv[DEMO_ENTERPRISE_ID]?.hash);
    // By industry: one row per industry, equal to that member's figures.
    const ind = rows('By industry');
    expect(ind.map((x) => x[0])).toEqual(['chemicals', 'machinery']);
    expect(ind[0]?.slice(2)).toEqual(FIGURE_KEYS.map((k) => inv[entB]?.figures[k]));
    expect(doc.byIndustry.map((g) => g.industry)).toEqual(['chemicals', 'machinery']);
    // Intensity, rankings, quota status, freshness: same values as the JSON export.
    const intensity = rows('Intensity');
    for (const e of doc.enterprises)
      expect(intensity.find((x) => x[0] === e.enterpriseId)?.slice(3, 5)).toEqual([
        e.intensity.revenue,
        e.intensity.perRevenue,
      ]);
    expect(intensity.find((x) => x[0] === 'TOTAL')?.[4]).toBe(doc.intensity.perRevenue);
    expect(doc.intensity.perRevenue).not.toBeNull();
    const ranking = rows('Rankings');
    expect(ranking.map((x) => [x[0], x[1], x[2], x[4]])).toEqual(
      RANKING_METRICS.flatMap((m) => doc.rankings[m].map((e) => [m, e.rank, e.enterpriseId, e.value])),
    );
    expect(doc.rankings.TOTAL.map((e) => e.enterpriseId)).toEqual([DEMO_ENTERPRISE_ID, entB]);
    const quota = rows('Quota status');
    expect(quota.find((x) => x[0] === entB)?.slice(2, 4)).toEqual(['1', 'MANUAL']);
    expect(quota.find((x) => x[0] === entB)?.[9]).toBe(true);
    expect(doc.quota).toEqual({ total: '1', enterprisesWithWarning: 1 });
    expect(rows('Data freshness').map((x) => x[0])).toEqual(doc.enterprises.map((e) => e.enterpriseId));
  });

  it('the export download is for the park role and platform admins only', async () => {
    const WB = `query($p: ID!) { parkExportWorkbook(parkId: $p, year: 2023) { jsonSha256 } }`;
    const regulator = await api.loginAs('regulator@hunan.demo');
    expect((await regulator.gql(WB, { p: DEMO_PARK_ID })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await entAdmin.gql(WB, { p: DEMO_PARK_ID })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const platform = await api.loginAs('platform@opencep.demo');
    const ok = await platform.gql<{ parkExportWorkbook: { jsonSha256: string } }>(WB, { p: DEMO_PARK_ID });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.parkExportWorkbook.jsonSha256).toMatch(/^0x[0-9a-f]{64}$/);
    // Regulators still verify what the park sends them.
    const json = (
      await parkAdmin.gql<{ parkExport: { json: string } }>(
        `query($p: ID!) { parkExport(parkId: $p, year: 2023) { json } }`,
        { p: DEMO_PARK_ID },
      )
    ).data?.parkExport.json;
    const v = await regulator.gql<{ verifyParkExport: { ok: boolean } }>(
      `query($p: ID!, $j: String!) { verifyParkExport(parkId: $p, json: $j) { ok mismatches } }`,
      { p: DEMO_PARK_ID, j: json },
    );
    expect(v.errors).toBeUndefined();
    expect(v.data?.verifyParkExport.ok).toBe(true);
  });

  it('forecast warning: a member without a final year is flagged when its forecast crosses the quota', async () => {
    const q = (sql: string, p: unknown[] = []) => api.server.dataSource.query(sql, p);
    const [d] = (await q(
      `INSERT INTO enterprises (park_id, name, industry) VALUES ($1, 'Forecast D', 'steel') RETURNING id`,
      [DEMO_PARK_ID],
    )) as { id: string }[];
    const entD = d?.id as string;
    await q(`INSERT INTO park_share_consent (enterprise_id, park_id) VALUES ($1, $2)`, [entD, DEMO_PARK_ID]);
    // 2022: 100 t every month; 2023: Jan–Jun 110 t each → seasonal naive year-end = 660 + 6 × 100 = 1260.
    const month = async (y: number, m: number, total: string) => {
      const start = `${y}-${String(m).padStart(2, '0')}-01`;
      await q(
        `INSERT INTO accounting_inventory (enterprise_id, period_kind, period_start, period_end, revision, state,
           standard_source, pack_ref, pack_hash, canonical_json, inventory_hash, activity_json, total_location,
           scope1, scope2_location, scope3)
         VALUES ($1, 'MONTH', $2::date, ($2::date + interval '1 month' - interval '1 day')::date, 1, 'FINAL', 'CHAIN',
           'p@1', 'h', '{}', 'h', '{}', $3, $3, 0, 0)`,
        [entD, start, total],
      );
    };
    for (let m = 1; m <= 12; m++) await month(2022, m, '100');
    for (let m = 1; m <= 6; m++) await month(2023, m, '110');
    const quota = async (amount: string) =>
      q(
        `INSERT INTO accounting_quota (enterprise_id, year, kind, amount, delta, reason) VALUES ($1, 2023, 'SET', $2, 0, 't')`,
        [entD, amount],
      );
    const FQ = `query($p: ID!) { parkOverview(parkId: $p, year: 2023) {
      enterprisesWithQuotaWarning enterprises { enterpriseId quotaWarning quota
        forecast { method value low high exceedsQuota mayExceedQuota } } } }`;
    type FO = {
      parkOverview: {
        enterprisesWithQuotaWarning: number;
        enterprises: {
          enterpriseId: string;
          quotaWarning: boolean;
          forecast: { method: string; value: string; low: string; high: string; exceedsQuota: boolean };
        }[];
      };
    };
    const memberD = async () => {
      const r = await parkAdmin.gql<FO>(FQ, { p: DEMO_PARK_ID });
      expect(r.errors).toBeUndefined();
      return r.data?.parkOverview.enterprises.find((e) => e.enterpriseId === entD);
    };
    await quota('1200');
    const below = await memberD();
    expect(below?.forecast).toMatchObject({ method: 'SEASONAL_NAIVE', value: '1260', exceedsQuota: true });
    expect(below?.quotaWarning).toBe(true);
    await new Promise((res) => setTimeout(res, 5));
    await quota('100000');
    const above = await memberD();
    expect(above?.forecast.exceedsQuota).toBe(false);
    expect(above?.quotaWarning).toBe(false);
    // The export lists reporting members only (D has no annual inventory).
    const ex = await parkAdmin.gql<{ parkExport: { json: string } }>(
      `query($p: ID!) { parkExport(parkId: $p, year: 2023) { json } }`,
      { p: DEMO_PARK_ID },
    );
    expect(ex.data?.parkExport.json).not.toContain(entD);
    await q(`UPDATE park_share_consent SET revoked_at = now() WHERE enterprise_id = $1`, [entD]);
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
