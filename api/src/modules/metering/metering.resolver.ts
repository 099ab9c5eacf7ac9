import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Can, Public } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { tenantTopic } from '../../core/events';
import { MeteringService } from './metering-api.service';
import {
  CreateMeterInput,
  ManualReadingInput,
  MeterRangeArgs,
  ReadingInput,
  ReadingRowsScalar,
  SignedReadingBatchInput,
} from './metering.inputs';
import type { LiveUpdate } from './metering.service';
import {
  CsvImportResult,
  IngestResultType,
  ManualReadingResult,
  Meter,
  MeteringUpdate,
  RollupPointType,
  SampleStatPointType,
  StateDurationPointType,
} from './metering.types';

@Resolver(() => Meter)
export class MeteringResolver {
  @Can('org:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => Meter)
  createMeter(@Ctx() ctx: RequestContext, @Arg('input', () => CreateMeterInput) input: CreateMeterInput) {
    return MeteringService.createMeter(ctx, input);
  }

  @Can('readings:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [Meter])
  meters(@Ctx() ctx: RequestContext, @Arg('enterpriseId', () => ID) enterpriseId: string) {
    return MeteringService.meters(ctx, enterpriseId);
  }

  @Can('readings:write', { enterprise: 'args.enterpriseId' })
  @Mutation(() => IngestResultType, {
    description: 'Batch ingest (≤ 20,000 readings), idempotent per (meter, ts, source) and per batchId.',
  })
  ingestReadings(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('readings', () => [ReadingInput]) readings: ReadingInput[],
    @Arg('batchId', () => ID, { nullable: true }) batchId?: string,
  ) {
    return MeteringService.ingestReadings(ctx, enterpriseId, readings, batchId ?? null);
  }

  @Can('readings:write', { enterprise: 'args.enterpriseId' })
  @Mutation(() => IngestResultType, {
    description:
      'Compact batch ingest (≤ 20,000 [meter, ts, value, unit] rows): same pipeline, results and ' +
      'idempotency as ingestReadings, without per-item GraphQL input coercion.',
  })
  ingestReadingRows(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    // validated row by row by the pipeline (typed per-item errors); class-validator would walk all
    // 10,000 tuples only to find no metadata on arrays
    @Arg('rows', () => ReadingRowsScalar, { validate: false }) rows: unknown,
    @Arg('meterKey', () => String, { defaultValue: 'code', description: 'code | id' }) meterKey: string,
    @Arg('batchId', () => ID, { nullable: true }) batchId?: string,
  ) {
    return MeteringService.ingestRows(ctx, enterpriseId, rows, meterKey, batchId ?? null);
  }

  @Public()
  @Mutation(() => IngestResultType, {
    description: 'Device batch authenticated by its signature (registered device key); no token needed.',
  })
  ingestSignedReadings(
    @Ctx() ctx: RequestContext,
    @Arg('batch', () => SignedReadingBatchInput) batch: SignedReadingBatchInput,
  ) {
    return MeteringService.ingestSigned(ctx, batch);
  }

  @Can('readings:write', { enterprise: 'args.enterpriseId' })
  @Mutation(() => CsvImportResult, {
    description: 'CSV import (docs/metering.md); errors by row and column.',
  })
  importReadingsCsv(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('csv', () => String) csv: string,
  ) {
    return MeteringService.importCsv(ctx, enterpriseId, csv);
  }

  @Can('readings:write', { enterprise: 'args.enterpriseId' })
  @Mutation(() => CsvImportResult, {
    description:
      'XLSX import (base64 workbook ≤ 8 MB, same columns as CSV; docs/metering.md); errors by sheet, row and column.',
  })
  importReadingsXlsx(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('xlsxBase64', () => String) xlsxBase64: string,
  ) {
    return MeteringService.importXlsx(ctx, enterpriseId, xlsxBase64);
  }

  @Can('readings:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => ManualReadingResult)
  recordManualReading(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => ManualReadingInput) input: ManualReadingInput,
  ) {
    return MeteringService.recordManualReading(ctx, input);
  }

  @Can('readings:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [RollupPointType], {
    description: 'Rollups of a meter (virtual meters evaluated from terms).',
  })
  meterRollups(
    @Ctx() ctx: RequestContext,
    @Args(() => MeterRangeArgs) { enterpriseId, meterId, grain, from, to }: MeterRangeArgs,
  ) {
    return MeteringService.rollups(ctx, enterpriseId, meterId, grain, from, to);
  }

  @Can('readings:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [SampleStatPointType], {
    description: 'Min / max / sample mean of an instantaneous meter (power, flow) per bucket.',
  })
  meterSampleStats(
    @Ctx() ctx: RequestContext,
    @Args(() => MeterRangeArgs) { enterpriseId, meterId, grain, from, to }: MeterRangeArgs,
  ) {
    return MeteringService.sampleStats(ctx, enterpriseId, meterId, grain, from, to);
  }

  @Can('readings:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [StateDurationPointType], {
    description: 'Time in each state of a status meter per bucket.',
  })
  meterStateDurations(
    @Ctx() ctx: RequestContext,
    @Args(() => MeterRangeArgs) { enterpriseId, meterId, grain, from, to }: MeterRangeArgs,
  ) {
    return MeteringService.stateDurations(ctx, enterpriseId, meterId, grain, from, to);
  }

  @Can('readings:read')
  @Subscription(() => MeteringUpdate, {
    subscribe: tenantTopic('metering.updated', 'readings:read'),
    description: 'New readings/rollups, per enterprise with the meters and areas touched; at most 1/s.',
  })
  meteringUpdated(@Root() e: LiveUpdate): MeteringUpdate {
    return { ...e, from: new Date(e.from), to: new Date(e.to) };
  }
}
