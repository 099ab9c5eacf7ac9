import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { keccak256, toBytes } from 'viem';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import { publish } from '../../core/events';
import { decodeCursor, toConnection } from '../../core/pagination';
import { recordAudit } from '../audit/audit.service';
import {
  ActivityRecord,
  EmissionSource,
  InventoryRecord,
  MeasuredFactorRecord,
  ProductionRecord,
  QuotaEntry,
} from './accounting.entity';
import type {
  AdjustQuotaInput,
  CreateEmissionSourceInput,
  RecordActivityInput,
  RecordMeasuredFactorInput,
  RecordProductionInput,
  SetQuotaInput,
} from './accounting.inputs';
import type { ActivityLine } from './engine/activity';
import { calculate, type Inventory, inventoryHash, inventoryToCanonicalJson } from './engine/calculate';
import { Dec, str } from './engine/decimal';
import { convert, unitDef } from './engine/units';
import { accountingConflict, mapAccountingDbError, mapEngineError } from './inventory.errors';
import { loadPack, type Pack } from './packs/pack';
import { enqueueInventoryCommit } from '../offsets/offsets.commitment';
import { marketInstrumentsFor } from '../offsets/offsets.service';
import { forecastYear, trueUp } from './quota.math';

export const EMISSIONS_UPDATED = 'accounting.emissions-updated';
export const DEFAULT_STANDARD = 'cn-machinery-2015';
export const EXPLICIT_PACK_WARNING = 'EXPLICIT_PACK_NO_CHAIN_STANDARD';

/** Payload of `emissionsUpdated`. */
export interface EmissionsUpdatePayload {
  enterpriseId: string;
  inventoryId: string;
  periodKind: string;
  periodStart: string;
  periodEnd: string;
  revision: number;
  state: string;
  totalLocation: string;
}

// ---------------------------------------------------------------------------------------------
// Packs shipped with the code, matched to the chain by content hash.

let shipped: Pack[] | null = null;
export function shippedPacks(): Pack[] {
  if (!shipped) {
    const dir = fileURLToPath(new URL('./packs/', import.meta.url));
    shipped = readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'pack.schema.json')
      .sort()
      .map((f) => loadPack(readFileSync(`${dir}${f}`, 'utf8')));
  }
  return shipped;
}

/** StandardsRegistry id of a standard code (the pack's `id`): keccak256(code), lowercase hex. */
export const standardIdOf = (code: string): string => keccak256(toBytes(code)).toLowerCase();

/** Enterprise id as the chain carries it: the UUID's 16 bytes right-aligned in a bytes32. */
export const enterpriseBytes32 = (uuid: string): string =>
  `0x${uuid.replace(/-/g, '').toLowerCase().padStart(64, '0')}`;

export interface ResolvedStandard {
  pack: Pack;
  source: 'CHAIN' | 'EXPLICIT';
  version: string | null;
}

/**
 * Pack selection rule: the version of `standard` active ON CHAIN at the period start
 * (`chain.active_standard_version`) decides; its content hash must equal a shipped pack's hash,
 * else PACK_HASH_MISMATCH (also when an explicit pack names another one). Only when the mirror has
 * no active version may the caller name a pack explicitly: the inventory is then computed as a
 * DRAFT with the EXPLICIT_PACK_NO_CHAIN_STANDARD warning and can never be finalised.
 */
export async function resolveStandard(
  em: EntityManager,
  standard: string,
  periodStart: string,
  explicitPack?: string | null,
): Promise<ResolvedStandard> {
  const rows = (await em.query(
    `SELECT content_hash, version, effective_from FROM chain.active_standard_version($1, $2::date::timestamp AT TIME ZONE 'UTC')`,
    [standardIdOf(standard), periodStart],
  )) as { content_hash: string; version: string; effective_from: Date }[];
  const explicit = explicitPack ? shippedPacks().find((p) => p.ref === explicitPack) : undefined;
  if (explicitPack && !explicit) {
    throw new UserInputError(`Unknown pack ${explicitPack}`, {
      explicitPack: [
        `one of ${shippedPacks()
          .map((p) => p.ref)
          .join(', ')}`,
      ],
    });
  }
  const row = rows[0];
  if (row) {
    const pack = shippedPacks().find((p) => p.hash === row.content_hash.toLowerCase());
    const onChain = `${standard} version ${row.version} (active on chain from ${new Date(row.effective_from).toISOString()} for the period starting ${periodStart}) has content hash ${row.content_hash.toLowerCase()}`;
    if (!pack) throw accountingConflict('PACK_HASH_MISMATCH', `${onChain}, which no shipped pack has`);
    if (explicit && explicit.hash !== pack.hash)
      throw accountingConflict(
        'PACK_HASH_MISMATCH',
        `${explicit.ref} (hash ${explicit.hash}) is not the on-chain version: ${onChain} (${pack.ref})`,
      );
    return { pack, source: 'CHAIN', version: row.version };
  }
  if (!explicit) throw accountingConflict('NO_ACTIVE_STANDARD', standard);
  return { pack: explicit, source: 'EXPLICIT', version: null };
}

// ---------------------------------------------------------------------------------------------
// Periods

export interface Period {
  kind: 'MONTH' | 'YEAR';
  start: string;
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 'YYYY' → year, 'YYYY-MM' → month. */
export function parsePeriod(period: string): Period {
  if (/^\d{4}$/.test(period)) return { kind: 'YEAR', start: `${period}-01-01`, end: `${period}-12-31` };
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!m) throw new UserInputError('Invalid period', { period: ['period must be YYYY or YYYY-MM'] });
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { kind: 'MONTH', start: `${m[1]}-${m[2]}-01`, end: `${m[1]}-${m[2]}-${pad(last)}` };
}

const validDate = (d: string) =>
  !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);

function checkRange(from: string, to: string, names: [string, string]): void {
  if (!validDate(from)) throw new UserInputError('Invalid date', { [names[0]]: ['not a calendar date'] });
  if (!validDate(to)) throw new UserInputError('Invalid date', { [names[1]]: ['not a calendar date'] });
  if (from > to)
    throw new UserInputError('Invalid range', { [names[1]]: [`must not be before ${names[0]}`] });
}

function checkUnit(unit: string, field: string): void {
  try {
    unitDef(unit);
  } catch {
    throw new UserInputError(`Unknown unit ${unit}`, { [field]: ['unit unknown to the engine'] });
  }
}

function nonNegative(d: Decimal, field: string, strict = false): void {
  if (!d.isFinite() || d.isNeg() || (strict && d.isZero()))
    throw new UserInputError('Invalid quantity', { [field]: [strict ? 'must be > 0' : 'must be ≥ 0'] });
}

// ---------------------------------------------------------------------------------------------
// Activity assembly

interface SourceRow {
  id: string;
  code: string;
  source_type: string;
  unit: string;
  meter_id: string | null;
  meter_code: string | null;
  meter_unit: string | null;
  meter_total: string | null;
  meter_months: string;
}

/**
 * The activity of a period: for every active source (of the site, if given), the sum of the bound
 * meter's monthly (`1mo`) rollups whose month lies in the period, plus manual records lying wholly
 * inside the period (converted to the source unit); measured factors valid over the whole period
 * (latest per role); production output and revenue records inside the period. Sources with no data
 * are left out.
 */
export async function buildActivity(
  em: EntityManager,
  enterpriseId: string,
  siteId: string | null,
  period: Period,
): Promise<Record<string, unknown>> {
  const sources = (await em.query(
    `SELECT s.id, s.code, s.source_type, s.unit, s.meter_id, m.code AS meter_code, m.unit AS meter_unit,
       (SELECT sum(r.value)::text FROM metering_rollup r
         WHERE r.enterprise_id = s.enterprise_id AND r.meter_id = s.meter_id AND r.grain = '1mo'
           AND r.bucket_start >= ($2::date::timestamp AT TIME ZONE m.time_zone)
           AND r.bucket_start < (($3::date + 1)::timestamp AT TIME ZONE m.time_zone)) AS meter_total,
       (SELECT count(DISTINCT r.bucket_start)::text FROM metering_rollup r
         WHERE r.enterprise_id = s.enterprise_id AND r.meter_id = s.meter_id AND r.grain = '1mo'
           AND r.bucket_start >= ($2::date::timestamp AT TIME ZONE m.time_zone)
           AND r.bucket_start < (($3::date + 1)::timestamp AT TIME ZONE m.time_zone)) AS meter_months
     FROM accounting_source s
     LEFT JOIN metering_meter m ON m.enterprise_id = s.enterprise_id AND m.id = s.meter_id
     WHERE s.enterprise_id = $1 AND s.active AND ($4::uuid IS NULL OR s.site_id = $4)
     ORDER BY s.code`,
    [enterpriseId, period.start, period.end, siteId],
  )) as SourceRow[];
  const manual = (await em.query(
    `SELECT a.source_id, a.quantity::text AS quantity, a.unit, a.evidence_kind, a.evidence_reference
     FROM accounting_activity a
     WHERE a.enterprise_id = $1 AND a.period_start >= $2 AND a.period_end <= $3
     ORDER BY a.created_at, a.id`,
    [enterpriseId, period.start, period.end],
  )) as {
    source_id: string;
    quantity: string;
    unit: string;
    evidence_kind: string;
    evidence_reference: string;
  }[];
  const factors = (await em.query(
    `SELECT DISTINCT ON (source_id, role) source_id, role, value::text AS value, unit, evidence_reference,
       to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to
     FROM accounting_measured_factor
     WHERE enterprise_id = $1 AND valid_from <= $2 AND valid_to >= $3
     ORDER BY source_id, role, created_at DESC, id DESC`,
    [enterpriseId, period.start, period.end],
  )) as {
    source_id: string;
    role: string;
    value: string;
    unit: string;
    evidence_reference: string;
    valid_from: string;
    valid_to: string;
  }[];

  const lines: ActivityLine[] = [];
  for (const s of sources) {
    let qty = new Dec(0);
    const refs: string[] = [];
    let kind: string | null = null;
    let has = false;
    if (s.meter_id && s.meter_total != null && s.meter_unit) {
      qty = qty.add(convert(new Dec(s.meter_total), s.meter_unit, s.unit));
      refs.push(
        `meter ${s.meter_code} 1mo rollups ${period.start}..${period.end} (${s.meter_months} months)`,
      );
      kind = 'meter-rollup';
      has = true;
    }
    for (const a of manual.filter((x) => x.source_id === s.id)) {
      qty = qty.add(convert(new Dec(a.quantity), a.unit, s.unit));
      refs.push(a.evidence_reference);
      kind ??= a.evidence_kind;
      has = true;
    }
    if (!has) continue;
    const mf = factors
      .filter((f) => f.source_id === s.id)
      .map((f) => ({
        role: f.role as 'ncv',
        value: f.value,
        unit: f.unit,
        evidence: { reference: f.evidence_reference },
        validFrom: f.valid_from,
        validTo: f.valid_to,
      }));
    lines.push({
      sourceId: s.code,
      sourceType: s.source_type,
      quantity: str(qty),
      unit: s.unit,
      evidence: { kind: (kind ?? 'manual') as 'manual', reference: refs.join('; ') },
      ...(mf.length ? { measuredFactors: mf } : {}),
    });
  }

  const prod = (await em.query(
    `SELECT output_quantity::text AS oq, output_unit AS ou, revenue_amount::text AS ra, revenue_unit AS ru
     FROM accounting_production
     WHERE enterprise_id = $1 AND period_start >= $2 AND period_end <= $3 AND ($4::uuid IS NULL OR site_id = $4)
     ORDER BY created_at, id`,
    [enterpriseId, period.start, period.end, siteId],
  )) as { oq: string | null; ou: string | null; ra: string | null; ru: string | null }[];
  const activity: Record<string, unknown> = {
    period: { start: period.start, end: period.end },
    enterprise: { id: enterpriseId },
    lines,
  };
  const outs = prod.filter((p) => p.oq && p.ou);
  if (outs.length) {
    const unit = outs[0]?.ou as string;
    if (outs.some((p) => p.ou !== unit))
      throw new UserInputError('Production records of the period use different output units');
    activity.output = { quantity: str(outs.reduce((a, p) => a.add(p.oq as string), new Dec(0))), unit };
  }
  const revs = prod.filter((p) => p.ra && p.ru);
  if (revs.length) {
    const amount = revs.reduce(
      (a, p) => a.add(convert(new Dec(p.ra as string), p.ru as string, '10^4 CNY')),
      new Dec(0),
    );
    activity.revenue = { amount: str(amount), unit: '10^4 CNY' };
  }
  // Green power and certificates retired against this period lower market-based scope 2 only; the
  // offsets module refuses any serial or volume retired twice, so nothing is counted twice here.
  if (siteId === null) {
    const instruments = await marketInstrumentsFor(em, enterpriseId, {
      start: period.start,
      end: period.end,
    });
    if (instruments.length) activity.marketInstruments = instruments;
  }
  return activity;
}

// ---------------------------------------------------------------------------------------------
// Inventories

export interface DiffEntry {
  key: string;
  previous: string | null;
  current: string | null;
  delta: string;
}
export interface InventoryDiff {
  previousId: string;
  previousRevision: number;
  lines: DiffEntry[];
  totals: DiffEntry[];
}

const entry = (key: string, prev: string | null, cur: string | null): DiffEntry => ({
  key,
  previous: prev,
  current: cur,
  delta: str(new Dec(cur ?? 0).sub(prev ?? 0)),
});

function totalsOf(inv: Inventory): Record<string, string | null> {
  const t = inv.totals;
  return {
    location: t.location.exact,
    market: t.market?.exact ?? null,
    scope1: t.byScope.scope1.exact,
    scope2Location: t.byScope.scope2Location.exact,
    scope2Market: t.byScope.scope2Market?.exact ?? null,
    scope3: t.byScope.scope3.exact,
  };
}

/** Per-line (sourceId, CO2e exact) and per-total differences; unchanged entries are left out. */
export function diffInventories(
  prev: Inventory,
  prevId: string,
  prevRevision: number,
  cur: Inventory,
): InventoryDiff {
  const a = new Map(prev.lines.map((l) => [l.sourceId, l.co2e.exact]));
  const b = new Map(cur.lines.map((l) => [l.sourceId, l.co2e.exact]));
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const lines = keys
    .map((k) => entry(k, a.get(k) ?? null, b.get(k) ?? null))
    .filter((e) => e.previous !== e.current);
  const ta = totalsOf(prev);
  const tb = totalsOf(cur);
  const totals = Object.keys(ta)
    .map((k) => entry(k, ta[k] ?? null, tb[k] ?? null))
    .filter((e) => e.previous !== e.current);
  return { previousId: prevId, previousRevision: prevRevision, lines, totals };
}

export interface CalculateParams {
  enterpriseId: string;
  period: string;
  siteId?: string | null;
  standard?: string | null;
  explicitPack?: string | null;
}

const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * Computes (or recomputes) the inventory of a period inside `em` (tenant scope already applied).
 * Latest revision DRAFT → updated in place; latest FINAL/ANCHORED/VERIFIED → a NEW revision (DRAFT)
 * with a diff against it, unless the result is byte-identical (then the latest is returned as is).
 */
export async function calculateInEm(
  em: EntityManager,
  p: CalculateParams,
): Promise<{ inventory: InventoryRecord; changed: boolean }> {
  const period = parsePeriod(p.period);
  const siteId = p.siteId ?? null;
  if (siteId) {
    const site = (await em.query(`SELECT 1 FROM sites WHERE id = $1 AND enterprise_id = $2`, [
      siteId,
      p.enterpriseId,
    ])) as unknown[];
    if (!site.length) throw new NotFoundError('Site', siteId);
  }
  await em.query(`SELECT pg_advisory_xact_lock(hashtext('accounting:inventory:' || $1 || $2 || $3 || $4))`, [
    p.enterpriseId,
    siteId ?? NIL,
    period.kind,
    period.start,
  ]);
  const repo = em.getRepository(InventoryRecord);
  const latest = await repo
    .createQueryBuilder('i')
    .where(
      'i.enterprise_id = :e AND coalesce(i.site_id, :nil) = :s AND i.period_kind = :k AND i.period_start = :ps',
      {
        e: p.enterpriseId,
        nil: NIL,
        s: siteId ?? NIL,
        k: period.kind,
        ps: period.start,
      },
    )
    .orderBy('i.revision', 'DESC')
    .getOne();
  const standardCode = p.standard ?? (latest ? latest.packRef.split('@')[0] : null) ?? DEFAULT_STANDARD;
  const std = await resolveStandard(em, standardCode, period.start, p.explicitPack);
  const activity = await buildActivity(em, p.enterpriseId, siteId, period);
  let inv: Inventory;
  try {
    inv = calculate(std.pack, activity, std.source === 'CHAIN' ? { expectedPackHash: std.pack.hash } : {});
  } catch (e) {
    mapEngineError(e);
  }
  const json = inventoryToCanonicalJson(inv);
  const hash = inventoryHash(inv);
  const warnings = [...(std.source === 'EXPLICIT' ? [EXPLICIT_PACK_WARNING] : []), ...inv.warnings];
  if (latest && latest.inventoryHash === hash && latest.standardSource === std.source)
    return { inventory: latest, changed: false };

  const content = {
    standardSource: std.source,
    standardVersion: std.version,
    packRef: std.pack.ref,
    packHash: std.pack.hash,
    warnings,
    canonicalJson: json,
    inventoryHash: hash,
    activityJson: activity,
    totalLocation: new Decimal(inv.totals.location.exact),
    totalMarket: inv.totals.market ? new Decimal(inv.totals.market.exact) : null,
    scope1: new Decimal(inv.totals.byScope.scope1.exact),
    scope2Location: new Decimal(inv.totals.byScope.scope2Location.exact),
    scope2Market: inv.totals.byScope.scope2Market ? new Decimal(inv.totals.byScope.scope2Market.exact) : null,
    scope3: new Decimal(inv.totals.byScope.scope3.exact),
    updatedAt: new Date(),
  };
  const base =
    latest?.state === 'DRAFT'
      ? latest.previousId
        ? await repo.findOneBy({ id: latest.previousId })
        : null
      : latest;
  const diff = base
    ? diffInventories(JSON.parse(base.canonicalJson) as Inventory, base.id, base.revision, inv)
    : null;
  let saved: InventoryRecord;
  try {
    if (latest?.state === 'DRAFT') {
      saved = await repo.save(repo.merge(latest, { ...content, diff }));
    } else {
      saved = await repo.save(
        repo.create({
          ...content,
          enterpriseId: p.enterpriseId,
          siteId,
          periodKind: period.kind,
          periodStart: period.start,
          periodEnd: period.end,
          revision: (latest?.revision ?? 0) + 1,
          state: 'DRAFT',
          previousId: latest?.id ?? null,
          diff,
        }),
      );
    }
  } catch (e) {
    mapAccountingDbError(e, 'Inventory');
  }
  await publishUpdate(em, saved);
  return { inventory: saved, changed: true };
}

async function publishUpdate(em: EntityManager, inv: InventoryRecord): Promise<void> {
  const payload: EmissionsUpdatePayload = {
    enterpriseId: inv.enterpriseId,
    inventoryId: inv.id,
    periodKind: inv.periodKind,
    periodStart: inv.periodStart,
    periodEnd: inv.periodEnd,
    revision: inv.revision,
    state: inv.state,
    totalLocation: inv.totalLocation.toFixed(),
  };
  await publish(em, EMISSIONS_UPDATED, payload, inv.enterpriseId);
}

async function transition(
  em: EntityManager,
  id: string,
  from: string,
  to: 'FINAL' | 'ANCHORED' | 'VERIFIED',
  patch: Partial<InventoryRecord>,
): Promise<InventoryRecord> {
  const repo = em.getRepository(InventoryRecord);
  const inv = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!inv) throw new NotFoundError('Inventory', id);
  if (inv.state !== from)
    throw accountingConflict(
      inv.state === 'DRAFT' ? 'INVALID_TRANSITION' : 'INVENTORY_LOCKED',
      `${inv.state} → ${to}`,
    );
  if (to === 'FINAL' && inv.standardSource !== 'CHAIN') throw accountingConflict('NO_CHAIN_STANDARD');
  Object.assign(inv, patch, { state: to, updatedAt: new Date() });
  try {
    const saved = await repo.save(inv);
    await publishUpdate(em, saved);
    return saved;
  } catch (e) {
    mapAccountingDbError(e, 'Inventory');
  }
}

/** Trust layer: FINAL → ANCHORED once the inventory's root is anchored (em in the tenant's scope). */
export const markInventoryAnchored = (em: EntityManager, id: string, anchorRef: string) =>
  transition(em, id, 'FINAL', 'ANCHORED', { anchorRef, anchoredAt: new Date() });

/** Trust layer: ANCHORED → VERIFIED when a verifier statement covers the anchored root. */
export const markInventoryVerified = (em: EntityManager, id: string, verificationRef: string) =>
  transition(em, id, 'ANCHORED', 'VERIFIED', { verificationRef, verifiedAt: new Date() });

/** Regulators (inventory:read without accounting:read) see FINAL and later states only. */
const seesDrafts = (ctx: RequestContext, enterpriseId: string) =>
  ctx.auth.can('accounting:read', { enterpriseId });

export const AccountingService = {
  async calculateInventory(ctx: RequestContext, p: CalculateParams): Promise<InventoryRecord> {
    return withTenant(ctx, 'accounting:write', async (em) => {
      const { inventory, changed } = await calculateInEm(em, p);
      if (changed)
        await recordAudit(em, ctx, {
          action: 'calculate',
          entity: 'Inventory',
          entityId: inventory.id,
          enterpriseId: inventory.enterpriseId,
          after: { revision: inventory.revision, hash: inventory.inventoryHash, pack: inventory.packRef },
        });
      return inventory;
    });
  },

  /**
   * DRAFT → FINAL (locked), and in the same transaction the inventory's commitment is queued
   * (offsets `enqueueInventoryCommit`: hash, scope totals, net, one line per retirement). The trust
   * jobs' committer commits it as a Merkle batch, the anchoring worker anchors it, and the chain
   * reconciler moves the inventory to ANCHORED (then VERIFIED on a confirmed verifier statement).
   */
  finalizeInventory(ctx: RequestContext, id: string): Promise<InventoryRecord> {
    return withTenant(ctx, 'accounting:finalize', async (em) => {
      const inv = await transition(em, id, 'DRAFT', 'FINAL', { finalizedAt: new Date() });
      await enqueueInventoryCommit(em, inv.enterpriseId, inv.id);
      await recordAudit(em, ctx, {
        action: 'finalize',
        entity: 'Inventory',
        entityId: id,
        enterpriseId: inv.enterpriseId,
        after: { revision: inv.revision, hash: inv.inventoryHash },
      });
      return inv;
    });
  },

  getInventory(ctx: RequestContext, id: string): Promise<InventoryRecord> {
    return withTenant(ctx, 'inventory:read', async (em) => {
      const inv = await em.getRepository(InventoryRecord).findOneBy({ id });
      if (!inv || (inv.state === 'DRAFT' && !seesDrafts(ctx, inv.enterpriseId)))
        throw new NotFoundError('Inventory', id);
      return inv;
    });
  },

  listInventories(
    ctx: RequestContext,
    enterpriseId: string,
    first: number,
    after: string | undefined,
    filter: { year?: number | null; periodKind?: string | null },
  ) {
    return withTenant(ctx, 'inventory:read', async (em) => {
      const qb = em
        .getRepository(InventoryRecord)
        .createQueryBuilder('i')
        .where('i.enterprise_id = :e', { e: enterpriseId });
      if (!seesDrafts(ctx, enterpriseId)) qb.andWhere(`i.state <> 'DRAFT'`);
      if (filter.year) qb.andWhere(`extract(year FROM i.period_start) = :y`, { y: filter.year });
      if (filter.periodKind) qb.andWhere('i.period_kind = :k', { k: filter.periodKind });
      if (after) {
        const [ps, rev, id] = decodeCursor(after).split('|');
        if (!ps || !rev || !id || !/^[0-9a-f-]{36}$/.test(id) || !/^\d{4}-\d{2}-\d{2}$/.test(ps))
          throw new UserInputError('Invalid cursor', { after: ['bad cursor'] });
        qb.andWhere('(i.period_start, i.revision, i.id) < (:ps::date, :rev::int, :id::uuid)', {
          ps,
          rev,
          id,
        });
      }
      const rows = await qb
        .orderBy('i.period_start', 'DESC')
        .addOrderBy('i.revision', 'DESC')
        .addOrderBy('i.id', 'DESC')
        .take(first + 1)
        .getMany();
      return toConnection(rows, first, (r) => `${r.periodStart}|${r.revision}|${r.id}`);
    });
  },

  createSource(ctx: RequestContext, input: CreateEmissionSourceInput): Promise<EmissionSource> {
    return withTenant(ctx, 'accounting:write', async (em) => {
      const st = shippedPacks()
        .flatMap((p) => p.document.sourceTypes)
        .find((t) => t.id === input.sourceType);
      if (!st)
        throw new UserInputError('Unknown source type', {
          sourceType: ['not a source type of the shipped standard packs'],
        });
      checkUnit(input.unit, 'unit');
      if (input.siteId) {
        const r = (await em.query(`SELECT 1 FROM sites WHERE id = $1 AND enterprise_id = $2`, [
          input.siteId,
          input.enterpriseId,
        ])) as unknown[];
        if (!r.length)
          throw new UserInputError('Unknown site', { siteId: ['no such site in the enterprise'] });
      }
      if (input.meterId) {
        const r = (await em.query(`SELECT unit FROM metering_meter WHERE id = $1 AND enterprise_id = $2`, [
          input.meterId,
          input.enterpriseId,
        ])) as { unit: string }[];
        if (!r[0])
          throw new UserInputError('Unknown meter', { meterId: ['no such meter in the enterprise'] });
        try {
          convert(new Dec(1), r[0].unit, input.unit);
        } catch {
          throw new UserInputError('Meter unit incompatible', {
            meterId: [`meter unit ${r[0].unit} cannot be converted to ${input.unit}`],
          });
        }
      }
      const repo = em.getRepository(EmissionSource);
      try {
        const saved = await repo.save(
          repo.create({
            enterpriseId: input.enterpriseId,
            siteId: input.siteId ?? null,
            code: input.code,
            name: input.name,
            sourceType: st.id,
            category: st.category,
            scope: st.scope,
            meterId: input.meterId ?? null,
            unit: input.unit,
            active: true,
          }),
        );
        await recordAudit(em, ctx, {
          action: 'create',
          entity: 'EmissionSource',
          entityId: saved.id,
          enterpriseId: saved.enterpriseId,
          after: saved,
        });
        return saved;
      } catch (e) {
        mapAccountingDbError(e, 'EmissionSource');
      }
    });
  },

  listSources(ctx: RequestContext, enterpriseId: string, first: number, after?: string) {
    return withTenant(ctx, 'accounting:read', async (em) => {
      const qb = em
        .getRepository(EmissionSource)
        .createQueryBuilder('s')
        .where('s.enterprise_id = :e', { e: enterpriseId });
      if (after) qb.andWhere('s.code > :c', { c: decodeCursor(after) });
      const rows = await qb
        .orderBy('s.code', 'ASC')
        .take(first + 1)
        .getMany();
      return toConnection(rows, first, (r) => r.code);
    });
  },

  async sourceFor(em: EntityManager, sourceId: string): Promise<EmissionSource> {
    const s = await em.getRepository(EmissionSource).findOneBy({ id: sourceId });
    if (!s) throw new NotFoundError('EmissionSource', sourceId);
    return s;
  },

  recordActivity(ctx: RequestContext, input: RecordActivityInput): Promise<ActivityRecord> {
    return withTenant(ctx, 'accounting:write', async (em) => {
      const src = await AccountingService.sourceFor(em, input.sourceId);
      checkRange(input.periodStart, input.periodEnd, ['periodStart', 'periodEnd']);
      nonNegative(input.quantity, 'quantity');
      checkUnit(input.unit, 'unit');
      try {
        convert(new Dec(1), input.unit, src.unit);
      } catch {
        throw new UserInputError('Unit incompatible', { unit: [`cannot be converted to ${src.unit}`] });
      }
      const repo = em.getRepository(ActivityRecord);
      const saved = await repo.save(
        repo.create({
          enterpriseId: src.enterpriseId,
          sourceId: src.id,
          periodStart: input.periodStart,
          periodEnd: input.periodEnd,
          quantity: input.quantity,
          unit: input.unit,
          evidenceKind: input.evidenceKind,
          evidenceReference: input.evidenceReference,
          attachmentSha256: input.attachmentSha256?.replace(/^0x/, '') ?? null,
          note: input.note ?? null,
          createdBy: ctx.auth.actorId,
        }),
      );
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'ActivityRecord',
        entityId: saved.id,
        enterpriseId: saved.enterpriseId,
        after: saved,
      });
      return saved;
    });
  },

  recordMeasuredFactor(ctx: RequestContext, input: RecordMeasuredFactorInput): Promise<MeasuredFactorRecord> {
    return withTenant(ctx, 'accounting:write', async (em) => {
      const src = await AccountingService.sourceFor(em, input.sourceId);
      checkRange(input.validFrom, input.validTo, ['validFrom', 'validTo']);
      nonNegative(input.value, 'value');
      const repo = em.getRepository(MeasuredFactorRecord);
      const saved = await repo.save(
        repo.create({
          enterpriseId: src.enterpriseId,
          sourceId: src.id,
          role: input.role,
          value: input.value,
          unit: input.unit,
          evidenceReference: input.evidenceReference,
          attachmentSha256: input.attachmentSha256?.replace(/^0x/, '') ?? null,
          validFrom: input.validFrom,
          validTo: input.validTo,
        }),
      );
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'MeasuredFactor',
        entityId: saved.id,
        enterpriseId: saved.enterpriseId,
        after: saved,
      });
      return saved;
    });
  },

  recordProduction(ctx: RequestContext, input: RecordProductionInput): Promise<ProductionRecord> {
    return withTenant(ctx, 'accounting:write', async (em) => {
      checkRange(input.periodStart, input.periodEnd, ['periodStart', 'periodEnd']);
      if (!input.outputQuantity && !input.revenueAmount)
        throw new UserInputError('Nothing to record', { outputQuantity: ['give output and/or revenue'] });
      if (input.outputQuantity) {
        nonNegative(input.outputQuantity, 'outputQuantity', true);
        if (!input.outputUnit) throw new UserInputError('Output unit missing', { outputUnit: ['required'] });
      }
      if (input.revenueAmount) {
        nonNegative(input.revenueAmount, 'revenueAmount', true);
        if (!input.revenueUnit)
          throw new UserInputError('Revenue unit missing', { revenueUnit: ['required'] });
      }
      if (input.siteId) {
        const r = (await em.query(`SELECT 1 FROM sites WHERE id = $1 AND enterprise_id = $2`, [
          input.siteId,
          input.enterpriseId,
        ])) as unknown[];
        if (!r.length)
          throw new UserInputError('Unknown site', { siteId: ['no such site in the enterprise'] });
      }
      const repo = em.getRepository(ProductionRecord);
      const saved = await repo.save(
        repo.create({
          enterpriseId: input.enterpriseId,
          siteId: input.siteId ?? null,
          periodStart: input.periodStart,
          periodEnd: input.periodEnd,
          outputQuantity: input.outputQuantity ?? null,
          outputUnit: input.outputQuantity ? (input.outputUnit ?? null) : null,
          revenueAmount: input.revenueAmount ?? null,
          revenueUnit: input.revenueAmount ? (input.revenueUnit ?? null) : null,
          evidenceReference: input.evidenceReference ?? null,
        }),
      );
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'ProductionRecord',
        entityId: saved.id,
        enterpriseId: saved.enterpriseId,
        after: saved,
      });
      return saved;
    });
  },

  // -------------------------------------------------------------------------------------------
  // Quotas

  setQuota(ctx: RequestContext, input: SetQuotaInput): Promise<QuotaEntry> {
    nonNegative(input.amount, 'amount');
    return AccountingService.writeQuota(
      ctx,
      input.enterpriseId,
      input.year,
      'SET',
      input.amount,
      input.reason ?? 'initial entry',
    );
  },

  adjustQuota(ctx: RequestContext, input: AdjustQuotaInput): Promise<QuotaEntry> {
    if (!input.delta.isFinite()) throw new UserInputError('Invalid delta', { delta: ['must be finite'] });
    return AccountingService.writeQuota(
      ctx,
      input.enterpriseId,
      input.year,
      'ADJUST',
      input.delta,
      input.reason,
    );
  },

  writeQuota(
    ctx: RequestContext,
    enterpriseId: string,
    year: number,
    kind: 'SET' | 'ADJUST',
    value: Decimal,
    reason: string,
  ): Promise<QuotaEntry> {
    return withTenant(ctx, 'quota:write', async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('accounting:quota:' || $1 || $2))`, [
        enterpriseId,
        year,
      ]);
      const repo = em.getRepository(QuotaEntry);
      const latest = await repo.findOne({
        where: { enterpriseId, year },
        order: { createdAt: 'DESC', id: 'DESC' },
      });
      let amount: Decimal;
      let delta: Decimal;
      if (kind === 'SET') {
        amount = value;
        delta = value.sub(latest?.amount ?? 0);
      } else {
        if (!latest) throw accountingConflict('NO_QUOTA', String(year));
        amount = latest.amount.add(value);
        delta = value;
        if (amount.isNeg())
          throw new UserInputError('Quota would be negative', { delta: ['too large a reduction'] });
      }
      const saved = await repo.save(
        repo.create({ enterpriseId, year, kind, amount, delta, reason, enteredBy: ctx.auth.actorId }),
      );
      await recordAudit(em, ctx, {
        action: kind === 'SET' ? 'set' : 'adjust',
        entity: 'Quota',
        entityId: saved.id,
        enterpriseId,
        before: latest ?? undefined,
        after: saved,
      });
      return saved;
    });
  },

  quotaStatus(ctx: RequestContext, enterpriseId: string, year: number): Promise<QuotaStatusData> {
    if (!Number.isInteger(year) || year < 2000 || year > 2200)
      throw new UserInputError('Invalid year', { year: ['must be between 2000 and 2200'] });
    return withTenant(ctx, 'quota:read', async (em) => {
      const chainRows = (await em.query(
        `SELECT amount::text AS amount, revision, issued_at FROM chain.quota
         WHERE enterprise_id = ANY($1::text[]) AND year = $2 ORDER BY block_number DESC LIMIT 1`,
        [[enterpriseBytes32(enterpriseId), enterpriseId.toLowerCase()], year],
      )) as { amount: string; revision: number; issued_at: Date }[];
      const history = await em
        .getRepository(QuotaEntry)
        .find({ where: { enterpriseId, year }, order: { createdAt: 'ASC', id: 'ASC' } });
      const manual = history.at(-1)?.amount ?? null;
      const chain = chainRows[0];
      const chainQuota = chain ? new Dec(chain.amount).div(1_000_000).toDecimalPlaces(6) : null;
      const quota = chainQuota ?? (manual ? new Dec(manual.toFixed()) : null);
      const drafts = seesDrafts(ctx, enterpriseId);
      const monthly = async (y: number) => {
        const rows = (await em.query(
          `SELECT DISTINCT ON (period_start) extract(month FROM period_start)::int AS m, total_location::text AS t
           FROM accounting_inventory
           WHERE enterprise_id = $1 AND site_id IS NULL AND period_kind = 'MONTH'
             AND period_start >= make_date($2, 1, 1) AND period_start < make_date($2 + 1, 1, 1)
             AND ($3 OR state <> 'DRAFT')
           ORDER BY period_start, revision DESC`,
          [enterpriseId, y, drafts],
        )) as { m: number; t: string }[];
        return new Map(rows.map((r) => [r.m, new Dec(r.t)]));
      };
      const months = await monthly(year);
      const last = await monthly(year - 1);
      const used = [...months.values()].reduce((a, b) => a.add(b), new Dec(0));
      return {
        enterpriseId,
        year,
        quota,
        quotaSource: chainQuota ? 'CHAIN' : manual ? 'MANUAL' : 'NONE',
        chainQuota,
        chainRevision: chain?.revision ?? null,
        manualQuota: manual ? new Dec(manual.toFixed()) : null,
        used,
        remaining: quota ? quota.sub(used) : null,
        monthsWithData: months.size,
        trueUp: trueUp(months, quota),
        forecast: forecastYear(months, last),
        history,
      };
    });
  },
};

export interface QuotaStatusData {
  enterpriseId: string;
  year: number;
  quota: Dec | null;
  quotaSource: string;
  chainQuota: Dec | null;
  chainRevision: number | null;
  manualQuota: Dec | null;
  used: Dec;
  remaining: Dec | null;
  monthsWithData: number;
  trueUp: ReturnType<typeof trueUp>;
  forecast: ReturnType<typeof forecastYear>;
  history: QuotaEntry[];
}
