import { Decimal } from 'decimal.js';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { DecimalScalar } from '../../core/scalars';
import { EnergyApi } from './energy-api.service';
import type { GroupBy } from './unit-consumption';
import { EnergyNodeInput, ProductionRecordInput, TransformerInput } from './energy.inputs';
import {
  CompareKind,
  CurvePoint,
  EnergyDashboard,
  EnergyNodeTotal,
  EnergyTotal,
  LoadShiftEstimateResult,
  ProductionImportResult,
  RunningStandbyResult,
  TariffPlanSummary,
  TouSplitResult,
  TransformerStatus,
  UnitConsumptionGroup,
  UnitConsumptionReport,
} from './energy.types';

const READ = 'aggregates:read' as const;
const TENANT = { enterprise: 'args.enterpriseId' };

@Resolver()
export class EnergyResolver {
  @Can(READ, TENANT)
  @Query(() => EnergyDashboard, {
    description:
      'Today/yesterday/month/year totals with PoP and YoY, month TOU split, today load curve, year tce.',
  })
  energyDashboard(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('node', () => EnergyNodeInput) node: EnergyNodeInput,
    @Arg('at', () => Date, { nullable: true }) at?: Date | null,
  ) {
    return EnergyApi.dashboard(ctx, enterpriseId, node.kind, node.id, at ?? new Date());
  }

  @Can(READ, TENANT)
  @Query(() => [EnergyTotal], { description: 'Consumption per energy type of a node over [from, to).' })
  energyConsumption(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('node', () => EnergyNodeInput) node: EnergyNodeInput,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
  ) {
    return EnergyApi.consumption(ctx, enterpriseId, node.kind, node.id, from, to);
  }

  @Can(READ, TENANT)
  @Query(() => TouSplitResult)
  energyTouSplit(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('node', () => EnergyNodeInput) node: EnergyNodeInput,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
  ) {
    return EnergyApi.touSplit(ctx, enterpriseId, node.kind, node.id, from, to);
  }

  @Can(READ, TENANT)
  @Query(() => [CurvePoint], {
    description: 'Mean electric power (kW) per 15 minutes; at most 31 days per request.',
  })
  energyLoadCurve(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('node', () => EnergyNodeInput) node: EnergyNodeInput,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
  ) {
    return EnergyApi.loadCurve(ctx, enterpriseId, node.kind, node.id, from, to);
  }

  @Can(READ, TENANT)
  @Query(() => [CurvePoint], { description: 'Daily totals of one energy type.' })
  energyDailyTrend(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('node', () => EnergyNodeInput) node: EnergyNodeInput,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('energyType', () => String, { nullable: true }) energyType?: string | null,
  ) {
    return EnergyApi.dailyTrend(ctx, enterpriseId, node.kind, node.id, from, to, energyType);
  }

  @Can(READ, TENANT)
  @Query(() => [EnergyNodeTotal], {
    description: 'Same-type nodes side by side, highest first (top consumers with `limit`).',
  })
  energyCompare(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('kind', () => CompareKind) kind: CompareKind,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('parentId', () => ID, { nullable: true }) parentId?: string | null,
    @Arg('equipmentKind', () => String, { nullable: true }) equipmentKind?: string | null,
    @Arg('energyType', () => String, { nullable: true }) energyType?: string | null,
    @Arg('limit', () => Int, { nullable: true }) limit?: number | null,
  ) {
    return EnergyApi.compare(ctx, enterpriseId, kind, from, to, {
      parentId,
      equipmentKind,
      energyType,
      limit,
    });
  }

  @Can(READ, TENANT)
  @Query(() => LoadShiftEstimateResult, {
    description: 'Saving if this equipment’s peak/sharp energy ran in valley.',
  })
  energyLoadShift(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('equipmentId', () => ID) equipmentId: string,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('fraction', () => DecimalScalar, { nullable: true }) fraction?: Decimal | null,
  ) {
    return EnergyApi.loadShift(ctx, enterpriseId, equipmentId, from, to, fraction ?? new Decimal(1));
  }

  @Can(READ, TENANT)
  @Query(() => [TransformerStatus])
  transformers(@Ctx() ctx: RequestContext, @Arg('enterpriseId', () => ID) enterpriseId: string) {
    return EnergyApi.transformers(ctx, enterpriseId);
  }

  @Can('energy:configure', TENANT)
  @Mutation(() => Int, {
    description:
      'Brings hierarchy-node rollups in line with the current hierarchy (after meters, equipment, lines or areas change); returns node rollup rows written. Until then dashboards of changed nodes read meter rollups (correct, slower).',
  })
  refreshEnergyNodeRollups(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('full', () => Boolean, { nullable: true }) full?: boolean | null,
  ) {
    return EnergyApi.refreshNodeRollups(ctx, enterpriseId, full ?? false);
  }

  @Can('energy:configure', TENANT)
  @Mutation(() => TransformerStatus)
  createTransformer(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('input', () => TransformerInput) input: TransformerInput,
  ) {
    return EnergyApi.createTransformer(ctx, enterpriseId, input);
  }

  @Can(READ, TENANT)
  @Query(() => UnitConsumptionReport, {
    description: 'Energy per unit product (单耗) by line, shift, team or product.',
  })
  unitConsumption(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('groupBy', () => UnitConsumptionGroup) groupBy: UnitConsumptionGroup,
  ) {
    return EnergyApi.unitConsumption(ctx, enterpriseId, from, to, groupBy.toLowerCase() as GroupBy);
  }

  @Can(READ, TENANT)
  @Query(() => RunningStandbyResult)
  runningStandby(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('equipmentId', () => ID) equipmentId: string,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('runKw', () => DecimalScalar) runKw: Decimal,
    @Arg('offKw', () => DecimalScalar, { nullable: true }) offKw?: Decimal | null,
  ) {
    return EnergyApi.runningStandby(ctx, enterpriseId, equipmentId, from, to, runKw, offKw);
  }

  @Can('readings:write', TENANT)
  @Mutation(() => ProductionImportResult)
  recordProduction(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('records', () => [ProductionRecordInput]) records: ProductionRecordInput[],
  ) {
    return EnergyApi.recordProduction(ctx, enterpriseId, records);
  }

  @Can('readings:write', TENANT)
  @Mutation(() => ProductionImportResult, {
    description: 'ERP CSV: line,product,quantity,shift,team,start,end',
  })
  importProductionCsv(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('csv', () => String) csv: string,
  ) {
    return EnergyApi.importProductionCsv(ctx, enterpriseId, csv);
  }

  @Can(READ, TENANT)
  @Query(() => [TariffPlanSummary])
  tariffPlans(@Ctx() ctx: RequestContext, @Arg('enterpriseId', () => ID) enterpriseId: string) {
    return EnergyApi.tariffPlans(ctx, enterpriseId);
  }

  @Can('energy:configure', TENANT)
  @Mutation(() => TariffPlanSummary, { description: 'Store a TOU tariff plan given as JSON (validated).' })
  importTariffPlan(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('code', () => String) code: string,
    @Arg('definition', () => String) definition: string,
  ) {
    return EnergyApi.importTariffPlan(ctx, enterpriseId, code, definition);
  }

  @Can('energy:configure', TENANT)
  @Mutation(() => TariffPlanSummary, {
    description: 'Install a row of the seeded Hubei 2026-01 tariff, e.g. single_part / 1-10(20)kV.',
  })
  seedHubeiTariff(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('structure', () => String) structure: string,
    @Arg('voltage', () => String) voltage: string,
  ) {
    return EnergyApi.seedHubeiTariff(ctx, enterpriseId, structure, voltage);
  }
}
