import { describe, expect, it } from 'vitest';
import type { PackDocument } from '../accounting/packs/pack';
import { diffPackParameters, knownStandardCodes, packByHash, shippedPacks } from './governance.packs';

describe('governance pack diff', () => {
  const packs = shippedPacks();

  it('loads every shipped pack and finds it by content hash', () => {
    expect(packs.length).toBeGreaterThanOrEqual(2);
    for (const p of packs) expect(packByHash(p.hash.toUpperCase().replace('0X', '0x'))?.ref).toBe(p.ref);
    expect(packByHash('0xdead')).toBeUndefined();
    expect([...knownStandardCodes().values()].sort()).toEqual(packs.map((p) => p.document.id).sort());
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
});
