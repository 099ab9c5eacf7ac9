import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { ConnectionType, PageArgs, decodeCursor, toConnection } from '../../core/pagination';
import { OffsetsService } from './offsets.service';
import {
  OffsetPurchase,
  OffsetRetirement,
  OffsetSummary,
  RecordOffsetPurchaseInput,
  RetireOffsetInput,
} from './offsets.types';

export const OffsetPurchaseConnection = ConnectionType(OffsetPurchase, 'OffsetPurchase');

@Resolver()
export class OffsetsResolver {
  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Query(() => OffsetPurchaseConnection, { description: 'Green power, certificate and credit purchases.' })
  async offsetPurchases(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Args(() => PageArgs) page: PageArgs,
  ) {
    const first = page.first ?? 20;
    const rows = await OffsetsService.listPurchases(
      ctx,
      enterpriseId,
      first,
      page.after ? decodeCursor(page.after) : null,
    );
    return toConnection(rows, first, (r) => r.id);
  }

  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Query(() => OffsetSummary, {
    description: 'Retirements applied to a year (market-based scope 2 and net).',
  })
  offsetSummary(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('year', () => Int) year: number,
  ) {
    return OffsetsService.summary(ctx, enterpriseId, year);
  }

  @Can('accounting:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => OffsetPurchase)
  recordOffsetPurchase(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RecordOffsetPurchaseInput) input: RecordOffsetPurchaseInput,
  ) {
    return OffsetsService.recordPurchase(ctx, input);
  }

  @Can('accounting:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => OffsetRetirement, {
    description: 'Retire (part of) a purchase against a period. Double retirement → CONFLICT.',
  })
  retireOffset(@Ctx() ctx: RequestContext, @Arg('input', () => RetireOffsetInput) input: RetireOffsetInput) {
    return OffsetsService.retire(ctx, input);
  }
}
