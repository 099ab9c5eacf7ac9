import { IsOptional, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { Can, enforceRule, ruleOf } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import type { BusEvent } from '../../core/events';
import { ConnectionType, PageArgs } from '../../core/pagination';
import { DecimalScalar } from '../../core/scalars';
import {
  ActivityRecord,
  EmissionSource,
  InventoryRecord,
  MeasuredFactorRecord,
  ProductionRecord,
  QuotaEntry,
} from './accounting.entity';
import {
  AdjustQuotaInput,
  CreateEmissionSourceInput,
  RecordActivityInput,
  RecordMeasuredFactorInput,
  RecordProductionInput,
  SetQuotaInput,
} from './accounting.inputs';
import {
  AccountingService,
  EMISSIONS_UPDATED,
  type EmissionsUpdatePayload,
  type InventoryDiff,
  type QuotaStatusData,
} from './accounting.service';
import type { Inventory } from './engine/calculate';
import type { Dec } from './engine/decimal';

export const InventoryConnection = ConnectionType(InventoryRecord, 'Inventory');
export const EmissionSourceConnection = ConnectionType(EmissionSource, 'EmissionSource');

@ObjectType({ description: 'One inventory line with its working (formula inputs, parameters, steps).' })
export class InventoryLineView {
  @Field(() => String) sourceId: string;
  @Field(() => String) sourceType: string;
  @Field(() => String) category: string;
  @Field(() => Int, { nullable: true }) scope: number | null;
  @Field(() => String) treatment: string;
  @Field(() => String) gas: string;
  @Field(() => String) formula: string;
  @Field(() => DecimalScalar) quantity: string;
  @Field(() => String) unit: string;
  @Field(() => String) evidenceKind: string;
  @Field(() => String) evidenceReference: string;
  @Field(() => DecimalScalar) gasMass: string;
  @Field(() => DecimalScalar, { description: 'tCO2e, exact (lines are never rounded).' }) co2e: string;
  @Field(() => String, { description: 'JSON: parameters (with citation/evidence), GWP, conversions, steps.' })
  working: string;
}

@ObjectType()
export class InventoryDiffEntry {
  @Field(() => String, { description: 'sourceId (lines) or total name' }) key: string;
  @Field(() => DecimalScalar, { nullable: true }) previous: string | null;
  @Field(() => DecimalScalar, { nullable: true }) current: string | null;
  @Field(() => DecimalScalar) delta: string;
}

@ObjectType({ description: 'Differences against the previous revision (changed entries only).' })
export class InventoryDiffView {
  @Field(() => ID) previousId: string;
  @Field(() => Int) previousRevision: number;
  @Field(() => [InventoryDiffEntry]) lines: InventoryDiffEntry[];
  @Field(() => [InventoryDiffEntry]) totals: InventoryDiffEntry[];
}

@ObjectType()
export class QuotaTrueUpMonth {
  @Field(() => Int) month: number;
  @Field(() => DecimalScalar) used: Dec;
  @Field(() => DecimalScalar) cumulativeUsed: Dec;
  @Field(() => DecimalScalar, { nullable: true, description: 'quota × month / 12' }) proRataQuota: Dec | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'pro-rata − cumulative used' })
  balance: Dec | null;
}

@ObjectType()
export class QuotaForecast {
  @Field(() => String, { description: 'NONE, RUN_RATE or SEASONAL' }) method: string;
  @Field(() => Int) monthsObserved: number;
  @Field(() => DecimalScalar, { nullable: true }) value: Dec | null;
  @Field(() => DecimalScalar, { nullable: true, description: '90 % interval low' }) low: Dec | null;
  @Field(() => DecimalScalar, { nullable: true, description: '90 % interval high' }) high: Dec | null;
  @Field(() => String) description: string;
}

@ObjectType({
  description: 'Annual quota vs emissions (tCO2e). A chain-issued quota overrides the manual one.',
})
export class QuotaStatus {
  @Field(() => ID) enterpriseId: string;
  @Field(() => Int) year: number;
  @Field(() => DecimalScalar, { nullable: true }) quota: Dec | null;
  @Field(() => String, { description: 'CHAIN, MANUAL or NONE' }) quotaSource: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'Regulator quota (grams on chain → t, 6 dp).' })
  chainQuota: Dec | null;
  @Field(() => Int, { nullable: true }) chainRevision: number | null;
  @Field(() => DecimalScalar, { nullable: true }) manualQuota: Dec | null;
  @Field(() => DecimalScalar, { description: 'Sum of the latest revision of each monthly inventory.' })
  used: Dec;
  @Field(() => DecimalScalar, { nullable: true }) remaining: Dec | null;
  @Field(() => Int) monthsWithData: number;
  @Field(() => [QuotaTrueUpMonth]) trueUp: QuotaTrueUpMonth[];
  @Field(() => QuotaForecast) forecast: QuotaForecast;
  @Field(() => [QuotaEntry]) history: QuotaEntry[];
}

@ObjectType({ description: 'A month (or year) inventory was (re)computed or changed state.' })
export class EmissionsUpdate {
  @Field(() => ID) enterpriseId: string;
  @Field(() => ID) inventoryId: string;
  @Field(() => String) periodKind: string;
  @Field(() => String) periodStart: string;
  @Field(() => String) periodEnd: string;
  @Field(() => Int) revision: number;
  @Field(() => String) state: string;
  @Field(() => DecimalScalar) totalLocation: string;
}

@ArgsType()
export class CalculateInventoryArgs {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;

  @Field(() => String, { description: 'YYYY-MM (monthly) or YYYY (annual)' })
  @Matches(/^\d{4}(-(0[1-9]|1[0-2]))?$/, { message: 'period must be YYYY or YYYY-MM' })
  period: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  siteId?: string;

  @Field(() => String, { nullable: true, description: 'Standard code (pack id); default cn-machinery-2015.' })
  @IsOptional()
  @Length(1, 100)
  standard?: string;

  @Field(() => String, {
    nullable: true,
    description: 'Pack ref (id@version) to use ONLY when the chain has no active version: DRAFT + warning.',
  })
  @IsOptional()
  @Length(1, 100)
  explicitPack?: string;
}

@ArgsType()
export class InventoriesArgs extends PageArgs {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(2000)
  @Max(2200)
  year?: number;

  @Field(() => String, { nullable: true, description: 'MONTH or YEAR' })
  @IsOptional()
  @Matches(/^(MONTH|YEAR)$/)
  periodKind?: string;
}

@ArgsType()
export class EmissionSourcesArgs extends PageArgs {
  @Field(() => ID)
  @IsUUID()
  enterpriseId: string;
}

function parsed(inv: InventoryRecord): Inventory {
  return JSON.parse(inv.canonicalJson) as Inventory;
}

@Resolver(() => InventoryRecord)
export class InventoryResolver {
  @Can('inventory:read', { enterprise: 'args.enterpriseId' })
  @Query(() => InventoryConnection, { description: 'Inventories of an enterprise, newest period first.' })
  inventories(@Ctx() ctx: RequestContext, @Args(() => InventoriesArgs) a: InventoriesArgs) {
    return AccountingService.listInventories(ctx, a.enterpriseId, a.first ?? 20, a.after, {
      year: a.year,
      periodKind: a.periodKind,
    });
  }

  @Can('inventory:read')
  @Query(() => InventoryRecord)
  inventory(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return AccountingService.getInventory(ctx, id);
  }

  @Can('accounting:write', { enterprise: 'args.enterpriseId' })
  @Mutation(() => InventoryRecord, {
    description:
      'Computes the inventory of a period with the standard version active on chain. A DRAFT is updated in place; a FINAL one gets a new revision with a diff.',
  })
  calculateInventory(
    @Ctx() ctx: RequestContext,
    @Args(() => CalculateInventoryArgs) a: CalculateInventoryArgs,
  ) {
    return AccountingService.calculateInventory(ctx, a);
  }

  @Can('accounting:finalize')
  @Mutation(() => InventoryRecord, { description: 'DRAFT → FINAL (locked).' })
  finalizeInventory(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return AccountingService.finalizeInventory(ctx, id);
  }

  @FieldResolver(() => [InventoryLineView])
  lines(@Root() inv: InventoryRecord): InventoryLineView[] {
    return parsed(inv).lines.map((l) => ({
      sourceId: l.sourceId,
      sourceType: l.sourceType,
      category: l.category,
      scope: l.scope,
      treatment: l.treatment,
      gas: l.gas,
      formula: l.formula,
      quantity: l.input.value,
      unit: l.input.unit,
      evidenceKind: l.input.evidence.kind,
      evidenceReference: l.input.evidence.reference,
      gasMass: l.gasMass.exact,
      co2e: l.co2e.exact,
      working: JSON.stringify({
        parameters: l.parameters,
        gwp: l.gwp,
        conversions: l.conversions,
        steps: l.steps,
      }),
    }));
  }

  @FieldResolver(() => DecimalScalar, { description: 'Total as reported (pack rounding applied).' })
  totalReported(@Root() inv: InventoryRecord): string {
    return parsed(inv).totals.location.reported;
  }

  @FieldResolver(() => InventoryDiffView, { nullable: true })
  diff(@Root() inv: InventoryRecord): InventoryDiff | null {
    return (inv.diff as InventoryDiff | null) ?? null;
  }
}

@Resolver(() => EmissionSource)
export class EmissionSourceResolver {
  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Query(() => EmissionSourceConnection)
  emissionSources(@Ctx() ctx: RequestContext, @Args(() => EmissionSourcesArgs) a: EmissionSourcesArgs) {
    return AccountingService.listSources(ctx, a.enterpriseId, a.first ?? 20, a.after);
  }

  @Can('accounting:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => EmissionSource)
  createEmissionSource(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateEmissionSourceInput) input: CreateEmissionSourceInput,
  ) {
    return AccountingService.createSource(ctx, input);
  }

  @Can('accounting:write')
  @Mutation(() => ActivityRecord, { description: 'Manual activity data with evidence.' })
  recordActivity(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RecordActivityInput) input: RecordActivityInput,
  ) {
    return AccountingService.recordActivity(ctx, input);
  }

  @Can('accounting:write')
  @Mutation(() => MeasuredFactorRecord)
  recordMeasuredFactor(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RecordMeasuredFactorInput) input: RecordMeasuredFactorInput,
  ) {
    return AccountingService.recordMeasuredFactor(ctx, input);
  }

  @Can('accounting:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => ProductionRecord)
  recordProduction(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RecordProductionInput) input: RecordProductionInput,
  ) {
    return AccountingService.recordProduction(ctx, input);
  }
}

@Resolver(() => QuotaStatus)
export class QuotaResolver {
  @Can('quota:read', { enterprise: 'args.enterpriseId' })
  @Query(() => QuotaStatus)
  quotaStatus(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('year', () => Int) year: number,
  ): Promise<QuotaStatusData> {
    return AccountingService.quotaStatus(ctx, enterpriseId, year);
  }

  @Can('quota:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => QuotaEntry, { description: 'Enter the annual quota (tCO2e).' })
  setQuota(@Ctx() ctx: RequestContext, @Arg('input', () => SetQuotaInput) input: SetQuotaInput) {
    return AccountingService.setQuota(ctx, input);
  }

  @Can('quota:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => QuotaEntry, { description: 'Adjust the annual quota by a delta, with a reason.' })
  adjustQuota(@Ctx() ctx: RequestContext, @Arg('input', () => AdjustQuotaInput) input: AdjustQuotaInput) {
    return AccountingService.adjustQuota(ctx, input);
  }

  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Subscription(() => EmissionsUpdate, {
    description: 'Inventory (re)computations and state changes of one enterprise.',
    subscribe: ({
      args,
      context,
      info,
    }: {
      args: Record<string, unknown>;
      context: RequestContext;
      info: { parentType: { getFields(): Record<string, Parameters<typeof ruleOf>[0]> }; fieldName: string };
    }) => {
      const field = info.parentType.getFields()[info.fieldName];
      enforceRule(field ? ruleOf(field) : undefined, context, { args, root: undefined }, 'emissionsUpdated');
      const enterpriseId = args.enterpriseId as string;
      return context.events.subscribe(EMISSIONS_UPDATED, (e: BusEvent) => e.enterpriseId === enterpriseId);
    },
  })
  emissionsUpdated(
    @Root() e: EmissionsUpdatePayload,
    @Arg('enterpriseId', () => ID) _enterpriseId: string,
  ): EmissionsUpdatePayload {
    return e;
  }
}
