// Test fixtures shared by the accounting tests (not shipped code paths).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ActivityLine } from './engine/activity';
import { loadPack, type Pack } from './packs/pack';

export type ShippedPackName =
  | 'cn-machinery-2015@1.0.0'
  | 'cn-machinery-2015@1.1.0'
  | 'iso14064-ghgp@1.0.0'
  | 'iso14064-ghgp@1.1.0';

export const packPath = (name: ShippedPackName): string =>
  fileURLToPath(new URL(`./packs/${name}.json`, import.meta.url));

export const examplePath = (name: string): string =>
  fileURLToPath(new URL(`./examples/${name}`, import.meta.url));

export const packJson = (name: Parameters<typeof packPath>[0]): unknown =>
  JSON.parse(readFileSync(packPath(name), 'utf8'));

export const machineryPack = (): Pack => loadPack(readFileSync(packPath('cn-machinery-2015@1.0.0'), 'utf8'));
/** cn-machinery-2015@1.1.0: 1.0.0 plus the diesel, gasoline, fuel-oil and kerosene appendix defaults. */
export const machineryPack11 = (): Pack =>
  loadPack(readFileSync(packPath('cn-machinery-2015@1.1.0'), 'utf8'));
export const isoPack = (): Pack => loadPack(readFileSync(packPath('iso14064-ghgp@1.0.0'), 'utf8'));
/** iso14064-ghgp@1.1.0: 1.0.0 plus the same fuel defaults as cn-machinery-2015@1.1.0. */
export const isoPack11 = (): Pack => loadPack(readFileSync(packPath('iso14064-ghgp@1.1.0'), 'utf8'));

export const YEAR_2023 = { start: '2023-01-01', end: '2023-12-31' } as const;

export const line = (
  sourceId: string,
  sourceType: string,
  quantity: string,
  unit: string,
  extra: Partial<ActivityLine> = {},
): ActivityLine => ({
  sourceId,
  sourceType,
  quantity,
  unit,
  evidence: { kind: 'voucher', reference: `ev-${sourceId}` },
  ...extra,
});

export const activity = (lines: ActivityLine[], more: Record<string, unknown> = {}) => ({
  period: YEAR_2023,
  enterprise: { id: 'ent-test' },
  lines,
  ...more,
});
