import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from '../../core/db';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { enterpriseBytes32, markInventoryAnchored, standardIdOf } from './accounting.service';
import { calculate, inventoryHash } from './engine/calculate';
import { machineryPack } from './testing';

const E = DEMO_ENTERPRISE_ID;
let db: TestDatabase;
let api: TestApi;
let admin: TestSession;
let regulator: TestSession;
let chainLog = 0;
const sql = (q: string, p: unknown[] = []) =>
  api.server.dataSource.query(q, p) as Promise<Record<string, unknown>[]>;

/** Inserts a row into the chain mirror exactly as the indexer would. */
async function chainStandard(code: string, hash: string, version: string, effectiveFrom: string) {
  chainLog++;
  await sql(
    `INSERT INTO chain.standard_version (chain_id, tx_hash, log_index, block_number, block_timestamp, address,
       standard_id, content_hash, version_index, version, uri, effective_from)
     VALUES (31337, $1, 0, $2, now(), '0x00', $3, $4, 0, $5, 'ipfs://x', $6)`,
    [`0x${String(chainLog).padStart(64, '0')}`, chainLog, standardIdOf(code), hash, version, effectiveFrom],
  );
}

const INV_FIELDS = `id revision state standardSource packRef inventoryHash totalLocation warnings previousId
  lines { sourceId co2e quantity unit evidenceReference } diff { previousRevision lines { key previous current delta } totals { key delta } }`;

type Inv = {
  id: string;
  revision: number;
  state: string;
  standardSource: string;
  packRef: string;
  inventoryHash: string;
  totalLocation: string;
  warnings: string[];
  previousId: string | null;
  lines: { sourceId: string; co2e: string; quantity: string; unit: string; evidenceReference: string }[];
  diff: {
    previousRevision: number;
    lines: { key: string; previous: string | null; current: string | null; delta: string }[];
    totals: { key: string; delta: string }[];
  } | null;
};

async function calc(period: string, extra = ''): Promise<{ inv?: Inv; code?: string; reason?: string }> {
  const r = await admin.gql<{ calculateInventory: Inv }>(
    `mutation($e: ID!, $p: String!) { calculateInventory(enterpriseId: $e, period: $p ${extra}) { ${INV_FIELDS} } }`,
    { e: E, p: period },
  );
  const err = r.errors?.[0];
  return {
    inv: r.data?.calculateInventory,
    code: err?.extensions?.code,
    reason: err?.extensions?.reason as string | undefined,
  };
}

async function finalize(id: string) {
  return admin.gql<{ finalizeInventory: { state: string } }>(
    `mutation($id: ID!) { finalizeInventory(id: $id) { state } }`,
    { id },
  );
}

let gasSourceId = '';

beforeAll(async () => {
  db = await createTestDatabase('accounting');
  api = await startTestApi(db.url);
  admin = await api.loginAs('admin@plant18.demo');
  regulator = await api.loginAs('regulator@hunan.demo');
  // A grid meter (kWh) with January 2024 monthly rollups split by TOU period, as metering writes them.
  const [meter] = await sql(
    `INSERT INTO metering_meter (enterprise_id, code, name, energy_type, unit, kind)
     VALUES ($1, 'GRID-1', 'Grid incomer', 'electricity', 'kWh', 'cumulative') RETURNING id`,
    [E],
  );
  for (const [tou, v] of [
    ['peak', '600000'],
    ['valley', '400000.5'],
  ])
    await sql(
      `INSERT INTO metering_rollup (enterprise_id, meter_id, grain, bucket_start, tou_period, value)
       VALUES ($1, $2, '1mo', '2024-01-01T00:00:00Z', $3, $4)`,
      [E, meter?.id, tou, v],
    );
  // A rollup of February must not leak into January.
  await sql(
    `INSERT INTO metering_rollup (enterprise_id, meter_id, grain, bucket_start, value)
     VALUES ($1, $2, '1mo', '2024-02-01T00:00:00Z', 999)`,
    [E, meter?.id],
  );
  await chainStandard('cn-machinery-2015', machineryPack().hash, '1.0.0', '2020-01-01T00:00:00Z');

  const src = async (input: Record<string, unknown>) => {
    const r = await admin.gql<{ createEmissionSource: { id: string; category: string; scope: number } }>(
      `mutation($i: CreateEmissionSourceInput!) { createEmissionSource(input: $i) { id category scope } }`,
      { i: { enterpriseId: E, ...input } },
    );
    expect(r.errors).toBeUndefined();
    return r.data?.createEmissionSource as { id: string; category: string; scope: number };
  };
  const grid = await src({
    code: 'grid',
    name: 'Purchased electricity',
    sourceType: 'electricity.purchased',
    unit: 'MWh',
    meterId: meter?.id,
  });
  expect(grid).toMatchObject({ category: 'purchased-electricity', scope: 2 });
  const gas = await src({
    code: 'boiler-ng',
    name: 'Boiler gas',
    sourceType: 'combustion.natural-gas',
    unit: '10^4 Nm3',
  });
  gasSourceId = gas.id;
  const r = await admin.gql(
    `mutation($i: RecordActivityInput!) { recordActivity(input: $i) { id quantity } }`,
    {
      i: {
        sourceId: gas.id,
        periodStart: '2024-01-01',
        periodEnd: '2024-01-31',
        quantity: '12.5',
        unit: '10^4 Nm3',
        evidenceKind: 'voucher',
        evidenceReference: 'GAS-INV-2024-01',
        attachmentSha256: 'a'.repeat(64),
      },
    },
  );
  expect(r.errors).toBeUndefined();
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('inventories', () => {
  let rev1: Inv;

  it('activity from meter rollups + manual evidence → inventory equals the engine on the same activity', async () => {
    const { inv, code } = await calc('2024-01');
    expect(code).toBeUndefined();
    rev1 = inv as Inv;
    const expected = calculate(machineryPack(), {
      period: { start: '2024-01-01', end: '2024-01-31' },
      enterprise: { id: E },
      lines: [
        {
          sourceId: 'boiler-ng',
          sourceType: 'combustion.natural-gas',
          quantity: '12.5',
          unit: '10^4 Nm3',
          evidence: { kind: 'voucher', reference: 'GAS-INV-2024-01' },
        },
        {
          sourceId: 'grid',
          sourceType: 'electricity.purchased',
          quantity: '1000.0005',
          unit: 'MWh',
          evidence: {
            kind: 'meter-rollup',
            reference: 'meter GRID-1 1mo rollups 2024-01-01..2024-01-31 (1 months)',
          },
        },
      ],
    });
    expect(rev1.inventoryHash).toBe(inventoryHash(expected));
    expect(rev1.totalLocation).toBe(expected.totals.location.exact);
    expect(rev1.lines.find((l) => l.sourceId === 'grid')?.co2e).toBe('570.30028515'); // 1000.0005 × 0.5703
    expect(rev1).toMatchObject({
      revision: 1,
      state: 'DRAFT',
      standardSource: 'CHAIN',
      packRef: 'cn-machinery-2015@1.0.0',
    });
  });

  it('publishes emissionsUpdated for the enterprise', async () => {
    const ws = api.ws(admin.accessToken);
    const got = new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no event')), 10_000);
      ws.subscribe(
        {
          query: `subscription($e: ID!) { emissionsUpdated(enterpriseId: $e) { inventoryId revision state totalLocation } }`,
          variables: { e: E },
        },
        {
          next: (v) => {
            clearTimeout(t);
            resolve(v.data?.emissionsUpdated as Record<string, unknown>);
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await new Promise((r) => setTimeout(r, 300));
    await admin.gql(`mutation($e: ID!) { calculateInventory(enterpriseId: $e, period: "2024-02") { id } }`, {
      e: E,
    });
    expect(await got).toMatchObject({ revision: 1, state: 'DRAFT', totalLocation: '0.5697297' }); // 0.999 MWh × 0.5703
  });

  it('final is locked; late data creates a new revision with a diff, never changing the final one', async () => {
    expect((await finalize(rev1.id)).data?.finalizeInventory.state).toBe('FINAL');
    const again = await finalize(rev1.id);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'INVENTORY_LOCKED' });
    await expect(
      sql(`UPDATE accounting_inventory SET total_location = 0 WHERE id = $1`, [rev1.id]),
    ).rejects.toThrow(/locked/);
    await expect(sql(`DELETE FROM accounting_inventory WHERE id = $1`, [rev1.id])).rejects.toThrow(/locked/);
    // Nothing changed: recalculation returns the final revision itself.
    expect((await calc('2024-01')).inv?.id).toBe(rev1.id);
    // A late fuel invoice for January.
    const late = await admin.gql(`mutation($i: RecordActivityInput!) { recordActivity(input: $i) { id } }`, {
      i: {
        sourceId: gasSourceId,
        periodStart: '2024-01-20',
        periodEnd: '2024-01-31',
        quantity: '2.5',
        unit: '10^4 Nm3',
        evidenceKind: 'voucher',
        evidenceReference: 'GAS-INV-2024-01b',
      },
    });
    expect(late.errors).toBeUndefined();
    const rev2 = (await calc('2024-01')).inv as Inv;
    expect(rev2).toMatchObject({ revision: 2, state: 'DRAFT', previousId: rev1.id });
    const gasBefore = rev1.lines.find((l) => l.sourceId === 'boiler-ng')?.co2e as string;
    const gasAfter = rev2.lines.find((l) => l.sourceId === 'boiler-ng')?.co2e as string;
    // Fuel combustion is linear in the quantity: 15 / 12.5 = 1.2.
    expect(Number(gasAfter)).toBeCloseTo(Number(gasBefore) * 1.2, 9);
    expect(rev2.diff?.previousRevision).toBe(1);
    expect(rev2.diff?.lines).toHaveLength(1);
    expect(rev2.diff?.lines[0]).toMatchObject({ key: 'boiler-ng', previous: gasBefore, current: gasAfter });
    const locDelta = rev2.diff?.totals.find((t) => t.key === 'location')?.delta as string;
    expect(Number(locDelta)).toBeCloseTo(Number(rev2.totalLocation) - Number(rev1.totalLocation), 9);
    const stored = await sql(`SELECT inventory_hash, state FROM accounting_inventory WHERE id = $1`, [
      rev1.id,
    ]);
    expect(stored[0]).toMatchObject({ inventory_hash: rev1.inventoryHash, state: 'FINAL' });
    // Regulators read finals only.
    const reg = await regulator.gql<{ inventories: { edges: { node: { id: string; state: string } }[] } }>(
      `query($e: ID!) { inventories(enterpriseId: $e) { edges { node { id state } } } }`,
      { e: E },
    );
    expect(reg.data?.inventories.edges.map((x) => x.node.id)).toEqual([rev1.id]);
    const regDraft = await regulator.gql(`query($id: ID!) { inventory(id: $id) { id } }`, { id: rev2.id });
    expect(regDraft.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('trust-layer transitions are guarded: FINAL → ANCHORED → VERIFIED only', async () => {
    const { inv } = await calc('2024-01');
    const scope = { enterpriseIds: [E], parkIds: [] };
    const draftId = inv?.id as string;
    await expect(
      withScope(api.server.dataSource, scope, (em) => markInventoryAnchored(em, draftId, 'root-x')),
    ).rejects.toMatchObject({ extensions: { reason: 'INVALID_TRANSITION' } });
    const [fin] = await sql(
      `SELECT id FROM accounting_inventory WHERE state = 'FINAL' AND period_start = '2024-01-01'`,
    );
    const anchored = await withScope(api.server.dataSource, scope, (em) =>
      markInventoryAnchored(em, fin?.id as string, '0xroot'),
    );
    expect(anchored.state).toBe('ANCHORED');
    expect((await finalize(fin?.id as string)).errors?.[0]?.extensions?.reason).toBe('INVENTORY_LOCKED');
  });

  it('pack selection: chain hash unknown → PACK_HASH_MISMATCH; no chain version → explicit pack, DRAFT only', async () => {
    await chainStandard('bogus-std', `0x${'ab'.repeat(32)}`, '9.9.9', '2020-01-01T00:00:00Z');
    expect((await calc('2023-05', 'standard: "bogus-std"')).reason).toBe('PACK_HASH_MISMATCH');
    expect((await calc('2023-06', 'standard: "iso14064-ghgp"')).reason).toBe('NO_ACTIVE_STANDARD');
    const { inv } = await calc('2023-06', 'standard: "iso14064-ghgp", explicitPack: "iso14064-ghgp@1.0.0"');
    expect(inv).toMatchObject({ state: 'DRAFT', standardSource: 'EXPLICIT', packRef: 'iso14064-ghgp@1.0.0' });
    expect(inv?.warnings).toContain('EXPLICIT_PACK_NO_CHAIN_STANDARD');
    expect((await finalize(inv?.id as string)).errors?.[0]?.extensions?.reason).toBe('NO_CHAIN_STANDARD');
  });
});

describe('quotas', () => {
  type Status = {
    quota: string | null;
    quotaSource: string;
    manualQuota: string | null;
    chainRevision: number | null;
    used: string;
    remaining: string | null;
    trueUp: { month: number; cumulativeUsed: string; proRataQuota: string; balance: string }[];
    forecast: { method: string; value: string; low: string; high: string; monthsObserved: number };
    history: { kind: string; amount: string; delta: string; reason: string }[];
  };
  const status = async (year: number, who = admin) => {
    const r = await who.gql<{ quotaStatus: Status }>(
      `query($e: ID!, $y: Int!) { quotaStatus(enterpriseId: $e, year: $y) { quota quotaSource manualQuota chainRevision used remaining
         trueUp { month cumulativeUsed proRataQuota balance } forecast { method value low high monthsObserved }
         history { kind amount delta reason } } }`,
      { e: E, y: year },
    );
    expect(r.errors).toBeUndefined();
    return r.data?.quotaStatus as Status;
  };
  /** Monthly inventories with given totals (hand-computed case; the engine is covered above). */
  const months = async (year: number, totals: string[]) => {
    for (const [i, t] of totals.entries()) {
      const start = `${year}-${String(i + 1).padStart(2, '0')}-01`;
      await sql(
        `INSERT INTO accounting_inventory (enterprise_id, period_kind, period_start, period_end, revision, state,
           standard_source, pack_ref, pack_hash, canonical_json, inventory_hash, activity_json, total_location,
           scope1, scope2_location, scope3)
         VALUES ($1, 'MONTH', $2::date, ($2::date + interval '1 month' - interval '1 day')::date, 1, 'FINAL',
           'CHAIN', 'cn-machinery-2015@1.0.0', '0x', '{}', '0x', '{}', $3, $3, 0, 0)`,
        [E, start, t],
      );
    }
  };

  it('manual quota with history, overridden by the chain quota (grams → t); true-up and run-rate forecast', async () => {
    const set = await admin.gql(
      `mutation { setQuota(input: { enterpriseId: "${E}", year: 2025, amount: "120" }) { amount } }`,
    );
    expect(set.errors).toBeUndefined();
    const adj = await admin.gql(
      `mutation { adjustQuota(input: { enterpriseId: "${E}", year: 2025, delta: "24", reason: "new line" }) { amount delta } }`,
    );
    expect(adj.data?.adjustQuota).toEqual({ amount: '144', delta: '24' });
    await months(2025, ['10', '12', '14']);
    let s = await status(2025);
    expect(s).toMatchObject({ quota: '144', quotaSource: 'MANUAL', used: '36', remaining: '108' });
    expect(s.history.map((h) => [h.kind, h.amount])).toEqual([
      ['SET', '120'],
      ['ADJUST', '144'],
    ]);
    await sql(
      `INSERT INTO chain.quota (chain_id, enterprise_id, year, amount, revision, issued_at, block_number, updated_at)
       VALUES (31337, $1, 2025, 150000000, 2, now(), 10, now())`,
      [enterpriseBytes32(E)],
    );
    s = await status(2025);
    expect(s).toMatchObject({
      quota: '150',
      quotaSource: 'CHAIN',
      manualQuota: '144',
      chainRevision: 2,
      remaining: '114',
    });
    // pro-rata 150 × m / 12 = 12.5, 25, 37.5; cumulative 10, 22, 36.
    expect(s.trueUp).toEqual([
      { month: 1, cumulativeUsed: '10', proRataQuota: '12.5', balance: '2.5' },
      { month: 2, cumulativeUsed: '22', proRataQuota: '25', balance: '3' },
      { month: 3, cumulativeUsed: '36', proRataQuota: '37.5', balance: '1.5' },
    ]);
    // run-rate: mean 12 × 9 remaining + 36 = 144; s = 2; ± 1.645 × 2 × √9 = 9.87.
    expect(s.forecast).toEqual({
      method: 'RUN_RATE',
      value: '144',
      low: '134.13',
      high: '153.87',
      monthsObserved: 3,
    });
    // Park admins see the aggregate.
    const park = await api.loginAs('park@changsha.demo');
    expect((await status(2025, park)).used).toBe('36');
  });

  it('seasonal forecast from last year’s profile', async () => {
    await months(2027, ['10', '10', '10', '10', '10', '10', '10', '10', '10', '10', '10', '20']);
    await months(2028, ['12', '12', '12']);
    const s = await status(2028);
    // k = 36 / 30 = 1.2; forecast = 36 + 1.2 × 100 = 156; residuals 0 → no spread.
    expect(s.forecast).toEqual({
      method: 'SEASONAL',
      value: '156',
      low: '156',
      high: '156',
      monthsObserved: 3,
    });
    expect(s.quotaSource).toBe('NONE');
  });
});
