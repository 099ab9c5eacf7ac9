import { describe, expect, it } from 'vitest';
import { activity, line, machineryPack } from '../testing';
import type { MeasuredFactor } from './activity';
import { calculate } from './calculate';

// Override rules: a measured factor replaces the pack default only with an evidence reference and a
// validity period covering the whole activity period (2023-01-01..2023-12-31 here).
const pack = machineryPack();
const ncv = (over: Partial<MeasuredFactor>): MeasuredFactor => ({
  role: 'ncv',
  value: '380',
  unit: 'GJ/10^4 Nm3',
  evidence: { reference: 'LR-2023-NG-01', kind: 'lab-report' },
  validFrom: '2023-01-01',
  validTo: '2023-12-31',
  ...over,
});
const run = (mf: MeasuredFactor[], options = {}) =>
  calculate(
    pack,
    activity([line('ng', 'combustion.natural-gas', '10', '10^4 Nm3', { measuredFactors: mf })]),
    options,
  );

describe('measured factors', () => {
  it('a valid measured NCV overrides the default and is recorded with its evidence', () => {
    // 10 × 380 = 3800 GJ = 3.8 TJ; × 15.3 = 58.14 tC; × 0.99 = 57.5586 tC; × 44 / 12 = 2532.5784 / 12 = 211.0482
    const inv = run([ncv({})]);
    const l = inv.lines[0]!;
    expect(l.co2e.exact).toBe('211.0482');
    expect(l.parameters[0]).toEqual({
      role: 'ncv',
      value: '380',
      unit: 'GJ/10^4 Nm3',
      source: 'measured',
      evidence: { reference: 'LR-2023-NG-01', kind: 'lab-report' },
      validFrom: '2023-01-01',
      validTo: '2023-12-31',
    });
    // defaults still used for the roles not measured
    expect(l.parameters.slice(1).map((p) => p.source)).toEqual(['default', 'default']);
  });

  it('a validity period wider than the activity period is fine', () => {
    expect(run([ncv({ validFrom: '2022-06-01', validTo: '2024-05-31' })]).lines[0]!.co2e.exact).toBe(
      '211.0482',
    );
  });

  it('measured factors in other units are accepted (MJ/Nm3 → the engine converts the activity)', () => {
    // 38 MJ/Nm3 = 380 GJ/10^4 Nm3 → same result
    expect(run([ncv({ value: '38', unit: 'MJ/Nm3' })]).lines[0]!.co2e.exact).toBe('211.0482');
  });

  it('refuses a factor without evidence, without validity, or not covering the period', () => {
    const cases: Partial<MeasuredFactor>[] = [
      { evidence: undefined },
      { evidence: { reference: '  ' } },
      { validFrom: undefined },
      { validTo: undefined },
      { validFrom: '2023-02-01' },
      { validTo: '2023-11-30' },
      { validFrom: '2024-01-01', validTo: '2024-12-31' },
    ];
    for (const c of cases)
      expect(() => run([ncv(c)]), JSON.stringify(c)).toThrow(/MEASURED_FACTOR_NOT_VALID/);
  });

  it('with invalidMeasuredFactor=use-default falls back to the default and warns', () => {
    const inv = run([ncv({ validTo: '2023-06-30' })], { invalidMeasuredFactor: 'use-default' });
    expect(inv.lines[0]!.co2e.exact).toBe('216.2188809');
    expect(inv.lines[0]!.parameters[0]!.source).toBe('default');
    expect(inv.warnings).toEqual([
      'line ng: measured ncv ignored (validity 2023-01-01..2023-06-30 does not cover 2023-01-01..2023-12-31); pack default used.',
    ]);
  });

  it('refuses a measured factor with a unit that does not fit its role', () => {
    expect(() => run([ncv({ unit: 'tC/TJ' })])).toThrow(/UNIT_INCOMPATIBLE/);
    expect(() => run([ncv({ unit: 'GJ/m3' })])).toThrow(/UNIT_INCOMPATIBLE/);
  });

  it('refuses a measured fraction above 100 %', () => {
    const of = ncv({ role: 'oxidationRate', value: '101', unit: '%' });
    expect(() => run([of])).toThrow(/ACTIVITY_INVALID/);
    // 100 % is allowed: 10 × 389.31 GJ → 59.56443 tC × 1 × 44 / 12 = 2620.83492 / 12 = 218.40291
    expect(run([ncv({ role: 'oxidationRate', value: '100', unit: '%' })]).lines[0]!.co2e.exact).toBe(
      '218.40291',
    );
  });

  it('refuses two measured values for one role and roles the method does not use', () => {
    expect(() => run([ncv({}), ncv({ value: '381' })])).toThrow(/ACTIVITY_INVALID/);
    expect(() => run([ncv({ role: 'emissionFactor', unit: 'tCO2/MWh' })])).toThrow(/ACTIVITY_INVALID/);
  });
});
