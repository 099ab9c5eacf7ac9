import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/scalars';
import { calculate, inventoryHash, inventoryToCanonicalJson } from '../accounting/engine/calculate';
import { activity, isoPack, line } from '../accounting/testing';
import {
  inventoryCommitLines,
  parseRetirementLine,
  RETIREMENT_LINE_PREFIX,
  type RetirementForLine,
  retirementLeafProblem,
  retirementLine,
} from './offsets.commitment';

const r = (over: Partial<RetirementForLine>): RetirementForLine => ({
  id: '11111111-2222-4333-8444-555555555555',
  purchaseId: '99999999-2222-4333-8444-555555555555',
  kind: 'CERTIFICATE',
  registry: 'I-REC/CN',
  serialStart: '1000',
  serialEnd: '1499',
  quantity: '500',
  periodStart: '2023-01-01',
  periodEnd: '2023-12-31',
  evidenceReference: 'x',
  ...over,
});

describe('retirement lines', () => {
  it('name the retirement, registry (escaped), serials, period and purchase, and parse back', () => {
    const l = retirementLine(r({}));
    expect(l).toEqual({
      line: `${RETIREMENT_LINE_PREFIX}11111111-2222-4333-8444-555555555555/CERTIFICATE/I-REC%2FCN/1000-1499/2023-01-01..2023-12-31/99999999-2222-4333-8444-555555555555`,
      value: '500',
      unit: 'MWh',
    });
    expect(parseRetirementLine(l.line)).toEqual({
      retirementId: '11111111-2222-4333-8444-555555555555',
      kind: 'CERTIFICATE',
      registry: 'I-REC/CN',
      serialStart: '1000',
      serialEnd: '1499',
      periodStart: '2023-01-01',
      periodEnd: '2023-12-31',
      purchaseId: '99999999-2222-4333-8444-555555555555',
    });
    expect(parseRetirementLine('totals/scope1')).toBeNull();
  });

  it('credits are committed in tCO2e, green power without serials; values canonical', () => {
    const c = retirementLine(
      r({ kind: 'CARBON_CREDIT', registry: null, serialStart: null, serialEnd: null, quantity: '20.500' }),
    );
    expect(c.unit).toBe('tCO2e');
    expect(c.value).toBe('20.5');
    expect(c.line).toContain('/CARBON_CREDIT/-/-/');
    expect(
      retirementLine(r({ kind: 'GREEN_POWER', registry: null, serialStart: null, serialEnd: null })).unit,
    ).toBe('MWh');
  });

  it('an inventory commitment binds the hash, the totals, the net and one line per retirement', () => {
    const inv = calculate(
      isoPack(),
      activity([line('grid', 'electricity.purchased', '1234.5678915', 'MWh')]),
    );
    const json = inventoryToCanonicalJson(inv);
    const lines = inventoryCommitLines(
      { inventoryHash: inventoryHash(inv), canonicalJson: json },
      [r({}), r({ id: '22222222-2222-4333-8444-555555555555', kind: 'CARBON_CREDIT', quantity: '7' })],
      { start: '2023-01-01', end: '2023-12-31' },
    );
    expect(lines[0]).toEqual({ line: `inventory/sha256/${inventoryHash(inv)}`, value: '0', unit: 'sha256' });
    const market = inv.totals.market?.exact ?? inv.totals.location.exact;
    const six = (v: Decimal.Value) => new Decimal(v).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed();
    expect(lines.find((l) => l.line === 'totals/market')?.value).toBe(six(market));
    expect(lines.find((l) => l.line === 'totals/net')?.value).toBe(six(new Decimal(market).sub(7)));
    // Every value fits the leaf encoding (≤ 6 decimals).
    for (const l of lines) expect(l.value).toMatch(/^-?\d+(\.\d{1,6})?$/);
    expect(lines.filter((l) => l.line.startsWith(RETIREMENT_LINE_PREFIX))).toHaveLength(2);
  });
});

describe('committed retirement vs the stored row (tamper job)', () => {
  it('is clean while the row is unchanged; any changed field is ALTERED; a deleted row is REMOVED', () => {
    const committed = retirementLine(r({}));
    expect(retirementLeafProblem(committed, r({}))).toBeNull();
    for (const over of [
      { quantity: '499' },
      { serialEnd: '1498' },
      { registry: 'GEC' },
      { periodEnd: '2023-11-30' },
      { purchaseId: '88888888-2222-4333-8444-555555555555' },
      { kind: 'CARBON_CREDIT' as const },
    ]) {
      const p = retirementLeafProblem(committed, r(over));
      expect(p?.problem).toBe('ALTERED');
      expect(p?.current).toEqual(retirementLine(r(over)));
    }
    expect(retirementLeafProblem(committed, undefined)).toEqual({ problem: 'REMOVED', current: null });
  });
});
