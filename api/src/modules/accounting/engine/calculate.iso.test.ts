import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activity, examplePath, isoPack, line } from '../testing';
import { calculate } from './calculate';

// Golden cases for iso14064-ghgp@1.0.0 (AR5 GWPs, dual scope 2, exports not netted). Hand-worked.
const pack = isoPack();
const cert = (id: string, kind: 'green-power-contract' | 'certificate', quantity: string, unit = 'MWh') => ({
  id,
  kind,
  quantity,
  unit,
  period: { start: '2023-01-01', end: '2023-12-31' },
  evidence: { kind: 'certificate-registry' as const, reference: `reg-${id}` },
});

describe('iso14064-ghgp golden cases', () => {
  it('maps sources to scopes and ISO 14064-1 categories', () => {
    const inv = calculate(
      pack,
      activity([
        line('ng', 'combustion.natural-gas', '10', '10^4 Nm3'),
        line('grid', 'electricity.purchased', '1000', 'MWh'),
        line('truck', 'scope3.transport', '12.5', 'tCO2e'),
        line('steel', 'scope3.purchased-products', '1000', 'kgCO2e'),
        line('use', 'scope3.sold-products', '3', 'tCO2e'),
        line('waste', 'scope3.other', '0.5', 'tCO2e'),
      ]),
    );
    // cat 1: 216.2188809 (natural gas, as in the machinery case); cat 2: 1000 × 0.5306 = 530.6
    // cat 3: 12.5; cat 4: 1000 kg = 1; cat 5: 3; cat 6: 0.5 → scope 3 = 17
    expect(
      Object.fromEntries(Object.entries(inv.totals.byIsoCategory).map(([k, v]) => [k, v.exact])),
    ).toEqual({
      '1': '216.2188809',
      '2': '530.6',
      '3': '12.5',
      '4': '1',
      '5': '3',
      '6': '0.5',
    });
    expect(inv.totals.byScope.scope3.exact).toBe('17');
    expect(inv.totals.byGas.unspecified.co2e.exact).toBe('17');
    // 216.2188809 + 530.6 + 17 = 763.8188809
    expect(inv.totals.location.exact).toBe('763.8188809');
  });

  it('SF6 with the AR5 GWP', () => {
    // 15 kg = 0.015 t × 23500 = 352.5 tCO2e
    const inv = calculate(pack, activity([line('gis', 'process.sf6', '15', 'kg')]));
    expect(inv.totals.byScope.scope1.exact).toBe('352.5');
    expect(inv.pack.gwpSet).toBe('IPCC-AR5-GWP100');
  });

  it('market-based: green power contract and certificates deducted, residual factor for the rest', () => {
    // electricity 8500 MWh; location = 8500 × 0.5306 = 4510.1
    // instruments 3000 MWh (contract) + 1 500 000 kWh = 1500 MWh (certificates) = 4500 MWh → uncovered 4000 MWh
    // residual = 2023 national factor excluding market-traded non-fossil power 0.6096: 4000 × 0.6096 = 2438.4
    // heat 6000 GJ × 0.11 = 660 is the same in both methods → scope 2 market = 2438.4 + 660 = 3098.4
    const inv = calculate(
      pack,
      activity(
        [line('grid', 'electricity.purchased', '8500', 'MWh'), line('steam', 'heat.purchased', '6000', 'GJ')],
        {
          marketInstruments: [
            cert('gpc', 'green-power-contract', '3000'),
            cert('gec', 'certificate', '1500000', 'kWh'),
          ],
        },
      ),
    );
    const mb = inv.scope2MarketBased!;
    expect(inv.totals.byScope.scope2Location.exact).toBe('5170.1');
    expect(mb.applied).toEqual({ value: '4500', unit: 'MWh' });
    expect(mb.uncovered).toEqual({ value: '4000', unit: 'MWh' });
    expect(mb.factorMethod).toBe('residual-factor');
    expect(mb.residualFactor).toMatchObject({
      parameterId: 'grid.excl-market-nonfossil-2023',
      value: '0.6096',
    });
    expect(mb.electricityCo2e.exact).toBe('2438.4');
    expect(inv.totals.byScope.scope2Market?.exact).toBe('3098.4');
    expect(inv.totals.market?.exact).toBe('3098.4');
    expect(inv.totals.location.exact).toBe('5170.1');
  });

  it('market-based falls back to the location factor in a year without a residual factor (2021)', () => {
    // 2021: 1000 MWh × 0.5568 = 556.8 location; 200 MWh certificates → 800 MWh uncovered
    // no 2021 residual in the pack → 556.8 × 800 / 1000 = 445.44
    const y2021 = { start: '2021-01-01', end: '2021-12-31' };
    const inv = calculate(
      pack,
      activity([line('grid', 'electricity.purchased', '1000', 'MWh')], {
        period: y2021,
        marketInstruments: [{ ...cert('gec', 'certificate', '200'), period: y2021 }],
      }),
    );
    expect(inv.totals.location.exact).toBe('556.8');
    expect(inv.scope2MarketBased!.factorMethod).toBe('location-factor-fallback');
    expect(inv.totals.market?.exact).toBe('445.44');
  });

  it('market-based never goes below zero; the excess is reported as unapplied', () => {
    // 1000 MWh consumed, 1200 MWh of certificates → 1000 applied, 200 unapplied, 0 t market electricity
    const inv = calculate(
      pack,
      activity([line('grid', 'electricity.purchased', '1000', 'MWh')], {
        marketInstruments: [cert('gec', 'certificate', '1200')],
      }),
    );
    expect(inv.scope2MarketBased!.unapplied).toEqual({ value: '200', unit: 'MWh' });
    expect(inv.totals.market?.exact).toBe('0');
    expect(inv.totals.location.exact).toBe('530.6');
  });

  it('refuses instruments outside the activity period', () => {
    const late = { ...cert('gec', 'certificate', '1'), period: { start: '2024-01-01', end: '2024-01-31' } };
    expect(() =>
      calculate(
        pack,
        activity([line('grid', 'electricity.purchased', '1', 'MWh')], { marketInstruments: [late] }),
      ),
    ).toThrow(/ACTIVITY_INVALID/);
  });

  it('exported energy is a memo item, not netted', () => {
    // exported 100 MWh × 0.5306 = 53.06 (memo); purchased 1000 MWh × 0.5306 = 530.6 stays the total
    const inv = calculate(
      pack,
      activity([
        line('grid', 'electricity.purchased', '1000', 'MWh'),
        line('pv', 'electricity.exported', '100', 'MWh'),
      ]),
    );
    expect(inv.totals.exported).toEqual({
      co2e: { exact: '53.06', reported: '53.06' },
      deductedFromTotal: false,
    });
    expect(inv.totals.location.exact).toBe('530.6');
    expect(inv.lines.find((l) => l.sourceId === 'pv')?.treatment).toBe('exported-memo');
  });

  it('has no grid factor for 2024 yet: refused rather than guessed', () => {
    expect(() =>
      calculate(
        pack,
        activity([line('grid', 'electricity.purchased', '1', 'MWh')], {
          period: { start: '2024-01-01', end: '2024-12-31' },
        }),
      ),
    ).toThrow(/PARAMETER_MISSING/);
  });

  it('full plant year (examples/iso-green-power-2023.activity.json)', () => {
    const inv = calculate(pack, readFileSync(examplePath('iso-green-power-2023.activity.json'), 'utf8'));
    // scope 1 = natural gas 120 (10^4 Nm3) = 2594.6265708 (machinery full-year case)
    // scope 2 location = 8500 × 0.5306 + 6000 × 0.11 = 4510.1 + 660 = 5170.1
    // scope 2 market = (8500 − 3000 − 1500) × 0.6096 + 660 = 2438.4 + 660 = 3098.4
    // scope 3 = 310.5
    // location total = 2594.6265708 + 5170.1 + 310.5 = 8075.2265708 → 8075.23
    // market total   = 2594.6265708 + 3098.4 + 310.5 = 6003.5265708 → 6003.53
    expect(inv.totals.location).toEqual({ exact: '8075.2265708', reported: '8075.23' });
    expect(inv.totals.market).toEqual({ exact: '6003.5265708', reported: '6003.53' });
    // per output 4200 t: 8075.2265708 / 4200 = 1.92267… → 1.92; market 6003.5265708 / 4200 = 1.42941… → 1.43
    expect(inv.intensity.perOutput!.location.reported).toBe('1.92');
    expect(inv.intensity.perOutput!.market?.reported).toBe('1.43');
  });
});
