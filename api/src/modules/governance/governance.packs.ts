import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { keccak256, toBytes } from 'viem';
import { loadPack, type Pack, type PackDocument } from '../accounting/packs/pack';
import type { FactorDiff } from './governance.entity';

const PACKS_DIR = fileURLToPath(new URL('../accounting/packs/', import.meta.url));

let cache: Pack[] | null = null;

/** Every pack shipped in api/src/modules/accounting/packs (validated, with content hashes). */
export function shippedPacks(): Pack[] {
  cache ??= readdirSync(PACKS_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'pack.schema.json')
    .sort()
    .map((f) => loadPack(readFileSync(`${PACKS_DIR}${f}`, 'utf8')));
  return cache;
}

export function packByHash(hash: string): Pack | undefined {
  const h = hash.toLowerCase();
  return shippedPacks().find((p) => p.hash === h);
}

/** standardId (keccak256 of the code) → code, for the shipped packs. */
export function knownStandardCodes(): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of shippedPacks()) m.set(keccak256(toBytes(p.document.id)).toLowerCase(), p.document.id);
  return m;
}

/** Default parameters that differ between two pack documents, by parameter id (sorted by id). */
export function diffPackParameters(from: PackDocument, to: PackDocument): FactorDiff[] {
  const before = new Map(from.parameters.map((p) => [p.id, p]));
  const after = new Map(to.parameters.map((p) => [p.id, p]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: FactorDiff[] = [];
  for (const id of ids) {
    const a = before.get(id);
    const b = after.get(id);
    const named = b ?? a;
    if (!named) continue;
    const change = !a
      ? 'ADDED'
      : !b
        ? 'REMOVED'
        : a.value !== b.value || a.unit !== b.unit
          ? 'CHANGED'
          : null;
    if (!change) continue;
    out.push({
      parameterId: id,
      name: named.name.en,
      nameZh: named.name.zh ?? null,
      change,
      oldValue: a?.value ?? null,
      newValue: b?.value ?? null,
      oldUnit: a?.unit ?? null,
      newUnit: b?.unit ?? null,
    });
  }
  return out;
}
