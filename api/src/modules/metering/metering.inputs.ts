import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsOptional,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { GraphQLScalarType, type ValueNode, valueFromASTUntyped } from 'graphql';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ENERGY_TYPES, METER_KINDS } from './meter.service';
import { MAX_BATCH } from './metering.service';

const DECIMAL = /^\d+(\.\d+)?$/;

@InputType()
export class CreateMeterInput {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;

  @Field(() => String, { description: 'Code devices and CSV files use, unique per enterprise.' })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/)
  code: string;

  @Field(() => String)
  @Length(1, 200)
  name: string;

  @Field(() => String, { description: `One of ${ENERGY_TYPES.join(', ')}` })
  @IsIn([...ENERGY_TYPES])
  energyType: (typeof ENERGY_TYPES)[number];

  @Field(() => String, {
    description: 'kWh, MWh, Wh, GJ, MJ, m3, L, Nm3, kNm3, kg, t, kW, m3/h, Nm3/h, t/h, state',
  })
  @Length(1, 16)
  unit: string;

  @Field(() => String, { description: 'cumulative | interval | instantaneous | status' })
  @IsIn([...METER_KINDS])
  kind: 'cumulative' | 'interval' | 'instantaneous' | 'status';

  @Field(() => String, { nullable: true, description: 'Multiplier / CT ratio (decimal string), default 1' })
  @IsOptional()
  @Matches(DECIMAL)
  multiplier?: string;

  @Field(() => String, { nullable: true, description: 'Register wraps to 0 at this value' })
  @IsOptional()
  @Matches(DECIMAL)
  rolloverValue?: string;

  @Field(() => String, { nullable: true, description: 'Deltas above this rate are flagged spike' })
  @IsOptional()
  @Matches(DECIMAL)
  maxRatePerHour?: string;

  @Field(() => Int, { nullable: true, description: 'Expected reading interval (s), default 900' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  intervalSeconds?: number;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  parentMeterId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  equipmentId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  areaId?: string;

  @Field(() => String, { nullable: true, description: 'Virtual meter, e.g. "{MAIN} - {SUB1} - {SUB2}"' })
  @IsOptional()
  @MaxLength(2000)
  formula?: string;

  @Field(() => String, { nullable: true, description: 'IANA zone for day/month buckets, default UTC' })
  @IsOptional()
  @MaxLength(64)
  timeZone?: string;
}

@InputType({ description: 'One reading. Value and ts stay strings so each item is validated on its own.' })
export class ReadingInput {
  @Field(() => ID, { nullable: true })
  meterId?: string;

  @Field(() => String, { nullable: true })
  meterCode?: string;

  @Field(() => String, { description: 'RFC 3339 timestamp with offset' })
  ts: string;

  @Field(() => String, { description: 'Decimal string' })
  value: string;

  @Field(() => String)
  unit: string;
}

@InputType()
export class SignedReadingBatchInput {
  @Field(() => String)
  batchId: string;

  @Field(() => String)
  deviceAddress: string;

  @Field(() => [ReadingInput])
  @ArrayMaxSize(MAX_BATCH)
  readings: ReadingInput[];

  @Field(() => String, {
    description: 'EIP-191 signature over canonical JSON of { batchId, deviceAddress, readings }',
  })
  signature: string;
}

@InputType()
export class ManualReadingInput {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;

  @Field(() => ID)
  @IsUUID()
  meterId: string;

  @Field(() => Date)
  ts: Date;

  @Field(() => String)
  @Matches(DECIMAL)
  value: string;

  @Field(() => String)
  @Length(1, 16)
  unit: string;

  @Field(() => String, { nullable: true, description: 'Photo of the meter display, base64 (≤ 4 MB decoded)' })
  @IsOptional()
  @MaxLength(5_600_000)
  photoBase64?: string;

  @Field(() => String, { nullable: true, description: 'image/jpeg, image/png or image/webp' })
  @IsOptional()
  @IsIn(['image/jpeg', 'image/png', 'image/webp'])
  photoContentType?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(1000)
  note?: string;
}

/**
 * Compact batch of readings for `ingestReadingRows`: a JSON array of `[meter, ts, value, unit]`
 * tuples (meter = code or id, see `meterKey`). GraphQL does not coerce the items one by one; the
 * ingest pipeline validates each tuple itself and answers per item, so one bad row never fails the
 * call.
 */
export const ReadingRowsScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'ReadingRows',
  description:
    'JSON array of [meter, ts, value, unit] tuples: meter code (or id with meterKey: "id"), RFC 3339 ts, ' +
    'decimal string value, unit. Validated per row by the ingest pipeline.',
  serialize: (v) => v,
  // shape checks happen in the resolver (after authorisation), per row in the pipeline
  parseValue: (v) => v,
  parseLiteral: (ast: ValueNode, vars) => valueFromASTUntyped(ast, vars),
});

/** Arguments shared by the per-meter series queries (rollups, sample stats, state durations). */
@ArgsType()
export class MeterRangeArgs {
  @Field(() => ID)
  enterpriseId!: string;

  @Field(() => ID)
  meterId!: string;

  @Field(() => String, { description: '15m | 1h | 1d | 1mo' })
  grain!: string;

  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;
}
