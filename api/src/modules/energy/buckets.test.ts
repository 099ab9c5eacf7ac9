import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverRange, localPeriods, shiftMonths } from './buckets';

const cst = (s: string) => new Date(`${s}+08:00`);
const fmt = (segs: ReturnType<typeof coverRange>) =>
  segs.map(
    (s) =>
      `${s.grain} ${new Date(s.from.getTime() + 8 * 3_600_000).toISOString().slice(0, 16)}..${new Date(s.to.getTime() + 8 * 3_600_000).toISOString().slice(0, 16)}`,
  );

describe('coverRange', () => {
  it('covers year-to-date with months, days, hours and quarters', () => {
    expect(fmt(coverRange(cst('2026-01-01T00:00:00'), cst('2026-11-30T10:37:00'), 480))).toEqual([
      '1mo 2026-01-01T00:00..2026-11-01T00:00',
      '1d 2026-11-01T00:00..2026-11-30T00:00',
      '1h 2026-11-30T00:00..2026-11-30T10:00',
      '15m 2026-11-30T10:00..2026-11-30T10:30',
    ]);
  });
  it('climbs from an unaligned start', () => {
    expect(fmt(coverRange(cst('2026-01-15T17:30:00'), cst('2026-03-02T01:15:00'), 480))).toEqual([
      '15m 2026-01-15T17:30..2026-01-15T18:00',
      '1h 2026-01-15T18:00..2026-01-16T00:00',
      '1d 2026-01-16T00:00..2026-02-01T00:00',
      '1mo 2026-02-01T00:00..2026-03-01T00:00',
      '1d 2026-03-01T00:00..2026-03-02T00:00',
      '1h 2026-03-02T00:00..2026-03-02T01:00',
      '15m 2026-03-02T01:00..2026-03-02T01:15',
    ]);
  });
  it('tiles any range exactly with buckets of their grain (property)', () => {
    const size = { '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 0, max: 40_000 }), (a, len) => {
        const from = new Date(Date.UTC(2025, 0, 1) + a * 900_000);
        const to = new Date(from.getTime() + len * 900_000);
        const segs = coverRange(from, to, 480);
        let t = from.getTime();
        for (const s of segs) {
          expect(s.from.getTime()).toBe(t);
          if (s.grain !== '1mo') expect((s.to.getTime() - s.from.getTime()) % size[s.grain]).toBe(0);
          t = s.to.getTime();
        }
        expect(t).toBe(len === 0 ? from.getTime() : to.getTime());
      }),
    );
  });
});

describe('local periods', () => {
  it('finds local day, month, year starts', () => {
    const p = localPeriods(new Date('2026-01-31T20:00:00Z'), 480); // 2026-02-01 04:00 CST
    expect(p.todayFrom.toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(p.monthFrom.toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(p.yearFrom.toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(shiftMonths(cst('2026-03-31T10:00:00'), -1, 480).toISOString()).toBe(
      cst('2026-02-28T10:00:00').toISOString(),
    );
  });
});

describe('atomize', () => {
  it('splits overlapping ranges into disjoint atoms that rebuild each range', async () => {
    const { atomize } = await import('./energy.service');
    const d = (h: number) => new Date(Date.UTC(2026, 0, 1, h));
    const { atoms, members } = atomize([
      { from: d(0), to: d(10) },
      { from: d(5), to: d(10) },
      { from: d(20), to: d(30) },
    ]);
    expect(atoms.map((a) => [a.from.getUTCHours(), a.to.getUTCHours()])).toEqual([
      [0, 5],
      [5, 10],
      [20, 6],
    ]);
    expect(members).toEqual([[0, 1], [1], [2]]);
  });
});

describe('coverRangeSigned', () => {
  it('reads month-to-date on the 30th as one month bucket minus the rest', async () => {
    const { coverRangeSigned } = await import('./buckets');
    const segs = coverRangeSigned(cst('2026-06-01T00:00:00'), cst('2026-06-30T18:00:00'), 480);
    expect(fmt(segs)).toEqual([
      '1mo 2026-06-01T00:00..2026-07-01T00:00',
      '1h 2026-06-30T18:00..2026-07-01T00:00',
    ]);
    expect(segs.map((s) => s.sign)).toEqual([1, -1]);
  });
  it('sums to the same slot multiset as the plain cover (property)', async () => {
    const { coverRangeSigned } = await import('./buckets');
    const Qm = 900_000;
    // Expand a cover into slot counts: each bucket adds/subtracts the slots it contains.
    const slots = (segs: { from: Date; to: Date; sign?: number }[]) => {
      const m = new Map<number, number>();
      for (const s of segs)
        for (let x = s.from.getTime(); x < s.to.getTime(); x += Qm) m.set(x, (m.get(x) ?? 0) + (s.sign ?? 1));
      return [...m.entries()].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6000 }), fc.integer({ min: 1, max: 6000 }), (a, len) => {
        const from = new Date(Date.UTC(2026, 0, 1) + a * Qm);
        const to = new Date(from.getTime() + len * Qm);
        expect(slots(coverRangeSigned(from, to, 480))).toEqual(slots([{ from, to }]));
      }),
      { numRuns: 60 },
    );
  });
});
