import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { Decimal, DecimalScalar } from '../../core/scalars';
import { PathwaysService } from './pathways.service';
import {
  MaccPoint,
  PathwayMeasure,
  PathwayScenario,
  RunPathwayScenarioInput,
  SavePathwayMeasureInput,
} from './pathways.types';

@Resolver()
export class PathwaysResolver {
  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [PathwayMeasure], {
    description: 'Measures: enterprise-specific ones plus catalogue defaults.',
  })
  pathwayMeasures(@Ctx() ctx: RequestContext, @Arg('enterpriseId', () => ID) enterpriseId: string) {
    return PathwaysService.measures(ctx, enterpriseId);
  }

  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [MaccPoint], { description: 'Marginal abatement cost curve, cheapest tonne first.' })
  maccCurve(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('discountRatePercent', () => DecimalScalar, { nullable: true }) rate?: Decimal,
  ) {
    return PathwaysService.macc(ctx, enterpriseId, rate);
  }

  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [PathwayScenario], {
    description: 'Saved scenarios (latest 100), or the given ones to compare.',
  })
  pathwayScenarios(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('ids', () => [ID], { nullable: true }) ids?: string[],
  ) {
    return PathwaysService.scenarios(ctx, enterpriseId, ids);
  }

  @Can('accounting:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => PathwayMeasure)
  savePathwayMeasure(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => SavePathwayMeasureInput) input: SavePathwayMeasureInput,
  ) {
    return PathwaysService.saveMeasure(ctx, input);
  }

  @Can('accounting:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => PathwayScenario, {
    description:
      'Solves the least-cost pathway (HiGHS MILP) and saves the scenario (INFEASIBLE is saved too).',
  })
  runPathwayScenario(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RunPathwayScenarioInput) input: RunPathwayScenarioInput,
  ) {
    return PathwaysService.run(ctx, input);
  }
}
