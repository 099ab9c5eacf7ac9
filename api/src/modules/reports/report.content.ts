import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Inventory } from '../accounting/engine/calculate';

export const REPORT_LANGUAGES = ['zh-CN', 'en'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

/** What the report needs besides the engine output (all from stored rows). */
export interface ReportMeta {
  reportId: string;
  version: number;
  language: ReportLanguage;
  generatedAt: string;
  enterprise: { id: string; name: string; industry: string; creditCode: string | null; park: string | null };
  inventory: {
    id: string;
    revision: number;
    periodKind: string;
    periodStart: string;
    periodEnd: string;
    hash: string;
    packRef: string;
    packHash: string;
    standardVersion: string | null;
  };
  supersedes: { reportId: string; reason: string } | null;
}

/** The report document (schema `opencep.report/1`), hashed as RFC 8785 canonical JSON. */
export interface ReportDocument {
  schema: 'opencep.report/1';
  report: {
    id: string;
    version: number;
    language: ReportLanguage;
    generatedAt: string;
    supersedes: { reportId: string; reason: string } | null;
  };
  enterprise: ReportMeta['enterprise'];
  reportingPeriod: { kind: string; start: string; end: string };
  standard: {
    ref: string;
    packHash: string;
    chainVersion: string | null;
    engine: Inventory['engine'];
    gwpSet: string;
  };
  boundary: { organisational: string; sites: string; scopes: string[]; categories: string[] };
  emissionSources: {
    sourceId: string;
    sourceType: string;
    description: string | null;
    category: string;
    scope: number | null;
    isoCategory: number | null;
    treatment: string;
    gas: string;
    method: string;
    formula: string;
  }[];
  activityData: { sourceId: string; value: string; unit: string; evidence: unknown }[];
  factors: {
    sourceId: string;
    role: string;
    value: string;
    unit: string;
    source: string;
    parameterId: string | null;
    citation: unknown;
    evidence: unknown;
  }[];
  emissions: {
    bySource: { sourceId: string; gas: string; gasMass: string; co2e: string; co2eReported: string }[];
    byGas: { gas: string; mass: string; co2e: string }[];
    byCategory: { category: string; co2e: string }[];
  };
  scopeTotals: {
    unit: 'tCO2e';
    scope1: string;
    scope2Location: string;
    scope2Market: string | null;
    scope3: string;
    totalLocation: string;
    totalMarket: string | null;
    exported: string;
    exportedDeducted: boolean;
  };
  intensity: Inventory['intensity'];
  qualityManagement: {
    inventoryId: string;
    inventoryRevision: number;
    inventoryHash: string;
    activityHash: string;
    calculation: string;
    evidenceCount: number;
    measuredFactors: number;
    warnings: string[];
  };
  signatures: {
    required: { role: string; method: string }[];
    note: string;
  };
}

/** Builds the report document from a FINAL inventory (pure, deterministic). */
export function buildReportDocument(inv: Inventory, meta: ReportMeta): ReportDocument {
  const categories = [...new Set(inv.lines.map((l) => l.category))].sort();
  const scopes = [...new Set(inv.lines.map((l) => l.scope).filter((s): s is 1 | 2 | 3 => s !== null))]
    .sort()
    .map((s) => `scope${s}`);
  return {
    schema: 'opencep.report/1',
    report: {
      id: meta.reportId,
      version: meta.version,
      language: meta.language,
      generatedAt: meta.generatedAt,
      supersedes: meta.supersedes,
    },
    enterprise: meta.enterprise,
    reportingPeriod: {
      kind: meta.inventory.periodKind,
      start: meta.inventory.periodStart,
      end: meta.inventory.periodEnd,
    },
    standard: {
      ref: meta.inventory.packRef,
      packHash: meta.inventory.packHash,
      chainVersion: meta.inventory.standardVersion,
      engine: inv.engine,
      gwpSet: inv.pack.gwpSet,
    },
    boundary: {
      organisational: 'enterprise (legal person), operational control',
      sites: 'all sites of the enterprise',
      scopes,
      categories,
    },
    emissionSources: inv.lines.map((l) => ({
      sourceId: l.sourceId,
      sourceType: l.sourceType,
      description: l.description ?? null,
      category: l.category,
      scope: l.scope,
      isoCategory: l.isoCategory,
      treatment: l.treatment,
      gas: l.gas,
      method: l.method,
      formula: l.formula,
    })),
    activityData: inv.lines.map((l) => ({
      sourceId: l.sourceId,
      value: l.input.value,
      unit: l.input.unit,
      evidence: l.input.evidence,
    })),
    factors: inv.lines.flatMap((l) =>
      l.parameters.map((p) => ({
        sourceId: l.sourceId,
        role: p.role,
        value: p.value,
        unit: p.unit,
        source: p.source,
        parameterId: p.parameterId ?? null,
        citation: p.citation ?? null,
        evidence: p.evidence ?? null,
      })),
    ),
    emissions: {
      bySource: inv.lines.map((l) => ({
        sourceId: l.sourceId,
        gas: l.gas,
        gasMass: l.gasMass.exact,
        co2e: l.co2e.exact,
        co2eReported: l.co2e.reported,
      })),
      byGas: Object.entries(inv.totals.byGas)
        .filter(([, t]) => t.co2e.exact !== '0')
        .map(([gas, t]) => ({ gas, mass: t.mass.exact, co2e: t.co2e.reported }))
        .sort((a, b) => a.gas.localeCompare(b.gas)),
      byCategory: Object.entries(inv.totals.byCategory)
        .map(([category, f]) => ({ category, co2e: f.reported }))
        .sort((a, b) => a.category.localeCompare(b.category)),
    },
    scopeTotals: {
      unit: 'tCO2e',
      scope1: inv.totals.byScope.scope1.reported,
      scope2Location: inv.totals.byScope.scope2Location.reported,
      scope2Market: inv.totals.byScope.scope2Market?.reported ?? null,
      scope3: inv.totals.byScope.scope3.reported,
      totalLocation: inv.totals.location.reported,
      totalMarket: inv.totals.market?.reported ?? null,
      exported: inv.totals.exported.co2e.reported,
      exportedDeducted: inv.totals.exported.deductedFromTotal,
    },
    intensity: inv.intensity,
    qualityManagement: {
      inventoryId: meta.inventory.id,
      inventoryRevision: meta.inventory.revision,
      inventoryHash: meta.inventory.hash,
      activityHash: inv.activityHash,
      calculation: `${inv.engine.name}@${inv.engine.version}, pack ${inv.pack.id}@${inv.pack.version} (${inv.pack.hash}); reproducible with the accounting CLI`,
      evidenceCount: inv.lines.length,
      measuredFactors: inv.lines.flatMap((l) => l.parameters).filter((p) => p.source === 'measured').length,
      warnings: [...inv.warnings],
    },
    signatures: {
      required: [{ role: 'responsible-person', method: 'EIP-712 (OpenCEP Report)' }],
      note: 'Signatures cover jsonHash and pdfHash of this document and are stored next to it, not inside it.',
    },
  };
}

/** RFC 8785 canonical JSON text of the report document. */
export const canonicalReportJson = (doc: unknown): string => canonicalize(doc) as string;

/** `0x` + SHA-256 hex of bytes (report JSON, PDF, XLSX). */
export const sha256Hex = (bytes: string | Uint8Array): string =>
  `0x${createHash('sha256').update(bytes).digest('hex')}`;
