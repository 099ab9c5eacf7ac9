import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { ConnectionType, PageArgs, decodeCursor, toConnection } from '../../core/pagination';
import {
  checkRetirementCommitment,
  commitInventoryWithRetirements,
  retirementProof,
} from './offsets.commitment';
import { OffsetsService } from './offsets.service';
import {
  InventoryCommitment,
  OffsetPurchase,
  OffsetRetirement,
  OffsetSummary,
  RecordOffsetPurchaseInput,
  RetireOffsetInput,
  RetirementCommitmentCheck,
  RetirementProof,
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

  @Can('accounting:finalize', { enterprise: 'args.enterpriseId' })
  @Mutation(() => InventoryCommitment, {
    description:
      'Commits a finalised inventory with its retirements (one leaf per retirement) for anchoring on chain.',
  })
  async commitInventoryWithRetirements(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('inventoryId', () => ID) inventoryId: string,
  ) {
    const r = await commitInventoryWithRetirements(ctx, enterpriseId, inventoryId);
    return Object.assign(new InventoryCommitment(), {
      inventoryId,
      batchId: r.batch.batchId,
      root: r.batch.root,
      seq: r.batch.seq,
      leafCount: r.batch.leafCount,
      lines: r.lines,
    });
  }

  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Query(() => RetirementCommitmentCheck, {
    description: 'Detects retirements altered, removed or never committed since the inventory was anchored.',
  })
  retirementCommitment(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('inventoryId', () => ID) inventoryId: string,
  ) {
    return checkRetirementCommitment(ctx, enterpriseId, inventoryId);
  }

  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Query(() => RetirementProof, {
    description: 'Merkle proof of one retirement in the inventory commitment.',
  })
  async retirementProof(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('inventoryId', () => ID) inventoryId: string,
    @Arg('retirementId', () => ID) retirementId: string,
  ) {
    const p = await retirementProof(ctx, enterpriseId, inventoryId, retirementId);
    return Object.assign(new RetirementProof(), {
      line: p.line,
      root: p.file.root,
      leafHash: p.file.leafHash,
      anchorState: p.anchorState,
      proofJson: JSON.stringify(p.file, null, 2),
    });
  }
}
