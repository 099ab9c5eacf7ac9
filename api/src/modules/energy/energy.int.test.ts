import Decimal from 'decimal.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from '../../core/db';
import { createMeter } from '../metering/meter.service';
import { ingest, registerTouClassifier } from '../metering/metering.service';
import { type MeteringFixture, meteringFixture } from '../metering/testing';
import {
  compareNodes,
  consumption,
  dashboardTotals,
  loadCurve,
  loadTariffPlans,
  type Sql,
  saveTariffPlan,
  tceTotals,
  touSplit,
} from './energy.service';
import { buildRollups, createPlant, generateReadings, type PlantFixture } from './energy.testing';
import { recordProduction, runningStandbyReport, unitConsumptionReport } from './production.service';
import { hubei202601Plans } from './tariff-catalog';
import { classify, estimateLoadShift, splitConsumption, type TariffPlan } from './tou';
import { classifyTouSlots } from './tou-hook';

const cst = (s: string) => new Date(`${s}+08:00`);
let fx: MeteringFixture;
let db: Sql;
let plant: PlantFixture;
let planA: TariffPlan;
let planB: TariffPlan;
const JAN = { from: cst('2026-01-01T00:00:00'), to: cst('2026-02-01T00:00:00') };

/** Hubei 1-10 kV single-part until 15 Jan, then a revised tariff 0.1 CNY/kWh dearer in every period. */
function plans(): [TariffPlan, TariffPlan] {
  const base = hubei202601Plans().find((p) => p.id.endsWith('single_part/1-10(20)kV'))!;
  const a = { ...base, validTo: '2026-01-15' };
  const up = (v: string) => new Decimal(v).plus('0.1').toString();
  const b: TariffPlan = {
    ...base,
    id: 'revised',
    validFrom: '2026-01-16',
    validTo: null,
    prices: {
      sharp: up(base.prices.sharp),
      peak: up(base.prices.peak),
      flat: up(base.prices.flat),
      valley: up(base.prices.valley),
    },
    holidays: ['2026-02-17'],
    seasons: [
      ...base.seasons.map((s) => ({
        ...s,
        schedules: [{ dayTypes: ['workday' as const, 'weekend' as const], ranges: s.schedules[0]!.ranges }],
      })),
      // Holidays: all valley (exercises day types in SQL and TypeScript alike).
      {
        name: 'holiday',
        months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        schedules: [
          {
            dayTypes: ['holiday' as const],
            ranges: [{ startMinute: 0, endMinute: 1440, period: 'valley' as const }],
          },
        ],
      },
    ],
  };
  return [a, b];
}

beforeAll(async () => {
  fx = await meteringFixture('energy');
  // DROP DATABASE … WITH (FORCE) at teardown may hit a pool client still closing; not a test failure.
  fx.pool.on('error', () => undefined);
  db = {
    query: async <T>(text: string, params?: unknown[]) => (await fx.pool.query(text, params)).rows as T,
  };
  [planA, planB] = plans();
  planA = { ...planA, id: await saveTariffPlan(db, fx.enterpriseId, 'hubei-a', planA, { note: 'test' }) };
  planB = { ...planB, id: await saveTariffPlan(db, fx.enterpriseId, 'hubei-b', planB) };
  plant = await createPlant(db, fx.enterpriseId, 2, 2);
  // Meter n reads n kWh every 15 minutes: hand-computable totals. Workshop 1 = meters 1 and 2.
  await generateReadings(db, fx.enterpriseId, plant.meterIds, JAN.from, JAN.to, 'n::numeric');
  // Same month a year earlier at half the rate, for year-over-year.
  await generateReadings(
    db,
    fx.enterpriseId,
    plant.meterIds,
    cst('2025-01-01T00:00:00'),
    cst('2025-02-01T00:00:00'),
    'n::numeric / 2',
  );
  await buildRollups(db, fx.enterpriseId, cst('2025-01-01T00:00:00'), cst('2025-02-01T00:00:00'));
  await buildRollups(db, fx.enterpriseId, JAN.from, JAN.to);
});
afterAll(async () => {
  registerTouClassifier(null);
  await fx?.close();
});

describe('TOU hook', () => {
  it('energy_plan_tou_period agrees with classify() (property, incl. holidays and a midnight-crossing plan)', async () => {
    const night: TariffPlan = {
      ...planA,
      id: 'night',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      seasons: [
        {
          name: 'all',
          months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
          schedules: [
            {
              dayTypes: ['workday'],
              ranges: [
                { startMinute: 1320, endMinute: 360, period: 'valley' },
                { startMinute: 360, endMinute: 1080, period: 'flat' },
                { startMinute: 1080, endMinute: 1320, period: 'peak' },
              ],
            },
            {
              dayTypes: ['weekend', 'holiday'],
              ranges: [{ startMinute: 0, endMinute: 1440, period: 'valley' }],
            },
          ],
        },
      ],
    };
    const nightId = await saveTariffPlan(db, fx.enterpriseId, 'night', night);
    const samples = fc
      .sample(fc.integer({ min: 0, max: 365 * 96 * 15 - 1 }), 400)
      .map((m) => new Date(Date.UTC(2025, 11, 31, 16) + m * 60_000));
    for (const [id, plan] of [
      [planA.id, planA],
      [planB.id, planB],
      [nightId, night],
    ] as const) {
      const rows = await db.query<{ p: string }[]>(
        `SELECT energy_plan_tou_period($1, $2, t) AS p FROM unnest($3::timestamptz[]) WITH ORDINALITY AS x(t, i) ORDER BY i`,
        [fx.enterpriseId, id, samples.map((s) => s.toISOString())],
      );
      expect(rows.map((r) => r.p)).toEqual(samples.map((s) => classify(s, plan)));
    }
    expect(
      (
        await db.query<{ p: string }[]>(`SELECT energy_plan_tou_period($1, $2, $3) AS p`, [
          fx.enterpriseId,
          planB.id,
          cst('2026-02-17T19:00:00'),
        ])
      )[0]!.p,
    ).toBe('valley');
    await db.query(`DELETE FROM energy_tariff_plan WHERE id = $1`, [nightId]);
  });

  it('energy_tou_period picks the plan in force on the local date, none outside every plan', async () => {
    const q = async (ts: string) =>
      (
        await db.query<{ p: string }[]>(`SELECT energy_tou_period($1, $2::timestamptz) AS p`, [
          fx.enterpriseId,
          cst(ts).toISOString(),
        ])
      )[0]!.p;
    expect(await q('2026-01-15T18:30:00')).toBe('sharp');
    expect(await q('2026-01-16T00:00:00')).toBe('valley');
    expect(await q('2025-12-31T19:00:00')).toBe('none');
  });

  it('metering ingest classifies rollups through the registered hook', async () => {
    registerTouClassifier(classifyTouSlots);
    const m = await withScope(fx.ds, { enterpriseIds: [fx.enterpriseId], parkIds: [] }, (em) =>
      createMeter(em, fx.enterpriseId, {
        code: 'HOOK',
        name: 'hook',
        energyType: 'electricity',
        unit: 'kWh',
        kind: 'interval',
        timeZone: 'Asia/Shanghai',
      }),
    );
    const start = cst('2026-01-20T00:00:00').getTime();
    const readings = Array.from({ length: 96 }, (_, i) => ({
      meterId: m.id,
      ts: start + i * 900_000,
      value: '1',
      unit: 'kWh',
    }));
    const r = await ingest(
      { db: fx.ds },
      { enterpriseId: fx.enterpriseId, source: 'device', transport: 'service', readings },
    );
    expect(r.rejected).toBe(0);
    const rows = await db.query<{ tou: string; n: string }[]>(
      `SELECT tou_period AS tou, sum(value)::text AS n FROM metering_rollup WHERE meter_id = $1 AND grain = '15m' GROUP BY 1 ORDER BY 1`,
      [m.id],
    );
    const byTou = Object.fromEntries(rows.map((x) => [x.tou, x.n]));
    // Whatever slot convention metering uses, a day of 1 kWh slots splits 8/8/6/2 hours.
    expect(Object.keys(byTou).sort()).toEqual(['flat', 'peak', 'sharp', 'valley']);
    expect(byTou).toEqual({ valley: '32', flat: '32', peak: '24', sharp: '8' });
  });
});

describe('TOU split and cost', () => {
  it('prices a workshop month exactly across a mid-month tariff change', async () => {
    const { split } = await touSplit(db, fx.enterpriseId, { kind: 'AREA', id: plant.areaIds[0]! }, JAN);
    // 3 kWh per slot (meters 1 + 2); per day valley 32 slots, flat 32, peak 24, sharp 8.
    expect(split.periods.valley.kwh.toString()).toBe(String(31 * 32 * 3));
    expect(split.periods.sharp.kwh.toString()).toBe(String(31 * 8 * 3));
    // per 1-kWh-slot day: plan A 69.578576, plan B 79.178576; 15 days A + 16 days B, × 3
    expect(split.totalCost.toString()).toBe('6931.607568');
    expect(split.unpricedKwh.toString()).toBe('0');
    // The same answer from raw readings through the pure splitter.
    const raw = await db.query<{ ts: Date; v: string }[]>(
      `SELECT ts, sum(value)::text AS v FROM metering_reading WHERE enterprise_id = $1 AND meter_id = ANY ($2::uuid[]) AND ts > $3 AND ts <= $4 GROUP BY ts`,
      [fx.enterpriseId, plant.meterIds.slice(0, 2), JAN.from, JAN.to],
    );
    const pure = splitConsumption(
      raw.map((r) => ({
        start: new Date(new Date(r.ts).getTime() - 900_000),
        end: new Date(r.ts),
        kwh: r.v,
      })),
      [planA, planB],
    );
    expect(pure.totalCost.toString()).toBe(split.totalCost.toString());
  });

  it('prices a range crossing midnight and the tariff change', async () => {
    const { split, plans: used } = await touSplit(
      db,
      fx.enterpriseId,
      { kind: 'EQUIPMENT', id: plant.equipmentIds[0]! },
      {
        from: cst('2026-01-15T20:00:00'),
        to: cst('2026-01-16T07:00:00'),
      },
    );
    expect(used).toHaveLength(2);
    // peak 20–24 (plan A) 16 kWh × 0.910961; valley 00–06 (plan B) 24 × 0.596924; flat 06–07 (B) 4 × 0.815686
    expect(split.periods.peak.kwh.toString()).toBe('16');
    expect(split.periods.valley.kwh.toString()).toBe('24');
    expect(split.totalCost.toString()).toBe('32.164296');
    const est = estimateLoadShift(split, planB);
    expect(est.shiftedKwh.toString()).toBe('16');
    // 16 × (0.910961 − 0.596924)
    expect(est.saving.toString()).toBe('5.024592');
  });
});

describe('consumption views', () => {
  it('dashboard totals with period-over-period and year-over-year', async () => {
    const rows = await dashboardTotals(
      db,
      fx.enterpriseId,
      { kind: 'AREA', id: plant.areaIds[0]! },
      cst('2026-01-20T10:37:00'),
    );
    const get = (p: string) => rows.find((r) => r.period === p && r.energyType === 'electricity')!;
    expect(get('today').current.toString()).toBe(String(42 * 3)); // 00:00–10:30
    expect(get('yesterday').current.toString()).toBe(String(96 * 3));
    expect(get('month').current.toString()).toBe(String((19 * 96 + 42) * 3));
    expect(get('month').previous.toString()).toBe('0');
    expect(get('month').periodOverPeriod).toBeNull();
    expect(get('year').lastYear.toString()).toBe(String(((19 * 96 + 42) * 3) / 2));
    expect(get('year').yearOverYear?.toString()).toBe('1');
    expect(get('today').periodOverPeriod?.toString()).toBe('0');
  });

  it('totals for any node and range, and tce per GB/T 2589-2020', async () => {
    const [ent] = await consumption(db, fx.enterpriseId, { kind: 'SITE', id: plant.siteId }, [JAN]);
    const elec = ent!.find((t) => t.energyType === 'electricity')!;
    expect(elec.value.toString()).toBe(String(31 * 96 * (1 + 2 + 3 + 4)));
    const tce = tceTotals(ent!);
    expect(tce[0]!.tceLow.toString()).toBe(new Decimal(31 * 96 * 10).times('0.1229').div(1000).toString());
  });

  it('load curve in kW and top consumers / same-type comparison', async () => {
    const curve = await loadCurve(
      db,
      fx.enterpriseId,
      { kind: 'AREA', id: plant.areaIds[1]! },
      {
        from: cst('2026-01-10T00:00:00'),
        to: cst('2026-01-11T00:00:00'),
      },
    );
    expect(curve).toHaveLength(96);
    expect(curve[0]!.value.toString()).toBe(String((3 + 4) * 4));
    const top = await compareNodes(db, fx.enterpriseId, 'EQUIPMENT', JAN, { limit: 2 });
    expect(top.map((t) => t.value.toString())).toEqual([String(31 * 96 * 4), String(31 * 96 * 3)]);
    const pumps = await compareNodes(db, fx.enterpriseId, 'EQUIPMENT', JAN, { equipmentKind: 'pump' });
    expect(pumps).toHaveLength(2);
    const shops = await compareNodes(db, fx.enterpriseId, 'AREA', JAN);
    expect(shops.map((s) => s.value.toString())).toEqual([String(31 * 96 * 7), String(31 * 96 * 3)]);
  });
});

describe('unit consumption', () => {
  it('energy per unit by shift and team, ranked, with the best as benchmark', async () => {
    const line = plant.lineIds[0]!; // meters 1 + 2 → 3 kWh per slot → 12 kW
    const recs = [];
    for (let d = 5; d <= 6; d++) {
      const day = `2026-01-0${d}`;
      recs.push(
        {
          line,
          product: 'P',
          quantity: '96',
          shift: 'day',
          team: d === 5 ? 'A' : 'B',
          start: cst(`${day}T08:00:00`),
          end: cst(`${day}T16:00:00`),
        },
        {
          line,
          product: 'P',
          quantity: '48',
          shift: 'night',
          team: d === 5 ? 'B' : 'A',
          start: cst(`${day}T20:00:00`),
          end: cst(`${day}T23:30:00`),
        },
      );
    }
    expect(await recordProduction(db, fx.enterpriseId, recs, 'manual')).toBe(4);
    const byShift = await unitConsumptionReport(db, fx.enterpriseId, JAN, 'shift');
    // day: 8 h × 12 kW = 96 kWh per record → 1 kWh/unit; night: 3.5 h × 12 = 42 kWh per 48 units → 0.875
    expect(byShift.rows.map((r) => [r.key, r.perUnit?.toString(), r.rank])).toEqual([
      ['night', '0.875', 1],
      ['day', '1', 2],
    ]);
    expect(byShift.benchmark?.key).toBe('night');
    const byTeam = await unitConsumptionReport(db, fx.enterpriseId, JAN, 'team');
    expect(byTeam.rows.map((r) => r.energy.toString())).toEqual(['138', '138']);
  });

  it('running versus standby energy from a power threshold', async () => {
    const r = await runningStandbyReport(
      db,
      fx.enterpriseId,
      { kind: 'EQUIPMENT', id: plant.equipmentIds[3]! },
      {
        from: cst('2026-01-10T00:00:00'),
        to: cst('2026-01-11T00:00:00'),
      },
      '10',
      '1',
    );
    // meter 4: 4 kWh per slot = 16 kW, always running
    expect(r.runningKwh.toString()).toBe('384');
    expect(r.recommendedRunningKw?.toString()).toBe('16');
  });
});

describe('tariff plans', () => {
  it('loads the plans overlapping a range', async () => {
    const ps = await loadTariffPlans(db, fx.enterpriseId, {
      from: cst('2026-01-20T00:00:00'),
      to: cst('2026-01-21T00:00:00'),
    });
    expect(ps.map((p) => p.id)).toEqual([planB.id]);
  });
});
