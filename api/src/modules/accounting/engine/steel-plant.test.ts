import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activity, line, machineryPack } from '../testing';
import { calculate } from './calculate';
import { Dec, str } from './decimal';

// Real data: UCI "Steel Industry Energy Consumption" (see data/PROVENANCE.md), 35 040 quarter-hours
// of 2018. The engine must give total_MWh × 0.5703 exactly; rounding each quarter-hour (as the CSV's CO2
// column does) loses tonnes. Figures recorded in docs/accounting.md.
const CSV = new URL('../../../../../data/Steel_industry_data.csv', import.meta.url);

const rows = () => {
  const [header, ...body] = readFileSync(CSV, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  const cols = header!.split(',');
  const kwh = cols.indexOf('Usage_kWh');
  const co2 = cols.indexOf('CO2(tCO2)');
  return body.map((r) => {
    const f = r.split(',');
    return { kwh: f[kwh]!, co2: f[co2]! };
  });
};

describe('steel plant year (real 15-minute data)', () => {
  const data = rows();
  const totalKwh = data.reduce((a, r) => a.add(r.kwh), new Dec(0));

  it('reads every quarter-hour and sums kWh exactly', () => {
    expect(data).toHaveLength(35_040);
    expect(str(totalKwh)).toBe('959636.71');
  });

  it('engine result equals total MWh × 0.5703 exactly', () => {
    const inv = calculate(
      machineryPack(),
      activity([line('steel-grid', 'electricity.purchased', str(totalKwh), 'kWh')], {
        period: { start: '2018-01-01', end: '2018-12-31' },
      }),
    );
    // 959 636.71 kWh = 959.63671 MWh; × 0.5703 = 547.280815713 tCO2
    const expected = totalKwh.div(1000).mul('0.5703');
    expect(str(expected)).toBe('547.280815713');
    expect(inv.totals.location.exact).toBe('547.280815713');
    expect(inv.totals.location.reported).toBe('547.28');
  });

  it('rounding per reading loses tonnes', () => {
    // each quarter-hour rounded to 0.01 t at 0.5703 tCO2/MWh, then summed
    const perRow = data.reduce(
      (a, r) => a.add(new Dec(r.kwh).div(1000).mul('0.5703').toDecimalPlaces(2, Dec.ROUND_HALF_UP)),
      new Dec(0),
    );
    expect(str(perRow)).toBe('504.49');
    expect(str(new Dec('547.280815713').sub(perRow))).toBe('42.790815713');
    // the CSV's own CO2 column: round(kWh × 0.0004585, 2) per row (47 rows of 2018-02-01 recorded as 0)
    const csvSum = data.reduce((a, r) => a.add(r.co2), new Dec(0));
    const exactAtCsvFactor = totalKwh.mul('0.0004585');
    expect(str(csvSum)).toBe('403.81');
    expect(str(exactAtCsvFactor)).toBe('439.993431535');
    expect(str(exactAtCsvFactor.sub(csvSum))).toBe('36.183431535');
  });
});
