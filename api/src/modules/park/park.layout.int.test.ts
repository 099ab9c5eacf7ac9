import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID, DEMO_PARK_ID } from '../../seed/users';
import { createMeter } from '../metering/meter.service';

let db: TestDatabase;
let api: TestApi;
let parkAdmin: TestSession;
let regulator: TestSession;
let platform: TestSession;
let entAdmin: TestSession;
let entB = '';
let entC = '';
let foreignPark = '';
let foreignEnt = '';

const q = <T = { id: string }>(sql: string, p: unknown[] = []) =>
  api.server.dataSource.query(sql, p) as Promise<T[]>;

const LAYOUT = `query($p: ID!) { parkLayout(parkId: $p, year: 2023) {
  parkId width height
  members { enterpriseId name placed x y label outline { x y } sharing status quotaWarning openAlarms lastReadingAt }
} }`;
type Member = {
  enterpriseId: string;
  name: string;
  placed: boolean;
  x: number | null;
  y: number | null;
  label: string | null;
  outline: { x: number; y: number }[] | null;
  sharing: boolean;
  status: string;
  quotaWarning: boolean | null;
  openAlarms: number | null;
  lastReadingAt: string | null;
};
type Layout = { parkLayout: { parkId: string; width: number; height: number; members: Member[] } };
const SET = `mutation($p: ID!, $e: ID!, $x: Float!, $y: Float!, $l: String, $o: [ParkLayoutPointInput!]) {
  setParkLayoutPosition(parkId: $p, enterpriseId: $e, x: $x, y: $y, label: $l, outline: $o) {
    parkId enterpriseId x y label outline { x y } } }`;

beforeAll(async () => {
  db = await createTestDatabase('park_layout');
  api = await startTestApi(db.url);
  entB = (
    await q(`INSERT INTO enterprises (park_id, name) VALUES ($1, 'Layout B') RETURNING id`, [DEMO_PARK_ID])
  )[0]?.id as string;
  entC = (
    await q(`INSERT INTO enterprises (park_id, name) VALUES ($1, 'Private C') RETURNING id`, [DEMO_PARK_ID])
  )[0]?.id as string;
  foreignPark = (
    await q(`INSERT INTO parks (name, jurisdiction) VALUES ('Foreign Park', 'CN-GD-SZ') RETURNING id`)
  )[0]?.id as string;
  foreignEnt = (
    await q(`INSERT INTO enterprises (park_id, name) VALUES ($1, 'Foreign Co') RETURNING id`, [foreignPark])
  )[0]?.id as string;
  await q(`INSERT INTO park_layout_position (park_id, enterprise_id, x, y) VALUES ($1, $2, 10, 10)`, [
    foreignPark,
    foreignEnt,
  ]);
  for (const e of [DEMO_ENTERPRISE_ID, entB])
    await q(`INSERT INTO park_share_consent (enterprise_id, park_id) VALUES ($1, $2)`, [e, DEMO_PARK_ID]);
  // Plant 18: a fresh reading and one open alarm (plus a cleared one that must not count).
  const meter = await createMeter(api.server.dataSource, DEMO_ENTERPRISE_ID, {
    code: 'E-LAYOUT',
    name: 'E-LAYOUT',
    energyType: 'electricity',
    unit: 'kWh',
    kind: 'cumulative',
  });
  entAdmin = await api.loginAs('admin@plant18.demo');
  const now = Date.now();
  const ingest = await entAdmin.gql(
    'mutation($e: ID!, $r: [ReadingInput!]!) { ingestReadings(enterpriseId: $e, readings: $r) { accepted } }',
    {
      e: DEMO_ENTERPRISE_ID,
      r: [
        { meterCode: 'E-LAYOUT', ts: new Date(now - 900_000).toISOString(), value: '100', unit: 'kWh' },
        { meterCode: 'E-LAYOUT', ts: new Date(now).toISOString(), value: '110', unit: 'kWh' },
      ],
    },
  );
  expect(ingest.errors).toBeUndefined();
  const [rule] = await q(
    `INSERT INTO alarm_rule (enterprise_id, name, kind, meter_id, spec) VALUES ($1, 'hi', 'threshold', $2, '{}') RETURNING id`,
    [DEMO_ENTERPRISE_ID, meter.id],
  );
  for (const status of ['raised', 'cleared'])
    await q(
      `INSERT INTO alarm_event (enterprise_id, rule_id, subject, status, severity, message, raised_at)
       VALUES ($1, $2, $3, $4, 'warning', 'too high', now())`,
      [DEMO_ENTERPRISE_ID, rule?.id, `s-${status}`, status],
    );
  // B: 2022 at 100 t a month, 2023 Jan–Jun at 110 t, quota 1200 → forecast 1260 above the quota.
  for (const [y, months, total] of [
    [2022, 12, '100'],
    [2023, 6, '110'],
  ] as const)
    for (let m = 1; m <= months; m++) {
      const start = `${y}-${String(m).padStart(2, '0')}-01`;
      await q(
        `INSERT INTO accounting_inventory (enterprise_id, period_kind, period_start, period_end, revision, state,
           standard_source, pack_ref, pack_hash, canonical_json, inventory_hash, activity_json, total_location,
           scope1, scope2_location, scope3)
         VALUES ($1, 'MONTH', $2::date, ($2::date + interval '1 month' - interval '1 day')::date, 1, 'FINAL', 'CHAIN',
           'p@1', 'h', '{}', 'h', '{}', $3, $3, 0, 0)`,
        [entB, start, total],
      );
    }
  await q(
    `INSERT INTO accounting_quota (enterprise_id, year, kind, amount, delta, reason) VALUES ($1, 2023, 'SET', 1200, 0, 't')`,
    [entB],
  );
  parkAdmin = await api.loginAs('park@changsha.demo');
  regulator = await api.loginAs('regulator@hunan.demo');
  platform = await api.loginAs('platform@opencep.demo');
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const layoutOf = async (s: TestSession, park = DEMO_PARK_ID) => {
  const r = await s.gql<Layout>(LAYOUT, { p: park });
  expect(r.errors).toBeUndefined();
  const byId = new Map((r.data?.parkLayout.members ?? []).map((m) => [m.enterpriseId, m]));
  return { layout: r.data?.parkLayout, byId };
};

describe('park layout', () => {
  it('lists every member with its seeded position and the live status of consenting members', async () => {
    const { layout, byId } = await layoutOf(parkAdmin);
    expect(layout).toMatchObject({ parkId: DEMO_PARK_ID, width: 1000, height: 600 });
    expect([...byId.keys()].sort()).toEqual([DEMO_ENTERPRISE_ID, entB, entC].sort());
    expect(byId.has(foreignEnt)).toBe(false);
    const plant = byId.get(DEMO_ENTERPRISE_ID);
    // Demo seed: Plant 18 placed with an outline.
    expect(plant).toMatchObject({ placed: true, x: 320, y: 260, label: 'Plant 18 · Block A', sharing: true });
    expect(plant?.outline).toHaveLength(4);
    expect(plant?.openAlarms).toBe(1);
    expect(plant?.quotaWarning).toBe(false);
    expect(plant?.status).toBe('ALARM');
    expect(Date.now() - new Date(plant?.lastReadingAt ?? 0).getTime()).toBeLessThan(3600_000);
    expect(byId.get(entB)).toMatchObject({
      placed: false,
      x: null,
      sharing: true,
      quotaWarning: true,
      openAlarms: 0,
      lastReadingAt: null,
      status: 'QUOTA_WARNING',
    });
    // No consent: name and position only, no figures.
    expect(byId.get(entC)).toMatchObject({
      sharing: false,
      status: 'NOT_SHARING',
      quotaWarning: null,
      openAlarms: null,
      lastReadingAt: null,
    });
  });

  it('park admin places and moves a member; the layout shows it', async () => {
    const first = await parkAdmin.gql(SET, {
      p: DEMO_PARK_ID,
      e: entB,
      x: 600.5,
      y: 120,
      l: 'B',
      o: [
        { x: 550, y: 80 },
        { x: 650, y: 80 },
        { x: 600, y: 170 },
      ],
    });
    expect(first.errors).toBeUndefined();
    expect(first.data).toEqual({
      setParkLayoutPosition: {
        parkId: DEMO_PARK_ID,
        enterpriseId: entB,
        x: 600.5,
        y: 120,
        label: 'B',
        outline: [
          { x: 550, y: 80 },
          { x: 650, y: 80 },
          { x: 600, y: 170 },
        ],
      },
    });
    const moved = await parkAdmin.gql(SET, { p: DEMO_PARK_ID, e: entB, x: 700, y: 300 });
    expect(moved.errors).toBeUndefined();
    const { byId } = await layoutOf(parkAdmin);
    expect(byId.get(entB)).toMatchObject({ placed: true, x: 700, y: 300, label: null, outline: null });
    const audit = await q<{ action: string }>(
      `SELECT action FROM audit_log WHERE entity = 'ParkLayoutPosition' AND entity_id = $1 ORDER BY id`,
      [entB],
    );
    expect(audit.map((a) => a.action)).toEqual(['create', 'update']);
  });

  it('regulators and platform admins read the layout (no alarm counts); other roles may not', async () => {
    for (const s of [regulator, platform]) {
      const { byId } = await layoutOf(s);
      expect(byId.get(DEMO_ENTERPRISE_ID)).toMatchObject({
        placed: true,
        x: 320,
        sharing: true,
        openAlarms: null,
      });
      expect(byId.get(entB)?.status).toBe('QUOTA_WARNING');
    }
    const r = await entAdmin.gql(LAYOUT, { p: DEMO_PARK_ID });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(r.data?.parkLayout ?? null).toBeNull();
  });

  it('refuses a foreign park, a foreign enterprise and the wrong roles; nothing is written', async () => {
    const foreignRead = await parkAdmin.gql(LAYOUT, { p: foreignPark });
    expect(foreignRead.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const foreignWrite = await parkAdmin.gql(SET, { p: foreignPark, e: foreignEnt, x: 1, y: 1 });
    expect(foreignWrite.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // An enterprise of another park placed on this park's layout: not found (RLS and the park join).
    const wrongPark = await parkAdmin.gql(SET, { p: DEMO_PARK_ID, e: foreignEnt, x: 1, y: 1 });
    expect(wrongPark.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    for (const s of [regulator, platform, entAdmin]) {
      const r = await s.gql(SET, { p: DEMO_PARK_ID, e: entC, x: 5, y: 5 });
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const rows = await q<{ park_id: string; enterprise_id: string; x: string }>(
      `SELECT park_id, enterprise_id, x::text AS x FROM park_layout_position WHERE enterprise_id = ANY($1::uuid[])`,
      [[entC, foreignEnt]],
    );
    expect(rows).toEqual([{ park_id: foreignPark, enterprise_id: foreignEnt, x: '10.00' }]);
  });

  it('rejects positions off the canvas, over-precise or with a degenerate outline', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ x: 1000.01, y: 1 }, 'x'],
      [{ x: -1, y: 1 }, 'x'],
      [{ x: 1, y: 601 }, 'y'],
      [{ x: 1.234, y: 1 }, 'x'],
      [
        {
          x: 1,
          y: 1,
          o: [
            { x: 1, y: 1 },
            { x: 2, y: 2 },
          ],
        },
        'outline',
      ],
      [{ x: 1, y: 1, l: 'x'.repeat(81) }, 'label'],
    ];
    for (const [vars, field] of cases) {
      const r = await parkAdmin.gql(SET, { p: DEMO_PARK_ID, e: entC, ...vars });
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(vars)).toBe('BAD_USER_INPUT');
      expect(Object.keys((r.errors?.[0]?.extensions?.fieldErrors ?? {}) as object)).toEqual([field]);
    }
    expect(await q(`SELECT 1 FROM park_layout_position WHERE enterprise_id = $1`, [entC])).toEqual([]);
  });

  it('the database refuses a position for an enterprise of another park and hides foreign parks (RLS)', async () => {
    await expect(
      q(`INSERT INTO park_layout_position (park_id, enterprise_id, x, y) VALUES ($1, $2, 1, 1)`, [
        DEMO_PARK_ID,
        foreignEnt,
      ]),
    ).rejects.toThrow(/foreign key/);
    const seen = await api.server.dataSource.transaction(async (em) => {
      await em.query(`SET LOCAL ROLE opencep_app`);
      await em.query(`SELECT set_config('app.park_ids', $1, true)`, [DEMO_PARK_ID]);
      const rows = (await em.query(`SELECT park_id FROM park_layout_position`)) as { park_id: string }[];
      const denied = await em
        .query(`INSERT INTO park_layout_position (park_id, enterprise_id, x, y) VALUES ($1, $2, 1, 1)`, [
          foreignPark,
          foreignEnt,
        ])
        .then(
          () => 'inserted',
          (e: Error) => e.message,
        );
      return { parks: [...new Set(rows.map((r) => r.park_id))], denied };
    });
    expect(seen.parks).toEqual([DEMO_PARK_ID]);
    expect(seen.denied).toMatch(/row-level security/);
  });
});
