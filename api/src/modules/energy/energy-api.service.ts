import Decimal from 'decimal.js';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { ConflictError, NotFoundError, UserInputError } from '../../core/errors';
import type { Permission } from '../../core/permissions';
import { localPeriods } from './buckets';
import { TceError } from './coal';
import {
  compareNodes,
  consumption,
  dailyTrend,
  dashboardTotals,
  loadCurve,
  loadTariffPlans,
  type NodeRef,
  type Range,
  resolveNodeMeters,
  type Sql,
  saveTariffPlan,
  tceTotals,
  touSplit,
} from './energy.service';
import type { EnergyNodeKind } from './energy.types';
import { recordProduction, runningStandbyReport, unitConsumptionReport } from './production.service';
import { hubei202601Plans } from './tariff-catalog';
import { estimateLoadShift, shareOf, type TariffPlan, type TouSplit, validatePlan } from './tou';
import { createTransformer, transformerStatuses } from './transformer.service';
import { type GroupBy, parseProductionCsv } from './unit-consumption';

const MAX_RANGE_MS = 3 * 366 * 86_400_000;

function range(from: Date, to: Date): Range {
  if (!(to > from)) throw new UserInputError('`to` must be after `from`', { to: ['must be after from'] });
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw new UserInputError('range longer than 3 years');
  return { from, to };
}

/** Runs `fn` in the tenant transaction, turning domain validation failures into BAD_USER_INPUT. */
async function tenant<T>(
  ctx: RequestContext,
  permission: Permission,
  fn: (db: Sql) => Promise<T>,
): Promise<T> {
  try {
    return await withTenant(ctx, permission, (em: EntityManager) => fn(em));
  } catch (err) {
    return mapDbError(err);
  }
}

/**
 * Expected failures as API errors: domain validation (RangeError, TceError) is BAD_USER_INPUT, a
 * reference to a row that does not exist or is invisible under RLS is NOT_FOUND, a duplicate code is
 * CONFLICT, a malformed value BAD_USER_INPUT. Anything else propagates (and is hidden by formatError).
 */
export function mapDbError(err: unknown): never {
  if (err instanceof RangeError || err instanceof TceError) throw new UserInputError(err.message);
  const e = err as { driverError?: { code?: string }; code?: string } | null;
  const code = e?.driverError?.code ?? e?.code;
  if (code === '23503') throw new NotFoundError('Referenced row');
  if (code === '23505') throw new ConflictError('Already exists', { reason: 'DUPLICATE' });
  if (code === '22P02' || code === '22007' || code === '22008' || code === '23514') {
    throw new UserInputError('Invalid value');
  }
  throw err;
}

function node(enterpriseId: string, kind: EnergyNodeKind, id: string): NodeRef {
  return { kind, id: kind === 'ENTERPRISE' ? enterpriseId : id };
}

export function splitView(split: TouSplit, currency = 'CNY') {
  return {
    periods: shareOf(split).map((s) => ({ period: s.period, kwh: s.kwh, cost: s.cost, share: s.share })),
    totalKwh: split.totalKwh,
    totalCost: split.totalCost,
    unpricedKwh: split.unpricedKwh,
    currency,
  };
}

function planView(p: TariffPlan) {
  return {
    id: p.id,
    name: p.name,
    validFrom: p.validFrom,
    validTo: p.validTo,
    currency: p.currency,
    sharp: new Decimal(p.prices.sharp),
    peak: new Decimal(p.prices.peak),
    flat: new Decimal(p.prices.flat),
    valley: new Decimal(p.prices.valley),
    definition: JSON.stringify(p),
  };
}

/** Request-facing energy service: ctx first, one tenant transaction per call (docs/api-conventions.md). */
export const EnergyApi = {
  dashboard(
    ctx: RequestContext,
    enterpriseId: string,
    kind: EnergyNodeKind,
    id: string,
    at: Date = new Date(),
  ) {
    return tenant(ctx, 'aggregates:read', async (db) => {
      const ref = node(enterpriseId, kind, id);
      const nm = await resolveNodeMeters(db, enterpriseId, ref);
      const p = localPeriods(at, nm.utcOffsetMinutes);
      const [totals, tou, curve] = [
        await dashboardTotals(db, enterpriseId, ref, at, nm),
        await touSplit(db, enterpriseId, ref, { from: p.monthFrom, to: at }, nm),
        await loadCurve(db, enterpriseId, ref, { from: p.todayFrom, to: p.tomorrowFrom }, nm),
      ];
      const year = totals
        .filter((t) => t.period === 'year')
        .map((t) => ({ energyType: t.energyType, unit: t.unit, value: t.current }));
      return {
        totals: totals.map((t) => ({ ...t, from: t.range.from, to: t.range.to })),
        touMonth: splitView(tou.split, tou.plans[0]?.currency),
        loadCurve: curve,
        tceYear: tceTotals(year),
      };
    });
  },

  /**
   * Re-derives hierarchy-node membership and brings node rollups in line (incremental: only meters
   * that joined or left a node are added / subtracted; `full` rebuilds every node from the meter
   * rollups). Returns the number of node rollup rows written.
   */
  refreshNodeRollups(ctx: RequestContext, enterpriseId: string, full = false) {
    return tenant(ctx, 'energy:configure', async (db) => {
      const r = await db.query<{ n: number }[]>(`SELECT energy_refresh_node_rollups($1, $2) AS n`, [
        enterpriseId,
        full,
      ]);
      return Number(r[0]?.n ?? 0);
    });
  },

  consumption(
    ctx: RequestContext,
    enterpriseId: string,
    kind: EnergyNodeKind,
    id: string,
    from: Date,
    to: Date,
  ) {
    return tenant(ctx, 'aggregates:read', async (db) => {
      const [totals] = await consumption(db, enterpriseId, node(enterpriseId, kind, id), [range(from, to)]);
      return totals ?? [];
    });
  },

  touSplit(
    ctx: RequestContext,
    enterpriseId: string,
    kind: EnergyNodeKind,
    id: string,
    from: Date,
    to: Date,
  ) {
    return tenant(ctx, 'aggregates:read', async (db) => {
      const r = await touSplit(db, enterpriseId, node(enterpriseId, kind, id), range(from, to));
      return splitView(r.split, r.plans[0]?.currency);
    });
  },

  loadCurve(
    ctx: RequestContext,
    enterpriseId: string,
    kind: EnergyNodeKind,
    id: string,
    from: Date,
    to: Date,
  ) {
    return tenant(ctx, 'aggregates:read', (db) =>
      loadCurve(db, enterpriseId, node(enterpriseId, kind, id), range(from, to)),
    );
  },

  dailyTrend(
    ctx: RequestContext,
    enterpriseId: string,
    kind: EnergyNodeKind,
    id: string,
    from: Date,
    to: Date,
    energyType?: string | null,
  ) {
    return tenant(ctx, 'aggregates:read', (db) =>
      dailyTrend(
        db,
        enterpriseId,
        node(enterpriseId, kind, id),
        range(from, to),
        energyType ?? 'electricity',
      ),
    );
  },

  compare(
    ctx: RequestContext,
    enterpriseId: string,
    kind: 'SITE' | 'AREA' | 'LINE' | 'EQUIPMENT',
    from: Date,
    to: Date,
    opts: {
      parentId?: string | null;
      equipmentKind?: string | null;
      energyType?: string | null;
      limit?: number | null;
    },
  ) {
    return tenant(ctx, 'aggregates:read', async (db) => {
      const rows = await compareNodes(db, enterpriseId, kind, range(from, to), {
        parentId: opts.parentId,
        equipmentKind: opts.equipmentKind,
        energyType: opts.energyType ?? undefined,
        limit: opts.limit ?? undefined,
      });
      return rows.map((r) => ({
        kind: r.node.kind,
        id: r.node.id,
        name: r.name,
        energyType: r.energyType,
        unit: r.unit,
        value: r.value,
      }));
    });
  },

  loadShift(
    ctx: RequestContext,
    enterpriseId: string,
    equipmentId: string,
    from: Date,
    to: Date,
    fraction: Decimal,
  ) {
    return tenant(ctx, 'aggregates:read', async (db) => {
      const r = await touSplit(db, enterpriseId, { kind: 'EQUIPMENT', id: equipmentId }, range(from, to));
      const plan = r.plans[r.plans.length - 1];
      if (!plan) throw new UserInputError('no tariff plan covers this period');
      return estimateLoadShift(r.split, plan, fraction);
    });
  },

  transformers(ctx: RequestContext, enterpriseId: string) {
    return tenant(ctx, 'aggregates:read', (db) => transformerStatuses(db, enterpriseId));
  },

  async createTransformer(
    ctx: RequestContext,
    enterpriseId: string,
    input: Parameters<typeof createTransformer>[2],
  ) {
    return tenant(ctx, 'energy:configure', async (db) => {
      const id = await createTransformer(db, enterpriseId, input);
      return (await transformerStatuses(db, enterpriseId)).find((t) => t.id === id)!;
    });
  },

  unitConsumption(ctx: RequestContext, enterpriseId: string, from: Date, to: Date, groupBy: GroupBy) {
    return tenant(ctx, 'aggregates:read', (db) =>
      unitConsumptionReport(db, enterpriseId, range(from, to), groupBy),
    );
  },

  runningStandby(
    ctx: RequestContext,
    enterpriseId: string,
    equipmentId: string,
    from: Date,
    to: Date,
    runKw: Decimal,
    offKw?: Decimal | null,
  ) {
    return tenant(ctx, 'aggregates:read', (db) =>
      runningStandbyReport(
        db,
        enterpriseId,
        { kind: 'EQUIPMENT', id: equipmentId },
        range(from, to),
        runKw,
        offKw ?? 0,
      ),
    );
  },

  recordProduction(
    ctx: RequestContext,
    enterpriseId: string,
    records: {
      lineId: string;
      product: string;
      quantity: Decimal;
      shift: string;
      team: string;
      start: Date;
      end: Date;
    }[],
  ) {
    for (const r of records)
      if (!(r.end > r.start)) throw new UserInputError('production record ends before it starts');
    return tenant(ctx, 'readings:write', async (db) => ({
      inserted: await recordProduction(
        db,
        enterpriseId,
        records.map((r) => ({ ...r, line: r.lineId })),
        'manual',
      ),
    }));
  },

  importProductionCsv(ctx: RequestContext, enterpriseId: string, csv: string) {
    return tenant(ctx, 'readings:write', async (db) => ({
      inserted: await recordProduction(db, enterpriseId, parseProductionCsv(csv), 'erp'),
    }));
  },

  tariffPlans(ctx: RequestContext, enterpriseId: string) {
    return tenant(ctx, 'aggregates:read', async (db) =>
      (await loadTariffPlans(db, enterpriseId)).map(planView),
    );
  },

  importTariffPlan(ctx: RequestContext, enterpriseId: string, code: string, definition: string) {
    let plan: TariffPlan;
    try {
      plan = JSON.parse(definition) as TariffPlan;
    } catch {
      throw new UserInputError('definition must be JSON', { definition: ['invalid JSON'] });
    }
    const issues =
      plan && typeof plan === 'object' && Array.isArray(plan.seasons)
        ? validatePlan(plan)
        : [{ message: 'not a tariff plan' }];
    if (issues.length)
      throw new UserInputError('invalid tariff plan', { definition: issues.map((i) => i.message) });
    return tenant(ctx, 'energy:configure', async (db) => {
      const id = await saveTariffPlan(db, enterpriseId, code, plan);
      return planView({ ...plan, id });
    });
  },

  seedHubeiTariff(ctx: RequestContext, enterpriseId: string, structure: string, voltage: string) {
    const plan = hubei202601Plans().find((p) => p.id === `hubei-2026-01/${structure}/${voltage}`);
    if (!plan) throw new UserInputError(`no Hubei 2026-01 row for ${structure} ${voltage}`);
    return tenant(ctx, 'energy:configure', async (db) => {
      const id = await saveTariffPlan(db, enterpriseId, plan.id, plan, {
        file: 'tariffs/hubei-2026-01-industrial.json',
      });
      return planView({ ...plan, id });
    });
  },
};
