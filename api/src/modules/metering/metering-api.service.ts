import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import { csvErrorsFrom, csvToReadings } from './csv-import';
import type { CsvRowError } from './metering.errors';
import { MAX_XLSX_BYTES, xlsxToReadings } from './xlsx-import';
import { ingestSigned, type SignedBatchEnvelope } from './device-ingest';
import {
  createMeter,
  getMeter,
  listMeters,
  type Meter,
  MeterSpecError,
  type MeterSpec,
  meterRollups,
  type RollupGrain,
  ROLLUP_GRAINS,
} from './meter.service';
import type { CreateMeterInput, ManualReadingInput, ReadingInput } from './metering.inputs';
import {
  meterSampleStats,
  meterStateDurations,
  type SampleStatPoint,
  type StateDurationPoint,
} from './sample-rollups';
import { type IngestResult, ingest, ingestInTransaction, LiveUpdates, MAX_BATCH } from './metering.service';

export const MAX_PHOTO_BYTES = 4 * 1024 * 1024;
export const MAX_CSV_ROWS = MAX_BATCH;

const live = new WeakMap<DataSource, LiveUpdates>();
function liveFor(ds: DataSource): LiveUpdates {
  let l = live.get(ds);
  if (!l) {
    l = new LiveUpdates(ds);
    live.set(ds, l);
  }
  return l;
}

function plain(r: ReadingInput): Record<string, string> {
  const o: Record<string, string> = {};
  for (const k of ['meterId', 'meterCode', 'ts', 'value', 'unit'] as const) {
    const v = r[k];
    if (v !== undefined && v !== null) o[k] = v;
  }
  return o;
}

/**
 * `[meter, ts, value, unit]` tuples → reading objects for the pipeline. A row of another shape
 * becomes `null`, which the pipeline rejects as MALFORMED at its index (the others go on).
 */
export function rowsToReadings(rows: readonly unknown[], meterKey: 'code' | 'id'): unknown[] {
  const out: unknown[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Array.isArray(r) || r.length !== 4) {
      out[i] = null;
      continue;
    }
    out[i] =
      meterKey === 'code'
        ? { meterCode: r[0], ts: r[1], value: r[2], unit: r[3] }
        : { meterId: r[0], ts: r[1], value: r[2], unit: r[3] };
  }
  return out;
}

interface ParsedFile {
  sheet?: string | null;
  readings: readonly unknown[];
  rows: number[];
  errors: CsvRowError[];
  batchId: string;
}

/** CSV and XLSX imports: parsed rows through the one pipeline, errors mapped back to rows/columns. */
async function importParsed(
  ctx: RequestContext,
  enterpriseId: string,
  parsed: ParsedFile,
  transport: 'csv' | 'xlsx',
) {
  const sheet = parsed.sheet ?? null;
  const empty = { batchId: parsed.batchId, sheet, rows: 0, accepted: 0, duplicates: 0 };
  if (
    parsed.errors.some((e) => e.code === 'BAD_HEADER' || e.code === 'BAD_XLSX' || e.code === 'TOO_MANY_ROWS')
  )
    return { ...empty, errors: parsed.errors };
  const result = await withTenant(ctx, 'readings:write', (em) =>
    ingestInTransaction(em, {
      enterpriseId,
      batchId: parsed.batchId,
      source: 'csv',
      transport,
      readings: parsed.readings,
    }),
  );
  const mapped = csvErrorsFrom(result, parsed.rows).map((e) => (transport === 'xlsx' ? { ...e, sheet } : e));
  return {
    ...empty,
    rows: parsed.readings.length + new Set(parsed.errors.map((e) => e.row)).size,
    accepted: result.accepted,
    duplicates: result.duplicates,
    errors: [...parsed.errors, ...mapped].sort((a, b) => a.row - b.row),
  };
}

/** Checks grain and meter kind, then runs `fn` in a readings:read tenant transaction. */
function withMeterOfKind<T>(
  ctx: RequestContext,
  enterpriseId: string,
  meterId: string,
  grain: string,
  kind: 'instantaneous' | 'status',
  fn: (em: EntityManager, grain: RollupGrain, id: string) => Promise<T>,
): Promise<T> {
  if (!ROLLUP_GRAINS.includes(grain as RollupGrain))
    throw new UserInputError(`grain must be one of ${ROLLUP_GRAINS.join(', ')}`, { grain: ['invalid'] });
  return withTenant(ctx, 'readings:read', async (em) => {
    const meter = await getMeter(em, enterpriseId, meterId);
    if (!meter) throw new NotFoundError('Meter', meterId);
    if (meter.kind !== kind)
      throw new UserInputError(`Meter ${meter.code} is ${meter.kind}, not ${kind}`, { meterId: ['kind'] });
    return fn(em, grain as RollupGrain, meter.id);
  });
}

/** Resolver-facing metering operations; the pipeline itself lives in metering.service.ts. */
export const MeteringService = {
  async createMeter(ctx: RequestContext, input: CreateMeterInput): Promise<Meter> {
    const { enterpriseId, ...spec } = input;
    return withTenant(ctx, 'org:write', async (em) => {
      try {
        return await createMeter(em, enterpriseId, spec as MeterSpec);
      } catch (e) {
        if (e instanceof MeterSpecError) throw new UserInputError(e.message, { [e.field]: [e.message] });
        throw e;
      }
    });
  },

  meters(ctx: RequestContext, enterpriseId: string): Promise<Meter[]> {
    return withTenant(ctx, 'readings:read', (em) => listMeters(em, enterpriseId));
  },

  ingestReadings(
    ctx: RequestContext,
    enterpriseId: string,
    readings: ReadingInput[],
    batchId: string | null,
  ): Promise<IngestResult> {
    const device = ctx.identity.kind === 'device' ? ctx.identity.deviceId : null;
    return ingest(
      { db: ctx.db, live: liveFor(ctx.db) },
      {
        enterpriseId,
        batchId,
        deviceId: device,
        source: device ? 'device' : 'api',
        transport: 'graphql',
        readings: readings.map(plain),
      },
    );
  },

  /** Compact form: `[meter, ts, value, unit]` tuples, meter by code (default) or by id. */
  ingestRows(
    ctx: RequestContext,
    enterpriseId: string,
    rows: unknown,
    meterKey: string,
    batchId: string | null,
  ): Promise<IngestResult> {
    if (!Array.isArray(rows))
      throw new UserInputError('rows must be a JSON array of [meter, ts, value, unit]', { rows: ['array'] });
    if (meterKey !== 'code' && meterKey !== 'id')
      throw new UserInputError('meterKey must be "code" or "id"', { meterKey: ['invalid'] });
    const device = ctx.identity.kind === 'device' ? ctx.identity.deviceId : null;
    return ingest(
      { db: ctx.db, live: liveFor(ctx.db) },
      {
        enterpriseId,
        batchId,
        deviceId: device,
        source: device ? 'device' : 'api',
        transport: 'graphql',
        readings: rowsToReadings(rows, meterKey),
      },
    );
  },

  async ingestSigned(
    ctx: RequestContext,
    batch: SignedBatchEnvelope & { readings: ReadingInput[] },
  ): Promise<IngestResult> {
    const env: SignedBatchEnvelope = { ...batch, readings: batch.readings.map(plain) };
    const out = await ingestSigned({ db: ctx.db, live: liveFor(ctx.db) }, env, 'graphql');
    return out.result;
  },

  async importCsv(ctx: RequestContext, enterpriseId: string, csv: string) {
    const parsed = csvToReadings(csv);
    if (parsed.readings.length > MAX_CSV_ROWS)
      throw new UserInputError(`At most ${MAX_CSV_ROWS} rows per import`, { csv: ['too many rows'] });
    return importParsed(ctx, enterpriseId, parsed, 'csv');
  },

  async importXlsx(ctx: RequestContext, enterpriseId: string, base64: string) {
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length === 0 || bytes.length > MAX_XLSX_BYTES)
      throw new UserInputError(`The workbook must be 1 byte to ${MAX_XLSX_BYTES} bytes`, {
        xlsxBase64: ['size'],
      });
    const parsed = await xlsxToReadings(bytes, MAX_CSV_ROWS);
    return importParsed(ctx, enterpriseId, parsed, 'xlsx');
  },

  async recordManualReading(ctx: RequestContext, input: ManualReadingInput) {
    let photo: Buffer | null = null;
    if (input.photoBase64) {
      if (!input.photoContentType)
        throw new UserInputError('photoContentType is required with a photo', {
          photoContentType: ['required'],
        });
      photo = Buffer.from(input.photoBase64, 'base64');
      if (photo.length === 0 || photo.length > MAX_PHOTO_BYTES)
        throw new UserInputError(`Photo must be 1 byte to ${MAX_PHOTO_BYTES} bytes`, {
          photoBase64: ['size'],
        });
    }
    const sha = photo ? createHash('sha256').update(photo).digest() : null;
    return withTenant(ctx, 'readings:write', async (em) => {
      if (photo && sha) {
        await em.query(
          `INSERT INTO metering_photo (enterprise_id, sha256, content_type, bytes) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [input.enterpriseId, sha, input.photoContentType, photo],
        );
      }
      const res = await ingestInTransaction(em, {
        enterpriseId: input.enterpriseId,
        source: 'manual',
        transport: 'manual',
        readings: [
          { meterId: input.meterId, ts: input.ts.toISOString(), value: input.value, unit: input.unit },
        ],
      });
      const item = res.items[0]!;
      if (item.status === 'REJECTED')
        throw new UserInputError(item.message ?? 'rejected', { value: [item.code ?? ''] });
      await em.query(
        `INSERT INTO metering_manual_reading (enterprise_id, meter_id, ts, value, unit, photo_sha256, entered_by, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [
          input.enterpriseId,
          input.meterId,
          input.ts,
          input.value,
          input.unit,
          sha,
          ctx.auth.actorId,
          input.note ?? null,
        ],
      );
      return { status: item.status, photoSha256: sha ? sha.toString('hex') : null };
    });
  },

  sampleStats(
    ctx: RequestContext,
    enterpriseId: string,
    meterId: string,
    grain: string,
    from: Date,
    to: Date,
  ): Promise<SampleStatPoint[]> {
    return withMeterOfKind(ctx, enterpriseId, meterId, grain, 'instantaneous', (em, g, id) =>
      meterSampleStats(em, enterpriseId, id, g, from, to),
    );
  },

  stateDurations(
    ctx: RequestContext,
    enterpriseId: string,
    meterId: string,
    grain: string,
    from: Date,
    to: Date,
  ): Promise<StateDurationPoint[]> {
    return withMeterOfKind(ctx, enterpriseId, meterId, grain, 'status', (em, g, id) =>
      meterStateDurations(em, enterpriseId, id, g, from, to),
    );
  },

  async rollups(
    ctx: RequestContext,
    enterpriseId: string,
    meterId: string,
    grain: string,
    from: Date,
    to: Date,
  ) {
    if (!ROLLUP_GRAINS.includes(grain as RollupGrain))
      throw new UserInputError(`grain must be one of ${ROLLUP_GRAINS.join(', ')}`, { grain: ['invalid'] });
    return withTenant(ctx, 'readings:read', async (em) => {
      const meter = await getMeter(em, enterpriseId, meterId);
      if (!meter) throw new NotFoundError('Meter', meterId);
      return meterRollups(em, enterpriseId, meter, grain as RollupGrain, from, to);
    });
  },
};
