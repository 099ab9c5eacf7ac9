import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from '../../core/db';
import { createMeter } from './meter.service';
import { ingest } from './metering.service';
import { meterSampleStats, meterStateDurations, stateIntervals } from './sample-rollups';
import { meteringFixture, type MeteringFixture } from './testing';

let fx: MeteringFixture;
const tx = <T>(fn: Parameters<typeof withScope<T>>[2]) =>
  withScope(fx.ds, { enterpriseIds: [fx.enterpriseId], parkIds: [] }, fn);
const T0 = Date.UTC(2026, 0, 5);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const send = (readings: unknown[], source: 'device' | 'api' | 'csv' = 'device') =>
  ingest({ db: fx.ds }, { enterpriseId: fx.enterpriseId, source, transport: 'service', readings });

async function meter(code: string, kind: 'instantaneous' | 'status', over: Record<string, unknown> = {}) {
  return tx((em) =>
    createMeter(em, fx.enterpriseId, {
      code,
      name: code,
      energyType: 'electricity',
      unit: kind === 'status' ? 'state' : 'kW',
      kind,
      ...over,
    }),
  );
}
const FROM = new Date(T0 - 40 * 86_400_000);
const TO = new Date(T0 + 40 * 86_400_000);
const stats = (id: string, grain: '15m' | '1h' | '1d' | '1mo') =>
  tx((em) => meterSampleStats(em, fx.enterpriseId, id, grain, FROM, TO));
const durations = (id: string, grain: '15m' | '1h' | '1d' | '1mo') =>
  tx((em) => meterStateDurations(em, fx.enterpriseId, id, grain, FROM, TO));

beforeAll(async () => {
  fx = await meteringFixture('metering_samples');
});
afterAll(async () => fx?.close());

describe('instantaneous meters: min / max / sample mean', () => {
  it('rolls samples up per bucket with unit conversion and multiplier; re-sends and other sources add nothing', async () => {
    const m = await meter('P-1', 'instantaneous', { multiplier: '2' });
    const readings = [
      { meterCode: 'P-1', ts: iso(T0), value: '10', unit: 'kW' },
      { meterCode: 'P-1', ts: iso(T0 + 5 * MIN), value: '12500', unit: 'W' },
      { meterCode: 'P-1', ts: iso(T0 + 10 * MIN), value: '11', unit: 'kW' },
      { meterCode: 'P-1', ts: iso(T0 + 15 * MIN), value: '20', unit: 'kW' },
    ];
    expect((await send(readings)).accepted).toBe(4);
    const q = await stats(m.id, '15m');
    expect(q.map((p) => [p.bucketStart.getTime(), p.samples, p.min, p.max, p.avg])).toEqual([
      [T0, 3, '20', '25', '22.333333333'],
      [T0 + 15 * MIN, 1, '40', '40', '40'],
    ]);
    // same readings again (same source): duplicates; another source at the same instants: not counted
    expect((await send(readings)).duplicates).toBe(4);
    expect((await send(readings, 'api')).accepted).toBe(4);
    const h = await stats(m.id, '1h');
    expect(h.map((p) => [p.samples, p.min, p.max, p.avg])).toEqual([[4, '20', '40', '26.75']]);
    // a late sample joins its bucket
    await send([{ meterCode: 'P-1', ts: iso(T0 + 2 * MIN), value: '1', unit: 'kW' }]);
    const q2 = await stats(m.id, '15m');
    expect(q2[0]).toMatchObject({ samples: 4, min: '2', max: '25', avg: '17.25' });
    const d = await stats(m.id, '1d');
    expect(d.map((p) => p.samples)).toEqual([5]);
  });
});

describe('status meters: time in each state', () => {
  it('counts each state until the next sample and corrects for a late sample', async () => {
    const m = await meter('S-1', 'status');
    await send([
      { meterCode: 'S-1', ts: iso(T0), value: '1', unit: 'state' },
      { meterCode: 'S-1', ts: iso(T0 + 10 * MIN), value: '0', unit: 'state' },
      { meterCode: 'S-1', ts: iso(T0 + 40 * MIN), value: '1.0', unit: 'state' },
    ]);
    const q = (await durations(m.id, '15m')).map((p) => [
      (p.bucketStart.getTime() - T0) / MIN,
      p.state,
      p.seconds,
    ]);
    expect(q).toEqual([
      [0, '0', '300'],
      [0, '1', '600'],
      [15, '0', '900'],
      [30, '0', '600'],
    ]);
    // late sample at +20 min (state 2) splits the 0-interval
    await send([{ meterCode: 'S-1', ts: iso(T0 + 20 * MIN), value: '2', unit: 'state' }]);
    const h = (await durations(m.id, '1h')).map((p) => [p.state, p.seconds]);
    expect(h).toEqual([
      ['0', '600'],
      ['1', '600'],
      ['2', '1200'],
    ]);
  });

  it('rejects a state that is not a number, per item', async () => {
    await meter('S-2', 'status');
    await expect(
      send([{ meterCode: 'S-2', ts: iso(T0), value: 'on', unit: 'state' }]),
    ).resolves.toMatchObject({
      rejected: 1,
    });
  });

  it('property: any arrival order gives the rollups of the sorted series; 15m sums to 1h, 1d, 1mo', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 2, maxLength: 25 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 25, maxLength: 25 }),
        fc.integer({ min: 1, max: 5 }),
        async (minutes, states, chunks) => {
          const code = `SP-${n++}`;
          const m = await meter(code, 'status');
          const pts = minutes.map((t, i) => ({ ts: T0 + t * 3 * MIN, state: String(states[i]) }));
          // arrival order = the generated (unsorted) order, split into `chunks` batches
          const size = Math.ceil(pts.length / chunks);
          for (let i = 0; i < pts.length; i += size)
            await send(
              pts
                .slice(i, i + size)
                .map((p) => ({ meterCode: code, ts: iso(p.ts), value: p.state, unit: 'state' })),
            );
          const expected = new Map<string, number>();
          for (const p of stateIntervals([...pts].sort((a, b) => a.ts - b.ts)))
            expected.set(`${p.slot}|${p.state}`, (expected.get(`${p.slot}|${p.state}`) ?? 0) + p.ms);
          const got = new Map(
            (await durations(m.id, '15m')).map((p) => [
              `${p.bucketStart.getTime()}|${p.state}`,
              Number(p.seconds) * 1000,
            ]),
          );
          expect(got).toEqual(new Map([...expected].filter(([, v]) => v > 0)));
          const total = [...expected.values()].reduce((a, b) => a + b, 0);
          for (const g of ['1h', '1d', '1mo'] as const) {
            const sum = (await durations(m.id, g)).reduce((a, p) => a + Number(p.seconds) * 1000, 0);
            expect([g, sum]).toEqual([g, total]);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
