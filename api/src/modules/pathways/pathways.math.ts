import highsLoader from 'highs';
import { Decimal } from '../../core/scalars';

/**
 * Pure pathway mathematics: annualised cost, marginal abatement cost curve (MACC) and the least-cost
 * pathway as a mixed-integer programme solved by HiGHS (WASM). Floats only inside the solver; inputs and
 * reported figures are decimal strings, and the cost of the chosen plan is recomputed in decimal.js.
 */
export interface MeasureInput {
  code: string;
  name?: string;
  capex: string;
  opex: string;
  annualSavings?: string;
  lifetimeYears: number;
  abatement: string;
  energyEffect?: Record<string, string>;
}

export interface PathwayTargets {
  /** Emissions in years ≥ peakYear never rise year on year. */
  peakYear?: number;
  /** Percentage cut against the base-year emissions, reached by the given year and kept afterwards. */
  cuts?: { year: number; percent: string }[];
  /** Net zero from this year (remaining emissions covered by credits at creditPrice, up to creditLimit). */
  neutralityYear?: number;
}

export interface PathwayProblem {
  baseYear: number;
  baseEmissions: string;
  /** Business-as-usual growth per year in percent (default 0). */
  growthPercent?: string;
  startYear: number;
  endYear: number;
  discountRatePercent?: string;
  measures: MeasureInput[];
  /** Capex budget per year (CNY); `annualBudgets` override per year. */
  annualBudget?: string;
  annualBudgets?: { year: number; amount: string }[];
  totalBudget?: string;
  targets: PathwayTargets;
  creditPrice?: string;
  creditLimit?: string;
}

export interface PathwayYear {
  year: number;
  baseline: string;
  abatement: string;
  emissions: string;
  credits: string;
  net: string;
  capex: string;
  opex: string;
  adopted: string[];
}

export type PathwayResult =
  | {
      status: 'OPTIMAL';
      method: string;
      objective: string;
      totalCapex: string;
      adoptions: { code: string; year: number }[];
      years: PathwayYear[];
    }
  | { status: 'INFEASIBLE'; method: string; reason: string };

export class PathwayInputError extends Error {
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

/** Capital recovery factor r(1+r)^n / ((1+r)^n − 1); 1/n when r = 0. */
export function capitalRecoveryFactor(ratePercent: Decimal.Value, years: number): Decimal {
  const r = new Decimal(ratePercent).div(100);
  if (r.isZero()) return new Decimal(1).div(years);
  const f = r.add(1).pow(years);
  return r.mul(f).div(f.sub(1));
}

export interface MaccEntry {
  code: string;
  name: string;
  annualisedCost: string;
  abatement: string;
  /** CNY per tCO2e (negative = saves money); null when the measure abates nothing. */
  costPerTonne: string | null;
  cumulativeAbatement: string;
}

/** Marginal abatement cost curve: (capex·CRF + opex − savings) / abatement, sorted ascending. */
export function maccCurve(measures: MeasureInput[], discountRatePercent: Decimal.Value = '8'): MaccEntry[] {
  const rows = measures.map((m) => {
    const annual = new Decimal(m.capex)
      .mul(capitalRecoveryFactor(discountRatePercent, m.lifetimeYears))
      .add(m.opex)
      .sub(m.annualSavings ?? 0);
    const a = new Decimal(m.abatement);
    return { m, annual, a, cpt: a.gt(0) ? annual.div(a) : null };
  });
  rows.sort((x, y) => {
    if (x.cpt === null) return y.cpt === null ? x.m.code.localeCompare(y.m.code) : 1;
    if (y.cpt === null) return -1;
    return x.cpt.cmp(y.cpt) || x.m.code.localeCompare(y.m.code);
  });
  let cum = new Decimal(0);
  return rows.map((r) => {
    cum = cum.add(r.a);
    return {
      code: r.m.code,
      name: r.m.name ?? r.m.code,
      annualisedCost: r.annual.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(),
      abatement: r.a.toFixed(),
      costPerTonne: r.cpt ? r.cpt.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed() : null,
      cumulativeAbatement: cum.toFixed(),
    };
  });
}

function addError(errors: Record<string, string[]>, field: string, message: string): void {
  errors[field] = [...(errors[field] ?? []), message];
}

const num = (s: string | undefined, field: string, errors: Record<string, string[]>): Decimal => {
  try {
    const d = new Decimal(s ?? '0');
    if (!d.isFinite()) throw new Error();
    return d;
  } catch {
    addError(errors, field, 'not a decimal number');
    return new Decimal(0);
  }
};

interface Prepared {
  years: number[];
  baseline: Map<number, Decimal>;
  df: Map<number, Decimal>;
  capBudget: Map<number, Decimal | null>;
  caps: Map<number, Decimal>;
}

function prepare(p: PathwayProblem): Prepared {
  const errors: Record<string, string[]> = {};
  if (!Number.isInteger(p.startYear) || !Number.isInteger(p.endYear) || p.endYear < p.startYear)
    errors.endYear = ['endYear must be an integer ≥ startYear'];
  if (p.endYear - p.startYear > 40) errors.endYear = ['horizon limited to 40 years'];
  if (!Number.isInteger(p.baseYear) || p.baseYear > p.startYear)
    errors.baseYear = ['baseYear must be an integer ≤ startYear'];
  if (p.measures.length === 0) errors.measures = ['at least one measure'];
  if (p.measures.length > 200) errors.measures = ['at most 200 measures'];
  const codes = new Set<string>();
  p.measures.forEach((m, i) => {
    if (codes.has(m.code)) addError(errors, `measures.${i}.code`, 'duplicate code');
    codes.add(m.code);
    if (!Number.isInteger(m.lifetimeYears) || m.lifetimeYears < 1)
      addError(errors, `measures.${i}.lifetimeYears`, 'integer ≥ 1');
    for (const f of ['capex', 'opex', 'abatement'] as const) num(m[f], `measures.${i}.${f}`, errors);
  });
  const base = num(p.baseEmissions, 'baseEmissions', errors);
  const growth = num(p.growthPercent, 'growthPercent', errors).div(100);
  const rate = num(p.discountRatePercent ?? '8', 'discountRatePercent', errors).div(100);
  if (Object.keys(errors).length) throw new PathwayInputError('Invalid pathway problem', errors);
  const years = Array.from({ length: p.endYear - p.startYear + 1 }, (_, i) => p.startYear + i);
  const baseline = new Map(years.map((y) => [y, base.mul(growth.add(1).pow(y - p.baseYear))]));
  const df = new Map(years.map((y) => [y, new Decimal(1).div(rate.add(1).pow(y - p.startYear))]));
  const override = new Map((p.annualBudgets ?? []).map((b) => [b.year, new Decimal(b.amount)]));
  const capBudget = new Map(
    years.map((y) => [y, override.get(y) ?? (p.annualBudget != null ? new Decimal(p.annualBudget) : null)]),
  );
  // Emission caps per year from the percentage cuts (each cut holds from its year on).
  const caps = new Map<number, Decimal>();
  for (const c of p.targets.cuts ?? []) {
    const cap = base.mul(new Decimal(1).sub(new Decimal(c.percent).div(100)));
    for (const y of years) if (y >= c.year) caps.set(y, Decimal.min(caps.get(y) ?? cap, cap));
  }
  return { years, baseline, df, capBudget, caps };
}

const f = (d: Decimal): string => d.toSignificantDigits(15).toFixed();

/**
 * Builds the MIP in CPLEX LP format.
 *   x_{m,t} ∈ {0,1}: measure m adopted (capex spent) in year t; Σ_t x_{m,t} ≤ 1.
 *   active_{m,t} = Σ_{τ ≤ t, t−τ < L_m} x_{m,τ} (a measure runs for its lifetime; no renewal).
 *   E_t = baseline_t − Σ_m a_m · active_{m,t}; c_t ≥ 0 credits bought (only with neutrality).
 *   min Σ_t df_t (Σ_m capex_m x_{m,t} + (opex_m − savings_m) active_{m,t} + price · c_t)
 *   s.t. Σ_m capex_m x_{m,t} ≤ B_t; Σ_{m,t} capex_m x_{m,t} ≤ B_total;
 *        E_t ≤ cap_t (percentage cuts); E_t ≤ E_{t−1} for t > peakYear; E_t − c_t ≤ 0 for t ≥ neutralityYear;
 *        c_t ≤ creditLimit.
 */
export function buildPathwayLp(p: PathwayProblem): string {
  const { years, baseline, df, capBudget, caps } = prepare(p);
  const M = p.measures;
  const x = (i: number, y: number) => `x_${i}_${y}`;
  const active = (i: number, t: number) =>
    years.filter((tau) => tau <= t && t - tau < (M[i] as MeasureInput).lifetimeYears).map((tau) => x(i, tau));
  const price = new Decimal(p.creditPrice ?? '0');
  const neutral = p.targets.neutralityYear;
  const credYears = neutral != null ? years.filter((y) => y >= neutral) : [];
  const obj: string[] = [];
  years.forEach((t) => {
    const d = df.get(t) as Decimal;
    M.forEach((m, i) => {
      // coefficient of x_{i,t}: capex·df_t + Σ_{s active} (opex − savings)·df_s
      let c = new Decimal(m.capex).mul(d);
      const net = new Decimal(m.opex).sub(m.annualSavings ?? 0);
      for (const s of years) if (s >= t && s - t < m.lifetimeYears) c = c.add(net.mul(df.get(s) as Decimal));
      obj.push(`${c.isNeg() ? '-' : '+'} ${f(c.abs())} ${x(i, t)}`);
    });
  });
  for (const t of credYears) obj.push(`+ ${f(price.mul(df.get(t) as Decimal))} c_${t}`);
  const rows: string[] = [];
  const emis = (t: number): string[] =>
    M.flatMap((m, i) => active(i, t).map((v) => `+ ${f(new Decimal(m.abatement))} ${v}`));
  // E_t = baseline − A_t  ⇒ constraints on A_t = Σ a·active.
  M.forEach((_, i) => {
    rows.push(` once_${i}: ${years.map((y) => `+ ${x(i, y)}`).join(' ')} <= 1`);
  });
  for (const t of years) {
    const b = capBudget.get(t);
    if (b != null)
      rows.push(
        ` budget_${t}: ${M.map((m, i) => `+ ${f(new Decimal(m.capex))} ${x(i, t)}`).join(' ')} <= ${f(b)}`,
      );
    const cap = caps.get(t);
    // baseline − A ≤ cap  ⇔  A ≥ baseline − cap
    if (cap != null) {
      const need = (baseline.get(t) as Decimal).sub(cap);
      const terms = emis(t);
      if (terms.length) rows.push(` cut_${t}: ${terms.join(' ')} >= ${f(need)}`);
      else if (need.gt(0)) rows.push(` cut_${t}: 0 x_0_${years[0]} >= ${f(need)}`);
    }
    if (p.targets.peakYear != null && t > p.targets.peakYear && t - 1 >= (years[0] as number)) {
      // E_t ≤ E_{t−1} ⇔ A_t − A_{t−1} ≥ baseline_t − baseline_{t−1}
      const need = (baseline.get(t) as Decimal).sub(baseline.get(t - 1) as Decimal);
      const prev = M.flatMap((m, i) => active(i, t - 1).map((v) => `- ${f(new Decimal(m.abatement))} ${v}`));
      const terms = [...emis(t), ...prev];
      rows.push(` peak_${t}: ${terms.length ? terms.join(' ') : `0 x_0_${years[0]}`} >= ${f(need)}`);
    }
    if (credYears.includes(t)) {
      // baseline − A − c ≤ 0 ⇔ A + c ≥ baseline
      rows.push(` neutral_${t}: ${[...emis(t), `+ c_${t}`].join(' ')} >= ${f(baseline.get(t) as Decimal)}`);
    }
  }
  if (p.totalBudget != null) {
    rows.push(
      ` budget_total: ${years.flatMap((t) => M.map((m, i) => `+ ${f(new Decimal(m.capex))} ${x(i, t)}`)).join(' ')} <= ${f(new Decimal(p.totalBudget))}`,
    );
  }
  const bounds = credYears.map((t) =>
    p.creditLimit != null ? ` 0 <= c_${t} <= ${f(new Decimal(p.creditLimit))}` : ` c_${t} >= 0`,
  );
  const bins = years.flatMap((t) => M.map((_, i) => ` ${x(i, t)}`));
  return [
    'Minimize',
    ` obj: ${obj.join(' ')}`,
    'Subject To',
    ...rows,
    'Bounds',
    ...bounds,
    'Binary',
    ...bins,
    'End',
  ].join('\n');
}

type HighsInstance = Awaited<ReturnType<typeof highsLoader>>;
let solver: Promise<HighsInstance> | null = null;
const loadSolver = (): Promise<HighsInstance> => {
  solver ??= highsLoader();
  return solver;
};

export const PATHWAY_METHOD =
  'MILP (HiGHS branch-and-bound): binary adopt decision per measure and year, each measure at most once, ' +
  'runs for its lifetime; minimise discounted capex + net opex + credits subject to annual/total capex ' +
  'budgets, percentage-cut caps, non-increasing emissions after the peak year and net zero from the ' +
  'neutrality year.';

/** Solves the least-cost pathway. Infeasible targets give status INFEASIBLE with a reason. */
export async function solvePathway(p: PathwayProblem): Promise<PathwayResult> {
  const lp = buildPathwayLp(p);
  const { years, baseline, df } = prepare(p);
  const highs = await loadSolver();
  const sol = highs.solve(lp, { time_limit: 20, mip_rel_gap: 0 });
  if (sol.Status === 'Infeasible' || sol.Status === 'Primal infeasible or unbounded') {
    return {
      status: 'INFEASIBLE',
      method: PATHWAY_METHOD,
      reason:
        'No combination of the measures meets the targets within the budgets (add measures, allow credits or relax targets/budgets).',
    };
  }
  if (sol.Status !== 'Optimal') {
    return { status: 'INFEASIBLE', method: PATHWAY_METHOD, reason: `Solver stopped: ${sol.Status}` };
  }
  const cols = sol.Columns as Record<string, { Primal: number }>;
  const adoptions: { code: string; year: number }[] = [];
  p.measures.forEach((m, i) => {
    for (const y of years)
      if ((cols[`x_${i}_${y}`]?.Primal ?? 0) > 0.5) adoptions.push({ code: m.code, year: y });
  });
  // Recompute every reported figure in decimal from the chosen plan.
  const byCode = new Map(p.measures.map((m) => [m.code, m]));
  let objective = new Decimal(0);
  let totalCapex = new Decimal(0);
  const out: PathwayYear[] = years.map((t) => {
    let abat = new Decimal(0);
    let capex = new Decimal(0);
    let opex = new Decimal(0);
    for (const a of adoptions) {
      const m = byCode.get(a.code) as MeasureInput;
      if (a.year === t) capex = capex.add(m.capex);
      if (a.year <= t && t - a.year < m.lifetimeYears) {
        abat = abat.add(m.abatement);
        opex = opex.add(new Decimal(m.opex).sub(m.annualSavings ?? 0));
      }
    }
    const base = baseline.get(t) as Decimal;
    const emissions = base.sub(abat);
    const neutral = p.targets.neutralityYear != null && t >= p.targets.neutralityYear;
    const credits = neutral ? Decimal.max(emissions, 0) : new Decimal(0);
    const d = df.get(t) as Decimal;
    objective = objective.add(
      capex
        .add(opex)
        .add(credits.mul(p.creditPrice ?? '0'))
        .mul(d),
    );
    totalCapex = totalCapex.add(capex);
    const r6 = (v: Decimal) => v.toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed();
    return {
      year: t,
      baseline: r6(base),
      abatement: r6(abat),
      emissions: r6(emissions),
      credits: r6(credits),
      net: r6(emissions.sub(credits)),
      capex: r6(capex),
      opex: r6(opex),
      adopted: adoptions.filter((a) => a.year === t).map((a) => a.code),
    };
  });
  return {
    status: 'OPTIMAL',
    method: PATHWAY_METHOD,
    objective: objective.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(),
    totalCapex: totalCapex.toFixed(),
    adoptions,
    years: out,
  };
}
