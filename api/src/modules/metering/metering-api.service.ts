import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import { csvErrorsFrom, csvToReadings } from './csv-import';
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
    if (parsed.errors.some((e) => e.code === 'BAD_HEADER')) {
      return { batchId: parsed.batchId, rows: 0, accepted: 0, duplicates: 0, errors: parsed.errors };
    }
    const result = await withTenant(ctx, 'readings:write', (em) =>
      ingestInTransaction(em, {
        enterpriseId,
        batchId: parsed.batchId,
        source: 'csv',
        transport: 'csv',
        readings: parsed.readings,
      }),
    );
    return {
      batchId: parsed.batchId,
      rows: parsed.readings.length + parsed.errors.length,
      accepted: result.accepted,
      duplicates: result.duplicates,
      errors: [...parsed.errors, ...csvErrorsFrom(result, parsed.rows)].sort((a, b) => a.row - b.row),
    };
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
