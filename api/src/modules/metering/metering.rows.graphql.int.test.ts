import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';

/** Compact batch mutation, XLSX import, instantaneous/status rollups over the real API. */
let db: TestDatabase;
let api: TestApi;
let admin: TestSession;
let park: TestSession;
const E = DEMO_ENTERPRISE_ID;
const FOREIGN = '00000000-0000-4000-8000-000000000000';
const T0 = Date.UTC(2026, 5, 1);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const ids: Record<string, string> = {};

const ROWS = `mutation($e: ID!, $r: ReadingRows!, $k: String, $b: ID) {
  ingestReadingRows(enterpriseId: $e, rows: $r, meterKey: $k, batchId: $b) {
    accepted duplicates rejected items { index status code }
  }
}`;
const XLSX = `mutation($e: ID!, $x: String!) {
  importReadingsXlsx(enterpriseId: $e, xlsxBase64: $x) {
    sheet rows accepted duplicates errors { sheet row column code }
  }
}`;
const STATS = `query($e: ID!, $m: ID!, $g: String!) {
  meterSampleStats(enterpriseId: $e, meterId: $m, grain: $g, from: "2026-05-01T00:00:00Z", to: "2026-07-01T00:00:00Z") {
    bucketStart samples min max avg
  }
}`;
const STATES = `query($e: ID!, $m: ID!, $g: String!) {
  meterStateDurations(enterpriseId: $e, meterId: $m, grain: $g, from: "2026-05-01T00:00:00Z", to: "2026-07-01T00:00:00Z") {
    bucketStart state seconds
  }
}`;

beforeAll(async () => {
  db = await createTestDatabase('metering_rows_gql');
  api = await startTestApi(db.url, { bodyLimitBytes: 8 * 1024 * 1024 });
  admin = await api.loginAs('admin@plant18.demo');
  park = await api.loginAs('park@changsha.demo');
  for (const [code, kind, unit] of [
    ['E-1', 'cumulative', 'kWh'],
    ['P-1', 'instantaneous', 'kW'],
    ['S-1', 'status', 'state'],
  ] as const) {
    const r = await admin.gql<{ createMeter: { id: string } }>(
      `mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`,
      { i: { enterpriseId: E, code, name: code, energyType: 'electricity', unit, kind } },
    );
    expect(r.errors).toBeUndefined();
    ids[code] = r.data!.createMeter.id;
  }
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('ingestReadingRows (compact batch)', () => {
  it('keeps valid rows, types the errors of bad ones, is idempotent per batch id', async () => {
    const rows = [
      ['E-1', iso(T0), '100', 'kWh'],
      ['NOPE', iso(T0), '1', 'kWh'],
      ['E-1', iso(T0 + 15 * MIN)],
      ['E-1', iso(T0 + 30 * MIN), 'NaN', 'kWh'],
      ['E-1', iso(T0 + 45 * MIN), '0.2', 'MWh'],
    ];
    const b = '22222222-2222-4222-8222-222222222222';
    const r = await admin.gql<{ ingestReadingRows: { accepted: number; items: { code: string | null }[] } }>(
      ROWS,
      { e: E, r: rows, b },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.ingestReadingRows.accepted).toBe(2);
    expect(r.data!.ingestReadingRows.items.map((i) => i.code)).toEqual([
      null,
      'UNKNOWN_METER',
      'MALFORMED',
      'NOT_FINITE',
      null,
    ]);
    const again = await admin.gql<{ ingestReadingRows: { accepted: number; duplicates: number } }>(ROWS, {
      e: E,
      r: rows,
      b,
    });
    expect(again.data!.ingestReadingRows).toMatchObject({ accepted: 0, duplicates: 5 });
    const byId = await admin.gql<{ ingestReadingRows: { accepted: number } }>(ROWS, {
      e: E,
      r: [[ids['E-1'], iso(T0 + 60 * MIN), '300', 'kWh']],
      k: 'id',
    });
    expect(byId.data!.ingestReadingRows.accepted).toBe(1);
    const roll = await admin.gql<{ meterRollups: { value: string }[] }>(
      `query($e: ID!, $m: ID!) { meterRollups(enterpriseId: $e, meterId: $m, grain: "1d", from: "2026-06-01T00:00:00Z", to: "2026-06-02T00:00:00Z") { value } }`,
      { e: E, m: ids['E-1'] },
    );
    expect(roll.data!.meterRollups.map((x) => Number(x.value))).toEqual([200]);
  });

  it('refuses a non-array payload, a bad meterKey, foreign tenants and roles without readings:write', async () => {
    const notArray = await admin.gql(ROWS, { e: E, r: { a: 1 } });
    expect(notArray.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badKey = await admin.gql(ROWS, { e: E, r: [], k: 'name' });
    expect(badKey.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const foreign = await admin.gql(ROWS, { e: FOREIGN, r: [['E-1', iso(T0), '1', 'kWh']] });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const parkAdmin = await park.gql(ROWS, { e: E, r: [['E-1', iso(T0 + 90 * MIN), '1', 'kWh']] });
    expect(parkAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anon = await api.gql(ROWS, { e: E, r: [] });
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('importReadingsXlsx', () => {
  it('imports a real workbook; errors by sheet, row and column; same file twice changes nothing', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Readings');
    ws.addRow(['meter_code', 'ts', 'value', 'unit']);
    ws.addRow(['E-1', iso(T0 + 120 * MIN), 400, 'kWh']);
    ws.addRow(['E-1', iso(T0 + 135 * MIN), 410, 'm3']);
    ws.addRow(['GHOST', iso(T0 + 135 * MIN), 1, 'kWh']);
    ws.addRow(['E-1', new Date(T0 + 150 * MIN), 420, 'kWh']);
    ws.addRow(['E-1', iso(T0 + 165 * MIN), '-5', 'kWh']);
    const x = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
    type R = {
      importReadingsXlsx: {
        sheet: string;
        rows: number;
        accepted: number;
        duplicates: number;
        errors: { sheet: string; row: number; column: string; code: string }[];
      };
    };
    const r = await admin.gql<R>(XLSX, { e: E, x });
    expect(r.errors).toBeUndefined();
    expect(r.data!.importReadingsXlsx).toMatchObject({ sheet: 'Readings', rows: 5, accepted: 1 });
    expect(r.data!.importReadingsXlsx.errors).toEqual([
      { sheet: 'Readings', row: 3, column: 'unit', code: 'WRONG_UNIT' },
      { sheet: 'Readings', row: 4, column: 'meter_code', code: 'UNKNOWN_METER' },
      { sheet: 'Readings', row: 5, column: 'ts', code: 'BAD_CELL' },
      { sheet: 'Readings', row: 6, column: 'value', code: 'NEGATIVE_REGISTER' },
    ]);
    // the same file is the same batch (content hash): every parsed row comes back DUPLICATE
    const again = await admin.gql<R>(XLSX, { e: E, x });
    expect(again.data!.importReadingsXlsx).toMatchObject({ accepted: 0, duplicates: 4 });
    const junk = await admin.gql<R>(XLSX, { e: E, x: Buffer.from('not a zip').toString('base64') });
    expect(junk.data!.importReadingsXlsx.errors.map((e) => e.code)).toEqual(['BAD_XLSX']);
    const foreign = await admin.gql(XLSX, { e: FOREIGN, x });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('instantaneous and status rollups over GraphQL', () => {
  it('serves min/max/avg and time in state with readings:read on the tenant', async () => {
    const w = await admin.gql(ROWS, {
      e: E,
      r: [
        ['P-1', iso(T0), '10', 'kW'],
        ['P-1', iso(T0 + 5 * MIN), '30', 'kW'],
        ['S-1', iso(T0), '1', 'state'],
        ['S-1', iso(T0 + 30 * MIN), '0', 'state'],
        ['S-1', iso(T0 + 45 * MIN), '1', 'state'],
      ],
    });
    expect(w.errors).toBeUndefined();
    const s = await admin.gql<{
      meterSampleStats: { samples: number; min: string; max: string; avg: string }[];
    }>(STATS, { e: E, m: ids['P-1'], g: '1h' });
    expect(s.errors).toBeUndefined();
    expect(s.data!.meterSampleStats).toEqual([
      { bucketStart: iso(T0), samples: 2, min: '10', max: '30', avg: '20' },
    ]);
    const d = await admin.gql<{ meterStateDurations: { state: string; seconds: string }[] }>(STATES, {
      e: E,
      m: ids['S-1'],
      g: '1h',
    });
    expect(d.data!.meterStateDurations.map((p) => [p.state, p.seconds])).toEqual([
      ['0', '900'],
      ['1', '1800'],
    ]);
    const wrongKind = await admin.gql(STATS, { e: E, m: ids['S-1'], g: '1h' });
    expect(wrongKind.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badGrain = await admin.gql(STATES, { e: E, m: ids['S-1'], g: '5m' });
    expect(badGrain.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const q of [STATS, STATES]) {
      const foreign = await admin.gql(q, { e: FOREIGN, m: ids['P-1'], g: '1h' });
      expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const parkAdmin = await park.gql(q, { e: E, m: ids['P-1'], g: '1h' });
      expect(parkAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});
