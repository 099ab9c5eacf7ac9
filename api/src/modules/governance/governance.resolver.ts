import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Authenticated, Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { ForbiddenError, UnauthenticatedError } from '../../core/errors';
import type { Permission } from '../../core/permissions';
import {
  IndexerHealth,
  OnChainQuota,
  Proposal,
  RelayedVote,
  Standard,
  StandardVersion,
  StandardVersionDiff,
  VoteTypedData,
} from './governance.entity';
import { chainFeed } from './governance.listener';
import { GovernanceService } from './governance.service';

/** `subscribe` for chain feeds: same rule as the field (the guard does not run at subscribe time). */
function feed(kind: 'proposal' | 'standardVersion', permission: Permission | null) {
  return ({ context }: { context: RequestContext }): AsyncIterable<unknown> => {
    if (!context.auth.authenticated) throw new UnauthenticatedError();
    if (permission && !context.auth.has(permission))
      throw new ForbiddenError(`Missing permission ${permission}`);
    return chainFeed(context.events, context.db, kind);
  };
}

@Resolver()
export class GovernanceResolver {
  @Authenticated()
  @Query(() => [Standard], { description: 'Standards and their published versions (indexer mirror).' })
  standards(@Ctx() ctx: RequestContext): Promise<Standard[]> {
    return GovernanceService.standards(ctx);
  }

  @Authenticated()
  @Query(() => StandardVersionDiff, {
    description: 'Default-parameter differences between two shipped packs, by content hash.',
  })
  standardVersionDiff(
    @Arg('fromHash', () => String) fromHash: string,
    @Arg('toHash', () => String) toHash: string,
  ): StandardVersionDiff {
    return GovernanceService.standardVersionDiff(fromHash, toHash);
  }

  @Can('governance:vote')
  @Query(() => [Proposal], { description: 'Governor proposals, newest first, with tallies.' })
  proposals(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
  ): Promise<Proposal[]> {
    return GovernanceService.proposals(ctx, first);
  }

  @Can('governance:vote')
  @Query(() => Proposal, { description: 'One proposal with its votes.' })
  proposal(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Proposal> {
    return GovernanceService.proposal(ctx, id);
  }

  @Can('governance:vote')
  @Query(() => VoteTypedData, {
    description: 'EIP-712 Ballot to sign with eth_signTypedData_v4 (nonce read from the governor).',
  })
  voteTypedData(
    @Ctx() ctx: RequestContext,
    @Arg('proposalId', () => String) proposalId: string,
    @Arg('support', () => Int) support: number,
    @Arg('voter', () => String) voter: string,
  ): Promise<VoteTypedData> {
    return GovernanceService.voteTypedData(ctx, proposalId, support, voter);
  }

  @Can('platform:ops')
  @Query(() => IndexerHealth, { description: 'Chain indexer lag and health (chain.indexer_status).' })
  indexerHealth(@Ctx() ctx: RequestContext): Promise<IndexerHealth> {
    return GovernanceService.indexerHealth(ctx);
  }

  @Can('quota:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [OnChainQuota], { description: 'Quotas issued on chain for an enterprise (chain.quota).' })
  quotasOnChain(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
  ): Promise<OnChainQuota[]> {
    return GovernanceService.quotasOnChain(ctx, enterpriseId);
  }

  @Can('governance:vote')
  @Mutation(() => RelayedVote, {
    description:
      'Verifies an EIP-712 Ballot signature and relays castVoteBySig (CONFLICT reason RELAYER_NOT_CONFIGURED without a relayer key).',
  })
  relayVoteBySig(
    @Ctx() ctx: RequestContext,
    @Arg('proposalId', () => String) proposalId: string,
    @Arg('support', () => Int) support: number,
    @Arg('voter', () => String) voter: string,
    @Arg('signature', () => String) signature: string,
  ): Promise<RelayedVote> {
    return GovernanceService.relayVoteBySig(ctx, proposalId, support, voter, signature);
  }

  @Can('governance:vote')
  @Subscription(() => Proposal, {
    subscribe: feed('proposal', 'governance:vote'),
    description: 'A proposal whose state or tallies changed in the mirror (indexer NOTIFY opencep_chain).',
  })
  proposalChanged(@Root() p: Proposal): Proposal {
    return p;
  }

  @Authenticated()
  @Subscription(() => StandardVersion, {
    subscribe: feed('standardVersion', null),
    description: 'A standard version published on chain and mirrored by the indexer.',
  })
  standardVersionActivated(@Root() v: StandardVersion): StandardVersion {
    return v;
  }
}
