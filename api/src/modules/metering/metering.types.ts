import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class Meter {
  @Field(() => ID) id: string;
  @Field(() => ID) enterpriseId: string;
  @Field(() => String) code: string;
  @Field(() => String) name: string;
  @Field(() => String) energyType: string;
  @Field(() => String) unit: string;
  @Field(() => String) kind: string;
  @Field(() => String) multiplier: string;
  @Field(() => String, { nullable: true }) rolloverValue: string | null;
  @Field(() => String, { nullable: true }) maxRatePerHour: string | null;
  @Field(() => Int) intervalSeconds: number;
  @Field(() => ID, { nullable: true }) parentMeterId: string | null;
  @Field(() => ID, { nullable: true }) equipmentId: string | null;
  @Field(() => ID, { nullable: true }) areaId: string | null;
  @Field(() => String, { nullable: true }) formula: string | null;
  @Field(() => String) timeZone: string;
}

@ObjectType()
export class IngestItemResult {
  @Field(() => Int) index: number;
  @Field(() => String, { description: 'ACCEPTED | DUPLICATE | REJECTED' }) status: string;
  @Field(() => String, { nullable: true, description: 'Typed reason when REJECTED (metering.errors.ts)' })
  code?: string;
  @Field(() => String, { nullable: true }) message?: string;
}

@ObjectType()
export class IngestResultType {
  @Field(() => String, { nullable: true }) batchId: string | null;
  @Field(() => Int) accepted: number;
  @Field(() => Int) duplicates: number;
  @Field(() => Int) rejected: number;
  @Field(() => [IngestItemResult]) items: IngestItemResult[];
}

@ObjectType()
export class CsvRowErrorType {
  @Field(() => String, { nullable: true, description: 'Worksheet (XLSX imports)' }) sheet?: string | null;
  @Field(() => Int, { description: 'Row as the file numbers it (header = 1); 0 = the whole file' })
  row: number;
  @Field(() => String, { nullable: true }) column: string | null;
  @Field(() => String) code: string;
  @Field(() => String) message: string;
}

@ObjectType()
export class CsvImportResult {
  @Field(() => String) batchId: string;
  @Field(() => String, { nullable: true, description: 'Worksheet read (XLSX imports)' }) sheet: string | null;
  @Field(() => Int) rows: number;
  @Field(() => Int) accepted: number;
  @Field(() => Int) duplicates: number;
  @Field(() => [CsvRowErrorType]) errors: CsvRowErrorType[];
}

@ObjectType()
export class ManualReadingResult {
  @Field(() => String) status: string;
  @Field(() => String, { nullable: true }) photoSha256: string | null;
}

@ObjectType()
export class RollupPointType {
  @Field(() => Date) bucketStart: Date;
  @Field(() => String) touPeriod: string;
  @Field(() => String, { description: 'Decimal, meter unit' }) value: string;
  @Field(() => String, { description: 'Part of value from flagged (estimated/spike/reset/gap) data' })
  flagged: string;
}

@ObjectType({ description: 'Instantaneous meter per bucket: sample count, min, max and sample mean' })
export class SampleStatPointType {
  @Field(() => Date) bucketStart: Date;
  @Field(() => Int) samples: number;
  @Field(() => String, { description: 'Decimal, meter unit, multiplier applied' }) min: string;
  @Field(() => String, { description: 'Decimal, meter unit, multiplier applied' }) max: string;
  @Field(() => String, { description: 'Sample mean (every sample weighs the same), 9 decimal places' })
  avg: string;
}

@ObjectType({ description: 'Status meter: time spent in one state within a bucket' })
export class StateDurationPointType {
  @Field(() => Date) bucketStart: Date;
  @Field(() => String, { description: 'State value as reported (canonical decimal, e.g. "1")' })
  state: string;
  @Field(() => String, { description: 'Seconds (decimal)' }) seconds: string;
}

@ObjectType()
export class MeteringUpdate {
  @Field(() => ID) enterpriseId: string;
  @Field(() => [ID]) meterIds: string[];
  @Field(() => [ID]) areaIds: string[];
  @Field(() => Date) from: Date;
  @Field(() => Date) to: Date;
}
