import fc from 'fast-check';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from '../../core/db';
import { createMeter, getMeter, meterRollups } from './meter.service';
import { ingest, type ReadingInput } from './metering.service';
import { meteringFixture, type MeteringFixture } from './testing';

let fx: MeteringFixture;
const tx = <T>(fn: Parameters<typeof withScope<T>>[2]) =>
  withScope(fx.ds, { enterpriseIds: [fx.enterpriseId], parkIds: [] }, fn);
const T0 = Date.UTC(2026, 0, 1);
const Q = 900_000;

async function meter(code: string, over: Record<string, unknown> = {}) {
  return tx((em) =>
    createMeter(em, fx.enterpriseId, {
      code,
      name: code,
      energyType: 'electricity',
      unit: 'kWh',
      kind: 'cumulative',
      ...over,
    }),
  );
}
const batch = (readings: unknown[], batchId?: string) =>
  ingest(
    { db: fx.ds },
    { enterpriseId: fx.enterpriseId, source: 'device', transport: 'service', readings, batchId },
  );
const sumGrain = async (meterId: string, grain: string) => {
  const { rows } = await fx.pool.query(
    `SELECT coalesce(sum(value), 0)::text AS s FROM metering_rollup WHERE meter_id = $1 AND grain = $2`,
    [meterId, grain],
  );
  return rows[0].s as string;
};

beforeAll(async () => {
  fx = await meteringFixture('metering');
});
afterAll(async () => fx?.close());

describe('ingest pipeline', () => {
  it('accepts valid items, rejects bad ones with typed codes, is idempotent', async () => {
    const m = await meter('E-MAIN');
    await meter('W-1', { energyType: 'water', unit: 'm3' });
    const readings: unknown[] = [
      { meterCode: 'E-MAIN', ts: new Date(T0).toISOString(), value: '100', unit: 'kWh' },
      { meterCode: 'E-MAIN', ts: new Date(T0 + Q).toISOString(), value: '0.11', unit: 'MWh' },
      { meterCode: 'NOPE', ts: T0, value: '1', unit: 'kWh' },
      { meterCode: 'W-1', ts: T0, value: '1', unit: 'Nm3' },
      { meterCode: 'E-MAIN', ts: T0 + 2 * Q, value: 'NaN', unit: 'kWh' },
      { meterCode: 'E-MAIN', ts: T0 + 2 * Q, value: Number.POSITIVE_INFINITY, unit: 'kWh' },
      { meterCode: 'E-MAIN', ts: T0 + 3 * Q, value: '-5', unit: 'kWh' },
      { meterCode: 'E-MAIN', ts: Date.now() + 86_400_000, value: '5', unit: 'kWh' },
      'garbage',
      { meterCode: 'E-MAIN', ts: new Date(T0).toISOString(), value: '100', unit: 'kWh' },
      { meterId: m.id, ts: T0 + 2 * Q, value: '125', unit: 'kWh' },
    ];
    const r = await batch(readings, '00000000-0000-4000-8000-000000000001');
    expect(r.items.map((i) => i.code ?? i.status)).toEqual([
      'ACCEPTED',
      'ACCEPTED',
      'UNKNOWN_METER',
      'WRONG_UNIT',
      'NOT_FINITE',
      'NOT_FINITE',
      'NEGATIVE_REGISTER',
      'FUTURE_TIMESTAMP',
      'MALFORMED',
      'DUPLICATE_IN_BATCH',
      'ACCEPTED',
    ]);
    expect(await sumGrain(m.id, '15m')).toBe('25');
    // retry of the same batch: nothing changes
    const again = await batch(readings, '00000000-0000-4000-8000-000000000001');
    expect(again.items.every((i) => i.status === 'DUPLICATE')).toBe(true);
    // same id, different payload: replay
    const replay = await batch(readings.slice(0, 2), '00000000-0000-4000-8000-000000000001');
    expect(replay.items.map((i) => i.code)).toEqual(['BATCH_REPLAYED', 'BATCH_REPLAYED']);
    // no batch id: per-reading uniqueness makes it a duplicate
    const noId = await batch(readings.slice(0, 2));
    expect(noId.items.map((i) => i.status)).toEqual(['DUPLICATE', 'DUPLICATE']);
    expect(await sumGrain(m.id, '15m')).toBe('25');
  });

  it('raw readings are immutable', async () => {
    await expect(fx.pool.query('UPDATE metering_reading SET value = 0')).rejects.toThrow(/append-only/);
    await expect(fx.pool.query('DELETE FROM metering_reading')).rejects.toThrow(/append-only/);
  });

  it('late data recomputes segments and rollups; gaps are apportioned and flagged', async () => {
    const m = await meter('E-LATE');
    const at = (i: number, v: number): ReadingInput => ({
      meterId: m.id,
      ts: new Date(T0 + i * Q).toISOString(),
      value: String(v),
      unit: 'kWh',
    });
    await batch([at(0, 0), at(4, 40)]);
    const gap = await fx.pool.query(
      `SELECT flags FROM metering_segment_all WHERE meter_id = $1 ORDER BY ts`,
      [m.id],
    );
    expect(gap.rows[1].flags).toEqual(['gap_filled']);
    const slots = await fx.pool.query(
      `SELECT value::text, flagged::text FROM metering_rollup WHERE meter_id = $1 AND grain = '15m' ORDER BY bucket_start`,
      [m.id],
    );
    expect(slots.rows.map((r) => r.value)).toEqual(['10', '10', '10', '10']);
    // the missing readings arrive late: the estimate is replaced by measured values
    await batch([at(1, 5), at(2, 25), at(3, 30)]);
    const after = await fx.pool.query(
      `SELECT value::text, flagged::text FROM metering_rollup WHERE meter_id = $1 AND grain = '15m' ORDER BY bucket_start`,
      [m.id],
    );
    expect(after.rows.map((r) => r.value)).toEqual(['5', '20', '5', '10']);
    expect(await sumGrain(m.id, '1h')).toBe('40');
    const flags = await fx.pool.query(
      `SELECT flags FROM metering_segment_all WHERE meter_id = $1 ORDER BY ts`,
      [m.id],
    );
    expect(flags.rows.map((r) => r.flags)).toEqual([['ok'], ['late'], ['late'], ['late'], ['ok']]);
  });

  it('virtual meter: losses = main − Σ sub', async () => {
    const main = await meter('V-MAIN');
    await meter('V-SUB1', { parentMeterId: main.id });
    await meter('V-SUB2', { parentMeterId: main.id });
    const losses = await meter('V-LOSS', { formula: '{V-MAIN} - {V-SUB1} - {V-SUB2}' });
    const r = (code: string, i: number, v: number) => ({
      meterCode: code,
      ts: T0 + i * Q,
      value: v,
      unit: 'kWh',
    });
    await batch([r('V-MAIN', 0, 0), r('V-MAIN', 1, 100), r('V-SUB1', 0, 0), r('V-SUB1', 1, 60)]);
    await batch([r('V-SUB2', 0, 0), r('V-SUB2', 1, 30), r('V-LOSS', 1, 3)]).then((x) =>
      expect(x.items[2]!.code).toBe('VIRTUAL_METER'),
    );
    const got = await tx(async (em) => {
      const v = await getMeter(em, fx.enterpriseId, losses.id);
      return meterRollups(em, fx.enterpriseId, v!, '1h', new Date(T0), new Date(T0 + 3_600_000));
    });
    expect(got.map((g) => g.value)).toEqual(['10']);
  });

  it('property: rollups are additive (Σ15m = Σ1h = Σ1d = Σ1mo = register delta)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ gap: fc.integer({ min: 1, max: 400 }), inc: fc.integer({ min: 0, max: 5000 }) }),
          {
            minLength: 2,
            maxLength: 40,
          },
        ),
        fc.constantFrom('UTC', 'Asia/Shanghai', 'Asia/Kolkata'),
        async (steps, tz) => {
          const m = await meter(`P-${n++}`, { timeZone: tz });
          let ts = T0 + 7 * 60_000;
          let v = new Decimal(1000);
          const rs: ReadingInput[] = [{ meterId: m.id, ts, value: v.toString(), unit: 'kWh' }];
          for (const s of steps) {
            ts += s.gap * 60_000;
            v = v.plus(new Decimal(s.inc).div(8));
            rs.push({ meterId: m.id, ts, value: v.toString(), unit: 'kWh' });
          }
          // arrive in two shuffled halves to exercise late recompute
          const shuffled = [...rs].sort(
            (a, b) => ((Number(a.ts) * 7919) % 13) - ((Number(b.ts) * 7919) % 13),
          );
          await batch(shuffled.slice(0, rs.length >> 1));
          await batch(shuffled.slice(rs.length >> 1));
          const expected = v.minus(1000);
          for (const g of ['15m', '1h', '1d', '1mo']) {
            const got = await sumGrain(m.id, g);
            expect(new Decimal(got).eq(expected), `${g} ${tz}`).toBe(true);
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('live updates, TOU hook and area rollups', () => {
  it('publishes throttled metering.updated events after commit and splits rollups by TOU period', async () => {
    const { LiveUpdates, registerTouClassifier } = await import('./metering.service');
    const pgc = new (await import('pg')).default.Client({ connectionString: fx.db.url });
    await pgc.connect();
    const got: { topic: string; payload: { meterIds: string[]; areaIds: string[] } }[] = [];
    pgc.on('notification', (n) => got.push(JSON.parse(n.payload!)));
    await pgc.query('LISTEN opencep_events');
    const site = await fx.pool.query(
      `INSERT INTO sites (enterprise_id, name) VALUES ($1, 's') RETURNING id`,
      [fx.enterpriseId],
    );
    const area = await fx.pool.query(
      `INSERT INTO areas (enterprise_id, site_id, name) VALUES ($1, $2, 'Workshop 1') RETURNING id`,
      [fx.enterpriseId, site.rows[0].id],
    );
    const m = await meter('E-AREA', { areaId: area.rows[0].id });
    registerTouClassifier(async (_db, _e, slots) =>
      slots.map((s) => (s.slot.getUTCHours() < 1 ? 'valley' : 'peak')),
    );
    const live = new LiveUpdates(fx.ds, 60_000);
    try {
      const at = (i: number, v: number) => ({ meterId: m.id, ts: T0 + i * Q, value: v, unit: 'kWh' });
      for (const part of [[at(0, 0), at(2, 20)], [at(4, 50)], [at(6, 60)]]) {
        await ingest(
          { db: fx.ds, live },
          { enterpriseId: fx.enterpriseId, source: 'api', transport: 'service', readings: part },
        );
      }
      expect(got).toHaveLength(0); // nothing before the throttle window closes
      await live.flush();
      await new Promise((r) => setTimeout(r, 200));
      const events = got.filter((g) => g.topic === 'metering.updated');
      expect(events).toHaveLength(1);
      expect(events[0]!.payload.meterIds).toEqual([m.id]);
      expect(events[0]!.payload.areaIds).toEqual([area.rows[0].id]);
      const tou = await fx.pool.query(
        `SELECT tou_period, sum(value)::text AS v FROM metering_rollup WHERE meter_id = $1 AND grain = '1d' GROUP BY 1 ORDER BY 1`,
        [m.id],
      );
      expect(tou.rows).toEqual([
        { tou_period: 'peak', v: '10' },
        { tou_period: 'valley', v: '50' },
      ]);
      const areaRoll = await fx.pool.query(
        `SELECT sum(value)::text AS v FROM metering_area_rollup WHERE area_id = $1 AND grain = '1h'`,
        [area.rows[0].id],
      );
      expect(areaRoll.rows[0].v).toBe('60');
    } finally {
      registerTouClassifier(null);
      live.stop();
      await pgc.end();
    }
  });
});
