import { Decimal } from 'decimal.js';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar } from '../../core/scalars';

export enum EnergyNodeKind {
  ENTERPRISE = 'ENTERPRISE',
  SITE = 'SITE',
  AREA = 'AREA',
  LINE = 'LINE',
  EQUIPMENT = 'EQUIPMENT',
  METER = 'METER',
}
registerEnumType(EnergyNodeKind, {
  name: 'EnergyNodeKind',
  description: 'Level of the plant hierarchy (or one meter).',
});

export enum CompareKind {
  SITE = 'SITE',
  AREA = 'AREA',
  LINE = 'LINE',
  EQUIPMENT = 'EQUIPMENT',
}
registerEnumType(CompareKind, { name: 'EnergyCompareKind' });

export enum UnitConsumptionGroup {
  LINE = 'LINE',
  SHIFT = 'SHIFT',
  TEAM = 'TEAM',
  PRODUCT = 'PRODUCT',
}
registerEnumType(UnitConsumptionGroup, { name: 'UnitConsumptionGroup' });

@ObjectType()
export class EnergyTotal {
  @Field(() => String)
  energyType: string;
  @Field(() => String)
  unit: string;
  @Field(() => DecimalScalar)
  value: Decimal;
}

@ObjectType({
  description: 'Consumption of one period with the previous period and the same period a year earlier.',
})
export class EnergyPeriodComparison {
  @Field(() => String, { description: 'today | yesterday | month | year' })
  period: string;
  @Field(() => Date)
  from: Date;
  @Field(() => Date)
  to: Date;
  @Field(() => String)
  energyType: string;
  @Field(() => String)
  unit: string;
  @Field(() => DecimalScalar)
  current: Decimal;
  @Field(() => DecimalScalar)
  previous: Decimal;
  @Field(() => DecimalScalar)
  lastYear: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: '(current − previous) ÷ previous' })
  periodOverPeriod: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true })
  yearOverYear: Decimal | null;
}

@ObjectType()
export class TouPeriodTotal {
  @Field(() => String, { description: 'sharp | peak | flat | valley' })
  period: string;
  @Field(() => DecimalScalar)
  kwh: Decimal;
  @Field(() => DecimalScalar)
  cost: Decimal;
  @Field(() => DecimalScalar, { description: 'Share of priced energy, 0..1' })
  share: Decimal;
}

@ObjectType({ description: 'Electricity split by time-of-use period and priced by the tariff in force.' })
export class TouSplitResult {
  @Field(() => [TouPeriodTotal])
  periods: TouPeriodTotal[];
  @Field(() => DecimalScalar)
  totalKwh: Decimal;
  @Field(() => DecimalScalar)
  totalCost: Decimal;
  @Field(() => DecimalScalar, { description: 'Energy in time no tariff plan covers (no cost).' })
  unpricedKwh: Decimal;
  @Field(() => String)
  currency: string;
}

@ObjectType()
export class CurvePoint {
  @Field(() => Date)
  ts: Date;
  @Field(() => DecimalScalar)
  value: Decimal;
}

@ObjectType({
  description: 'Tonnes of standard coal equivalent (GB/T 2589-2020); a range when the standard gives one.',
})
export class TceTotal {
  @Field(() => String)
  energyType: string;
  @Field(() => DecimalScalar)
  quantity: Decimal;
  @Field(() => DecimalScalar)
  tceLow: Decimal;
  @Field(() => DecimalScalar)
  tceHigh: Decimal;
  @Field(() => String)
  citation: string;
}

@ObjectType()
export class EnergyDashboard {
  @Field(() => [EnergyPeriodComparison])
  totals: EnergyPeriodComparison[];
  @Field(() => TouSplitResult, { description: 'This month to date.' })
  touMonth: TouSplitResult;
  @Field(() => [CurvePoint], { description: 'Today, mean kW per 15 minutes.' })
  loadCurve: CurvePoint[];
  @Field(() => [TceTotal], { description: 'This year to date.' })
  tceYear: TceTotal[];
}

@ObjectType()
export class EnergyNodeTotal {
  @Field(() => EnergyNodeKind)
  kind: EnergyNodeKind;
  @Field(() => ID)
  id: string;
  @Field(() => String)
  name: string;
  @Field(() => String)
  energyType: string;
  @Field(() => String)
  unit: string;
  @Field(() => DecimalScalar)
  value: Decimal;
}

@ObjectType({ description: 'Cost saved if peak and sharp energy had been consumed in valley.' })
export class LoadShiftEstimateResult {
  @Field(() => DecimalScalar)
  shiftedKwh: Decimal;
  @Field(() => DecimalScalar)
  costBefore: Decimal;
  @Field(() => DecimalScalar)
  costAfter: Decimal;
  @Field(() => DecimalScalar)
  saving: Decimal;
}

@ObjectType()
export class TransformerStatus {
  @Field(() => ID)
  id: string;
  @Field(() => String)
  name: string;
  @Field(() => DecimalScalar)
  ratedKva: Decimal;
  @Field(() => Date, { nullable: true })
  at: Date | null;
  @Field(() => DecimalScalar, { nullable: true })
  activeKw: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true })
  reactiveKvar: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true })
  apparentKva: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true })
  loadRate: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true })
  powerFactor: Decimal | null;
  @Field(() => String, { nullable: true, description: 'overload | low | normal' })
  state: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'P0 + Pk·β², kW' })
  lossKw: Decimal | null;
}

@ObjectType()
export class UnitConsumptionRow {
  @Field(() => String)
  key: string;
  @Field(() => DecimalScalar)
  energy: Decimal;
  @Field(() => DecimalScalar)
  quantity: Decimal;
  @Field(() => DecimalScalar, { nullable: true })
  perUnit: Decimal | null;
  @Field(() => Int)
  rank: number;
}

@ObjectType()
export class UnitConsumptionReport {
  @Field(() => [UnitConsumptionRow])
  rows: UnitConsumptionRow[];
  @Field(() => UnitConsumptionRow, { nullable: true, description: 'Best observed value.' })
  benchmark: UnitConsumptionRow | null;
}

@ObjectType()
export class RunningStandbyResult {
  @Field(() => DecimalScalar)
  runningKwh: Decimal;
  @Field(() => DecimalScalar)
  standbyKwh: Decimal;
  @Field(() => DecimalScalar)
  offKwh: Decimal;
  @Field(() => DecimalScalar)
  runningHours: Decimal;
  @Field(() => DecimalScalar)
  standbyHours: Decimal;
  @Field(() => DecimalScalar, { nullable: true })
  recommendedRunningKw: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true })
  recommendedStandbyKw: Decimal | null;
}

@ObjectType()
export class TariffPlanSummary {
  @Field(() => ID)
  id: string;
  @Field(() => String)
  name: string;
  @Field(() => String)
  validFrom: string;
  @Field(() => String, { nullable: true })
  validTo: string | null;
  @Field(() => String)
  currency: string;
  @Field(() => DecimalScalar)
  sharp: Decimal;
  @Field(() => DecimalScalar)
  peak: Decimal;
  @Field(() => DecimalScalar)
  flat: Decimal;
  @Field(() => DecimalScalar)
  valley: Decimal;
  @Field(() => String, { description: 'Full plan definition (JSON).' })
  definition: string;
}

@ObjectType()
export class ProductionImportResult {
  @Field(() => Int)
  inserted: number;
}
