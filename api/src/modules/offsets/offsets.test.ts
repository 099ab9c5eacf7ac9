import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/scalars';
import { calculate } from '../accounting/engine/calculate';
import { activity, isoPack, line } from '../accounting/testing';
import {
  int8range,
  netEmissions,
  type RetirementRow,
  rangesOverlap,
  retirementsToInstruments,
  serialCount,
} from './offsets.math';

const Y = { start: '2023-01-01', end: '2023-12-31' };
const ret = (over: Partial<RetirementRow>): RetirementRow => ({
  id: 'r1',
  kind: 'GREEN_POWER',
  registry: null,
  serialStart: null,
  serialEnd: null,
  quantity: '1000',
  periodStart: '2023-01-01',
  periodEnd: '2023-06-30',
  evidenceReference: 'contract GP-1',
  ...over,
});

describe('serial ranges', () => {
  it('counts inclusive ranges and detects overlap', () => {
    expect(serialCount('100', '199')).toBe(100n);
    expect(() => serialCount('5', '4')).toThrow(RangeError);
    expect(rangesOverlap([1n, 10n], [10n, 20n])).toBe(true);
    expect(rangesOverlap([1n, 10n], [11n, 20n])).toBe(false);
    expect(int8range('100', '199')).toBe('[100,200)');
  });
});

describe('retirements → accounting activity', () => {
  const rows = [
    ret({ id: 'a', quantity: '1200.5' }),
    ret({
      id: 'b',
      kind: 'CERTIFICATE',
      registry: 'GEC',
      serialStart: '1',
      serialEnd: '300',
      quantity: '300',
    }),
    ret({ id: 'c', kind: 'CARBON_CREDIT', quantity: '50' }),
    ret({ id: 'd', periodStart: '2024-01-01', periodEnd: '2024-01-31' }),
  ];

  it('maps green power and certificates inside the period to marketInstruments', () => {
    const inst = retirementsToInstruments(rows, Y);
    expect(inst.map((i) => [i.kind, i.quantity])).toEqual([
      ['green-power-contract', '1200.5'],
      ['certificate', '300'],
    ]);
    expect(inst[1]?.evidence.reference).toContain('GEC 1-300');
  });

  it('market-based inventory changes exactly by retired volume × residual factor', () => {
    const pack = isoPack();
    const lines = [
      line('grid', 'electricity.purchased', '8500', 'MWh'),
      line('boiler', 'combustion.natural-gas', '120', '10^4 Nm3'),
    ];
    const without = calculate(pack, activity(lines, { marketInstruments: [] }));
    const withRet = calculate(
      pack,
      activity(lines, { marketInstruments: retirementsToInstruments(rows, Y) }),
    );
    const residual = new Decimal(without.scope2MarketBased?.residualFactor?.value ?? '0.6096');
    const diff = new Decimal(without.totals.byScope.scope2Market?.exact ?? 0).sub(
      withRet.totals.byScope.scope2Market?.exact ?? 0,
    );
    expect(diff.toFixed()).toBe(new Decimal('1500.5').mul(residual).toFixed());
    // Location-based is unchanged by instruments.
    expect(withRet.totals.location.exact).toBe(without.totals.location.exact);
  });

  it('carbon credits reduce net emissions only', () => {
    const n = netEmissions('1000', rows, Y);
    expect(n.credits.toFixed()).toBe('50');
    expect(n.net.toFixed()).toBe('950');
  });
});
