import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from '../../core/db';
import { Decimal } from '../../core/scalars';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { calculate } from '../accounting/engine/calculate';
import { activity, isoPack, line } from '../accounting/testing';
import { marketInstrumentsFor } from './offsets.service';

let db: TestDatabase;
let api: TestApi;
let admin: TestSession;

beforeAll(async () => {
  db = await createTestDatabase('offsets');
  api = await startTestApi(db.url);
  admin = await api.loginAs('admin@plant18.demo');
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const PURCHASE = `mutation($i: RecordOffsetPurchaseInput!) { recordOffsetPurchase(input: $i) { id quantity serialStart serialEnd } }`;
const RETIRE = `mutation($i: RetireOffsetInput!) { retireOffset(input: $i) { id quantity } }`;
const base = { enterpriseId: DEMO_ENTERPRISE_ID, periodStart: '2023-01-01', periodEnd: '2023-12-31' };
const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => [
  r.errors?.[0]?.extensions?.code,
  r.errors?.[0]?.extensions?.reason,
];

describe('offsets: purchase, retire, never double count', () => {
  let certId = '';
  let gpId = '';

  it('records a certificate purchase with serials and a green-power contract with monthly volumes', async () => {
    const c = await admin.gql<{ recordOffsetPurchase: { id: string; quantity: string } }>(PURCHASE, {
      i: {
        ...base,
        kind: 'CERTIFICATE',
        registry: 'GEC',
        serialStart: '1000',
        serialEnd: '1999',
        counterparty: 'Hubei wind farm',
        evidenceKind: 'certificate-registry',
        evidenceReference: 'GEC order 7',
      },
    });
    expect(c.errors).toBeUndefined();
    expect(c.data?.recordOffsetPurchase.quantity).toBe('1000');
    certId = c.data?.recordOffsetPurchase.id as string;
    const g = await admin.gql<{ recordOffsetPurchase: { id: string } }>(PURCHASE, {
      i: {
        ...base,
        kind: 'GREEN_POWER',
        quantity: '100',
        monthlyVolumes: [
          { month: '2023-01', mwh: '40' },
          { month: '2023-02', mwh: '60' },
        ],
        counterparty: 'Provincial grid green trade',
        evidenceKind: 'contract',
        evidenceReference: 'GP-2023-01',
      },
    });
    expect(g.errors).toBeUndefined();
    gpId = g.data?.recordOffsetPurchase.id as string;
  });

  it('refuses a purchase overlapping serials already recorded in the registry', async () => {
    const r = await admin.gql(PURCHASE, {
      i: {
        ...base,
        kind: 'CERTIFICATE',
        registry: 'GEC',
        serialStart: '1999',
        serialEnd: '2500',
        counterparty: 'x',
        evidenceKind: 'certificate-registry',
        evidenceReference: 'dup',
      },
    });
    expect(code(r)).toEqual(['CONFLICT', 'SERIALS_ALREADY_PURCHASED']);
  });

  it('retires serials once; an overlapping range is refused with CONFLICT', async () => {
    const ok = await admin.gql(RETIRE, {
      i: { ...base, purchaseId: certId, serialStart: '1000', serialEnd: '1499', evidenceReference: 'ret-1' },
    });
    expect(ok.errors).toBeUndefined();
    const dup = await admin.gql(RETIRE, {
      i: { ...base, purchaseId: certId, serialStart: '1400', serialEnd: '1600', evidenceReference: 'ret-2' },
    });
    expect(code(dup)).toEqual(['CONFLICT', 'SERIALS_ALREADY_RETIRED']);
    const outside = await admin.gql(RETIRE, {
      i: { ...base, purchaseId: certId, serialStart: '1900', serialEnd: '2100', evidenceReference: 'ret-3' },
    });
    expect(code(outside)).toEqual(['CONFLICT', 'SERIALS_OUTSIDE_PURCHASE']);
  });

  it('the SQL exclusion constraint refuses overlapping ranges even bypassing the service', async () => {
    await expect(
      api.server.dataSource.query(
        `INSERT INTO offset_retirement (enterprise_id, purchase_id, kind, registry, serials, quantity, period_start, period_end, evidence_reference)
         VALUES ($1, $2, 'CERTIFICATE', 'GEC', '[1499,1501)', 2, '2023-01-01', '2023-12-31', 'sneaky')`,
        [DEMO_ENTERPRISE_ID, certId],
      ),
    ).rejects.toThrow(/exclu|conflicting key/);
  });

  it('green power: volume beyond the purchase or the months contracted is refused', async () => {
    const feb = {
      enterpriseId: DEMO_ENTERPRISE_ID,
      purchaseId: gpId,
      periodStart: '2023-02-01',
      periodEnd: '2023-02-28',
    };
    const jan = { ...feb, periodStart: '2023-01-01', periodEnd: '2023-01-31' };
    expect(
      (await admin.gql(RETIRE, { i: { ...feb, quantity: '60', evidenceReference: 'feb' } })).errors,
    ).toBeUndefined();
    expect(
      code(await admin.gql(RETIRE, { i: { ...jan, quantity: '41', evidenceReference: 'jan' } })),
    ).toEqual(['CONFLICT', 'VOLUME_EXCEEDED']);
    expect(
      (await admin.gql(RETIRE, { i: { ...jan, quantity: '40', evidenceReference: 'jan' } })).errors,
    ).toBeUndefined();
    expect(
      code(await admin.gql(RETIRE, { i: { ...jan, quantity: '0.001', evidenceReference: 'more' } })),
    ).toEqual(['CONFLICT', 'VOLUME_EXCEEDED']);
  });

  it('retirements feed the market-based inventory: difference = retired MWh × residual factor', async () => {
    const period = { start: '2023-01-01', end: '2023-12-31' };
    const instruments = await withScope(
      api.server.dataSource,
      { enterpriseIds: [DEMO_ENTERPRISE_ID], parkIds: [] },
      (em) => marketInstrumentsFor(em, DEMO_ENTERPRISE_ID, period),
    );
    expect(instruments.map((i) => i.quantity).sort()).toEqual(['40', '500', '60']);
    const lines = [line('grid', 'electricity.purchased', '8500', 'MWh')];
    const without = calculate(isoPack(), activity(lines));
    const withRet = calculate(isoPack(), activity(lines, { marketInstruments: instruments }));
    const factor = new Decimal(without.scope2MarketBased?.residualFactor?.value ?? 'NaN');
    const diff = new Decimal(without.totals.byScope.scope2Market?.exact ?? 0).sub(
      withRet.totals.byScope.scope2Market?.exact ?? 0,
    );
    expect(diff.eq(factor.mul(600))).toBe(true);
    const s = await admin.gql<{ offsetSummary: { greenPowerMwh: string; certificatesMwh: string } }>(
      `query($e: ID!) { offsetSummary(enterpriseId: $e, year: 2023) { greenPowerMwh certificatesMwh creditsTco2e } }`,
      { e: DEMO_ENTERPRISE_ID },
    );
    expect(s.data?.offsetSummary).toMatchObject({ greenPowerMwh: '100', certificatesMwh: '500' });
  });
});
