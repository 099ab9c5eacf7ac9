import { IsIn, IsOptional, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Decimal } from 'decimal.js';
import { Field, ID, InputType, Int } from 'type-graphql';
import { DecimalScalar } from '../../core/scalars';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_MSG = { message: '$property must be a date YYYY-MM-DD' };
const SHA256 = /^(0x)?[0-9a-f]{64}$/;
export const EVIDENCE_KINDS = ['voucher', 'erp', 'lab-report', 'contract', 'certificate-registry', 'manual'];
export const FACTOR_ROLES = ['ncv', 'carbonContent', 'oxidationRate', 'gasMassFraction', 'emissionFactor'];

@InputType()
export class CreateEmissionSourceInput {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  siteId?: string;

  @Field(() => String, { description: 'Unique per enterprise (becomes the inventory line sourceId).' })
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'code must be 1-64 letters, digits, dot, dash or underscore',
  })
  code: string;

  @Field(() => String)
  @Length(1, 200)
  name: string;

  @Field(() => String, { description: 'A source type of the shipped packs, e.g. electricity.purchased.' })
  @Length(1, 100)
  sourceType: string;

  @Field(() => String, { description: 'Unit of the activity data, e.g. MWh, 10^4 Nm3, t, kg.' })
  @Length(1, 40)
  unit: string;

  @Field(() => ID, { nullable: true, description: 'Bind a meter: its monthly rollups become activity data.' })
  @IsOptional()
  @IsUUID()
  meterId?: string;
}

@InputType()
export class RecordActivityInput {
  @Field(() => ID)
  @IsUUID()
  sourceId: string;

  @Field(() => String)
  @Matches(DATE, DATE_MSG)
  periodStart: string;

  @Field(() => String)
  @Matches(DATE, DATE_MSG)
  periodEnd: string;

  @Field(() => DecimalScalar)
  quantity: Decimal;

  @Field(() => String)
  @Length(1, 40)
  unit: string;

  @Field(() => String, { description: `One of ${EVIDENCE_KINDS.join(', ')}.` })
  @IsIn(EVIDENCE_KINDS)
  evidenceKind: string;

  @Field(() => String, { description: 'Invoice / voucher / log number.' })
  @Length(1, 500)
  evidenceReference: string;

  @Field(() => String, { nullable: true, description: 'SHA-256 (hex) of the scanned document.' })
  @IsOptional()
  @Matches(SHA256, { message: 'attachmentSha256 must be 64 lowercase hex digits' })
  attachmentSha256?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(1000)
  note?: string;
}

@InputType()
export class RecordMeasuredFactorInput {
  @Field(() => ID)
  @IsUUID()
  sourceId: string;

  @Field(() => String, { description: `One of ${FACTOR_ROLES.join(', ')}.` })
  @IsIn(FACTOR_ROLES)
  role: string;

  @Field(() => DecimalScalar)
  value: Decimal;

  @Field(() => String)
  @Length(1, 40)
  unit: string;

  @Field(() => String)
  @Length(1, 500)
  evidenceReference: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(SHA256, { message: 'attachmentSha256 must be 64 lowercase hex digits' })
  attachmentSha256?: string;

  @Field(() => String)
  @Matches(DATE, DATE_MSG)
  validFrom: string;

  @Field(() => String)
  @Matches(DATE, DATE_MSG)
  validTo: string;
}

@InputType()
export class RecordProductionInput {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  siteId?: string;

  @Field(() => String)
  @Matches(DATE, DATE_MSG)
  periodStart: string;

  @Field(() => String)
  @Matches(DATE, DATE_MSG)
  periodEnd: string;

  @Field(() => DecimalScalar, { nullable: true })
  @IsOptional()
  outputQuantity?: Decimal;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 40)
  outputUnit?: string;

  @Field(() => DecimalScalar, { nullable: true })
  @IsOptional()
  revenueAmount?: Decimal;

  @Field(() => String, { nullable: true, description: 'CNY or 10^4 CNY' })
  @IsOptional()
  @IsIn(['CNY', '10^4 CNY'])
  revenueUnit?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  evidenceReference?: string;
}

@InputType()
export class SetQuotaInput {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;

  @Field(() => Int)
  @Min(2000)
  @Max(2200)
  year: number;

  @Field(() => DecimalScalar, { description: 'Annual quota, tCO2e.' })
  amount: Decimal;

  @Field(() => String, { nullable: true, defaultValue: 'initial entry' })
  @IsOptional()
  @Length(1, 500)
  reason?: string;
}

@InputType()
export class AdjustQuotaInput {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;

  @Field(() => Int)
  @Min(2000)
  @Max(2200)
  year: number;

  @Field(() => DecimalScalar, { description: 'Change in tCO2e (negative lowers the quota).' })
  delta: Decimal;

  @Field(() => String)
  @Length(1, 500)
  reason: string;
}
