import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Decimal } from '../../core/scalars';
import { canonicalHash } from '../accounting/packs/pack';

/**
 * Government export of park totals (pure). Every enterprise figure is taken from the member's final
 * inventory canonical JSON and carries that inventory's hash and anchored Merkle root, so the park
 * cannot alter a figure unnoticed: `verifyParkExport` recomputes every figure and the totals from the
 * referenced inventories.
 */
export const FIGURE_KEYS = [
  'scope1',
  'scope2Location',
  'scope2Market',
  'scope3',
  'totalLocation',
  'totalMarket',
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];
export type Figures = Record<FigureKey, string>;

interface InventoryJson {
  totals: {
    byScope: {
      scope1: { exact: string };
      scope2Location: { exact: string };
      scope2Market: { exact: string } | null;
      scope3: { exact: string };
    };
    location: { exact: string };
    market: { exact: string } | null;
  };
}

/** Exact figures of one inventory; market-based falls back to location-based when not reported. */
export function figuresOf(canonicalJson: string): Figures {
  const inv = JSON.parse(canonicalJson) as InventoryJson;
  const s = inv.totals.byScope;
  return {
    scope1: s.scope1.exact,
    scope2Location: s.scope2Location.exact,
    scope2Market: (s.scope2Market ?? s.scope2Location).exact,
    scope3: s.scope3.exact,
    totalLocation: inv.totals.location.exact,
    totalMarket: (inv.totals.market ?? inv.totals.location).exact,
  };
}

export function sumFigures(list: Figures[]): Figures {
  const out = {} as Figures;
  for (const k of FIGURE_KEYS) out[k] = list.reduce((a, f) => a.add(f[k]), new Decimal(0)).toFixed();
  return out;
}

export interface ExportMember {
  enterpriseId: string;
  enterpriseName: string;
  inventoryId: string;
  inventoryHash: string;
  canonicalJson: string;
  anchoredRoot: string | null;
  anchorState: string | null;
  anchorTx: string | null;
}

export interface ParkExportDocument {
  schema: 'opencep.park-export/1';
  park: { id: string; name: string };
  year: number;
  unit: 'tCO2e';
  method: string;
  enterprises: {
    enterpriseId: string;
    name: string;
    inventoryId: string;
    inventoryHash: string;
    anchoredRoot: string | null;
    anchorState: string | null;
    anchorTx: string | null;
    figures: Figures;
  }[];
  totals: Figures;
}

export function buildParkExport(park: { id: string; name: string }, year: number, members: ExportMember[]) {
  const enterprises = [...members]
    .sort((a, b) => a.enterpriseId.localeCompare(b.enterpriseId))
    .map((m) => ({
      enterpriseId: m.enterpriseId,
      name: m.enterpriseName,
      inventoryId: m.inventoryId,
      inventoryHash: m.inventoryHash,
      anchoredRoot: m.anchoredRoot,
      anchorState: m.anchorState,
      anchorTx: m.anchorTx,
      figures: figuresOf(m.canonicalJson),
    }));
  const doc: ParkExportDocument = {
    schema: 'opencep.park-export/1',
    park,
    year,
    unit: 'tCO2e',
    method:
      'Sum of the latest non-draft annual inventory of each consenting enterprise; exact figures from the inventory canonical JSON; market-based falls back to location-based where an inventory reports none.',
    enterprises,
    totals: sumFigures(enterprises.map((e) => e.figures)),
  };
  const json = canonicalize(doc) as string;
  return {
    doc,
    json,
    sha256: `0x${createHash('sha256').update(json, 'utf8').digest('hex')}`,
    csv: exportCsv(doc),
  };
}

const csvCell = (v: string | number | null) => {
  const s = v == null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function exportCsv(doc: ParkExportDocument): string {
  const head = [
    'enterprise_id',
    'name',
    'inventory_id',
    'inventory_hash',
    'anchored_root',
    'anchor_state',
    ...FIGURE_KEYS,
  ];
  const rows = doc.enterprises.map((e) => [
    e.enterpriseId,
    e.name,
    e.inventoryId,
    e.inventoryHash,
    e.anchoredRoot,
    e.anchorState,
    ...FIGURE_KEYS.map((k) => e.figures[k]),
  ]);
  rows.push(['TOTAL', doc.park.name, '', '', '', '', ...FIGURE_KEYS.map((k) => doc.totals[k])]);
  return `${[head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

export interface StoredInventory {
  id: string;
  enterpriseId: string;
  inventoryHash: string;
  canonicalJson: string;
  anchoredRoot: string | null;
}

export interface ExportVerification {
  ok: boolean;
  mismatches: string[];
  recomputed: Figures;
}

/** Recomputes every figure and the totals of an export from the referenced stored inventories. */
export function verifyParkExport(
  doc: ParkExportDocument,
  stored: Map<string, StoredInventory>,
): ExportVerification {
  const mismatches: string[] = [];
  const figs: Figures[] = [];
  for (const e of doc.enterprises) {
    const inv = stored.get(e.inventoryId);
    if (!inv) {
      mismatches.push(`${e.enterpriseId}: inventory ${e.inventoryId} not found`);
      continue;
    }
    if (inv.enterpriseId !== e.enterpriseId)
      mismatches.push(`${e.inventoryId}: belongs to another enterprise`);
    const recomputedHash = canonicalHash(JSON.parse(inv.canonicalJson));
    if (recomputedHash !== inv.inventoryHash)
      mismatches.push(`${e.inventoryId}: stored JSON does not match its hash`);
    if (e.inventoryHash !== recomputedHash) mismatches.push(`${e.inventoryId}: export hash ≠ inventory hash`);
    if (e.anchoredRoot !== inv.anchoredRoot) mismatches.push(`${e.inventoryId}: anchored root differs`);
    const f = figuresOf(inv.canonicalJson);
    for (const k of FIGURE_KEYS)
      if (!new Decimal(e.figures[k]).eq(f[k]))
        mismatches.push(`${e.enterpriseId}.${k}: ${e.figures[k]} ≠ ${f[k]}`);
    figs.push(f);
  }
  const recomputed = sumFigures(figs);
  for (const k of FIGURE_KEYS)
    if (!new Decimal(doc.totals[k]).eq(recomputed[k]))
      mismatches.push(`totals.${k}: ${doc.totals[k]} ≠ ${recomputed[k]}`);
  return { ok: mismatches.length === 0, mismatches, recomputed };
}
