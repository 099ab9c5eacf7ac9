import { createHash } from 'node:crypto';
import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import { withScope } from '../../core/db';
import { publish } from '../../core/events';
import {
  apportion,
  type CleaningPoint,
  cleanSeries,
  Dec,
  type MeterKind,
  type QualityFlag,
  type Segment,
} from './cleaning';
import { INGEST_ERROR_MESSAGES, type IngestErrorCode } from './metering.errors';
import {
  applySampleRollups,
  applyStateRollups,
  readStateContext,
  type Sample,
  type StateWork,
} from './sample-rollups';
import { convertUnit, isKnownUnit } from './units';

/** The part of a query runner the service needs: a TypeORM EntityManager or a pg client adapter. */
export interface Sql {
  query<T = unknown>(text: string, params?: unknown[]): Promise<T>;
}

export type ReadingSource = 'device' | 'api' | 'csv' | 'manual';
export type Transport = 'graphql' | 'mqtt' | 'csv' | 'xlsx' | 'manual' | 'service';

export interface ReadingInput {
  meterId?: string | null;
  meterCode?: string | null;
  /** ISO 8601 with offset, or epoch milliseconds */
  ts: string | number;
  /** decimal string (preferred) or number */
  value: string | number;
  unit: string;
}

export interface IngestBatch {
  enterpriseId: string;
  /** Idempotency key: a re-sent batch with the same id and payload changes nothing. */
  batchId?: string | null;
  deviceId?: string | null;
  source: ReadingSource;
  transport: Transport;
  /** Unvalidated items; each gets its own result. */
  readings: readonly unknown[];
}

export type ItemStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
export interface ItemResult {
  index: number;
  status: ItemStatus;
  code?: IngestErrorCode;
  message?: string;
}
export interface IngestResult {
  batchId: string | null;
  accepted: number;
  duplicates: number;
  rejected: number;
  items: ItemResult[];
}

export interface IngestOptions {
  /** Accepted clock skew for timestamps in the future (default 5 minutes). */
  maxFutureMs?: number;
  now?: () => number;
}

/** Deps of the service: the root DataSource and, when running inside the API, its event bus. */
export interface MeteringContext {
  db: DataSource;
  /** Throttled live updates (see LiveUpdates); absent in jobs and benches. */
  live?: LiveUpdates;
}

export const MAX_BATCH = 20_000;
const MIN_TS = Date.UTC(1990, 0, 1);
const SOURCE_PRIORITY: Record<string, number> = { device: 0, api: 1, manual: 2, csv: 3 };
const DECIMAL_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------------
// TOU hook: the energy module registers a classifier; until then every slot is 'none'.

export interface TouSlot {
  meterId: string;
  /** slot start; the slot covers (slot, slot + 15 min] */
  slot: Date;
}
export type TouClassifier = (db: Sql, enterpriseId: string, slots: readonly TouSlot[]) => Promise<string[]>;
let touClassifier: TouClassifier | null = null;
/** Called once by the energy module at start-up. Must return one period per slot, in order. */
export function registerTouClassifier(fn: TouClassifier | null): void {
  touClassifier = fn;
}

// ---------------------------------------------------------------------------------------------
// Live updates: collected after commit, published at most once per interval per enterprise.

export interface LiveUpdate {
  enterpriseId: string;
  meterIds: string[];
  areaIds: string[];
  from: string;
  to: string;
}

export class LiveUpdates {
  private pending = new Map<string, { meters: Set<string>; areas: Set<string>; from: number; to: number }>();
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly ds: DataSource,
    private readonly intervalMs = 1_000,
  ) {}

  add(
    enterpriseId: string,
    meters: Iterable<string>,
    areas: Iterable<string>,
    from: number,
    to: number,
  ): void {
    const cur = this.pending.get(enterpriseId) ?? { meters: new Set(), areas: new Set(), from, to };
    for (const m of meters) cur.meters.add(m);
    for (const a of areas) cur.areas.add(a);
    cur.from = Math.min(cur.from, from);
    cur.to = Math.max(cur.to, to);
    this.pending.set(enterpriseId, cur);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    this.timer = null;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    for (const [enterpriseId, p] of batch) {
      const payload: LiveUpdate = {
        enterpriseId,
        meterIds: [...p.meters],
        areaIds: [...p.areas],
        from: new Date(p.from).toISOString(),
        to: new Date(p.to).toISOString(),
      };
      await publish(this.ds, 'metering.updated', payload, enterpriseId).catch(() => undefined);
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

// ---------------------------------------------------------------------------------------------

interface MeterRow {
  id: string;
  code: string;
  unit: string;
  kind: MeterKind;
  multiplier: string;
  rollover_value: string | null;
  max_rate_per_hour: string | null;
  interval_seconds: number;
  formula: string | null;
  area_id: string | null;
}

interface ValidItem {
  index: number;
  meter: MeterRow;
  ts: number;
  value: string;
  unit: string;
}

/** Canonical hash of a batch's readings, to tell a retry (same payload) from a replay. */
export function payloadHash(readings: readonly unknown[]): Buffer {
  return createHash('sha256').update(JSON.stringify(readings)).digest();
}

function reject(index: number, code: IngestErrorCode, detail?: string): ItemResult {
  return {
    index,
    status: 'REJECTED',
    code,
    message: detail ? `${INGEST_ERROR_MESSAGES[code]}: ${detail}` : INGEST_ERROR_MESSAGES[code],
  };
}

function parseTs(ts: unknown): number | null {
  if (typeof ts === 'number') return Number.isFinite(ts) ? ts : null;
  if (typeof ts === 'string' && ts.length <= 40) {
    const t = Date.parse(ts);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

interface Shaped {
  index: number;
  ref: string;
  byId: boolean;
  ts: number;
  value: string;
  unit: string;
}

/** Structural checks of one item (no database): a shaped item or its rejection. */
function shapeItem(raw: unknown, index: number, maxFuture: number): Shaped | ItemResult {
  if (typeof raw !== 'object' || raw === null) return reject(index, 'MALFORMED');
  const r = raw as Record<string, unknown>;
  const ref =
    typeof r.meterId === 'string' && r.meterId
      ? { ref: r.meterId, byId: true }
      : typeof r.meterCode === 'string' && r.meterCode
        ? { ref: r.meterCode, byId: false }
        : null;
  if (!ref) return reject(index, 'MALFORMED', 'meterId or meterCode required');
  if (ref.byId && !UUID_RE.test(ref.ref)) return reject(index, 'UNKNOWN_METER', ref.ref);
  if (typeof r.unit !== 'string' || !r.unit) return reject(index, 'MALFORMED', 'unit required');
  let value: string;
  if (typeof r.value === 'number') {
    if (!Number.isFinite(r.value)) return reject(index, 'NOT_FINITE', String(r.value));
    value = String(r.value);
  } else if (typeof r.value === 'string') {
    const v = r.value.trim();
    if (/^[-+]?(nan|inf|infinity)$/i.test(v)) return reject(index, 'NOT_FINITE', v);
    if (!DECIMAL_RE.test(v) || v.length > 60) return reject(index, 'MALFORMED', 'value');
    value = v;
  } else return reject(index, 'MALFORMED', 'value must be a decimal string or number');
  if (r.ts === undefined || r.ts === null) return reject(index, 'MALFORMED', 'ts required');
  const ts = parseTs(r.ts);
  if (ts === null) return reject(index, 'MALFORMED', 'ts');
  if (ts < MIN_TS) return reject(index, 'TIMESTAMP_OUT_OF_RANGE');
  if (ts > maxFuture) return reject(index, 'FUTURE_TIMESTAMP', new Date(ts).toISOString());
  return { index, ...ref, ts, value, unit: r.unit };
}

/**
 * Ingests one batch through the single metering pipeline: validate each item, insert raw readings
 * idempotently, re-clean the affected stretch of each meter's series and apply the rollup deltas —
 * all in one tenant transaction, so a batch is either fully applied or not at all, and valid items
 * are kept even when others in the same batch are rejected.
 */
export async function ingest(
  ctx: MeteringContext,
  batch: IngestBatch,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const touched: Touched = { meters: new Set(), areas: new Set(), from: Number.POSITIVE_INFINITY, to: 0 };
  const result = await withScope(
    ctx.db,
    { enterpriseIds: [batch.enterpriseId], parkIds: [], actor: batch.deviceId ?? null },
    (em) => ingestInTransaction(em, batch, opts, touched),
  );
  if (ctx.live && touched.meters.size)
    ctx.live.add(batch.enterpriseId, touched.meters, touched.areas, touched.from, touched.to);
  return result;
}

export interface Touched {
  meters: Set<string>;
  areas: Set<string>;
  from: number;
  to: number;
}

/** Same as `ingest`, inside a transaction the caller already holds (CSV import, manual reading). */
export async function ingestInTransaction(
  db: Sql,
  batch: IngestBatch,
  opts: IngestOptions = {},
  touched?: Touched,
): Promise<IngestResult> {
  const items: ItemResult[] = new Array(batch.readings.length);
  const batchId = batch.batchId ?? null;
  if (batch.readings.length > MAX_BATCH) {
    return summarise(
      batchId,
      batch.readings.map((_, i) => reject(i, 'BATCH_TOO_LARGE', `max ${MAX_BATCH}`)),
    );
  }
  const hash = batchId ? payloadHash(batch.readings) : null;
  if (batchId) {
    if (!UUID_RE.test(batchId)) {
      return summarise(
        batchId,
        batch.readings.map((_, i) => reject(i, 'MALFORMED', 'batchId must be a UUID')),
      );
    }
    const prior = await db.query<{ payload_sha256: Buffer }[]>(
      'SELECT payload_sha256 FROM metering_ingest_batch WHERE enterprise_id = $1 AND batch_id = $2',
      [batch.enterpriseId, batchId],
    );
    if (prior[0]) {
      const same = Buffer.compare(prior[0].payload_sha256, hash!) === 0;
      return summarise(
        batchId,
        batch.readings.map((_, i) =>
          same ? { index: i, status: 'DUPLICATE' as const } : reject(i, 'BATCH_REPLAYED', batchId),
        ),
      );
    }
  }

  // 1. shape
  const now = (opts.now ?? Date.now)();
  const maxFuture = now + (opts.maxFutureMs ?? 5 * 60_000);
  const shaped: Shaped[] = [];
  batch.readings.forEach((raw, index) => {
    const out = shapeItem(raw, index, maxFuture);
    if ('status' in out) items[index] = out;
    else shaped.push(out);
  });

  // 2. meters (locked in id order: concurrent batches on the same meter serialise, no deadlock)
  const ids = [...new Set(shaped.filter((s) => s.byId).map((s) => s.ref))];
  const codes = [...new Set(shaped.filter((s) => !s.byId).map((s) => s.ref))];
  const meters = shaped.length
    ? await db.query<MeterRow[]>(
        `SELECT id, code, unit, kind, multiplier::text, rollover_value::text, max_rate_per_hour::text,
                interval_seconds, formula, area_id
         FROM metering_meter
         WHERE enterprise_id = $1 AND (id = ANY($2::uuid[]) OR code = ANY($3::text[]))
         ORDER BY id FOR NO KEY UPDATE`,
        [batch.enterpriseId, ids, codes],
      )
    : [];
  const byId = new Map(meters.map((m) => [m.id, m]));
  const byCode = new Map(meters.map((m) => [m.code, m]));

  // 3. per-item semantics
  const valid: ValidItem[] = [];
  const seen = new Set<string>();
  for (const s of shaped) {
    const meter = s.byId ? byId.get(s.ref) : byCode.get(s.ref);
    if (!meter) {
      items[s.index] = reject(s.index, 'UNKNOWN_METER', s.ref);
      continue;
    }
    if (meter.formula) {
      items[s.index] = reject(s.index, 'VIRTUAL_METER', meter.code);
      continue;
    }
    if (!isKnownUnit(s.unit) || convertUnit(new Decimal(1), s.unit, meter.unit) === null) {
      items[s.index] = reject(s.index, 'WRONG_UNIT', `${s.unit} for a meter in ${meter.unit}`);
      continue;
    }
    if ((meter.kind === 'cumulative' || meter.kind === 'interval') && s.value.trim().startsWith('-')) {
      if (!new Decimal(s.value).isZero()) {
        items[s.index] = reject(s.index, 'NEGATIVE_REGISTER', s.value);
        continue;
      }
    }
    const key = `${meter.id}|${s.ts}`;
    if (seen.has(key)) {
      items[s.index] = reject(s.index, 'DUPLICATE_IN_BATCH', new Date(s.ts).toISOString());
      continue;
    }
    seen.add(key);
    valid.push({ index: s.index, meter, ts: s.ts, value: s.value, unit: s.unit });
  }

  // 4. raw insert (idempotent), partitions on demand
  if (valid.length) {
    // Every lookup below is a per-meter index range (the laterals carry OFFSET 0 so the planner
    // keeps them per meter instead of flattening them into one join). Fresh partitions and fast-growing tables have
    // stale statistics (autovacuum lags behind bulk ingest), and a planner that believes a table is
    // empty picks a sequential scan inside a nested loop — 100× slower. Rule that out for this tx.
    await db.query('SET LOCAL enable_seqscan = off');
    const months = [...new Set(valid.map((v) => monthStart(v.ts)))];
    await db.query('SELECT metering_ensure_reading_partition(m) FROM unnest($1::timestamptz[]) AS m', [
      months.map((m) => new Date(m).toISOString()),
    ]);
    const priorMax = await lastSegmentTs(db, batch.enterpriseId, [...new Set(valid.map((v) => v.meter.id))]);
    // stored neighbours of the candidates, read before the insert (the meter locks keep it exact),
    // so the new rows need not be read back
    const context = await readContext(db, batch.enterpriseId, valid);
    const stateRanges = new Map<string, { lo: number; hi: number }>();
    for (const v of valid) {
      if (v.meter.kind !== 'status') continue;
      const r = stateRanges.get(v.meter.id);
      if (!r) stateRanges.set(v.meter.id, { lo: v.ts, hi: v.ts });
      else {
        if (v.ts < r.lo) r.lo = v.ts;
        if (v.ts > r.hi) r.hi = v.ts;
      }
    }
    const stateContext = await readStateContext(db, batch.enterpriseId, stateRanges);
    const inserted = await db.query<{ meter_id: string; ts: Date }[]>(
      `INSERT INTO metering_reading (enterprise_id, meter_id, ts, source, value, unit, batch_id)
       SELECT $1, m, t, $2, v, u, $3
       FROM unnest($4::uuid[], $5::timestamptz[], $6::numeric[], $7::text[]) AS x(m, t, v, u)
       ON CONFLICT DO NOTHING
       RETURNING meter_id, ts`,
      [
        batch.enterpriseId,
        batch.source,
        batchId,
        pgArray(valid.map((v) => v.meter.id)),
        pgArray(valid.map((v) => new Date(v.ts).toISOString())),
        pgArray(valid.map((v) => v.value)),
        pgArray(valid.map((v) => v.unit)),
      ],
    );
    const fresh = new Set(inserted.map((r) => `${r.meter_id}|${r.ts.getTime()}`));
    const newByMeter = new Map<string, { meter: MeterRow; ts: number[] }>();
    const samples: Sample[] = [];
    const states = new Map<string, StateWork>();
    for (const v of valid) {
      const isNew = fresh.has(`${v.meter.id}|${v.ts}`);
      items[v.index] = { index: v.index, status: isNew ? 'ACCEPTED' : 'DUPLICATE' };
      if (!isNew) continue;
      if (v.meter.kind === 'instantaneous') {
        const value = convertUnit(new Dec(v.value), v.unit, v.meter.unit)!.times(v.meter.multiplier);
        samples.push({ meterId: v.meter.id, ts: v.ts, value });
      } else if (v.meter.kind === 'status') {
        const w = states.get(v.meter.id) ?? { meterId: v.meter.id, fresh: [] };
        w.fresh.push({ ts: v.ts, value: v.value, source: batch.source });
        states.set(v.meter.id, w);
      }
      if (touched && (v.meter.kind === 'instantaneous' || v.meter.kind === 'status')) {
        touched.meters.add(v.meter.id);
        if (v.meter.area_id) touched.areas.add(v.meter.area_id);
        touched.from = Math.min(touched.from, v.ts);
        touched.to = Math.max(touched.to, v.ts);
      }
      const e = newByMeter.get(v.meter.id) ?? { meter: v.meter, ts: [] };
      e.ts.push(v.ts);
      newByMeter.set(v.meter.id, e);
      const rows = context.rows.get(v.meter.id);
      if (rows)
        rows.push({ ts: new Date(v.ts), value: v.value, unit: v.unit, source: batch.source, part: 1 });
    }
    if (newByMeter.size) await recompute(db, batch.enterpriseId, newByMeter, priorMax, context, touched);
    await applySampleRollups(db, batch.enterpriseId, batch.source, samples);
    if (states.size)
      await applyStateRollups(db, batch.enterpriseId, [...states.values()], stateContext, SOURCE_PRIORITY);
  }

  const res = summarise(batchId, items);
  if (batchId) {
    await db.query(
      `INSERT INTO metering_ingest_batch (enterprise_id, batch_id, device_id, transport, payload_sha256, item_count,
         accepted, duplicates, rejected)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        batch.enterpriseId,
        batchId,
        batch.deviceId ?? null,
        batch.transport,
        hash,
        items.length,
        res.accepted,
        res.duplicates,
        res.rejected,
      ],
    );
  }
  return res;
}

/**
 * Postgres array literal of values that need no escaping (UUIDs, ISO timestamps, validated decimal
 * strings, known unit names): much cheaper than the driver's per-element quoting for 10k items.
 */
function pgArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i) out += ',';
    const v = values[i];
    out += v === null || v === undefined ? 'NULL' : v;
  }
  return `${out}}`;
}

function summarise(batchId: string | null, items: ItemResult[]): IngestResult {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  for (const it of items) {
    if (it.status === 'ACCEPTED') accepted++;
    else if (it.status === 'DUPLICATE') duplicates++;
    else rejected++;
  }
  return { batchId, accepted, duplicates, rejected, items };
}

function monthStart(ts: number): number {
  const d = new Date(ts);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

async function lastSegmentTs(
  db: Sql,
  enterpriseId: string,
  meterIds: string[],
): Promise<Map<string, number>> {
  const rows = await db.query<{ m: string; ts: Date }[]>(
    `SELECT w.m, s.ts FROM unnest($2::uuid[]) AS w(m)
     CROSS JOIN LATERAL (SELECT ts FROM metering_segment
                         WHERE enterprise_id = $1 AND meter_id = w.m ORDER BY ts DESC LIMIT 1) s`,
    [enterpriseId, meterIds],
  );
  return new Map(rows.map((r) => [r.m, r.ts.getTime()]));
}

const CONTEXT_BEFORE = 6;
const CONTEXT_AFTER = 4;

interface ContextRow {
  ts: Date;
  value: string;
  unit: string;
  source: string;
  part: number;
}
interface Context {
  rows: Map<string, ContextRow[]>;
  /** stored readings found after the candidates' range (CONTEXT_AFTER means "there may be more") */
  after: Map<string, number>;
}

/** Stored readings around and within each register meter's candidate range. */
async function readContext(db: Sql, enterpriseId: string, valid: ValidItem[]): Promise<Context> {
  const range = new Map<string, { lo: number; hi: number }>();
  for (const v of valid) {
    if (v.meter.kind !== 'cumulative' && v.meter.kind !== 'interval') continue;
    const r = range.get(v.meter.id);
    if (!r) range.set(v.meter.id, { lo: v.ts, hi: v.ts });
    else {
      if (v.ts < r.lo) r.lo = v.ts;
      if (v.ts > r.hi) r.hi = v.ts;
    }
  }
  const rows = new Map<string, ContextRow[]>();
  const after = new Map<string, number>();
  if (!range.size) return { rows, after };
  const ids = [...range.keys()];
  for (const id of ids) rows.set(id, []);
  const raw = await db.query<(ContextRow & { m: string })[]>(
    `SELECT w.m, r.ts, r.value::text, r.unit, r.source, r.part
     FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[]) AS w(m, lo, hi)
     CROSS JOIN LATERAL (
       (SELECT ts, value, unit, source, 0 AS part FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = w.m AND ts < w.lo ORDER BY ts DESC LIMIT ${CONTEXT_BEFORE})
       UNION ALL
       (SELECT ts, value, unit, source, 1 FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = w.m AND ts >= w.lo AND ts <= w.hi OFFSET 0)
       UNION ALL
       (SELECT ts, value, unit, source, 2 FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = w.m AND ts > w.hi ORDER BY ts LIMIT ${CONTEXT_AFTER})
     ) r`,
    [
      enterpriseId,
      ids,
      ids.map((id) => new Date(range.get(id)!.lo).toISOString()),
      ids.map((id) => new Date(range.get(id)!.hi).toISOString()),
    ],
  );
  for (const r of raw) {
    rows.get(r.m)!.push(r);
    if (r.part === 2) after.set(r.m, (after.get(r.m) ?? 0) + 1);
  }
  return { rows, after };
}

/**
 * Re-cleans the stretch of each meter's series around the new readings (a few readings of context
 * either side), replaces the affected derived segments, and applies the difference between the new
 * and the old apportioned values to the rollups. Appends touch one old segment; late data touches
 * its neighbours; both cost the same code path.
 */
async function recompute(
  db: Sql,
  enterpriseId: string,
  newByMeter: Map<string, { meter: MeterRow; ts: number[] }>,
  priorMax: Map<string, number>,
  context: Context,
  touched?: Touched,
): Promise<void> {
  const work = [...newByMeter.values()].filter(
    (w) => w.meter.kind === 'cumulative' || w.meter.kind === 'interval',
  );
  if (!work.length) return;
  const rowsByMeter = context.rows;

  // old segments over the recomputed stretch, to subtract their rollup contribution
  const ranges: { meter: MeterRow; from: number; to: number; segs: Segment[]; late: Set<number> }[] = [];
  for (const w of work) {
    const rows = (rowsByMeter.get(w.meter.id) ?? []).sort(
      (a, b) =>
        a.ts.getTime() - b.ts.getTime() ||
        (SOURCE_PRIORITY[a.source] ?? 9) - (SOURCE_PRIORITY[b.source] ?? 9),
    );
    const newTs = new Set(w.ts);
    const prior = priorMax.get(w.meter.id);
    const points: CleaningPoint[] = [];
    for (const r of rows) {
      const ts = r.ts.getTime();
      const last = points.at(-1);
      if (last && last.ts === ts) {
        last.duplicate = true;
        continue;
      }
      const value = convertUnit(new Decimal(r.value), r.unit, w.meter.unit) ?? new Decimal(0);
      points.push({ ts, value, late: newTs.has(ts) && prior !== undefined && ts < prior });
    }
    const firstNew = points.findIndex((p) => newTs.has(p.ts));
    const emitFrom = Math.max(0, firstNew - 1);
    const afterCount = context.after.get(w.meter.id) ?? 0;
    const emitTo = afterCount >= CONTEXT_AFTER ? points.length - 2 : points.length - 1;
    if (emitTo < emitFrom) continue;
    const segs = cleanSeries(
      points.slice(0, emitTo + 1),
      {
        kind: w.meter.kind,
        multiplier: new Decimal(w.meter.multiplier),
        rolloverValue: w.meter.rollover_value ? new Decimal(w.meter.rollover_value) : null,
        maxRatePerHour: w.meter.max_rate_per_hour ? new Decimal(w.meter.max_rate_per_hour) : null,
        intervalSeconds: w.meter.interval_seconds,
      },
      emitFrom,
    );
    if (!segs.length) continue;
    ranges.push({ meter: w.meter, from: segs[0]!.ts, to: segs.at(-1)!.ts, segs, late: new Set() });
  }
  if (!ranges.length) return;

  const old = await db.query<
    { meter_id: string; ts: Date; start_ts: Date | null; delta: string; flags: string[] }[]
  >(
    `SELECT w.m AS meter_id, s.ts, s.start_ts, s.delta::text, s.flags
     FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[]) AS w(m, lo, hi)
     CROSS JOIN LATERAL (SELECT ts, start_ts, delta, flags FROM metering_segment
                         WHERE enterprise_id = $1 AND meter_id = w.m AND ts >= w.lo AND ts <= w.hi
                         OFFSET 0) s`,
    [
      enterpriseId,
      ranges.map((r) => r.meter.id),
      ranges.map((r) => new Date(r.from).toISOString()),
      ranges.map((r) => new Date(r.to).toISOString()),
    ],
  );
  const oldByKey = new Map(old.map((o) => [`${o.meter_id}|${o.ts.getTime()}`, o]));

  // rollup deltas per (meter, slot)
  const diff = new Map<string, { meter: string; slot: number; value: Decimal; flagged: Decimal }>();
  const add = (meter: string, seg: Segment, sign: 1 | -1) => {
    for (const p of apportion(seg)) {
      const k = `${meter}|${p.slot}`;
      const cur = diff.get(k) ?? { meter, slot: p.slot, value: new Dec(0), flagged: new Dec(0) };
      cur.value = sign > 0 ? cur.value.plus(p.value) : cur.value.minus(p.value);
      if (p.flagged) cur.flagged = sign > 0 ? cur.flagged.plus(p.value) : cur.flagged.minus(p.value);
      diff.set(k, cur);
    }
  };
  const segRows: {
    m: string;
    ts: string;
    start: string | null;
    delta: string;
    flags: string;
    old: boolean;
  }[] = [];
  for (const r of ranges) {
    for (const s of r.segs) {
      const prev = oldByKey.get(`${r.meter.id}|${s.ts}`);
      if (prev) {
        // a reading once flagged late stays late when its segment is recomputed
        if (prev.flags.includes('late') && !s.flags.includes('late')) {
          s.flags = s.flags.filter((f) => f !== 'ok');
          s.flags.push('late');
        }
        const before: Segment = {
          ts: s.ts,
          startTs: prev.start_ts ? prev.start_ts.getTime() : null,
          delta: new Dec(prev.delta),
          flags: prev.flags as QualityFlag[],
        };
        if (
          before.startTs === s.startTs &&
          before.delta.eq(s.delta) &&
          before.flags.join(',') === s.flags.join(',')
        )
          continue;
        add(r.meter.id, before, -1);
      }
      add(r.meter.id, s, 1);
      segRows.push({
        m: r.meter.id,
        ts: new Date(s.ts).toISOString(),
        start: s.startTs === null ? null : new Date(s.startTs).toISOString(),
        delta: s.delta.toString(),
        flags: `{${s.flags.join(',')}}`,
        old: prev !== undefined,
      });
    }
    if (touched) {
      touched.meters.add(r.meter.id);
      if (r.meter.area_id) touched.areas.add(r.meter.area_id);
      touched.from = Math.min(touched.from, r.from);
      touched.to = Math.max(touched.to, r.to);
    }
  }
  // new segments (the common case: appends) take a plain INSERT; recomputed ones an upsert
  for (const old of [false, true]) {
    const part = segRows.filter((r) => r.old === old);
    if (!part.length) continue;
    await db.query(
      `INSERT INTO metering_segment (enterprise_id, meter_id, ts, start_ts, delta, flags)
       SELECT $1, m, t, s, d, f::text[]
       FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::numeric[], $6::text[]) AS x(m, t, s, d, f)
       ${
         old
           ? `ON CONFLICT (enterprise_id, meter_id, ts) DO UPDATE
         SET start_ts = EXCLUDED.start_ts, delta = EXCLUDED.delta, flags = EXCLUDED.flags, computed_at = now()`
           : ''
       }`,
      [
        enterpriseId,
        pgArray(part.map((s) => s.m)),
        pgArray(part.map((s) => s.ts)),
        pgArray(part.map((s) => s.start)),
        pgArray(part.map((s) => s.delta)),
        part.map((s) => s.flags),
      ],
    );
  }
  const deltas = [...diff.values()].filter((d) => !d.value.isZero() || !d.flagged.isZero());
  if (!deltas.length) return;
  const slots = deltas.map((d) => ({ meterId: d.meter, slot: new Date(d.slot) }));
  const tou = touClassifier ? await touClassifier(db, enterpriseId, slots) : slots.map(() => 'none');
  await db.query(
    `WITH d AS (
       SELECT d.m, d.slot, d.tou, d.v, d.f, mt.time_zone AS tz
       FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::numeric[], $6::numeric[]) AS d(m, slot, tou, v, f)
       JOIN metering_meter mt ON mt.enterprise_id = $1 AND mt.id = d.m
     ), g AS (
       SELECT m, '15m' AS grain, slot AS b, tou, v, f FROM d
       UNION ALL SELECT m, '1h', date_trunc('hour', slot, tz), tou, v, f FROM d
       UNION ALL SELECT m, '1d', date_trunc('day', slot, tz), tou, v, f FROM d
       UNION ALL SELECT m, '1mo', date_trunc('month', slot, tz), tou, v, f FROM d
     )
     INSERT INTO metering_rollup AS r (enterprise_id, meter_id, grain, bucket_start, tou_period, value, flagged)
     SELECT $1, m, grain, b, tou, sum(v), sum(f) FROM g GROUP BY m, grain, b, tou
     ON CONFLICT (enterprise_id, meter_id, grain, bucket_start, tou_period) DO UPDATE
       SET value = r.value + EXCLUDED.value, flagged = r.flagged + EXCLUDED.flagged, updated_at = now()`,
    [
      enterpriseId,
      deltas.map((d) => d.meter),
      deltas.map((d) => new Date(d.slot).toISOString()),
      tou,
      deltas.map((d) => d.value.toString()),
      deltas.map((d) => d.flagged.toString()),
    ],
  );
}
