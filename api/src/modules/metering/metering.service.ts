import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Decimal from 'decimal.js';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { withScope } from '../../core/db';
import { publish } from '../../core/events';
import {
  type CleaningPoint,
  cleanSeries,
  Dec,
  forEachPiece,
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

/** A shaped item that passed the per-meter checks (the same object: no copy per reading). */
type ValidItem = Shaped & { meter: MeterRow };
/** What a raw row write needs of an item. */
type RawItem = Pick<ValidItem, 'meter' | 'ts' | 'value' | 'unit'>;

/** Canonical hash of a batch's readings, to tell a retry (same payload) from a replay. */
export function payloadHash(readings: readonly unknown[]): Buffer {
  return createHash('sha256').update(JSON.stringify(readings)).digest();
}

const convertible = new Map<string, boolean>();
/** Whether a reading in `from` can be converted to a meter in `to` (memoised: checked per item). */
function unitConvertible(from: string, to: string): boolean {
  if (from === to) return isKnownUnit(from);
  const key = `${from}\u0000${to}`;
  let ok = convertible.get(key);
  if (ok === undefined) {
    ok = isKnownUnit(from) && convertUnit(new Decimal(1), from, to) !== null;
    if (convertible.size < 10_000) convertible.set(key, ok);
  }
  return ok;
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
  /** filled in when the item passes the per-meter checks (the object then serves as its ValidItem) */
  meter: MeterRow | null;
  /** set once the raw row is stored by this batch (false: it was stored already) */
  fresh: boolean;
  /** set when the item joins its meter's context rows (it then serves as its ContextRow) */
  source: string;
  part: number;
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
  return {
    index,
    ref: ref.ref,
    byId: ref.byId,
    ts,
    value,
    unit: r.unit,
    meter: null,
    fresh: false,
    source: '',
    part: 0,
  };
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
  const seen = new Map<string, Set<number>>();
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
    if (!unitConvertible(s.unit, meter.unit)) {
      items[s.index] = reject(s.index, 'WRONG_UNIT', `${s.unit} for a meter in ${meter.unit}`);
      continue;
    }
    if ((meter.kind === 'cumulative' || meter.kind === 'interval') && s.value.trim().startsWith('-')) {
      if (!new Decimal(s.value).isZero()) {
        items[s.index] = reject(s.index, 'NEGATIVE_REGISTER', s.value);
        continue;
      }
    }
    let times = seen.get(meter.id);
    if (!times) {
      times = new Set();
      seen.set(meter.id, times);
    }
    if (times.has(s.ts)) {
      items[s.index] = reject(s.index, 'DUPLICATE_IN_BATCH', new Date(s.ts).toISOString());
      continue;
    }
    times.add(s.ts);
    s.meter = meter;
    valid.push(s as ValidItem);
  }

  // 4. raw insert (idempotent), partitions on demand
  if (valid.length) {
    // Every lookup below is a per-meter index range (the laterals carry OFFSET 0 so the planner
    // keeps them per meter instead of flattening them into one join). Fresh partitions and fast-growing tables have
    // stale statistics (autovacuum lags behind bulk ingest), and a planner that believes a table is
    // empty picks a sequential scan inside a nested loop — 100× slower. Rule that out for this tx.
    const months = new Set<number>();
    let monthLo = 0;
    let monthHi = 0;
    for (const v of valid) {
      if (v.ts >= monthLo && v.ts < monthHi) continue;
      monthLo = monthStart(v.ts);
      const d = new Date(monthLo);
      monthHi = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      months.add(monthLo);
    }
    await db.query(
      `SELECT set_config('enable_seqscan', 'off', true), metering_ensure_reading_partition(m)
       FROM unnest($1::timestamptz[]) AS m`,
      [[...months].map((m) => new Date(m).toISOString())],
    );
    // stored neighbours of the candidates, read before the insert (the meter locks keep it exact),
    // so the new rows need not be read back — and the stored rows inside the candidates' range
    // tell which candidates are already stored, so register rows need no ON CONFLICT
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
    const registerRows: ValidItem[] = [];
    const otherRows: ValidItem[] = [];
    const anyStored = context.stored.size > 0;
    for (const v of valid) {
      if (v.meter.kind === 'cumulative' || v.meter.kind === 'interval') {
        if (!anyStored || !context.stored.has(`${v.meter.id}|${v.ts}|${batch.source}`)) registerRows.push(v);
      } else otherRows.push(v);
    }
    const rawRow = { enterpriseId: batch.enterpriseId, source: batch.source, batchId };
    const registerStored = await writeRegisterReadings(db, rawRow, registerRows);
    for (const v of registerRows) v.fresh = !registerStored || registerStored.has(`${v.meter.id}|${v.ts}`);
    if (otherRows.length) {
      const stored = await insertReadings(db, rawRow, otherRows);
      for (const v of otherRows) v.fresh = stored.has(`${v.meter.id}|${v.ts}`);
    }
    const newByMeter = new Map<string, { meter: MeterRow; ts: number[] }>();
    const samples: Sample[] = [];
    const states = new Map<string, StateWork>();
    for (const v of valid) {
      const isNew = v.fresh === true;
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
      if (rows) {
        // the item itself serves as its context row (no copy per reading)
        v.source = batch.source;
        v.part = PART_NEW;
        rows.push(v);
      }
    }
    if (newByMeter.size) await recompute(db, batch.enterpriseId, newByMeter, context, touched);
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

// ---------------------------------------------------------------------------------------------
// Raw writes

interface RawRowBase {
  enterpriseId: string;
  source: ReadingSource;
  batchId: string | null;
}

/**
 * Database logins on which COPY was refused for good (not the tables' owner, no BYPASSRLS): their
 * ingests take the INSERT path without trying COPY again.
 */
const copyRefused = new Set<string>();
const loginOf = (c: pg.ClientBase) => {
  const p = (
    c as unknown as {
      connectionParameters?: { user?: string; host?: string; port?: number; database?: string };
    }
  ).connectionParameters;
  return `${p?.user}@${p?.host}:${p?.port}/${p?.database}`;
};

/** The node-postgres client behind a TypeORM EntityManager in a transaction (null otherwise). */
function pgClientOf(db: Sql): pg.ClientBase | null {
  const runner = (db as { queryRunner?: { databaseConnection?: unknown } }).queryRunner;
  const conn = runner?.databaseConnection as pg.ClientBase | undefined;
  return conn && typeof conn.query === 'function' ? conn : null;
}

/**
 * Writes register readings that the caller knows are not stored yet (the context read under the
 * meter locks found no row with the same key). Fast path: COPY straight into the partitioned table.
 * PostgreSQL refuses COPY FROM on a table with row-level security for a role it applies to, so this
 * one statement runs as the connection's own (owner) role: every row's enterprise_id is the batch's
 * and every meter id was resolved under RLS in this transaction, so no row can land in another
 * tenant; the caller's role is restored right after, so segments and rollups are still written
 * under RLS. The COPY runs under a savepoint: if it fails (a writer that bypassed the meter locks
 * stored the same key, or no owner rights), the rows go through INSERT … ON CONFLICT DO NOTHING and
 * the keys it stored are returned; null = all stored.
 */
export async function writeRegisterReadings(
  db: Sql,
  base: RawRowBase,
  rows: readonly RawItem[],
): Promise<Set<string> | null> {
  if (!rows.length) return null;
  const client = pgClientOf(db);
  if (client && !copyRefused.has(loginOf(client)) && copySafe(base, rows)) {
    await db.query('SAVEPOINT metering_raw_copy');
    try {
      // switch to the session's own role for the COPY and remember the caller's (normally the
      // tenant role) to restore it after, in one round trip
      const me = await db.query<{ r: string }[]>(
        `WITH me AS MATERIALIZED (SELECT current_user::text AS r) SELECT r, set_config('role', 'none', true) FROM me`,
      );
      const callerRole = me[0]!.r;
      const tail = `\t${base.source}\t`;
      const end = `\t${base.batchId ?? '\\N'}\n`;
      const head = `${base.enterpriseId}\t`;
      // readings of one batch share few timestamps (one per poll): format each once
      const iso = new Map<number, string>();
      let buf = '';
      for (const v of rows) {
        let t = iso.get(v.ts);
        if (t === undefined) {
          t = new Date(v.ts).toISOString();
          iso.set(v.ts, t);
        }
        buf += `${head}${v.meter.id}\t${t}${tail}${v.value}\t${v.unit}${end}`;
      }
      await pipeline(
        Readable.from([buf]),
        client.query(
          copyFrom(
            'COPY metering_reading (enterprise_id, meter_id, ts, source, value, unit, batch_id) FROM STDIN',
          ),
        ),
      );
      await db.query(`SELECT set_config('role', $1, true)`, [callerRole]);
      await db.query('RELEASE SAVEPOINT metering_raw_copy');
      return null;
    } catch (e) {
      await db.query('ROLLBACK TO SAVEPOINT metering_raw_copy');
      await db.query('RELEASE SAVEPOINT metering_raw_copy');
      const code = (e as { code?: string }).code;
      // 42501 insufficient privilege, 0A000 COPY on an RLS table: not the owner — stop trying
      if (code === '42501' || code === '0A000') copyRefused.add(loginOf(client));
      else if (code !== '23505') throw e;
    }
  }
  return insertReadings(db, base, rows);
}

const COPY_FIELD_RE = /^[^\t\n\r\\]+$/;
/**
 * The COPY text is built by concatenation, so every field must be free of the text format's
 * delimiters. The pipeline guarantees it (UUIDs checked or read from the database, values matched
 * against the decimal pattern, units from the unit table); this re-checks what a caller could pass
 * in, so a future caller cannot smuggle a row into another tenant through a tab or a newline.
 */
function copySafe(base: RawRowBase, rows: readonly RawItem[]): boolean {
  if (!UUID_RE.test(base.enterpriseId) || (base.batchId !== null && !UUID_RE.test(base.batchId)))
    return false;
  let unit = '';
  for (const v of rows) {
    if (v.unit !== unit) {
      if (!COPY_FIELD_RE.test(v.unit)) return false;
      unit = v.unit;
    }
    if (!DECIMAL_RE.test(v.value)) return false;
  }
  return true;
}

/** INSERT … ON CONFLICT DO NOTHING of raw readings; returns the `meter|ts` keys it stored. */
async function insertReadings(db: Sql, base: RawRowBase, rows: readonly RawItem[]): Promise<Set<string>> {
  const inserted = await db.query<{ meter_id: string; ts: Date }[]>(
    `INSERT INTO metering_reading (enterprise_id, meter_id, ts, source, value, unit, batch_id)
     SELECT $1, m, t, $2, v, u, $3
     FROM unnest($4::uuid[], $5::timestamptz[], $6::numeric[], $7::text[]) AS x(m, t, v, u)
     ON CONFLICT DO NOTHING
     RETURNING meter_id, ts`,
    [
      base.enterpriseId,
      base.source,
      base.batchId,
      pgArray(rows.map((v) => v.meter.id)),
      pgArray(rows.map((v) => new Date(v.ts).toISOString())),
      pgArray(rows.map((v) => v.value)),
      pgArray(rows.map((v) => v.unit)),
    ],
  );
  return new Set(inserted.map((r) => `${r.meter_id}|${r.ts.getTime()}`));
}

// ---------------------------------------------------------------------------------------------
// Context and re-cleaning

const CONTEXT_BEFORE = 6;
const CONTEXT_AFTER = 4;
/** context row parts: 0 before the candidates' range, 1 inside it, 2 after it; PART_NEW = this batch */
const PART_NEW = 3;
const ZERO = new Dec(0);

interface ContextRow {
  ts: number;
  value: string;
  unit: string;
  source: string;
  part: number;
}
interface Context {
  rows: Map<string, ContextRow[]>;
  /** stored readings found after the candidates' range (CONTEXT_AFTER means "there may be more") */
  after: Map<string, number>;
  /** stored readings found before the range (fewer than CONTEXT_BEFORE: the series starts there) */
  before: Map<string, number>;
  /** `meter|ts|source` of stored readings inside the candidates' range */
  stored: Set<string>;
  /** latest stored reading per meter (a candidate before it arrives late) */
  lastTs: Map<string, number>;
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
  const ctx: Context = {
    rows: new Map(),
    after: new Map(),
    before: new Map(),
    stored: new Set(),
    lastTs: new Map(),
  };
  if (!range.size) return ctx;
  const ids = [...range.keys()];
  for (const id of ids) ctx.rows.set(id, []);
  const raw = await db.query<
    { m: string; ts: Date; value: string; unit: string; source: string; part: number }[]
  >(
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
    const t = r.ts.getTime();
    ctx.rows.get(r.m)!.push({ ts: t, value: r.value, unit: r.unit, source: r.source, part: r.part });
    if (r.part === 0) ctx.before.set(r.m, (ctx.before.get(r.m) ?? 0) + 1);
    else if (r.part === 1) ctx.stored.add(`${r.m}|${t}|${r.source}`);
    else ctx.after.set(r.m, (ctx.after.get(r.m) ?? 0) + 1);
    if (t > (ctx.lastTs.get(r.m) ?? Number.NEGATIVE_INFINITY)) ctx.lastTs.set(r.m, t);
  }
  return ctx;
}

/** One distinct timestamp of a meter's series: the highest-priority reading there. */
interface SeriesPoint extends CleaningPoint {
  /** reading unit equals the meter unit (an implied segment needs no unit conversion) */
  unitOk: boolean;
}

function toSeries(rows: readonly ContextRow[], meter: MeterRow, late: (t: number) => boolean): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (const r of rows) {
    const last = points.at(-1);
    if (last && last.ts === r.ts) {
      last.duplicate = true;
      continue;
    }
    const value = convertUnit(new Dec(r.value), r.unit, meter.unit) ?? new Dec(0);
    points.push({ ts: r.ts, value, late: late(r.ts), unitOk: r.unit === meter.unit });
  }
  return points;
}

/**
 * Segments are stored sparsely: a segment that follows from the raw readings alone — flag `ok`,
 * starting at the previous reading (interval meters: one interval before), both readings in the
 * meter's unit — is implied and not stored (the view `metering_segment_all` shows it). Every other
 * segment (flagged, spanning a skipped reading, converted units, baseline after a skipped reading)
 * is a row of `metering_segment`. This halves the rows an append writes.
 */
function isImplied(seg: Segment, points: readonly SeriesPoint[], i: number, meter: MeterRow): boolean {
  const pt = points[i]!;
  if (seg.flags.length !== 1 || seg.flags[0] !== 'ok' || !pt.unitOk || pt.duplicate) return false;
  if (meter.kind === 'interval') return seg.startTs === pt.ts - meter.interval_seconds * 1000;
  if (i === 0) return seg.startTs === null && seg.delta.isZero();
  const prev = points[i - 1]!;
  return prev.unitOk && seg.startTs === prev.ts;
}

/** The implied segment of point i of a series (see isImplied), or null when it is not derivable. */
function impliedSegment(
  points: readonly SeriesPoint[],
  i: number,
  meter: MeterRow,
  first: boolean,
): Segment | null {
  const pt = points[i]!;
  if (!pt.unitOk || pt.duplicate) return null;
  const mult = new Dec(meter.multiplier);
  if (meter.kind === 'interval')
    return {
      ts: pt.ts,
      startTs: pt.ts - meter.interval_seconds * 1000,
      delta: pt.value.times(mult),
      flags: ['ok'],
    };
  if (i === 0) return first ? { ts: pt.ts, startTs: null, delta: new Dec(0), flags: ['ok'] } : null;
  const prev = points[i - 1]!;
  if (!prev.unitOk) return null;
  return { ts: pt.ts, startTs: prev.ts, delta: pt.value.minus(prev.value).times(mult), flags: ['ok'] };
}

function sameSegment(a: Segment, b: Segment): boolean {
  return a.startTs === b.startTs && a.delta.eq(b.delta) && a.flags.join(',') === b.flags.join(',');
}

/**
 * Re-cleans the stretch of each meter's series around the new readings (a few readings of context
 * either side), stores the segments that are not implied by the raw readings, and applies the
 * difference between the new and the old apportioned values to the rollups. The old value of a
 * segment is its stored row or, without one, the segment implied by the series as it was before
 * this batch. Appends touch one old segment; late data touches its neighbours; both cost the same.
 */
async function recompute(
  db: Sql,
  enterpriseId: string,
  newByMeter: Map<string, { meter: MeterRow; ts: number[] }>,
  context: Context,
  touched?: Touched,
): Promise<void> {
  const work = [...newByMeter.values()].filter(
    (w) => w.meter.kind === 'cumulative' || w.meter.kind === 'interval',
  );
  if (!work.length) return;
  const byPriority = (a: ContextRow, b: ContextRow) =>
    a.ts - b.ts || (SOURCE_PRIORITY[a.source] ?? 9) - (SOURCE_PRIORITY[b.source] ?? 9);

  interface Range {
    meter: MeterRow;
    from: number;
    to: number;
    segs: Segment[];
    points: SeriesPoint[];
    /** index in points of segs[0] */
    offset: number;
    oldPoints: SeriesPoint[];
    oldIndex: Map<number, number>;
    first: boolean;
  }
  const ranges: Range[] = [];
  for (const w of work) {
    const rows = (context.rows.get(w.meter.id) ?? []).sort(byPriority);
    const newTs = new Set(w.ts);
    const prior = context.lastTs.get(w.meter.id);
    const late = (t: number) => newTs.has(t) && prior !== undefined && t < prior;
    const points = toSeries(rows, w.meter, late);
    const oldPoints = toSeries(
      rows.filter((r) => r.part !== PART_NEW),
      w.meter,
      () => false,
    );
    const firstNew = points.findIndex((p) => newTs.has(p.ts));
    const emitFrom = Math.max(0, firstNew - 1);
    const afterCount = context.after.get(w.meter.id) ?? 0;
    const emitTo = afterCount >= CONTEXT_AFTER ? points.length - 2 : points.length - 1;
    if (emitTo < emitFrom) continue;
    const segs = cleanSeries(
      points.slice(0, emitTo + 1),
      {
        kind: w.meter.kind,
        multiplier: new Dec(w.meter.multiplier),
        rolloverValue: w.meter.rollover_value ? new Dec(w.meter.rollover_value) : null,
        maxRatePerHour: w.meter.max_rate_per_hour ? new Dec(w.meter.max_rate_per_hour) : null,
        intervalSeconds: w.meter.interval_seconds,
      },
      emitFrom,
    );
    if (!segs.length) continue;
    ranges.push({
      meter: w.meter,
      from: segs[0]!.ts,
      to: segs.at(-1)!.ts,
      segs,
      points,
      offset: emitFrom,
      oldPoints,
      oldIndex: new Map(oldPoints.map((p, i) => [p.ts, i])),
      // the series really starts at index 0 (not at the edge of the context window)
      first: (context.before.get(w.meter.id) ?? 0) < CONTEXT_BEFORE,
    });
  }
  if (!ranges.length) return;

  // stored (non-implied) segments over the recomputed stretch
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
  const storedByMeter = new Map<string, Map<number, (typeof old)[number]>>();
  for (const o of old) {
    let m = storedByMeter.get(o.meter_id);
    if (!m) {
      m = new Map();
      storedByMeter.set(o.meter_id, m);
    }
    m.set(o.ts.getTime(), o);
  }

  // rollup deltas per (meter, slot)
  interface Acc {
    meter: string;
    slot: number;
    value: Decimal;
    flagged: Decimal;
  }
  const diff = new Map<string, Map<number, Acc>>();
  const add = (meter: string, seg: Segment, sign: 1 | -1) => {
    let slots = diff.get(meter);
    if (!slots) {
      slots = new Map();
      diff.set(meter, slots);
    }
    forEachPiece(seg, (slot, value, flagged) => {
      let cur = slots.get(slot);
      if (!cur) {
        cur = { meter, slot, value: ZERO, flagged: ZERO };
        slots.set(slot, cur);
      }
      cur.value = sign > 0 ? cur.value.plus(value) : cur.value.minus(value);
      if (flagged) cur.flagged = sign > 0 ? cur.flagged.plus(value) : cur.flagged.minus(value);
    });
  };
  const segRows: {
    m: string;
    ts: string;
    start: string | null;
    delta: string;
    flags: string;
    old: boolean;
  }[] = [];
  const dropped: { m: string; ts: string }[] = [];
  for (const r of ranges) {
    const storedSegs = storedByMeter.get(r.meter.id);
    r.segs.forEach((s, k) => {
      const stored = storedSegs?.get(s.ts);
      let before: Segment | null = null;
      if (stored) {
        // a reading once flagged late stays late when its segment is recomputed
        if (stored.flags.includes('late') && !s.flags.includes('late')) {
          s.flags = s.flags.filter((f) => f !== 'ok');
          s.flags.push('late');
        }
        before = {
          ts: s.ts,
          startTs: stored.start_ts ? stored.start_ts.getTime() : null,
          delta: new Dec(stored.delta),
          flags: stored.flags as QualityFlag[],
        };
      } else {
        const oi = r.oldIndex.get(s.ts);
        if (oi !== undefined) before = impliedSegment(r.oldPoints, oi, r.meter, r.first);
      }
      if (before && sameSegment(before, s)) return;
      if (before) add(r.meter.id, before, -1);
      add(r.meter.id, s, 1);
      if (isImplied(s, r.points, r.offset + k, r.meter)) {
        if (stored) dropped.push({ m: r.meter.id, ts: new Date(s.ts).toISOString() });
        return;
      }
      segRows.push({
        m: r.meter.id,
        ts: new Date(s.ts).toISOString(),
        start: s.startTs === null ? null : new Date(s.startTs).toISOString(),
        delta: s.delta.toString(),
        flags: `{${s.flags.join(',')}}`,
        old: stored !== undefined,
      });
    });
    if (touched) {
      touched.meters.add(r.meter.id);
      if (r.meter.area_id) touched.areas.add(r.meter.area_id);
      touched.from = Math.min(touched.from, r.from);
      touched.to = Math.max(touched.to, r.to);
    }
  }
  if (segRows.length) {
    await db.query(
      `INSERT INTO metering_segment (enterprise_id, meter_id, ts, start_ts, delta, flags)
       SELECT $1, m, t, s, d, f::text[]
       FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::numeric[], $6::text[]) AS x(m, t, s, d, f)
       ON CONFLICT (enterprise_id, meter_id, ts) DO UPDATE
         SET start_ts = EXCLUDED.start_ts, delta = EXCLUDED.delta, flags = EXCLUDED.flags, computed_at = now()`,
      [
        enterpriseId,
        pgArray(segRows.map((s) => s.m)),
        pgArray(segRows.map((s) => s.ts)),
        pgArray(segRows.map((s) => s.start)),
        pgArray(segRows.map((s) => s.delta)),
        segRows.map((s) => s.flags),
      ],
    );
  }
  if (dropped.length) {
    // a stored segment that the new readings make implied: the view derives it from now on
    await db.query(
      `DELETE FROM metering_segment s USING unnest($2::uuid[], $3::timestamptz[]) AS x(m, t)
       WHERE s.enterprise_id = $1 AND s.meter_id = x.m AND s.ts = x.t`,
      [enterpriseId, pgArray(dropped.map((d) => d.m)), pgArray(dropped.map((d) => d.ts))],
    );
  }
  const deltas: Acc[] = [];
  for (const slots of diff.values())
    for (const d of slots.values()) if (!d.value.isZero() || !d.flagged.isZero()) deltas.push(d);
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
      pgArray(deltas.map((d) => d.meter)),
      pgArray(deltas.map((d) => new Date(d.slot).toISOString())),
      tou,
      pgArray(deltas.map((d) => d.value.toString())),
      pgArray(deltas.map((d) => d.flagged.toString())),
    ],
  );
}
