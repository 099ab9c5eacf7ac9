import { describe, expect, it } from 'vitest';
import { childHref, levelOf, monthRanges, parsePath } from './drilldown';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('drill-down path', () => {
  it('parses up to three uuids and refuses anything else', () => {
    expect(parsePath(undefined)).toEqual([]);
    expect(parsePath(`${A},${B}`)).toEqual([A, B]);
    expect(parsePath(`${A},x`)).toEqual([]);
    expect(parsePath([A, B].concat(A, B).join(','))).toEqual([]);
    expect(parsePath([A])).toEqual([A]);
  });
  it('lists sites, then areas, lines and equipment under the last id', () => {
    expect(levelOf([])).toEqual({ kind: 'SITE', parentId: null });
    expect(levelOf([A])).toEqual({ kind: 'AREA', parentId: A });
    expect(levelOf([A, B, A])).toEqual({ kind: 'EQUIPMENT', parentId: A });
    expect(childHref([A], B)).toBe(`/enterprise?path=${A},${B}#drilldown`);
    expect(childHref([A, B, A], B)).toBeNull();
  });
  it('compares the month so far with the same span of the previous month', () => {
    const r = monthRanges(new Date(2026, 2, 10, 12));
    expect(new Date(r.current.from)).toEqual(new Date(2026, 2, 1));
    expect(new Date(r.previous.from)).toEqual(new Date(2026, 1, 1));
    expect(new Date(r.previous.to)).toEqual(new Date(2026, 1, 10, 12));
    // 31 March: February is shorter, the previous span stops at its end.
    const end = monthRanges(new Date(2026, 2, 31, 12));
    expect(new Date(end.previous.to)).toEqual(new Date(2026, 2, 1));
  });
});
