import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AccountingError, isAccountingError } from '../accounting.errors';
import { calculate } from '../engine/calculate';
import { activity, line, packJson, packPath } from '../testing';
import { assertPackHash, loadPack, type PackDocument } from './pack';

// Pinned hashes: changing a pack file is a new pack version and must change these on purpose.
const HASHES = {
  'cn-machinery-2015@1.0.0': '0xe22d8c7f89f527a269c546a4de57d2ae03bbe076958077e2dab92bbb6363461e',
  'cn-machinery-2015@1.1.0': '0xba755956a0cb66841e48ab3cca8731ad71cb4e06123c4c69bad9cdddd11c0d53',
  'iso14064-ghgp@1.0.0': '0x75a253e3a334d4b9dcc37e25dcd6ab65c50b672f92d1dfc9d092f3f0796898ae',
  'iso14064-ghgp@1.1.0': '0xbcf09eac5ba9f3efcd45afec8b051138c469b5cc16a81aa34dc8918c43023e0b',
} as const;

const reorderKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(reorderKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reorderKeys(x)]),
    );
  }
  return v;
};

const mutate = (
  name: keyof typeof HASHES,
  f: (d: { -readonly [K in keyof PackDocument]: unknown }) => void,
) => {
  const doc = structuredClone(packJson(name)) as { -readonly [K in keyof PackDocument]: unknown };
  f(doc);
  return doc;
};

describe('standard packs', () => {
  for (const name of Object.keys(HASHES) as (keyof typeof HASHES)[]) {
    it(`${name}: validates, id/version match the file name, hash is pinned`, () => {
      const pack = loadPack(readFileSync(packPath(name), 'utf8'));
      expect(pack.ref).toBe(name);
      expect(pack.hash).toBe(HASHES[name]);
    });

    it(`${name}: hash is stable under whitespace and key order (RFC 8785)`, () => {
      const text = readFileSync(packPath(name), 'utf8');
      const compact = JSON.stringify(JSON.parse(text));
      const reordered = JSON.stringify(reorderKeys(JSON.parse(text)), null, 4);
      expect(loadPack(compact).hash).toBe(HASHES[name]);
      expect(loadPack(reordered).hash).toBe(HASHES[name]);
    });

    it(`${name}: every parameter cites a listed document`, () => {
      const pack = loadPack(packJson(name));
      const docs = new Set(pack.document.sourceDocuments.map((d) => d.id));
      for (const p of pack.document.parameters) {
        expect(docs.has(p.citation.document), p.id).toBe(true);
        expect(p.citation.locator.length).toBeGreaterThan(5);
      }
    });
  }

  for (const id of ['cn-machinery-2015', 'iso14064-ghgp'] as const) {
    it(`${id}@1.1.0 only adds parameters and a source type to 1.0.0: no 1.0.0 value changes`, () => {
      const v10 = loadPack(packJson(`${id}@1.0.0`)).document;
      const v11 = loadPack(packJson(`${id}@1.1.0`)).document;
      const after = new Map(v11.parameters.map((p) => [p.id, p]));
      for (const p of v10.parameters) expect(after.get(p.id), p.id).toEqual(p);
      expect(v11.parameters.map((p) => p.id).filter((x) => !v10.parameters.some((p) => p.id === x))).toEqual([
        'diesel.ncv',
        'gasoline.ncv',
        'fuel-oil.ncv',
        'kerosene.ncv',
        'kerosene.cc',
        'kerosene.of',
      ]);
      expect(v11.gwp).toEqual(v10.gwp);
      expect(v11.rounding).toEqual(v10.rounding);
      expect(v11.scope2).toEqual(v10.scope2);
      expect(v11.exports).toEqual(v10.exports);
      expect(v11.sourceTypes.map((s) => s.id)).toEqual(
        v10.sourceTypes.flatMap((s) =>
          s.id === 'combustion.fuel-oil' ? [s.id, 'combustion.kerosene'] : [s.id],
        ),
      );
      // the new defaults are the same values with the same citations in both standards' 1.1.0
      const machinery = new Map(
        loadPack(packJson('cn-machinery-2015@1.1.0')).document.parameters.map((p) => [p.id, p]),
      );
      for (const p of v11.parameters.filter((q) => !v10.parameters.some((o) => o.id === q.id)))
        expect(p).toEqual(machinery.get(p.id));
    });
  }

  it('any content change changes the hash', () => {
    const doc = mutate('cn-machinery-2015@1.0.0', (d) => {
      (d.parameters as { id: string; value: string }[]).find((p) => p.id === 'heat.default')!.value = '0.12';
    });
    expect(loadPack(doc).hash).not.toBe(HASHES['cn-machinery-2015@1.0.0']);
  });

  it('assertPackHash refuses a mismatch with PACK_HASH_MISMATCH', () => {
    const pack = loadPack(packJson('cn-machinery-2015@1.0.0'));
    expect(() => assertPackHash(pack, HASHES['cn-machinery-2015@1.0.0'])).not.toThrow();
    expect(() =>
      assertPackHash(pack, HASHES['cn-machinery-2015@1.0.0'].toUpperCase().replace('0X', '')),
    ).not.toThrow();
    try {
      assertPackHash(pack, HASHES['iso14064-ghgp@1.0.0']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AccountingError);
      expect(isAccountingError(e, 'PACK_HASH_MISMATCH')).toBe(true);
      expect((e as Error).message).toContain('cn-machinery-2015@1.0.0');
      expect((e as Error).message).toContain(HASHES['iso14064-ghgp@1.0.0']);
    }
  });

  it('calculate refuses a pack whose hash is not the registered one', () => {
    const tampered = loadPack(
      mutate('cn-machinery-2015@1.0.0', (d) => {
        (d.parameters as { id: string; value: string }[]).find((p) => p.id === 'grid.mee-2023-43')!.value =
          '0.1';
      }),
    );
    const act = activity([line('g', 'electricity.purchased', '1', 'MWh')]);
    expect(() => calculate(tampered, act, { expectedPackHash: HASHES['cn-machinery-2015@1.0.0'] })).toThrow(
      /PACK_HASH_MISMATCH/,
    );
  });

  it('rejects schema and cross-reference errors with PACK_INVALID', () => {
    const bad = [
      mutate('cn-machinery-2015@1.0.0', (d) => {
        d.version = '1.0';
      }),
      mutate('cn-machinery-2015@1.0.0', (d) => {
        (d.parameters as { value: string }[])[0]!.value = '3.9e2';
      }),
      mutate('cn-machinery-2015@1.0.0', (d) => {
        (d.parameters as { unit: string }[])[0]!.unit = 'GJ/furlong';
      }),
      mutate('cn-machinery-2015@1.0.0', (d) => {
        (d.sourceTypes as { parameters: Record<string, string[]> }[])[0]!.parameters.ncv = ['nope'];
      }),
      mutate('cn-machinery-2015@1.0.0', (d) => {
        (d.parameters as { citation: { document: string } }[])[0]!.citation.document = 'unlisted';
      }),
      mutate('iso14064-ghgp@1.0.0', (d) => {
        (d as Record<string, unknown>).extra = true;
      }),
    ];
    for (const doc of bad) expect(() => loadPack(doc)).toThrow(/PACK_INVALID/);
    expect(() => loadPack('{not json')).toThrow(/PACK_INVALID/);
  });
});
