import { describe, expect, it } from 'vitest';
import type { PackDocument } from '../accounting/packs/pack';
import { diffPackParameters, knownStandardCodes, packByHash, shippedPacks } from './governance.packs';

describe('governance pack diff', () => {
  const packs = shippedPacks();

  it('loads every shipped pack and finds it by content hash', () => {
    expect(packs.length).toBeGreaterThanOrEqual(2);
    for (const p of packs) expect(packByHash(p.hash.toUpperCase().replace('0X', '0x'))?.ref).toBe(p.ref);
    expect(packByHash('0xdead')).toBeUndefined();
    // several versions of one standard share its code (cn-machinery-2015@1.0.0 and @1.1.0)
    expect([...knownStandardCodes().values()].sort()).toEqual(
      [...new Set(packs.map((p) => p.document.id))].sort(),
    );
    expect(packs.filter((p) => p.document.id === 'cn-machinery-2015').map((p) => p.ref)).toEqual([
      'cn-machinery-2015@1.0.0',
      'cn-machinery-2015@1.1.0',
    ]);
  });

  it('diffs default parameters by id: changed, added, removed', () => {
    const base = packs[0]?.document as PackDocument;
    expect(diffPackParameters(base, base)).toEqual([]);
    const [first, second, ...rest] = base.parameters;
    if (!first || !second) throw new Error('pack needs two parameters');
    const next: PackDocument = {
      ...base,
      parameters: [{ ...first, value: `${first.value}1` }, ...rest, { ...second, id: 'zz-new-parameter' }],
    };
    const diff = diffPackParameters(base, next);
    expect(diff).toContainEqual(
      expect.objectContaining({
        parameterId: first.id,
        change: 'CHANGED',
        oldValue: first.value,
        newValue: `${first.value}1`,
      }),
    );
    expect(diff).toContainEqual(
      expect.objectContaining({
        parameterId: second.id,
        change: 'REMOVED',
        oldValue: second.value,
        newValue: null,
      }),
    );
    expect(diff).toContainEqual(
      expect.objectContaining({ parameterId: 'zz-new-parameter', change: 'ADDED', oldValue: null }),
    );
    expect(diff).toHaveLength(3);
  });

  it('diffs the shipped machinery versions: 1.1.0 only adds defaults to 1.0.0', () => {
    const ref = (r: string) => packs.find((p) => p.ref === r)?.document as PackDocument;
    const diff = diffPackParameters(ref('cn-machinery-2015@1.0.0'), ref('cn-machinery-2015@1.1.0'));
    expect(diff.map((d) => [d.parameterId, d.change, d.newValue, d.newUnit])).toEqual([
      ['diesel.ncv', 'ADDED', '42.652', 'GJ/t'],
      ['fuel-oil.ncv', 'ADDED', '41.816', 'GJ/t'],
      ['gasoline.ncv', 'ADDED', '43.070', 'GJ/t'],
      ['kerosene.cc', 'ADDED', '19.6', 'tC/TJ'],
      ['kerosene.ncv', 'ADDED', '43.070', 'GJ/t'],
      ['kerosene.of', 'ADDED', '98', '%'],
    ]);
  });
});
