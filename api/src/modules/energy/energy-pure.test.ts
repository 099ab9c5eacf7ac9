import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { checkUnbalance } from '../topology/unbalance';
import { TceError, toTce } from './coal';
import { transformerLoad, transformerLossKwh } from './transformer';
import { parseProductionCsv, runningStandby, unitConsumption } from './unit-consumption';

describe('standard coal (GB/T 2589-2020)', () => {
  it('converts electricity at 0.1229 kgce/kWh', () => {
    const r = toTce('electricity', '1000000');
    expect(r.tceLow.toString()).toBe('122.9');
    expect(r.tceHigh.toString()).toBe('122.9');
    expect(r.citation).toContain('GB/T 2589-2020');
  });
  it('reports natural gas as the standard range unless a measured coefficient is set', () => {
    const r = toTce('natural_gas', '10000');
    expect([r.tceLow.toString(), r.tceHigh.toString(), r.kgcePerUnit]).toEqual(['11', '13.3', null]);
    expect(toTce('natural_gas', '10000', '1.2143').tceLow.toString()).toBe('12.143');
    expect(() => toTce('natural_gas', '1', '2')).toThrow(TceError);
    expect(() => toTce('water', '1')).toThrow(/no standard-coal coefficient/);
  });
});

describe('transformer', () => {
  const spec = { ratedKva: '1000', noLoadLossKw: '1.2', loadLossKw: '10.3' };
  it('computes S, β, power factor and losses exactly', () => {
    const r = transformerLoad(spec, '480', '360');
    expect(r.apparentKva.toString()).toBe('600');
    expect(r.loadRate.toString()).toBe('0.6');
    expect(r.powerFactor.toString()).toBe('0.8');
    expect(r.lossKw.toString()).toBe('4.908'); // 1.2 + 10.3 × 0.36
    expect(r.state).toBe('normal');
  });
  it('detects overload and low load', () => {
    expect(transformerLoad(spec, '1000', '300').state).toBe('overload');
    expect(transformerLoad(spec, '100', '0').state).toBe('low');
    expect(transformerLoad(spec, '0', '0').powerFactor.toString()).toBe('1');
  });
  it('integrates losses over samples', () => {
    const kwh = transformerLossKwh(
      spec,
      [
        { activeKw: '480', reactiveKvar: '360' },
        { activeKw: 0, reactiveKvar: 0 },
      ],
      '0.25',
    );
    expect(kwh.toString()).toBe('1.527'); // (4.908 + 1.2) × 0.25
  });
});

describe('unit consumption', () => {
  const t = (h: number) => new Date(Date.UTC(2026, 0, 15, h));
  const energy = new Map([
    ['L1', Array.from({ length: 24 }, (_, h) => ({ start: t(h), end: t(h + 1), kwh: h < 8 ? '10' : '20' }))],
  ]);
  const records = [
    { line: 'L1', product: 'P', quantity: '40', shift: 'night', team: 'A', start: t(0), end: t(8) },
    { line: 'L1', product: 'P', quantity: '100', shift: 'day', team: 'B', start: t(8), end: t(16) },
    { line: 'L1', product: 'P', quantity: '0', shift: 'swing', team: 'C', start: t(16), end: t(24) },
  ];
  it('ranks energy per unit by shift with the best as benchmark', () => {
    const r = unitConsumption(records, energy, 'shift');
    expect(r.rows.map((x) => [x.key, x.perUnit?.toString() ?? null, x.rank])).toEqual([
      ['day', '1.6', 1],
      ['night', '2', 2],
      ['swing', null, 3],
    ]);
    expect(r.benchmark?.key).toBe('day');
  });
  it('pro-rates intervals straddling a record', () => {
    const r = unitConsumption(
      [
        {
          line: 'L1',
          product: 'P',
          quantity: '1',
          shift: 's',
          team: 'x',
          start: new Date(t(7).getTime() + 1_800_000),
          end: t(9),
        },
      ],
      energy,
      'team',
    );
    expect(r.rows[0]!.energy.toString()).toBe('25'); // 5 + 20
  });
  it('parses ERP CSV', () => {
    const rows = parseProductionCsv(
      'line,product,quantity,shift,team,start,end\nL1,P,12.5,day,A,2026-01-15T08:00:00Z,2026-01-15T16:00:00Z\n',
    );
    expect(rows[0]).toMatchObject({ line: 'L1', quantity: '12.5', shift: 'day' });
    expect(() => parseProductionCsv('line,product\nL1,P')).toThrow(/lacks columns/);
  });
  it('splits running and standby energy by a power threshold', () => {
    const s = [5, 5, 50, 60, 70, 0].map((kw, i) => ({ start: t(i), end: t(i + 1), kw: String(kw) }));
    const r = runningStandby(s, '30', '1');
    expect(r.runningKwh.toString()).toBe('180');
    expect(r.standbyKwh.toString()).toBe('10');
    expect(r.runningHours.toString()).toBe('3');
    expect(r.recommendedRunningKw?.toString()).toBe('60');
    expect(r.recommendedStandbyKw?.toString()).toBe('5');
  });
});

describe('topology unbalance', () => {
  it('flags a parent whose children do not add up within tolerance', () => {
    const r = checkUnbalance(
      [
        { id: 'main', value: '1000' },
        { id: 'a', value: '500' },
        { id: 'b', value: '440' },
        { id: 'f2', value: '100' },
        { id: 'c', value: '99' },
        { id: 'd', value: null },
      ],
      [
        { from: 'main', to: 'a' },
        { from: 'main', to: 'b' },
        { from: 'main', to: 'f2' },
        { from: 'f2', to: 'c' },
        { from: 'f2', to: 'd' },
      ],
      '5',
    );
    const main = r.find((x) => x.nodeId === 'main')!;
    expect(main.difference.toString()).toBe('-40');
    expect(main.percent?.toString()).toBe('4');
    expect(main.unbalanced).toBe(false);
    const f2 = r.find((x) => x.nodeId === 'f2')!;
    expect(f2.missingChildren).toEqual(['d']);
    expect(new Decimal(f2.percent!).toString()).toBe('1');
  });
});
