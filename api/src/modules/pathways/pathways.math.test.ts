import { describe, expect, it } from 'vitest';
import { MEASURE_CATALOGUE } from './pathways.catalogue';
import {
  buildPathwayLp,
  capitalRecoveryFactor,
  maccCurve,
  type PathwayProblem,
  solvePathway,
} from './pathways.math';

const m = (code: string, capex: string, abatement: string, lifetimeYears = 10, opex = '0') => ({
  code,
  capex,
  opex,
  abatement,
  lifetimeYears,
});

describe('MACC', () => {
  it('annualises capex with the capital recovery factor and sorts by cost per tonne', () => {
    expect(capitalRecoveryFactor('0', 4).toFixed()).toBe('0.25');
    expect(capitalRecoveryFactor('10', 1).toFixed()).toBe('1.1');
    const curve = maccCurve(
      [
        { ...m('a', '1000', '10', 10), annualSavings: '0' },
        { ...m('b', '0', '5', 1, '20') },
        { ...m('c', '0', '4', 1, '-8') },
        { ...m('z', '10', '0', 1) },
      ],
      '0',
    );
    expect(curve.map((r) => r.code)).toEqual(['c', 'b', 'a', 'z']);
    expect(curve.map((r) => r.costPerTonne)).toEqual(['-2', '4', '10', null]);
    expect(curve[2]?.cumulativeAbatement).toBe('19');
  });
  it('covers the whole catalogue', () => {
    expect(maccCurve(MEASURE_CATALOGUE).length).toBe(MEASURE_CATALOGUE.length);
  });
});

describe('least-cost pathway (HiGHS MILP)', () => {
  const base: PathwayProblem = {
    baseYear: 2025,
    baseEmissions: '100',
    startYear: 2026,
    endYear: 2026,
    discountRatePercent: '0',
    measures: [m('A', '10', '20'), m('B', '6', '15'), m('C', '5', '12')],
    targets: { cuts: [{ year: 2026, percent: '30' }] },
  };

  it('knapsack case: picks A + C (cost 15), the known optimum', async () => {
    const r = await solvePathway(base);
    expect(r.status).toBe('OPTIMAL');
    if (r.status !== 'OPTIMAL') return;
    expect(r.adoptions.map((a) => a.code).sort()).toEqual(['A', 'C']);
    expect(r.objective).toBe('15');
    expect(r.years[0]?.emissions).toBe('68');
  });

  it('respects the annual budget: with 12 only C alone fits, target unreachable → INFEASIBLE', async () => {
    const r = await solvePathway({ ...base, annualBudget: '12' });
    expect(r.status).toBe('INFEASIBLE');
    if (r.status === 'INFEASIBLE') expect(r.reason).toMatch(/targets/);
  });

  it('budget binds: with 16 and a 27 % cut the cheapest feasible set is B + C (11) — not A alone', async () => {
    const r = await solvePathway({
      ...base,
      annualBudget: '16',
      targets: { cuts: [{ year: 2026, percent: '27' }] },
    });
    expect(r.status).toBe('OPTIMAL');
    if (r.status !== 'OPTIMAL') return;
    expect(r.adoptions.map((a) => a.code).sort()).toEqual(['B', 'C']);
    expect(r.objective).toBe('11');
    expect(Number(r.totalCapex)).toBeLessThanOrEqual(16);
  });

  it('multi-year: defers spending to the target year under discounting, respects per-year budgets', async () => {
    const r = await solvePathway({
      ...base,
      startYear: 2026,
      endYear: 2028,
      discountRatePercent: '10',
      annualBudgets: [
        { year: 2026, amount: '100' },
        { year: 2027, amount: '100' },
        { year: 2028, amount: '5' },
      ],
      targets: { cuts: [{ year: 2028, percent: '30' }] },
    });
    expect(r.status).toBe('OPTIMAL');
    if (r.status !== 'OPTIMAL') return;
    // Need ≥ 30 t in 2028; budget 5 in 2028 allows only C there; A must come in 2027 (latest, cheapest PV).
    expect(r.adoptions).toEqual(
      expect.arrayContaining([
        { code: 'A', year: 2027 },
        { code: 'C', year: 2028 },
      ]),
    );
    expect(r.adoptions).toHaveLength(2);
    expect(r.years.find((y) => y.year === 2028)?.emissions).toBe('68');
  });

  it('neutrality with credits: buys the remainder at the credit price when measures are dearer', async () => {
    const r = await solvePathway({
      ...base,
      measures: [m('A', '100', '20', 1)],
      targets: { neutralityYear: 2026 },
      creditPrice: '2',
    });
    expect(r.status).toBe('OPTIMAL');
    if (r.status !== 'OPTIMAL') return;
    expect(r.adoptions).toEqual([]);
    expect(r.years[0]?.credits).toBe('100');
    expect(r.years[0]?.net).toBe('0');
    expect(r.objective).toBe('200');
  });

  it('neutrality without credits is infeasible', async () => {
    const r = await solvePathway({ ...base, targets: { neutralityYear: 2026 }, creditLimit: '0' });
    expect(r.status).toBe('INFEASIBLE');
  });

  it('peak year: emissions may not rise after the peak', async () => {
    const r = await solvePathway({
      ...base,
      startYear: 2026,
      endYear: 2027,
      growthPercent: '10',
      measures: [m('A', '10', '20'), m('B', '6', '15'), m('C', '5', '12')],
      targets: { peakYear: 2026 },
    });
    expect(r.status).toBe('OPTIMAL');
    if (r.status !== 'OPTIMAL') return;
    // baseline 110 → 121: +11 must be abated in 2027; C (12, cost 5) is cheapest.
    expect(r.adoptions).toEqual([{ code: 'C', year: 2027 }]);
  });

  it('writes an LP with binaries, budgets and targets', () => {
    const lp = buildPathwayLp({ ...base, annualBudget: '12' });
    expect(lp).toContain('Binary');
    expect(lp).toContain('budget_2026');
    expect(lp).toContain('cut_2026');
  });

  it('rejects a malformed problem with field errors', () => {
    expect(() => buildPathwayLp({ ...base, endYear: 2020 })).toThrow(/Invalid pathway problem/);
  });
});
