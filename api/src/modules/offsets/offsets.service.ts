import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import { Decimal } from '../../core/scalars';
import type { MarketInstrument } from '../accounting/engine/activity';
import { recordAudit } from '../audit';
import { offsetConflict } from './offsets.errors';
import { int8range, type RetirementRow, retirementsToInstruments, serialCount } from './offsets.math';
import {
  type OffsetKindEnum,
  OffsetPurchase,
  OffsetRetirement,
  OffsetSummary,
  type RecordOffsetPurchaseInput,
  type RetireOffsetInput,
} from './offsets.types';

interface PurchaseRow {
  id: string;
  enterprise_id: string;
  kind: OffsetKindEnum;
  registry: string | null;
  serial_start: string | null;
  serial_end: string | null;
  quantity: string;
  unit: string;
  period_start: string;
  period_end: string;
  monthly_volumes: { month: string; mwh: string }[] | null;
  counterparty: string;
  evidence_kind: string;
  evidence_reference: string;
  retired: string;
  created_at: Date;
}

const PURCHASE_SQL = `
  SELECT p.id, p.enterprise_id, p.kind, p.registry, lower(p.serials)::text AS serial_start,
         (upper(p.serials) - 1)::text AS serial_end, p.quantity::text AS quantity, p.unit,
         p.period_start::text AS period_start, p.period_end::text AS period_end, p.monthly_volumes,
         p.counterparty, p.evidence_kind, p.evidence_reference, p.created_at,
         coalesce((SELECT sum(r.quantity) FROM offset_retirement r
                   WHERE r.enterprise_id = p.enterprise_id AND r.purchase_id = p.id), 0)::text AS retired
  FROM offset_purchase p`;

const RETIREMENT_SQL = `
  SELECT r.id, r.enterprise_id, r.purchase_id, r.kind, r.registry, lower(r.serials)::text AS serial_start,
         (upper(r.serials) - 1)::text AS serial_end, r.quantity::text AS quantity,
         r.period_start::text AS period_start, r.period_end::text AS period_end, r.evidence_reference, r.created_at
  FROM offset_retirement r`;

interface RetRow {
  id: string;
  enterprise_id: string;
  purchase_id: string;
  kind: OffsetKindEnum;
  registry: string | null;
  serial_start: string | null;
  serial_end: string | null;
  quantity: string;
  period_start: string;
  period_end: string;
  evidence_reference: string;
  created_at: Date;
}

const toPurchase = (r: PurchaseRow): OffsetPurchase =>
  Object.assign(new OffsetPurchase(), {
    id: r.id,
    enterpriseId: r.enterprise_id,
    kind: r.kind,
    registry: r.registry,
    serialStart: r.serial_start,
    serialEnd: r.serial_end,
    quantity: new Decimal(r.quantity),
    unit: r.unit,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    monthlyVolumes: r.monthly_volumes?.map((v) => ({ month: v.month, mwh: new Decimal(v.mwh) })) ?? null,
    counterparty: r.counterparty,
    evidenceKind: r.evidence_kind,
    evidenceReference: r.evidence_reference,
    retired: new Decimal(r.retired),
    createdAt: r.created_at,
  });

const toRetirement = (r: RetRow): OffsetRetirement =>
  Object.assign(new OffsetRetirement(), {
    id: r.id,
    enterpriseId: r.enterprise_id,
    purchaseId: r.purchase_id,
    kind: r.kind,
    registry: r.registry,
    serialStart: r.serial_start,
    serialEnd: r.serial_end,
    quantity: new Decimal(r.quantity),
    periodStart: r.period_start,
    periodEnd: r.period_end,
    evidenceReference: r.evidence_reference,
    createdAt: r.created_at,
  });

const toRow = (r: OffsetRetirement): RetirementRow => ({
  id: r.id,
  kind: r.kind,
  registry: r.registry,
  serialStart: r.serialStart,
  serialEnd: r.serialEnd,
  quantity: r.quantity.toFixed(),
  periodStart: r.periodStart,
  periodEnd: r.periodEnd,
  evidenceReference: r.evidenceReference,
});

const validDate = (s: string) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
function checkPeriod(start: string, end: string): void {
  if (!validDate(start) || !validDate(end) || start > end)
    throw new UserInputError('Invalid period', { periodEnd: ['periodStart ≤ periodEnd, calendar dates'] });
}

function positive(q: Decimal | undefined, field: string): Decimal {
  if (!q?.isFinite() || q.lte(0))
    throw new UserInputError(`${field} must be > 0`, { [field]: ['must be > 0'] });
  // Retired volumes are committed exactly in the inventory's Merkle commitment (10^-6 fixed point).
  if (q.decimalPlaces() > 6)
    throw new UserInputError(`${field} has more than 6 decimals`, { [field]: ['at most 6 decimals'] });
  return q;
}

/** Maps Postgres exclusion/guard violations to typed CONFLICT errors. */
function mapDbError(e: unknown, onExclusion: 'SERIALS_ALREADY_RETIRED' | 'SERIALS_ALREADY_PURCHASED'): never {
  const err = e as { code?: string; message?: string; driverError?: { code?: string; message?: string } };
  const code = err.driverError?.code ?? err.code;
  const message = err.driverError?.message ?? err.message ?? '';
  if (code === '23P01') {
    if (message.includes('exceeds purchased volume')) throw offsetConflict('VOLUME_EXCEEDED');
    throw offsetConflict(onExclusion);
  }
  throw e;
}

/** Retirements of an enterprise whose period lies inside [start, end] (inside a tenant transaction). */
export async function retirementsFor(
  em: EntityManager,
  enterpriseId: string,
  period: { start: string; end: string },
): Promise<OffsetRetirement[]> {
  const rows = (await em.query(
    `${RETIREMENT_SQL} WHERE r.enterprise_id = $1 AND r.period_start >= $2 AND r.period_end <= $3
     ORDER BY r.period_start, r.id`,
    [enterpriseId, period.start, period.end],
  )) as RetRow[];
  return rows.map(toRetirement);
}

/**
 * The retirements of an enterprise for an activity period in the shape of the accounting activity input
 * (`marketInstruments`): pass them to `calculate` for the market-based scope 2.
 */
export async function marketInstrumentsFor(
  em: EntityManager,
  enterpriseId: string,
  period: { start: string; end: string },
): Promise<MarketInstrument[]> {
  return retirementsToInstruments((await retirementsFor(em, enterpriseId, period)).map(toRow), period);
}

export const OffsetsService = {
  listPurchases(ctx: RequestContext, enterpriseId: string, first: number, after?: string | null) {
    return withTenant(ctx, 'accounting:read', async (em) => {
      const rows = (await em.query(
        `${PURCHASE_SQL} WHERE p.enterprise_id = $1 AND ($2::uuid IS NULL OR p.id > $2::uuid) ORDER BY p.id LIMIT $3`,
        [enterpriseId, after ?? null, first + 1],
      )) as PurchaseRow[];
      return rows.map(toPurchase);
    });
  },

  summary(ctx: RequestContext, enterpriseId: string, year: number): Promise<OffsetSummary> {
    if (!Number.isInteger(year) || year < 2000 || year > 2200)
      throw new UserInputError('Invalid year', { year: ['must be between 2000 and 2200'] });
    return withTenant(ctx, 'accounting:read', async (em) => {
      const retirements = await retirementsFor(em, enterpriseId, {
        start: `${year}-01-01`,
        end: `${year}-12-31`,
      });
      const sum = (k: OffsetKindEnum) =>
        retirements.filter((r) => r.kind === k).reduce((a, r) => a.add(r.quantity), new Decimal(0));
      return Object.assign(new OffsetSummary(), {
        enterpriseId,
        year,
        greenPowerMwh: sum('GREEN_POWER' as OffsetKindEnum),
        certificatesMwh: sum('CERTIFICATE' as OffsetKindEnum),
        creditsTco2e: sum('CARBON_CREDIT' as OffsetKindEnum),
        retirements,
      });
    });
  },

  recordPurchase(ctx: RequestContext, input: RecordOffsetPurchaseInput): Promise<OffsetPurchase> {
    checkPeriod(input.periodStart, input.periodEnd);
    let quantity: Decimal;
    let serials: string | null = null;
    let registry: string | null = input.registry ?? null;
    if (input.kind === 'CERTIFICATE') {
      if (!input.registry || !input.serialStart || !input.serialEnd)
        throw new UserInputError('Certificates need registry and serial range', {
          serialStart: ['required for certificates'],
        });
      try {
        quantity = new Decimal(serialCount(input.serialStart, input.serialEnd).toString());
      } catch (e) {
        throw new UserInputError((e as Error).message, { serialEnd: [(e as Error).message] });
      }
      if (input.quantity && !input.quantity.eq(quantity))
        throw new UserInputError('Quantity must equal the serial count', { quantity: ['= serial count'] });
      serials = int8range(input.serialStart, input.serialEnd);
    } else {
      if (input.serialStart || input.serialEnd)
        throw new UserInputError('Serials only for certificates', { serialStart: ['certificates only'] });
      quantity = positive(input.quantity, 'quantity');
      if (input.kind === 'CARBON_CREDIT') registry ??= null;
    }
    let monthly: { month: string; mwh: string }[] | null = null;
    if (input.monthlyVolumes?.length) {
      if (input.kind !== 'GREEN_POWER')
        throw new UserInputError('Monthly volumes only for green power', {
          monthlyVolumes: ['green power only'],
        });
      monthly = input.monthlyVolumes.map((v) => ({
        month: v.month,
        mwh: positive(v.mwh, 'monthlyVolumes').toFixed(),
      }));
      const sum = monthly.reduce((a, v) => a.add(v.mwh), new Decimal(0));
      if (!sum.eq(quantity))
        throw new UserInputError('Monthly volumes must add up to the quantity', {
          monthlyVolumes: ['Σ ≠ quantity'],
        });
      if (
        monthly.some((v) => v.month < input.periodStart.slice(0, 7) || v.month > input.periodEnd.slice(0, 7))
      )
        throw new UserInputError('Monthly volume outside the contract period', {
          monthlyVolumes: ['outside period'],
        });
    }
    return withTenant(ctx, 'accounting:write', async (em) => {
      let id: string;
      try {
        const rows = (await em.query(
          `INSERT INTO offset_purchase (enterprise_id, kind, registry, serials, quantity, unit, period_start, period_end,
             monthly_volumes, counterparty, evidence_kind, evidence_reference, created_by)
           VALUES ($1, $2, $3, $4::int8range, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
          [
            input.enterpriseId,
            input.kind,
            registry,
            serials,
            quantity.toFixed(),
            input.kind === 'CARBON_CREDIT' ? 'tCO2e' : 'MWh',
            input.periodStart,
            input.periodEnd,
            monthly ? JSON.stringify(monthly) : null,
            input.counterparty,
            input.evidenceKind,
            input.evidenceReference,
            ctx.auth.actorId,
          ],
        )) as { id: string }[];
        id = (rows[0] as { id: string }).id;
      } catch (e) {
        mapDbError(e, 'SERIALS_ALREADY_PURCHASED');
      }
      const [row] = (await em.query(`${PURCHASE_SQL} WHERE p.id = $1`, [id])) as PurchaseRow[];
      const purchase = toPurchase(row as PurchaseRow);
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'OffsetPurchase',
        entityId: id,
        enterpriseId: input.enterpriseId,
        after: purchase,
      });
      return purchase;
    });
  },

  retire(ctx: RequestContext, input: RetireOffsetInput): Promise<OffsetRetirement> {
    checkPeriod(input.periodStart, input.periodEnd);
    return withTenant(ctx, 'accounting:write', async (em) => {
      // Serialise retirements of one purchase (the SQL trigger takes the same lock).
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('offset_purchase:' || $1::text))`, [
        input.purchaseId,
      ]);
      const [row] = (await em.query(`${PURCHASE_SQL} WHERE p.enterprise_id = $1 AND p.id = $2`, [
        input.enterpriseId,
        input.purchaseId,
      ])) as PurchaseRow[];
      if (!row) throw new NotFoundError('OffsetPurchase', input.purchaseId);
      const p = toPurchase(row);
      let quantity: Decimal;
      let serials: string | null = null;
      if (p.kind === 'CERTIFICATE') {
        if (!input.serialStart || !input.serialEnd)
          throw new UserInputError('Certificates are retired by serial range', { serialStart: ['required'] });
        let count: bigint;
        try {
          count = serialCount(input.serialStart, input.serialEnd);
        } catch (e) {
          throw new UserInputError((e as Error).message, { serialEnd: [(e as Error).message] });
        }
        if (
          BigInt(input.serialStart) < BigInt(p.serialStart as string) ||
          BigInt(input.serialEnd) > BigInt(p.serialEnd as string)
        )
          throw offsetConflict('SERIALS_OUTSIDE_PURCHASE', `Purchased ${p.serialStart}–${p.serialEnd}.`);
        quantity = new Decimal(count.toString());
        serials = int8range(input.serialStart, input.serialEnd);
      } else {
        quantity = positive(input.quantity, 'quantity');
        if (p.kind === 'GREEN_POWER' && (input.periodStart < p.periodStart || input.periodEnd > p.periodEnd))
          throw offsetConflict('PERIOD_OUTSIDE_CONTRACT', `Contract ${p.periodStart}..${p.periodEnd}.`);
        if (p.retired.add(quantity).gt(p.quantity))
          throw offsetConflict(
            'VOLUME_EXCEEDED',
            `Purchased ${p.quantity.toFixed()}, retired ${p.retired.toFixed()}.`,
          );
        if (p.monthlyVolumes) {
          // Contracted volume of the months in the retirement period minus what is retired against them.
          const from = input.periodStart.slice(0, 7);
          const to = input.periodEnd.slice(0, 7);
          const contracted = p.monthlyVolumes
            .filter((v) => v.month >= from && v.month <= to)
            .reduce((a, v) => a.add(v.mwh), new Decimal(0));
          const [used] = (await em.query(
            `SELECT coalesce(sum(quantity), 0)::text AS q FROM offset_retirement
             WHERE enterprise_id = $1 AND purchase_id = $2 AND period_start <= $4 AND period_end >= $3`,
            [p.enterpriseId, p.id, input.periodStart, input.periodEnd],
          )) as [{ q: string }];
          if (new Decimal(used.q).add(quantity).gt(contracted))
            throw offsetConflict(
              'VOLUME_EXCEEDED',
              `Contracted ${contracted.toFixed()} MWh in ${from}..${to}, retired ${used.q}.`,
            );
        }
      }
      let id: string;
      try {
        const rows = (await em.query(
          `INSERT INTO offset_retirement (enterprise_id, purchase_id, kind, registry, serials, quantity,
             period_start, period_end, evidence_reference, created_by)
           VALUES ($1, $2, $3, $4, $5::int8range, $6, $7, $8, $9, $10) RETURNING id`,
          [
            p.enterpriseId,
            p.id,
            p.kind,
            p.kind === 'CERTIFICATE' ? p.registry : null,
            serials,
            quantity.toFixed(),
            input.periodStart,
            input.periodEnd,
            input.evidenceReference,
            ctx.auth.actorId,
          ],
        )) as { id: string }[];
        id = (rows[0] as { id: string }).id;
      } catch (e) {
        mapDbError(e, 'SERIALS_ALREADY_RETIRED');
      }
      const [ret] = (await em.query(`${RETIREMENT_SQL} WHERE r.id = $1`, [id])) as RetRow[];
      const retirement = toRetirement(ret as RetRow);
      await recordAudit(em, ctx, {
        action: 'retire',
        entity: 'OffsetRetirement',
        entityId: id,
        enterpriseId: p.enterpriseId,
        after: retirement,
      });
      await ctx.events.publish('offsets.retired', { id, enterpriseId: p.enterpriseId }, p.enterpriseId, em);
      return retirement;
    });
  },
};
