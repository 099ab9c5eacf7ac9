import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Authenticated, Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { CustodyService } from './custody.service';
import { AccountKey, AccountKeyVote, IssuedQuota, ProposalAction } from './custody.types';

@Resolver()
export class CustodyResolver {
  @Authenticated()
  @Query(() => AccountKey, {
    nullable: true,
    description: 'The signing key the platform holds for the caller (address only), or null.',
  })
  myAccountKey(@Ctx() ctx: RequestContext): Promise<AccountKey | null> {
    return CustodyService.myAccountKey(ctx);
  }

  @Authenticated()
  @Mutation(() => AccountKey, {
    description:
      'Creates a signing key held (encrypted) for the caller; members and regulators only (CONFLICT SIGNER_ROLE_REQUIRED otherwise, ACCOUNT_KEY_EXISTS when one exists).',
  })
  createAccountKey(@Ctx() ctx: RequestContext): Promise<AccountKey> {
    return CustodyService.createAccountKey(ctx);
  }

  @Can('platform:ops')
  @Mutation(() => AccountKey, {
    description: 'Platform admin: provisions a held signing key for a member or regulator login.',
  })
  provisionAccountKey(
    @Ctx() ctx: RequestContext,
    @Arg('userId', () => ID) userId: string,
  ): Promise<AccountKey> {
    return CustodyService.provisionAccountKey(ctx, userId);
  }

  @Can('governance:vote')
  @Mutation(() => AccountKeyVote, {
    description:
      'Signs the EIP-712 ballot with the caller’s held key and relays it (castVoteBySig, or castVoteWithReasonAndParamsBySig with a reason).',
  })
  castVoteWithAccountKey(
    @Ctx() ctx: RequestContext,
    @Arg('proposalId', () => String) proposalId: string,
    @Arg('support', () => Int) support: number,
    @Arg('reason', () => String, { defaultValue: '' }) reason: string,
  ): Promise<AccountKeyVote> {
    return CustodyService.castVote(ctx, proposalId, support, reason);
  }

  @Can('governance:vote')
  @Mutation(() => ProposalAction, {
    description: 'Governor.queue for a succeeded proposal, from the caller’s held key or the relayer.',
  })
  queueProposal(@Ctx() ctx: RequestContext, @Arg('id', () => String) id: string): Promise<ProposalAction> {
    return CustodyService.proposalAction(ctx, 'queue', id);
  }

  @Can('governance:vote')
  @Mutation(() => ProposalAction, {
    description:
      'Governor.execute for a queued proposal past its ETA, from the caller’s held key or the relayer.',
  })
  executeProposal(@Ctx() ctx: RequestContext, @Arg('id', () => String) id: string): Promise<ProposalAction> {
    return CustodyService.proposalAction(ctx, 'execute', id);
  }

  @Can('quota:issue', { enterprise: 'args.enterpriseId' })
  @Mutation(() => IssuedQuota, {
    description:
      'QuotaRegistry.issueQuota sent from the regulator’s held key; amount in tCO2e (≤ 6 decimals), sent as gCO2e.',
  })
  issueQuotaWithAccountKey(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('year', () => Int) year: number,
    @Arg('amount', () => String) amount: string,
    @Arg('reason', () => String, { defaultValue: '' }) reason: string,
  ): Promise<IssuedQuota> {
    return CustodyService.issueQuota(ctx, enterpriseId, year, amount, reason);
  }
}
