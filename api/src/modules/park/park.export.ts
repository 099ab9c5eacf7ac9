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
  /** The other views of the member (overview); absent → empty views. */
  views?: MemberViews;
}

/** Per-member views besides the inventory figures (decimal strings, ISO dates). */
export interface MemberViews {
  industry: string;
  energy: EnergyTotal[];
  /** Revenue in 10^4 CNY (activity of the inventory), null when not reported. */
  revenue: string | null;
  intensityPerOutput: string | null;
  outputUnit: string | null;
  intensityPerRevenue: string | null;
  lastReadingAt: string | null;
  quota: string | null;
  quotaSource: string;
  quotaWarning: boolean;
  forecast: { method: string; value: string | null; low: string | null; high: string | null };
}

export interface EnergyTotal {
  energyType: string;
  unit: string;
  value: string;
}

export const RANKING_METRICS = ['TOTAL', 'INTENSITY_REVENUE', 'INTENSITY_OUTPUT'] as const;
export type RankingMetricKey = (typeof RANKING_METRICS)[number];

export interface ExportEnterprise {
  enterpriseId: string;
  name: string;
  industry: string;
  inventoryId: string;
  inventoryHash: string;
  anchoredRoot: string | null;
  anchorState: string | null;
  anchorTx: string | null;
  figures: Figures;
  energy: EnergyTotal[];
  intensity: {
    revenue: string | null;
    perRevenue: string | null;
    perOutput: string | null;
    outputUnit: string | null;
  };
  quota: {
    amount: string | null;
    source: string;
    warning: boolean;
    forecastMethod: string;
    forecast: string | null;
    forecastLow: string | null;
    forecastHigh: string | null;
  };
  lastReadingAt: string | null;
}

export const PARK_EXPORT_SCHEMA = 'opencep.park-export/2';

export interface ParkExportDocument {
  schema: typeof PARK_EXPORT_SCHEMA;
  park: { id: string; name: string };
  year: number;
  unit: 'tCO2e';
  method: string;
  enterprises: ExportEnterprise[];
  totals: Figures;
  byIndustry: { industry: string; enterprises: number; figures: Figures }[];
  energy: EnergyTotal[];
  intensity: { perRevenue: string | null; revenue: string; unit: 'tCO2e per 10^4 CNY' };
  rankings: Record<RankingMetricKey, { rank: number; enterpriseId: string; value: string }[]>;
  quota: { total: string | null; enterprisesWithWarning: number };
}

/** Highest first, ties by enterprise id (the rule of `parkRanking`). */
export function rankEntries(values: { enterpriseId: string; value: string | null }[]) {
  return values
    .filter((v): v is { enterpriseId: string; value: string } => v.value !== null)
    .sort((a, b) => new Decimal(b.value).cmp(a.value) || a.enterpriseId.localeCompare(b.enterpriseId))
    .map((v, i) => ({ rank: i + 1, enterpriseId: v.enterpriseId, value: v.value }));
}

/** Σ energy by (type, unit), sorted. */
export function sumEnergy(list: EnergyTotal[]): EnergyTotal[] {
  const m = new Map<string, EnergyTotal>();
  for (const e of list) {
    const k = `${e.energyType}\u0000${e.unit}`;
    const cur = m.get(k);
    m.set(k, { ...e, value: new Decimal(cur?.value ?? 0).add(e.value).toFixed() });
  }
  return [...m.values()].sort(
    (a, b) => a.energyType.localeCompare(b.energyType) || a.unit.localeCompare(b.unit),
  );
}

/** Σ figures by industry (industry as stated on each enterprise row), sorted by industry. */
export function sumByIndustry(enterprises: Pick<ExportEnterprise, 'industry' | 'figures'>[]) {
  const groups = new Map<string, Figures[]>();
  for (const e of enterprises) groups.set(e.industry, [...(groups.get(e.industry) ?? []), e.figures]);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([industry, figs]) => ({ industry, enterprises: figs.length, figures: sumFigures(figs) }));
}

const NO_VIEWS: MemberViews = {
  industry: '',
  energy: [],
  revenue: null,
  intensityPerOutput: null,
  outputUnit: null,
  intensityPerRevenue: null,
  lastReadingAt: null,
  quota: null,
  quotaSource: 'NONE',
  quotaWarning: false,
  forecast: { method: 'NONE', value: null, low: null, high: null },
};

export function buildParkExport(park: { id: string; name: string }, year: number, members: ExportMember[]) {
  const enterprises: ExportEnterprise[] = [...members]
    .sort((a, b) => a.enterpriseId.localeCompare(b.enterpriseId))
    .map((m) => {
      const v = m.views ?? NO_VIEWS;
      return {
        enterpriseId: m.enterpriseId,
        name: m.enterpriseName,
        industry: v.industry,
        inventoryId: m.inventoryId,
        inventoryHash: m.inventoryHash,
        anchoredRoot: m.anchoredRoot,
        anchorState: m.anchorState,
        anchorTx: m.anchorTx,
        figures: figuresOf(m.canonicalJson),
        energy: sumEnergy(v.energy),
        intensity: {
          revenue: v.revenue,
          perRevenue: v.intensityPerRevenue,
          perOutput: v.intensityPerOutput,
          outputUnit: v.outputUnit,
        },
        quota: {
          amount: v.quota,
          source: v.quotaSource,
          warning: v.quotaWarning,
          forecastMethod: v.forecast.method,
          forecast: v.forecast.value,
          forecastLow: v.forecast.low,
          forecastHigh: v.forecast.high,
        },
        lastReadingAt: v.lastReadingAt,
      };
    });
  const withRevenue = enterprises.filter((e) => e.intensity.revenue !== null);
  const revenue = withRevenue.reduce((a, e) => a.add(e.intensity.revenue as string), new Decimal(0));
  const emitted = withRevenue.reduce((a, e) => a.add(e.figures.totalMarket), new Decimal(0));
  const quotas = enterprises.filter((e) => e.quota.amount !== null);
  const doc: ParkExportDocument = {
    schema: PARK_EXPORT_SCHEMA,
    park,
    year,
    unit: 'tCO2e',
    method:
      'Sum of the latest non-draft annual inventory of each consenting enterprise; exact figures from the inventory canonical JSON; market-based falls back to location-based where an inventory reports none. Energy: monthly enterprise rollups of the year. Intensity per revenue: Σ market total ÷ Σ revenue (10^4 CNY), rounded half-up to 6 decimals. Rankings: highest first.',
    enterprises,
    totals: sumFigures(enterprises.map((e) => e.figures)),
    byIndustry: sumByIndustry(enterprises),
    energy: sumEnergy(enterprises.flatMap((e) => e.energy)),
    intensity: {
      perRevenue: revenue.gt(0)
        ? emitted.div(revenue).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed()
        : null,
      revenue: revenue.toFixed(),
      unit: 'tCO2e per 10^4 CNY',
    },
    rankings: {
      TOTAL: rankEntries(
        enterprises.map((e) => ({ enterpriseId: e.enterpriseId, value: e.figures.totalMarket })),
      ),
      INTENSITY_REVENUE: rankEntries(
        enterprises.map((e) => ({ enterpriseId: e.enterpriseId, value: e.intensity.perRevenue })),
      ),
      INTENSITY_OUTPUT: rankEntries(
        enterprises.map((e) => ({ enterpriseId: e.enterpriseId, value: e.intensity.perOutput })),
      ),
    },
    quota: {
      total: quotas.length
        ? quotas.reduce((a, e) => a.add(e.quota.amount as string), new Decimal(0)).toFixed()
        : null,
      enterprisesWithWarning: enterprises.filter((e) => e.quota.warning).length,
    },
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
  const fromStored: { industry: string; figures: Figures }[] = [];
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
    fromStored.push({ industry: e.industry, figures: f });
    for (const k of FIGURE_KEYS)
      if (!new Decimal(e.figures[k]).eq(f[k]))
        mismatches.push(`${e.enterpriseId}.${k}: ${e.figures[k]} ≠ ${f[k]}`);
    figs.push(f);
  }
  const recomputed = sumFigures(figs);
  for (const k of FIGURE_KEYS)
    if (!new Decimal(doc.totals[k]).eq(recomputed[k]))
      mismatches.push(`totals.${k}: ${doc.totals[k]} ≠ ${recomputed[k]}`);
  const industries = sumByIndustry(fromStored);
  if (industries.length !== (doc.byIndustry ?? []).length) mismatches.push('byIndustry: groups differ');
  for (const g of industries) {
    const stated = doc.byIndustry?.find((x) => x.industry === g.industry);
    for (const k of FIGURE_KEYS)
      if (!stated || !new Decimal(stated.figures[k]).eq(g.figures[k]))
        mismatches.push(`byIndustry[${g.industry}].${k}: ${stated?.figures[k]} ≠ ${g.figures[k]}`);
  }
  return { ok: mismatches.length === 0, mismatches, recomputed };
}
