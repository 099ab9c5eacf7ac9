import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import { Decimal } from '../../core/scalars';
import { recordAudit } from '../audit';
import { MEASURE_CATALOGUE } from './pathways.catalogue';
import {
  type MeasureInput,
  maccCurve,
  PathwayInputError,
  type PathwayProblem,
  type PathwayResult,
  solvePathway,
} from './pathways.math';
import {
  MaccPoint,
  PathwayMeasure,
  PathwayScenario,
  type RunPathwayScenarioInput,
  type SavePathwayMeasureInput,
} from './pathways.types';

interface MeasureRow {
  id: string;
  code: string;
  kind: string;
  name: string;
  capex: string;
  opex: string;
  annual_savings: string;
  lifetime_years: number;
  abatement: string;
  energy_effect: Record<string, string>;
  profile: string[] | null;
}

const catalogueMeasures = (): PathwayMeasure[] =>
  MEASURE_CATALOGUE.map((m) =>
    Object.assign(new PathwayMeasure(), {
      id: null,
      code: m.code,
      kind: m.kind,
      name: m.name,
      capex: new Decimal(m.capex),
      opex: new Decimal(m.opex),
      annualSavings: new Decimal(m.annualSavings),
      lifetimeYears: m.lifetimeYears,
      abatement: new Decimal(m.abatement),
      energyEffect: JSON.stringify(m.energyEffect),
      profile: m.profile ?? null,
      source: 'CATALOGUE',
    }),
  );

/** Enterprise measures override catalogue defaults with the same code. */
async function measuresIn(em: EntityManager, enterpriseId: string): Promise<PathwayMeasure[]> {
  const rows = (await em.query(
    `SELECT id, code, kind, name, capex::text, opex::text, annual_savings::text, lifetime_years, abatement::text,
            energy_effect, profile FROM pathway_measure WHERE enterprise_id = $1 ORDER BY code`,
    [enterpriseId],
  )) as MeasureRow[];
  const own = rows.map((r) =>
    Object.assign(new PathwayMeasure(), {
      id: r.id,
      code: r.code,
      kind: r.kind,
      name: r.name,
      capex: new Decimal(r.capex),
      opex: new Decimal(r.opex),
      annualSavings: new Decimal(r.annual_savings),
      lifetimeYears: r.lifetime_years,
      abatement: new Decimal(r.abatement),
      energyEffect: JSON.stringify(r.energy_effect),
      profile: r.profile,
      source: 'ENTERPRISE',
    }),
  );
  const codes = new Set(own.map((m) => m.code));
  return [...own, ...catalogueMeasures().filter((m) => !codes.has(m.code))];
}

const toInput = (m: PathwayMeasure): MeasureInput => ({
  code: m.code,
  name: m.name,
  capex: m.capex.toFixed(),
  opex: m.opex.toFixed(),
  annualSavings: m.annualSavings.toFixed(),
  lifetimeYears: m.lifetimeYears,
  abatement: m.abatement.toFixed(),
  energyEffect: JSON.parse(m.energyEffect) as Record<string, string>,
});

interface ScenarioRow {
  id: string;
  enterprise_id: string;
  name: string;
  status: string;
  inputs: PathwayProblem;
  result: PathwayResult;
  created_at: Date;
}

function toScenario(r: ScenarioRow): PathwayScenario {
  const res = r.result;
  const ok = res.status === 'OPTIMAL';
  return Object.assign(new PathwayScenario(), {
    id: r.id,
    enterpriseId: r.enterprise_id,
    name: r.name,
    status: res.status,
    method: res.method,
    reason: ok ? null : res.reason,
    totalCost: ok ? new Decimal(res.objective) : null,
    totalCapex: ok ? new Decimal(res.totalCapex) : null,
    adoptions: ok ? res.adoptions : [],
    years: ok
      ? res.years.map((y) => ({
          year: y.year,
          adopted: y.adopted,
          baseline: new Decimal(y.baseline),
          abatement: new Decimal(y.abatement),
          emissions: new Decimal(y.emissions),
          credits: new Decimal(y.credits),
          net: new Decimal(y.net),
          capex: new Decimal(y.capex),
          opex: new Decimal(y.opex),
        }))
      : [],
    inputs: JSON.stringify(r.inputs),
    createdAt: r.created_at,
  });
}

const SCENARIO_SQL = `SELECT id, enterprise_id, name, status, inputs, result, created_at FROM pathway_scenario`;
const dec = (d: Decimal | undefined | null) => (d == null ? undefined : d.toFixed());

export const PathwaysService = {
  measures(ctx: RequestContext, enterpriseId: string): Promise<PathwayMeasure[]> {
    return withTenant(ctx, 'accounting:read', (em) => measuresIn(em, enterpriseId));
  },

  macc(ctx: RequestContext, enterpriseId: string, discountRatePercent?: Decimal): Promise<MaccPoint[]> {
    return withTenant(ctx, 'accounting:read', async (em) => {
      const ms = (await measuresIn(em, enterpriseId)).map(toInput);
      return maccCurve(ms, discountRatePercent ?? '8').map((p) =>
        Object.assign(new MaccPoint(), {
          code: p.code,
          name: p.name,
          annualisedCost: new Decimal(p.annualisedCost),
          abatement: new Decimal(p.abatement),
          costPerTonne: p.costPerTonne == null ? null : new Decimal(p.costPerTonne),
          cumulativeAbatement: new Decimal(p.cumulativeAbatement),
        }),
      );
    });
  },

  saveMeasure(ctx: RequestContext, input: SavePathwayMeasureInput): Promise<PathwayMeasure> {
    let effect: Record<string, string> = {};
    if (input.energyEffect) {
      try {
        const parsed = JSON.parse(input.energyEffect) as unknown;
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
        effect = Object.fromEntries(
          Object.entries(parsed).map(([k, v]) => [k, new Decimal(String(v)).toFixed()]),
        );
      } catch {
        throw new UserInputError('energyEffect must be a JSON object of decimals', {
          energyEffect: ['invalid'],
        });
      }
    }
    if (input.capex.isNeg() || input.abatement.isNeg())
      throw new UserInputError('capex and abatement must be ≥ 0', { capex: ['≥ 0'] });
    return withTenant(ctx, 'accounting:write', async (em) => {
      await em.query(
        `INSERT INTO pathway_measure (enterprise_id, code, kind, name, capex, opex, annual_savings, lifetime_years,
           abatement, energy_effect)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
         ON CONFLICT (enterprise_id, code) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,
           capex = EXCLUDED.capex, opex = EXCLUDED.opex, annual_savings = EXCLUDED.annual_savings,
           lifetime_years = EXCLUDED.lifetime_years, abatement = EXCLUDED.abatement,
           energy_effect = EXCLUDED.energy_effect, updated_at = now()`,
        [
          input.enterpriseId,
          input.code,
          input.kind,
          input.name,
          input.capex.toFixed(),
          input.opex.toFixed(),
          (input.annualSavings ?? new Decimal(0)).toFixed(),
          input.lifetimeYears,
          input.abatement.toFixed(),
          JSON.stringify(effect),
        ],
      );
      const m = (await measuresIn(em, input.enterpriseId)).find(
        (x) => x.code === input.code,
      ) as PathwayMeasure;
      await recordAudit(em, ctx, {
        action: 'save',
        entity: 'PathwayMeasure',
        entityId: m.id ?? undefined,
        enterpriseId: input.enterpriseId,
        after: m,
      });
      return m;
    });
  },

  run(ctx: RequestContext, input: RunPathwayScenarioInput): Promise<PathwayScenario> {
    return withTenant(ctx, 'accounting:write', async (em) => {
      let base = input.baseEmissions;
      if (!base) {
        const [inv] = (await em.query(
          `SELECT coalesce(total_market, total_location)::text AS t FROM accounting_inventory
           WHERE enterprise_id = $1 AND site_id IS NULL AND period_kind = 'YEAR' AND state <> 'DRAFT'
             AND extract(year FROM period_start) = $2 ORDER BY revision DESC LIMIT 1`,
          [input.enterpriseId, input.baseYear],
        )) as { t: string }[];
        if (!inv)
          throw new UserInputError('No final inventory for the base year; give baseEmissions', {
            baseEmissions: ['required: no final inventory for baseYear'],
          });
        base = new Decimal(inv.t);
      }
      let measures = (await measuresIn(em, input.enterpriseId)).map(toInput);
      if (input.measureCodes?.length) {
        const unknown = input.measureCodes.filter((c) => !measures.some((m) => m.code === c));
        if (unknown.length) throw new UserInputError('Unknown measures', { measureCodes: unknown });
        measures = measures.filter((m) => input.measureCodes?.includes(m.code));
      }
      const problem: PathwayProblem = {
        baseYear: input.baseYear,
        baseEmissions: base.toFixed(),
        growthPercent: dec(input.growthPercent),
        startYear: input.startYear,
        endYear: input.endYear,
        discountRatePercent: dec(input.discountRatePercent),
        measures,
        annualBudget: dec(input.annualBudget),
        annualBudgets: input.annualBudgets?.map((b) => ({ year: b.year, amount: b.amount.toFixed() })),
        totalBudget: dec(input.totalBudget),
        targets: {
          peakYear: input.peakYear ?? undefined,
          cuts: input.cuts?.map((c) => ({ year: c.year, percent: c.percent.toFixed() })),
          neutralityYear: input.neutralityYear ?? undefined,
        },
        creditPrice: dec(input.creditPrice),
        creditLimit: dec(input.creditLimit),
      };
      let result: PathwayResult;
      try {
        result = await solvePathway(problem);
      } catch (e) {
        if (e instanceof PathwayInputError) throw new UserInputError(e.message, e.fieldErrors);
        throw e;
      }
      const [row] = (await em.query(
        `INSERT INTO pathway_scenario (enterprise_id, name, status, inputs, result, total_cost, created_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7)
         RETURNING id, enterprise_id, name, status, inputs, result, created_at`,
        [
          input.enterpriseId,
          input.name,
          result.status,
          JSON.stringify(problem),
          JSON.stringify(result),
          result.status === 'OPTIMAL' ? result.objective : null,
          ctx.auth.actorId,
        ],
      )) as [ScenarioRow];
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'PathwayScenario',
        entityId: row.id,
        enterpriseId: input.enterpriseId,
        after: { name: input.name, status: result.status },
      });
      return toScenario(row);
    });
  },

  scenarios(ctx: RequestContext, enterpriseId: string, ids?: string[] | null): Promise<PathwayScenario[]> {
    return withTenant(ctx, 'accounting:read', async (em) => {
      const rows = (await em.query(
        `${SCENARIO_SQL} WHERE enterprise_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
         ORDER BY created_at DESC, id LIMIT 100`,
        [enterpriseId, ids?.length ? ids : null],
      )) as ScenarioRow[];
      if (ids?.length && rows.length !== new Set(ids).size) throw new NotFoundError('PathwayScenario');
      return rows.map(toScenario);
    });
  },
};
