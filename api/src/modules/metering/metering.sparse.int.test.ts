import { randomUUID } from 'node:crypto';
import { loadMigrations } from '@opencep/migrations';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from '../../core/db';
import { apportion, Dec, type QualityFlag, sumBySlot } from './cleaning';
import { createMeter } from './meter.service';
import { ingest, type Sql, writeRegisterReadings } from './metering.service';
import { type MeteringFixture, meteringFixture } from './testing';

/**
 * Sparse segments and the COPY raw path (docs/metering.md "Performance"): only segments that do not
 * follow from the raw readings are stored; `metering_segment_all` adds the implied ones. Whatever
 * the arrival order, the rollups must equal the apportioned full series the view shows, and no stored
 * row may be one the view could have derived.
 */
let fx: MeteringFixture;
const T0 = Date.UTC(2026, 2, 1);
const Q = 900_000;

beforeAll(async () => {
  fx = await meteringFixture('metering_sparse');
});
afterAll(async () => fx?.close());

let seq = 0;
async function meter(over: Record<string, unknown> = {}) {
  return withScope(fx.ds, { enterpriseIds: [fx.enterpriseId], parkIds: [] }, (em) =>
    createMeter(em, fx.enterpriseId, {
      code: `S-${++seq}`,
      name: `sparse ${seq}`,
      energyType: 'electricity',
      unit: 'kWh',
      kind: 'cumulative',
      ...over,
    }),
  );
}

interface Reading {
  ts: number;
  value: string;
  unit: string;
  source: 'device' | 'csv';
}

/** A register series with glitches: spikes, resets, a rollover, gaps, MWh readings, csv duplicates. */
const seriesArb = fc
  .array(
    fc.record({
      step: fc.integer({ min: 0, max: 40_000 }), // thousandths of a kWh
      gap: fc.integer({ min: 1, max: 5 }).chain((g) => fc.constantFrom(1, 1, 1, 1, g)),
      glitch: fc.constantFrom('none', 'none', 'none', 'none', 'none', 'spike', 'zero', 'reset', 'wrap'),
      mwh: fc.boolean().map((b) => b && Math.random() < 0.3),
      dup: fc.integer({ min: 0, max: 9 }).map((d) => d === 0),
    }),
    { minLength: 3, maxLength: 30 },
  )
  .map((steps) => {
    const out: Reading[] = [];
    let v = 99_000_000; // thousandths; the register wraps at 100,000 kWh
    let t = T0;
    for (const s of steps) {
      t += s.gap * Q;
      v += s.step;
      if (s.glitch === 'reset') v = s.step;
      if (s.glitch === 'wrap' || v >= 100_000_000) v = (v + 500_000) % 100_000_000;
      let shown = v;
      if (s.glitch === 'spike') shown = v * 10 + 7;
      if (s.glitch === 'zero') shown = 0;
      const kwh = (shown / 1000).toFixed(3);
      const value = s.mwh ? (shown / 1_000_000).toFixed(6) : kwh;
      out.push({ ts: t, value, unit: s.mwh ? 'MWh' : 'kWh', source: 'device' });
      if (s.dup) out.push({ ts: t, value: ((shown + 1000) / 1000).toFixed(3), unit: 'kWh', source: 'csv' });
    }
    return out;
  });

async function ingestAll(meterId: string, readings: Reading[], cuts: number[]): Promise<void> {
  // batches in the given (shuffled) order; one source per batch, as the transports send them
  const bounds = [...new Set([0, ...cuts.map((c) => c % (readings.length + 1)), readings.length])].sort(
    (a, b) => a - b,
  );
  for (let i = 0; i + 1 < bounds.length; i++) {
    const part = readings.slice(bounds[i], bounds[i + 1]);
    for (const source of ['device', 'csv'] as const) {
      const items = part
        .filter((r) => r.source === source)
        .map((r) => ({ meterId, ts: new Date(r.ts).toISOString(), value: r.value, unit: r.unit }));
      if (!items.length) continue;
      const res = await ingest(
        { db: fx.ds },
        { enterpriseId: fx.enterpriseId, source, transport: 'service', readings: items },
      );
      expect(res.rejected, JSON.stringify(res.items.filter((x) => x.status === 'REJECTED'))).toBe(0);
    }
  }
}

describe('sparse segments', () => {
  it('property: any arrival order → rollups = the apportioned view series; no stored row is implied', async () => {
    await fc.assert(
      fc.asyncProperty(
        seriesArb,
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        async (series, cuts, seed) => {
          const m = await meter({ rolloverValue: '100000', multiplier: '2.5', intervalSeconds: 900 });
          // deterministic shuffle by seed
          const order = series
            .map((r, i) => ({ r, k: (Math.imul(i + 1, 2654435761) ^ seed) >>> 0 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.r);
          await ingestAll(m.id, order, cuts);

          const view = await fx.pool.query<{
            ts: Date;
            start_ts: Date | null;
            delta: string;
            flags: QualityFlag[];
          }>(
            `SELECT ts, start_ts, delta::text, flags FROM metering_segment_all WHERE meter_id = $1 ORDER BY ts`,
            [m.id],
          );
          // one segment per distinct timestamp
          expect(view.rows.length).toBe(new Set(series.map((r) => r.ts)).size);
          const expected = sumBySlot(
            view.rows.flatMap((s) =>
              apportion({
                ts: s.ts.getTime(),
                startTs: s.start_ts ? s.start_ts.getTime() : null,
                delta: new Dec(s.delta),
                flags: s.flags,
              }),
            ),
          );
          const roll = await fx.pool.query<{ b: Date; v: string; f: string }>(
            `SELECT bucket_start AS b, sum(value)::text AS v, sum(flagged)::text AS f FROM metering_rollup
             WHERE meter_id = $1 AND grain = '15m' GROUP BY 1`,
            [m.id],
          );
          const got = new Map(roll.rows.map((r) => [r.b.getTime(), r]));
          // a slot the rollups never saw counts as 0 (a zero delta writes no rollup row)
          const norm = (v: string | undefined) => new Dec(v ?? 0).toString();
          for (const [slot, e] of expected) {
            const g = got.get(slot);
            expect(`${slot} ${norm(g?.v)}/${norm(g?.f)}`).toBe(`${slot} ${e.value}/${e.flagged}`);
          }
          for (const [slot, g] of got)
            if (!expected.has(slot)) expect(`${slot} ${norm(g.v)}/${norm(g.f)}`).toBe(`${slot} 0/0`);
          const month = await fx.pool.query(
            `SELECT coalesce(sum(value), 0)::text AS v FROM metering_rollup WHERE meter_id = $1 AND grain = '1mo'`,
            [m.id],
          );
          const total = view.rows.reduce((a, s) => a.plus(s.delta), new Dec(0));
          expect(new Dec(month.rows[0].v).eq(total)).toBe(true);
          // no stored row is one the view would derive (ok, from the previous reading, same unit)
          const implied = await fx.pool.query(
            `WITH pts AS (
               SELECT DISTINCT ON (ts) ts, unit FROM metering_reading WHERE meter_id = $1
               ORDER BY ts, array_position(ARRAY['device', 'api', 'manual', 'csv'], source)
             ), q AS (SELECT ts, unit, lag(ts) OVER (ORDER BY ts) AS prev_ts, lag(unit) OVER (ORDER BY ts) AS prev_unit FROM pts)
             SELECT s.ts FROM metering_segment s JOIN q ON q.ts = s.ts
             WHERE s.meter_id = $1 AND s.flags = '{ok}' AND q.unit = 'kWh'
               AND ((q.prev_ts IS NULL AND s.start_ts IS NULL) OR (q.prev_unit = 'kWh' AND s.start_ts = q.prev_ts))`,
            [m.id],
          );
          expect(implied.rows).toEqual([]);
          // sparse: an all-clean run stores nothing at all, so there are fewer stored rows than segments
          const stored = await fx.pool.query(
            `SELECT count(*)::int AS n FROM metering_segment WHERE meter_id = $1`,
            [m.id],
          );
          expect(stored.rows[0].n).toBeLessThanOrEqual(view.rows.length);
        },
      ),
      { numRuns: 40 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

function adapter(client: pg.ClientBase): Sql & { queryRunner: { databaseConnection: pg.ClientBase } } {
  return {
    queryRunner: { databaseConnection: client },
    query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T,
  };
}

describe('raw register write', () => {
  const row = (meterId: string, i: number) => ({
    index: i,
    meter: { id: meterId } as never,
    ts: T0 + i * Q,
    value: String(100 + i),
    unit: 'kWh',
  });

  it('falls back to INSERT … ON CONFLICT when COPY meets a stored key, and the transaction goes on', async () => {
    const m = await meter();
    await fx.pool.query(`SELECT metering_ensure_reading_partition($1)`, [new Date(T0).toISOString()]);
    // a writer that bypassed the pipeline's meter locks stored reading 2 already
    await fx.pool.query(
      `INSERT INTO metering_reading (enterprise_id, meter_id, ts, source, value, unit)
       VALUES ($1, $2, $3, 'api', 999, 'kWh')`,
      [fx.enterpriseId, m.id, new Date(T0 + 2 * Q).toISOString()],
    );
    const c = await fx.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`SET LOCAL ROLE opencep_app`);
      await c.query(`SELECT set_config('app.enterprise_ids', $1, true)`, [fx.enterpriseId]);
      const rows = [0, 1, 2, 3].map((i) => row(m.id, i));
      const stored = await writeRegisterReadings(
        adapter(c),
        { enterpriseId: fx.enterpriseId, source: 'api', batchId: null },
        rows,
      );
      expect(stored && [...stored].sort()).toEqual([0, 1, 3].map((i) => `${m.id}|${T0 + i * Q}`).sort());
      // still in the transaction, still as the tenant role
      expect((await c.query('SELECT current_user AS u')).rows[0].u).toBe('opencep_app');
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    const r = await fx.pool.query(
      `SELECT ts, value::text FROM metering_reading WHERE meter_id = $1 ORDER BY ts`,
      [m.id],
    );
    expect(r.rows.map((x) => x.value)).toEqual(['100', '101', '999', '103']);
  });

  it('never puts a field with a COPY delimiter into the COPY text', async () => {
    const m = await meter();
    const other = randomUUID();
    const c = await fx.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`SELECT metering_ensure_reading_partition($1)`, [new Date(T0).toISOString()]);
      // a caller that skipped the pipeline's checks: a tab and a newline would start a row of
      // another tenant in the text format; the write must take the parameterised path and fail
      const forged = `${fx.enterpriseId}\t${m.id}\t2026-03-01T00:00:00Z\tapi\t1\tkWh\t\\N\n${other}`;
      await expect(
        writeRegisterReadings(adapter(c), { enterpriseId: forged, source: 'api', batchId: null }, [
          row(m.id, 0),
        ]),
      ).rejects.toThrow(/uuid/);
      await c.query('ROLLBACK');
      await c.query('BEGIN');
      // a unit with a tab: stored as that literal text in one row of this tenant, nothing injected
      const stored = await writeRegisterReadings(
        adapter(c),
        { enterpriseId: fx.enterpriseId, source: 'api', batchId: null },
        [{ ...row(m.id, 1), unit: `kWh\t${other}` }],
      );
      expect(stored?.size).toBe(1);
      const r = await c.query(`SELECT enterprise_id, unit FROM metering_reading WHERE meter_id = $1`, [m.id]);
      expect(r.rows).toEqual([{ enterprise_id: fx.enterpriseId, unit: `kWh\t${other}` }]);
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
    const n = await fx.pool.query(
      `SELECT count(*)::int AS n FROM metering_reading WHERE meter_id = $1 OR enterprise_id = $2`,
      [m.id, other],
    );
    expect(n.rows[0].n).toBe(0);
  });

  it('a login that may not COPY (RLS applies to it) gets the INSERT path, under RLS', async () => {
    const m = await meter();
    const login = `opencep_ingest_${randomUUID().slice(0, 8)}`;
    await fx.pool.query(`CREATE ROLE ${login} LOGIN IN ROLE opencep_app`);
    const url = new URL(fx.db.url);
    url.username = login;
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      for (const round of [0, 1]) {
        await c.query('BEGIN');
        await c.query(`SET LOCAL ROLE opencep_app`);
        await c.query(`SELECT set_config('app.enterprise_ids', $1, true)`, [fx.enterpriseId]);
        const rows = [0, 1, 2].map((i) => row(m.id, i + 10 * round));
        const stored = await writeRegisterReadings(
          adapter(c),
          { enterpriseId: fx.enterpriseId, source: 'api', batchId: null },
          rows,
        );
        expect(stored?.size).toBe(3);
        await c.query('COMMIT');
      }
      const n = await fx.pool.query(`SELECT count(*)::int AS n FROM metering_reading WHERE meter_id = $1`, [
        m.id,
      ]);
      expect(n.rows[0].n).toBe(6);
      // and RLS still holds on that path: another tenant's id is refused
      await c.query('BEGIN');
      await c.query(`SET LOCAL ROLE opencep_app`);
      await c.query(`SELECT set_config('app.enterprise_ids', $1, true)`, [randomUUID()]);
      await expect(
        writeRegisterReadings(adapter(c), { enterpriseId: fx.enterpriseId, source: 'api', batchId: null }, [
          row(m.id, 30),
        ]),
      ).rejects.toThrow(/row-level security/);
      await c.query('ROLLBACK');
    } finally {
      await c.end();
      await fx.pool.query(`DROP ROLE ${login}`);
    }
  });
});

describe('meter spec', () => {
  it('kind, unit, multiplier and interval are fixed once a meter has readings (implied segments depend on them)', async () => {
    const used = await meter();
    const unused = await meter();
    await ingest(
      { db: fx.ds },
      {
        enterpriseId: fx.enterpriseId,
        source: 'device',
        transport: 'service',
        readings: [
          { meterId: used.id, ts: new Date(T0 + 50 * 86_400_000).toISOString(), value: '1', unit: 'kWh' },
        ],
      },
    );
    for (const set of [`multiplier = 2`, `unit = 'MWh'`, `kind = 'interval'`, `interval_seconds = 60`])
      await expect(
        fx.pool.query(`UPDATE metering_meter SET ${set} WHERE id = $1`, [used.id]),
      ).rejects.toThrow(/has readings/);
    await fx.pool.query(`UPDATE metering_meter SET name = 'renamed', max_rate_per_hour = 5 WHERE id = $1`, [
      used.id,
    ]);
    await fx.pool.query(`UPDATE metering_meter SET multiplier = 2 WHERE id = $1`, [unused.id]);
    const r = await fx.pool.query(`SELECT multiplier::text FROM metering_meter WHERE id = $1`, [unused.id]);
    expect(r.rows[0].multiplier).toBe('2');
  });
});

describe('migration SparseSegments', () => {
  it('down materialises the implied segments (the previous pipeline expects every one stored); up again', async () => {
    const m = await meter();
    const items = [0, 1, 2, 3, 5, 6].map((i) => ({
      meterId: m.id,
      ts: new Date(T0 + 40 * 86_400_000 + i * Q).toISOString(),
      value: String(10 * i * i),
      unit: 'kWh',
    }));
    await ingest(
      { db: fx.ds },
      { enterpriseId: fx.enterpriseId, source: 'device', transport: 'service', readings: items },
    );
    const all = async () =>
      (
        await fx.pool.query(
          `SELECT ts, start_ts, delta::text, flags FROM metering_segment_all WHERE meter_id = $1 ORDER BY ts`,
          [m.id],
        )
      ).rows;
    const before = await all();
    expect(before).toHaveLength(6);
    const storedBefore = await fx.pool.query(
      `SELECT count(*)::int AS n FROM metering_segment WHERE meter_id = $1`,
      [m.id],
    );
    expect(storedBefore.rows[0].n).toBe(1); // only the gap (3 → 5) is stored
    const Sparse = (await loadMigrations()).find((c) => c.name === 'SparseSegments1796030000000');
    expect(Sparse).toBeDefined();
    const q = fx.ds.createQueryRunner();
    try {
      await new Sparse!().down(q);
      const stored = await fx.pool.query(
        `SELECT ts, start_ts, delta::text, flags FROM metering_segment WHERE meter_id = $1 ORDER BY ts`,
        [m.id],
      );
      expect(stored.rows).toEqual(before);
      await new Sparse!().up(q);
      expect(await all()).toEqual(before);
    } finally {
      await q.release();
    }
  });
});
