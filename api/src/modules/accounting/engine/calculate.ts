import canonicalize from 'canonicalize';
import { AccountingError } from '../accounting.errors';
import {
  assertPackHash,
  type Citation,
  canonicalHash,
  type GasFamily,
  type Pack,
  type PackParameter,
  type PackSourceType,
  type ParameterRole,
} from '../packs/pack';
import { type Activity, type ActivityLine, type Evidence, parseActivity } from './activity';
import { Dec, roundingModes, str, ZERO } from './decimal';
import { conversionFactor, convert, dimensionOf, parseCompound } from './units';

export const ENGINE = { name: 'opencep-accounting', version: '1.0.0' } as const;

export interface CalculateOptions {
  /** Hash registered on chain for the period; when given, a different pack hash is refused. */
  readonly expectedPackHash?: string;
  /**
   * What to do with a measured factor lacking an evidence reference or a validity period covering the
   * activity period: `error` (default) refuses the calculation, `use-default` records a warning and falls
   * back to the pack default.
   */
  readonly invalidMeasuredFactor?: 'error' | 'use-default';
}

/** `exact` is the unrounded decimal; `reported` applies the pack's rounding rule where the pack says so. */
export interface Figure {
  readonly exact: string;
  readonly reported: string;
}
export interface Quantity {
  readonly value: string;
  readonly unit: string;
}
export interface Conversion {
  readonly of: string;
  readonly from: Quantity;
  readonly to: Quantity;
  readonly factor: string;
}
export interface ResolvedParameter {
  readonly role: ParameterRole;
  readonly value: string;
  readonly unit: string;
  readonly source: 'default' | 'measured';
  readonly parameterId?: string;
  readonly citation?: Citation & { readonly documentTitle: string; readonly documentReference?: string };
  readonly evidence?: { readonly reference: string; readonly kind?: string };
  readonly validFrom?: string;
  readonly validTo?: string;
}
export type Treatment = 'scope1' | 'scope2' | 'scope3' | 'exported-deducted' | 'exported-memo';
export interface InventoryLine {
  readonly sourceId: string;
  readonly sourceType: string;
  readonly description?: string;
  readonly category: PackSourceType['category'];
  readonly method: PackSourceType['method'];
  readonly scope: 1 | 2 | 3 | null;
  readonly isoCategory: number | null;
  readonly treatment: Treatment;
  readonly gas: string;
  readonly gasFamily: GasFamily | 'unspecified';
  readonly formula: string;
  readonly input: Quantity & { readonly evidence: Evidence };
  readonly parameters: readonly ResolvedParameter[];
  readonly gwp: string | null;
  readonly conversions: readonly Conversion[];
  readonly steps: readonly (Quantity & { readonly name: string })[];
  readonly gasMass: Figure;
  readonly co2e: Figure;
}
export interface GasTotal {
  readonly mass: Figure;
  readonly co2e: Figure;
}
export interface MarketBased {
  readonly electricity: Quantity;
  readonly instruments: readonly (Quantity & { id: string; kind: string; evidence: Evidence })[];
  readonly applied: Quantity;
  readonly unapplied: Quantity;
  readonly uncovered: Quantity;
  readonly factorMethod: 'residual-factor' | 'location-factor-fallback';
  readonly residualFactor: ResolvedParameter | null;
  readonly electricityCo2e: Figure;
  readonly heatCo2e: Figure;
  readonly scope2: Figure;
}
export interface Intensity {
  readonly denominator: Quantity;
  readonly unit: string;
  readonly location: Figure;
  readonly market: Figure | null;
}
export interface Inventory {
  readonly schema: 'opencep.inventory/1';
  readonly engine: typeof ENGINE;
  readonly pack: {
    readonly id: string;
    readonly version: string;
    readonly hash: string;
    readonly gwpSet: string;
  };
  readonly activityHash: string;
  readonly enterprise: Activity['enterprise'];
  readonly period: Activity['period'];
  readonly unit: 'tCO2e';
  readonly lines: readonly InventoryLine[];
  readonly totals: {
    readonly bySource: Readonly<Record<string, Figure>>;
    readonly byCategory: Readonly<Record<string, Figure>>;
    readonly byGas: Readonly<Record<GasFamily | 'unspecified', GasTotal>>;
    readonly byScope: {
      readonly scope1: Figure;
      readonly scope2Location: Figure;
      readonly scope2Market: Figure | null;
      readonly scope3: Figure;
    };
    readonly byIsoCategory: Readonly<Record<string, Figure>>;
    readonly exported: { readonly co2e: Figure; readonly deductedFromTotal: boolean };
    readonly location: Figure;
    readonly market: Figure | null;
  };
  readonly scope2MarketBased: MarketBased | null;
  readonly intensity: { readonly perOutput: Intensity | null; readonly perRevenue: Intensity | null };
  readonly warnings: readonly string[];
}

const FORMULAS: Record<PackSourceType['method'], string> = {
  'fuel-combustion': 'E_CO2 = FC × NCV × CC × OF × 44/12',
  'gas-mass': 'E_gas = Q × w; E_CO2e = E_gas × GWP',
  'purchased-energy': 'E_CO2 = AD × EF',
  'exported-energy': 'E_CO2 = AD × EF',
  'reported-co2e': 'E_CO2e = reported CO2e',
};

const GAS_FAMILIES: readonly (GasFamily | 'unspecified')[] = [
  'CO2',
  'CH4',
  'N2O',
  'SF6',
  'HFCs',
  'PFCs',
  'NF3',
  'unspecified',
];

const ROLE_DIMENSIONS: Record<ParameterRole, readonly [readonly string[], readonly string[] | null]> = {
  ncv: [['energy'], ['mass', 'volume-normal', 'volume']],
  carbonContent: [['carbon-mass'], ['energy']],
  oxidationRate: [['dimensionless'], null],
  gasMassFraction: [['dimensionless'], null],
  emissionFactor: [['co2-mass', 'co2e-mass'], ['energy']],
};

const covers = (from: string | undefined, to: string | undefined, p: Activity['period']): boolean =>
  from !== undefined && to !== undefined && from <= p.start && to >= p.end;

interface Ctx {
  readonly pack: Pack;
  readonly activity: Activity;
  readonly options: CalculateOptions;
  readonly warnings: string[];
  readonly figure: (d: Dec, cls: 'lines' | 'totals' | 'intensity') => Figure;
}

const citationOf = (pack: Pack, c: Citation): NonNullable<ResolvedParameter['citation']> => {
  const doc = pack.document.sourceDocuments.find((d) => d.id === c.document);
  return {
    ...c,
    documentTitle: doc?.title ?? c.document,
    ...(doc?.reference ? { documentReference: doc.reference } : {}),
  };
};

const checkRoleUnit = (role: ParameterRole, unit: string, where: string): void => {
  const { num, den } = parseCompound(unit);
  const [nums, dens] = ROLE_DIMENSIONS[role];
  const ok =
    nums.includes(dimensionOf(num)) &&
    (dens === null ? den === undefined : den !== undefined && dens.includes(dimensionOf(den)));
  if (!ok) {
    throw new AccountingError('UNIT_INCOMPATIBLE', `${where}: unit "${unit}" does not fit role ${role}.`, {
      role,
      unit,
    });
  }
};

const defaultParameter = (ctx: Ctx, candidates: readonly string[]): PackParameter | undefined => {
  const { period } = ctx.activity;
  for (const id of candidates) {
    const p = ctx.pack.document.parameters.find((x) => x.id === id);
    if (!p) continue;
    if (!p.applicablePeriod || covers(p.applicablePeriod.from, p.applicablePeriod.to, period)) return p;
  }
  return undefined;
};

const resolveParameter = (
  ctx: Ctx,
  st: PackSourceType,
  line: ActivityLine,
  role: ParameterRole,
): ResolvedParameter | null => {
  const where = `line ${line.sourceId}`;
  const measured = (line.measuredFactors ?? []).filter((m) => m.role === role);
  if (measured.length > 1) {
    throw new AccountingError('ACTIVITY_INVALID', `${where}: more than one measured factor for ${role}.`);
  }
  const m = measured[0];
  if (m) {
    const reference = m.evidence?.reference.trim() ?? '';
    const problem =
      reference === ''
        ? 'has no evidence reference'
        : !covers(m.validFrom, m.validTo, ctx.activity.period)
          ? `validity ${m.validFrom ?? '?'}..${m.validTo ?? '?'} does not cover ${ctx.activity.period.start}..${ctx.activity.period.end}`
          : null;
    if (problem === null) {
      checkRoleUnit(role, m.unit, where);
      if (
        (role === 'oxidationRate' || role === 'gasMassFraction') &&
        convert(new Dec(m.value), m.unit, '1').gt(1)
      ) {
        throw new AccountingError(
          'ACTIVITY_INVALID',
          `${where}: measured ${role} ${m.value} ${m.unit} exceeds 1.`,
        );
      }
      return {
        role,
        value: str(new Dec(m.value)),
        unit: m.unit,
        source: 'measured',
        evidence: { reference, ...(m.evidence?.kind ? { kind: m.evidence.kind } : {}) },
        validFrom: m.validFrom,
        validTo: m.validTo,
      };
    }
    if (ctx.options.invalidMeasuredFactor !== 'use-default') {
      throw new AccountingError('MEASURED_FACTOR_NOT_VALID', `${where}: measured ${role} ${problem}.`, {
        sourceId: line.sourceId,
        role,
      });
    }
    ctx.warnings.push(`${where}: measured ${role} ignored (${problem}); pack default used.`);
  }
  const candidates = st.parameters[role];
  if (candidates === undefined) return null;
  const p = defaultParameter(ctx, candidates);
  if (!p) {
    throw new AccountingError(
      'PARAMETER_MISSING',
      `${where}: source type ${st.id} has no applicable default ${role} for ${ctx.activity.period.start}..${ctx.activity.period.end}; supply a measured factor with evidence.`,
      { sourceId: line.sourceId, role },
    );
  }
  checkRoleUnit(role, p.unit, `parameter ${p.id}`);
  return {
    role,
    value: p.value,
    unit: p.unit,
    source: 'default',
    parameterId: p.id,
    citation: citationOf(ctx.pack, p.citation),
  };
};

const required = (p: ResolvedParameter | null, role: string, sourceId: string): ResolvedParameter => {
  if (!p) throw new AccountingError('PARAMETER_MISSING', `line ${sourceId}: no ${role}.`, { sourceId, role });
  return p;
};

const treatmentOf = (ctx: Ctx, st: PackSourceType): Treatment => {
  if (st.method === 'exported-energy') {
    return ctx.pack.document.exports.deductFromTotal ? 'exported-deducted' : 'exported-memo';
  }
  if (st.scope === null) {
    throw new AccountingError('PACK_INVALID', `source type ${st.id} has no scope and is not an export.`);
  }
  return `scope${st.scope}`;
};

interface LineResult {
  readonly line: InventoryLine;
  readonly co2e: Dec;
  readonly gasMass: Dec;
  readonly st: PackSourceType;
  /** activity quantity in MWh for purchased electricity (market-based) */
  readonly electricityMWh?: Dec;
}

const calculateLine = (ctx: Ctx, line: ActivityLine): LineResult => {
  const doc = ctx.pack.document;
  const st = doc.sourceTypes.find((s) => s.id === line.sourceType);
  if (!st) {
    throw new AccountingError(
      'SOURCE_TYPE_UNKNOWN',
      `line ${line.sourceId}: "${line.sourceType}" is not in ${ctx.pack.ref}.`,
      { sourceId: line.sourceId, sourceType: line.sourceType },
    );
  }
  for (const m of line.measuredFactors ?? []) {
    if (!Object.hasOwn(st.parameters, m.role)) {
      throw new AccountingError(
        'ACTIVITY_INVALID',
        `line ${line.sourceId}: method ${st.method} has no parameter ${m.role}.`,
      );
    }
  }
  const conversions: Conversion[] = [];
  const steps: (Quantity & { name: string })[] = [];
  const conv = (of: string, value: Dec, from: string, to: string): Dec => {
    if (from === to) return value;
    const out = convert(value, from, to);
    conversions.push({
      of,
      from: { value: str(value), unit: from },
      to: { value: str(out), unit: to },
      factor: str(conversionFactor(from, to)),
    });
    return out;
  };
  const qty = new Dec(line.quantity);
  let gasMass: Dec;
  let electricityMWh: Dec | undefined;
  const parameters: ResolvedParameter[] = [];
  const gwpEntry = Object.hasOwn(doc.gwp.values, st.gas) ? doc.gwp.values[st.gas] : undefined;

  switch (st.method) {
    case 'fuel-combustion': {
      const ncv = required(resolveParameter(ctx, st, line, 'ncv'), 'ncv', line.sourceId);
      const cc = required(resolveParameter(ctx, st, line, 'carbonContent'), 'carbonContent', line.sourceId);
      const of = required(resolveParameter(ctx, st, line, 'oxidationRate'), 'oxidationRate', line.sourceId);
      parameters.push(ncv, cc, of);
      const ncvU = parseCompound(ncv.unit);
      const ccU = parseCompound(cc.unit);
      const fc = conv('FC', qty, line.unit, ncvU.den as string);
      const energy = fc.mul(ncv.value);
      steps.push({ name: 'heat = FC × NCV', value: str(energy), unit: ncvU.num });
      const energyForCc = conv('heat', energy, ncvU.num, ccU.den as string);
      const carbon = conv('carbon', energyForCc.mul(cc.value), ccU.num, 'tC');
      steps.push({ name: 'carbon = heat × CC', value: str(carbon), unit: 'tC' });
      const ofRatio = conv('OF', new Dec(of.value), of.unit, '1');
      const oxidised = carbon.mul(ofRatio);
      steps.push({ name: 'oxidised carbon = carbon × OF', value: str(oxidised), unit: 'tC' });
      // multiply before dividing so the only inexact step is the final /12
      gasMass = oxidised.mul(44).div(12);
      break;
    }
    case 'gas-mass': {
      const q = conv('Q', qty, line.unit, 't');
      const w = resolveParameter(ctx, st, line, 'gasMassFraction');
      if (w) {
        parameters.push(w);
        gasMass = q.mul(conv('w', new Dec(w.value), w.unit, '1'));
      } else {
        gasMass = q;
      }
      break;
    }
    case 'purchased-energy':
    case 'exported-energy': {
      const ef = required(resolveParameter(ctx, st, line, 'emissionFactor'), 'emissionFactor', line.sourceId);
      parameters.push(ef);
      const efU = parseCompound(ef.unit);
      const ad = conv('AD', qty, line.unit, efU.den as string);
      const target = dimensionOf(efU.num) === 'co2e-mass' ? 'tCO2e' : 'tCO2';
      gasMass = conv('E', ad.mul(ef.value), efU.num, target);
      if (st.method === 'purchased-energy' && st.energyCarrier === 'electricity') {
        electricityMWh = convert(qty, line.unit, 'MWh');
      }
      break;
    }
    case 'reported-co2e': {
      gasMass = conv('E', qty, line.unit, 'tCO2e');
      break;
    }
  }
  if (st.method !== 'reported-co2e' && !gwpEntry) {
    throw new AccountingError('GWP_MISSING', `gas ${st.gas} has no GWP in ${ctx.pack.ref}.`, { gas: st.gas });
  }
  const co2e = gwpEntry ? gasMass.mul(gwpEntry.value) : gasMass;
  const inventoryLine: InventoryLine = {
    sourceId: line.sourceId,
    sourceType: st.id,
    ...(line.description ? { description: line.description } : {}),
    category: st.category,
    method: st.method,
    scope: st.scope,
    isoCategory: st.isoCategory ?? null,
    treatment: treatmentOf(ctx, st),
    gas: st.gas,
    gasFamily: gwpEntry?.family ?? 'unspecified',
    formula: st.formula ?? FORMULAS[st.method],
    input: { value: str(qty), unit: line.unit, evidence: line.evidence },
    parameters,
    gwp: gwpEntry?.value ?? null,
    conversions,
    steps,
    gasMass: ctx.figure(gasMass, 'lines'),
    co2e: ctx.figure(co2e, 'lines'),
  };
  return { line: inventoryLine, co2e, gasMass, st, ...(electricityMWh ? { electricityMWh } : {}) };
};

const sumBy = <K extends string>(items: readonly { key: K; value: Dec }[]): Map<K, Dec> => {
  const out = new Map<K, Dec>();
  for (const { key, value } of items) out.set(key, (out.get(key) ?? ZERO).add(value));
  return out;
};

const marketBased = (ctx: Ctx, results: readonly LineResult[]): { mb: MarketBased; total: Dec } | null => {
  const cfg = ctx.pack.document.scope2?.marketBased;
  const instruments = ctx.activity.marketInstruments ?? [];
  if (!cfg) {
    if (instruments.length > 0) {
      ctx.warnings.push(`${ctx.pack.ref} defines no market-based method; market instruments not applied.`);
    }
    return null;
  }
  const { period } = ctx.activity;
  const elec = results.filter((r) => r.electricityMWh !== undefined);
  const heat = results.filter((r) => r.st.method === 'purchased-energy' && r.electricityMWh === undefined);
  const electricity = elec.reduce((a, r) => a.add(r.electricityMWh as Dec), ZERO);
  const elecLocation = elec.reduce((a, r) => a.add(r.co2e), ZERO);
  const heatCo2e = heat.reduce((a, r) => a.add(r.co2e), ZERO);
  let offered = ZERO;
  const used: MarketBased['instruments'][number][] = [];
  for (const inst of [...instruments].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (!cfg.instruments.includes(inst.kind)) {
      throw new AccountingError(
        'ACTIVITY_INVALID',
        `instrument ${inst.id}: ${ctx.pack.ref} does not accept ${inst.kind}.`,
      );
    }
    if (inst.period.start < period.start || inst.period.end > period.end) {
      throw new AccountingError(
        'ACTIVITY_INVALID',
        `instrument ${inst.id}: period ${inst.period.start}..${inst.period.end} lies outside the activity period.`,
      );
    }
    const mwh = convert(new Dec(inst.quantity), inst.unit, 'MWh');
    offered = offered.add(mwh);
    used.push({ id: inst.id, kind: inst.kind, value: str(mwh), unit: 'MWh', evidence: inst.evidence });
  }
  const applied = Dec.min(offered, electricity);
  const uncovered = electricity.sub(applied);
  let residual: ResolvedParameter | null = null;
  const residualParam = defaultParameter(ctx, cfg.residualFactor);
  let elecMarket: Dec;
  if (residualParam) {
    checkRoleUnit('emissionFactor', residualParam.unit, `parameter ${residualParam.id}`);
    residual = {
      role: 'emissionFactor',
      value: residualParam.value,
      unit: residualParam.unit,
      source: 'default',
      parameterId: residualParam.id,
      citation: citationOf(ctx.pack, residualParam.citation),
    };
    const u = parseCompound(residualParam.unit);
    elecMarket = convert(convert(uncovered, 'MWh', u.den as string).mul(residualParam.value), u.num, 'tCO2');
  } else {
    // No residual mix published: the uncovered share keeps the location-based factor (GHG Protocol Scope 2
    // Guidance falls back to the grid average). Multiply first so a single-factor case stays exact.
    elecMarket = electricity.isZero() ? ZERO : elecLocation.mul(uncovered).div(electricity);
  }
  const scope2 = elecMarket.add(heatCo2e);
  return {
    total: scope2,
    mb: {
      electricity: { value: str(electricity), unit: 'MWh' },
      instruments: used,
      applied: { value: str(applied), unit: 'MWh' },
      unapplied: { value: str(offered.sub(applied)), unit: 'MWh' },
      uncovered: { value: str(uncovered), unit: 'MWh' },
      factorMethod: residual ? 'residual-factor' : 'location-factor-fallback',
      residualFactor: residual,
      electricityCo2e: ctx.figure(elecMarket, 'totals'),
      heatCo2e: ctx.figure(heatCo2e, 'totals'),
      scope2: ctx.figure(scope2, 'totals'),
    },
  };
};

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T): number =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** The activity with lines sorted by sourceId and instruments by id: what `activityHash` covers. */
export const normalisedActivity = (a: Activity): Activity => ({
  ...a,
  lines: [...a.lines].sort(byKey((l) => l.sourceId)),
  ...(a.marketInstruments ? { marketInstruments: [...a.marketInstruments].sort(byKey((i) => i.id)) } : {}),
});

/**
 * Calculates an inventory. Pure and deterministic: the same pack and activity give a byte-identical
 * `inventoryToCanonicalJson` output. Throws `AccountingError` for every refusal.
 */
export const calculate = (pack: Pack, activityInput: unknown, options: CalculateOptions = {}): Inventory => {
  if (options.expectedPackHash !== undefined) assertPackHash(pack, options.expectedPackHash);
  const activity = parseActivity(activityInput);
  const { rounding } = pack.document;
  const figure = (d: Dec, cls: 'lines' | 'totals' | 'intensity'): Figure => ({
    exact: str(d),
    reported: rounding.appliesTo.includes(cls)
      ? str(d.toDecimalPlaces(rounding.decimalPlaces, roundingModes[rounding.mode]))
      : str(d),
  });
  const ctx: Ctx = { pack, activity, options, warnings: [], figure };

  const seen = new Set<string>();
  for (const l of activity.lines) {
    if (seen.has(l.sourceId)) {
      throw new AccountingError('DUPLICATE_SOURCE_ID', `sourceId "${l.sourceId}" appears twice.`, {
        sourceId: l.sourceId,
      });
    }
    seen.add(l.sourceId);
  }
  const lines = [...activity.lines].sort(byKey((l) => l.sourceId));
  const results = lines.map((l) => calculateLine(ctx, l));

  const signed = (r: LineResult): Dec | null =>
    r.line.treatment === 'exported-memo'
      ? null
      : r.line.treatment === 'exported-deducted'
        ? r.co2e.neg()
        : r.co2e;
  const counted = results.filter((r) => signed(r) !== null);
  const byTreatment = sumBy(results.map((r) => ({ key: r.line.treatment, value: r.co2e })));
  const get = (t: Treatment) => byTreatment.get(t) ?? ZERO;
  const exported = get('exported-deducted').add(get('exported-memo'));
  const location = get('scope1').add(get('scope2')).add(get('scope3')).sub(get('exported-deducted'));
  const mb = marketBased(ctx, results);
  const market = mb ? location.sub(get('scope2')).add(mb.total) : null;

  const byGasCo2e = sumBy(counted.map((r) => ({ key: r.line.gasFamily, value: signed(r) as Dec })));
  const byGasMass = sumBy(
    counted.map((r) => ({
      key: r.line.gasFamily,
      value: r.line.treatment === 'exported-deducted' ? r.gasMass.neg() : r.gasMass,
    })),
  );
  const byGas = Object.fromEntries(
    GAS_FAMILIES.map((g) => [
      g,
      { mass: figure(byGasMass.get(g) ?? ZERO, 'totals'), co2e: figure(byGasCo2e.get(g) ?? ZERO, 'totals') },
    ]),
  ) as Record<GasFamily | 'unspecified', GasTotal>;
  const toFigures = (m: Map<string, Dec>) =>
    Object.fromEntries([...m.entries()].map(([k, v]) => [k, figure(v, 'totals')]));
  const byIso = sumBy(
    results
      .filter((r) => r.line.isoCategory !== null && r.line.treatment.startsWith('scope'))
      .map((r) => ({ key: String(r.line.isoCategory), value: r.co2e })),
  );

  const intensity = (den: Dec, denUnit: string, denValue: string): Intensity => ({
    denominator: { value: denValue, unit: denUnit },
    unit: `tCO2e/${denUnit}`,
    location: figure(location.div(den), 'intensity'),
    market: market ? figure(market.div(den), 'intensity') : null,
  });
  const out = activity.output;
  const rev = activity.revenue;

  return {
    schema: 'opencep.inventory/1',
    engine: ENGINE,
    pack: {
      id: pack.document.id,
      version: pack.document.version,
      hash: pack.hash,
      gwpSet: pack.document.gwp.set,
    },
    activityHash: canonicalHash(normalisedActivity(activity)),
    enterprise: activity.enterprise,
    period: activity.period,
    unit: 'tCO2e',
    lines: results.map((r) => r.line),
    totals: {
      bySource: Object.fromEntries(results.map((r) => [r.line.sourceId, r.line.co2e])),
      byCategory: toFigures(sumBy(counted.map((r) => ({ key: r.line.category, value: signed(r) as Dec })))),
      byGas,
      byScope: {
        scope1: figure(get('scope1'), 'totals'),
        scope2Location: figure(get('scope2'), 'totals'),
        scope2Market: mb ? mb.mb.scope2 : null,
        scope3: figure(get('scope3'), 'totals'),
      },
      byIsoCategory: toFigures(byIso),
      exported: {
        co2e: figure(exported, 'totals'),
        deductedFromTotal: pack.document.exports.deductFromTotal,
      },
      location: figure(location, 'totals'),
      market: market ? figure(market, 'totals') : null,
    },
    scope2MarketBased: mb ? mb.mb : null,
    intensity: {
      perOutput: out ? intensity(new Dec(out.quantity), out.unit, str(new Dec(out.quantity))) : null,
      perRevenue: rev ? intensity(new Dec(rev.amount), rev.unit, str(new Dec(rev.amount))) : null,
    },
    warnings: ctx.warnings,
  };
};

/** RFC 8785 canonical JSON of an inventory: the byte form that is hashed, signed and anchored. */
export const inventoryToCanonicalJson = (inventory: Inventory): string => canonicalize(inventory) as string;

export const inventoryHash = (inventory: Inventory): string => canonicalHash(inventory);
