import { Decimal } from 'decimal.js';
import { IsOptional, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { DecimalScalar } from '../../core/scalars';

@InputType()
export class CreateParkInput {
  @Field(() => String)
  @Length(1, 200)
  name: string;

  @Field(() => String, { description: 'Administrative region code, e.g. CN-HN-CS.' })
  @Matches(/^[A-Z0-9-]{2,32}$/, {
    message: 'jurisdiction must be an upper-case region code such as CN-HN-CS',
  })
  jurisdiction: string;
}

@InputType()
export class UpdateParkInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;
}

@InputType()
export class CreateEnterpriseInput {
  @Field(() => ID)
  @IsUUID()
  parkId: string;

  @Field(() => String)
  @Length(1, 200)
  name: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  industry?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^[0-9A-HJ-NPQRTUWXY]{18}$/, {
    message: 'creditCode must be an 18-character unified social credit code',
  })
  creditCode?: string;
}

@InputType()
export class UpdateEnterpriseInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  industry?: string;
}

@InputType()
export class CreateSiteInput {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;

  @Field(() => String)
  @Length(1, 200)
  name: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  address?: string;
}

@InputType()
export class UpdateSiteInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  address?: string;
}

@InputType()
export class CreateAreaInput {
  @Field(() => ID)
  @IsUUID()
  siteId: string;

  @Field(() => String)
  @Length(1, 200)
  name: string;

  @Field(() => String, { nullable: true, defaultValue: 'WORKSHOP' })
  @IsOptional()
  @Matches(/^[A-Z_]{2,32}$/)
  kind?: string;
}

@InputType()
export class UpdateAreaInput {
  /** Moves the node under another site of the same enterprise. */
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  siteId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^[A-Z_]{2,32}$/)
  kind?: string;
}

@InputType()
export class CreateLineInput {
  @Field(() => ID)
  @IsUUID()
  areaId: string;

  @Field(() => String)
  @Length(1, 200)
  name: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  product?: string;
}

@InputType()
export class UpdateLineInput {
  /** Moves the node under another area of the same enterprise. */
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  areaId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  product?: string;
}

@InputType()
export class CreateEquipmentInput {
  @Field(() => ID)
  @IsUUID()
  lineId: string;

  @Field(() => String)
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'code must be 1-64 letters, digits, dot, dash or underscore',
  })
  code: string;

  @Field(() => String)
  @Length(1, 200)
  name: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  kind?: string;

  @Field(() => DecimalScalar, { nullable: true })
  @IsOptional()
  ratedPowerKw?: Decimal;
}

@InputType()
export class UpdateEquipmentInput {
  /** Moves the node under another line of the same enterprise. */
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  lineId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  kind?: string;

  @Field(() => DecimalScalar, { nullable: true })
  @IsOptional()
  ratedPowerKw?: Decimal;
}
