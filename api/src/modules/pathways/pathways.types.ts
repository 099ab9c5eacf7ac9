import { IsInt, IsOptional, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Decimal, DecimalScalar } from '../../core/scalars';

@ObjectType({ description: 'A reduction measure (enterprise-specific, or a catalogue default).' })
export class PathwayMeasure {
  @Field(() => ID, { nullable: true, description: 'null for catalogue defaults' }) id: string | null;
  @Field(() => String) code: string;
  @Field(() => String) kind: string;
  @Field(() => String) name: string;
  @Field(() => DecimalScalar, { description: 'CNY' }) capex: Decimal;
  @Field(() => DecimalScalar, { description: 'CNY per year' }) opex: Decimal;
  @Field(() => DecimalScalar, { description: 'Energy cost saved, CNY per year' }) annualSavings: Decimal;
  @Field(() => Int) lifetimeYears: number;
  @Field(() => DecimalScalar, { description: 'tCO2e per year' }) abatement: Decimal;
  @Field(() => String, { description: 'Energy effect per year as JSON (negative = saved).' })
  energyEffect: string;
  @Field(() => [String], { nullable: true, description: 'Monthly profile (shares), e.g. PV yield.' })
  profile: string[] | null;
  @Field(() => String, { description: 'CATALOGUE or ENTERPRISE' }) source: string;
}

@ObjectType()
export class MaccPoint {
  @Field(() => String) code: string;
  @Field(() => String) name: string;
  @Field(() => DecimalScalar) annualisedCost: Decimal;
  @Field(() => DecimalScalar) abatement: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: 'CNY per tCO2e' }) costPerTonne: Decimal | null;
  @Field(() => DecimalScalar) cumulativeAbatement: Decimal;
}

@ObjectType()
export class PathwayAdoption {
  @Field(() => String) code: string;
  @Field(() => Int) year: number;
}

@ObjectType()
export class PathwayYearResult {
  @Field(() => Int) year: number;
  @Field(() => DecimalScalar) baseline: Decimal;
  @Field(() => DecimalScalar) abatement: Decimal;
  @Field(() => DecimalScalar) emissions: Decimal;
  @Field(() => DecimalScalar) credits: Decimal;
  @Field(() => DecimalScalar) net: Decimal;
  @Field(() => DecimalScalar) capex: Decimal;
  @Field(() => DecimalScalar) opex: Decimal;
  @Field(() => [String]) adopted: string[];
}

@ObjectType({ description: 'A saved pathway scenario: inputs and the solver result.' })
export class PathwayScenario {
  @Field(() => ID) id: string;
  @Field(() => ID) enterpriseId: string;
  @Field(() => String) name: string;
  @Field(() => String, { description: 'OPTIMAL or INFEASIBLE' }) status: string;
  @Field(() => String) method: string;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'Discounted total cost (CNY)' })
  totalCost: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) totalCapex: Decimal | null;
  @Field(() => [PathwayAdoption]) adoptions: PathwayAdoption[];
  @Field(() => [PathwayYearResult]) years: PathwayYearResult[];
  @Field(() => String, { description: 'Inputs as JSON' }) inputs: string;
  @Field(() => Date) createdAt: Date;
}

@InputType()
export class SavePathwayMeasureInput {
  @Field(() => ID) @IsUUID() enterpriseId: string;
  @Field(() => String) @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/) code: string;
  @Field(() => String) @Length(1, 40) kind: string;
  @Field(() => String) @Length(1, 200) name: string;
  @Field(() => DecimalScalar) capex: Decimal;
  @Field(() => DecimalScalar) opex: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() annualSavings?: Decimal;
  @Field(() => Int) @IsInt() @Min(1) @Max(60) lifetimeYears: number;
  @Field(() => DecimalScalar) abatement: Decimal;
  @Field(() => String, { nullable: true, description: 'JSON object of energy effects' })
  @IsOptional()
  energyEffect?: string;
}

@InputType()
export class CutTargetInput {
  @Field(() => Int) @IsInt() @Min(2000) @Max(2200) year: number;
  @Field(() => DecimalScalar, { description: 'percent below base-year emissions' }) percent: Decimal;
}

@InputType()
export class BudgetInput {
  @Field(() => Int) @IsInt() @Min(2000) @Max(2200) year: number;
  @Field(() => DecimalScalar) amount: Decimal;
}

@InputType()
export class RunPathwayScenarioInput {
  @Field(() => ID) @IsUUID() enterpriseId: string;
  @Field(() => String) @Length(1, 200) name: string;
  @Field(() => Int) @IsInt() @Min(2000) @Max(2200) baseYear: number;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Default: total (market-based if any) of the latest final inventory of baseYear.',
  })
  @IsOptional()
  baseEmissions?: Decimal;
  @Field(() => Int) @IsInt() @Min(2000) @Max(2200) startYear: number;
  @Field(() => Int) @IsInt() @Min(2000) @Max(2200) endYear: number;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() growthPercent?: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() discountRatePercent?: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() annualBudget?: Decimal;
  @Field(() => [BudgetInput], { nullable: true })
  @IsOptional()
  @ValidateNested({ each: true })
  annualBudgets?: BudgetInput[];
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() totalBudget?: Decimal;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() peakYear?: number;
  @Field(() => [CutTargetInput], { nullable: true })
  @IsOptional()
  @ValidateNested({ each: true })
  cuts?: CutTargetInput[];
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() neutralityYear?: number;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() creditPrice?: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() creditLimit?: Decimal;
  @Field(() => [String], { nullable: true, description: 'Measure codes to consider (default: all).' })
  @IsOptional()
  measureCodes?: string[];
}
