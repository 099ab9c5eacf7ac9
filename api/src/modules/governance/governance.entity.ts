import { Field, Int, ObjectType } from 'type-graphql';

/**
 * GraphQL types of the governance module. There are no TypeORM entities: every row comes from the
 * indexer's chain mirror (schema `chain`, read with SQL in governance.service.ts).
 * uint256 values (proposal ids, vote weights, quota grams) travel as decimal strings.
 */

@ObjectType({ description: 'One published version of a standard (StandardsRegistry.VersionPublished).' })
export class StandardVersion {
  @Field(() => String, { description: 'On-chain standard id: keccak256(code), lowercase hex.' })
  standardId: string;
  @Field(() => String, { nullable: true, description: 'Standard code (pack id) when known.' })
  code: string | null;
  @Field(() => String)
  version: string;
  @Field(() => String, { description: 'Index of the version in the registry (uint256 as text).' })
  versionIndex: string;
  @Field(() => String, { description: 'SHA-256 of the canonical pack JSON, 0x-hex.' })
  contentHash: string;
  @Field(() => String)
  uri: string;
  @Field(() => Date)
  effectiveFrom: Date;
  @Field(() => Boolean)
  deprecated: boolean;
  @Field(() => Boolean, { description: 'The publishing block is final (at least finalityDepth deep).' })
  confirmed: boolean;
  @Field(() => Boolean, { description: 'A pack with this content hash ships with the platform (diffable).' })
  shipped: boolean;
  @Field(() => Int)
  blockNumber: number;
}

@ObjectType({ description: 'A standard with every published version, oldest first.' })
export class Standard {
  @Field(() => String)
  id: string;
  @Field(() => String, { nullable: true })
  code: string | null;
  @Field(() => [StandardVersion])
  versions: StandardVersion[];
  @Field(() => String, {
    nullable: true,
    description: 'Content hash of the version active now (chain.active_standard_version).',
  })
  activeContentHash: string | null;
}

@ObjectType({ description: 'A default parameter that differs between two shipped packs.' })
export class FactorDiff {
  @Field(() => String)
  parameterId: string;
  @Field(() => String)
  name: string;
  @Field(() => String, { nullable: true, description: 'Chinese name when the pack has one.' })
  nameZh: string | null;
  @Field(() => String, { description: 'ADDED, REMOVED or CHANGED.' })
  change: 'ADDED' | 'REMOVED' | 'CHANGED';
  @Field(() => String, { nullable: true })
  oldValue: string | null;
  @Field(() => String, { nullable: true })
  newValue: string | null;
  @Field(() => String, { nullable: true })
  oldUnit: string | null;
  @Field(() => String, { nullable: true })
  newUnit: string | null;
}

@ObjectType({ description: 'Factor differences between two shipped packs, matched by content hash.' })
export class StandardVersionDiff {
  @Field(() => String)
  fromHash: string;
  @Field(() => String)
  toHash: string;
  @Field(() => String)
  fromRef: string;
  @Field(() => String)
  toRef: string;
  @Field(() => [FactorDiff])
  parameters: FactorDiff[];
}

@ObjectType({ description: 'The standard version a proposal publishes, parsed from its description.' })
export class ProposalStandard {
  @Field(() => String)
  standardId: string;
  @Field(() => String, { nullable: true })
  code: string | null;
  @Field(() => String)
  version: string;
  @Field(() => String)
  contentHash: string;
  @Field(() => String)
  uri: string;
}

@ObjectType({ description: 'A vote mirrored from VoteCast.' })
export class Vote {
  @Field(() => String)
  voter: string;
  @Field(() => Int, { description: '0 against, 1 for, 2 abstain.' })
  support: number;
  @Field(() => String)
  weight: string;
  @Field(() => String)
  reason: string;
  @Field(() => String)
  txHash: string;
  @Field(() => Int)
  blockNumber: number;
  @Field(() => Date)
  castAt: Date;
}

@ObjectType({ description: 'A governor proposal (chain.proposal: state from the last transition, tallies).' })
export class Proposal {
  @Field(() => String, { description: 'uint256 proposal id as decimal text.' })
  id: string;
  @Field(() => String, { nullable: true })
  proposer: string | null;
  @Field(() => String, {
    description:
      'OZ Governor state derived from the mirror at the indexed head: pending, active, canceled, defeated, succeeded, queued, expired or executed.',
  })
  state: string;
  @Field(() => String, { nullable: true })
  description: string | null;
  @Field(() => String, { nullable: true, description: 'First line of the description.' })
  title: string | null;
  @Field(() => ProposalStandard, { nullable: true })
  standard: ProposalStandard | null;
  @Field(() => String)
  forVotes: string;
  @Field(() => String)
  againstVotes: string;
  @Field(() => String)
  abstainVotes: string;
  @Field(() => Int)
  voteCount: number;
  @Field(() => String, { nullable: true })
  voteStart: string | null;
  @Field(() => String, { nullable: true })
  voteEnd: string | null;
  @Field(() => String, { nullable: true })
  eta: string | null;
  @Field(() => Int, { nullable: true })
  createdBlock: number | null;
  @Field(() => Date)
  updatedAt: Date;
  /** Filled only by `proposal(id)`. */
  @Field(() => [Vote], { nullable: true, description: 'Votes (only on proposal(id)).' })
  votes?: Vote[] | null;
}

@ObjectType({ description: 'Indexer health from chain.indexer_status.' })
export class IndexerHealth {
  @Field(() => Boolean, { description: 'False when the indexer has never written a status row.' })
  running: boolean;
  @Field(() => Int, { nullable: true })
  chainId: number | null;
  @Field(() => String)
  phase: string;
  @Field(() => Int, { nullable: true })
  headBlock: number | null;
  @Field(() => Int, { nullable: true })
  checkpointBlock: number | null;
  @Field(() => Int)
  finalityDepth: number;
  @Field(() => Int, { nullable: true })
  lagBlocks: number | null;
  @Field(() => String, { nullable: true, description: 'Seconds behind the head (decimal text).' })
  lagSeconds: string | null;
  @Field(() => String, { description: 'Events per second (decimal text).' })
  eventsPerSecond: string;
  @Field(() => Int)
  eventsTotal: number;
  @Field(() => Int)
  reorgsTotal: number;
  @Field(() => String, { nullable: true })
  lastError: string | null;
  @Field(() => Date, { nullable: true })
  lastErrorAt: Date | null;
  @Field(() => Date, { nullable: true })
  updatedAt: Date | null;
}

@ObjectType({ description: 'Current on-chain quota (chain.quota) of an enterprise for one year.' })
export class OnChainQuota {
  @Field(() => String)
  chainEnterpriseId: string;
  @Field(() => Int)
  year: number;
  @Field(() => String, { description: 'gCO2e (tCO2e × 10^6) as decimal text.' })
  amountGrams: string;
  @Field(() => Int)
  revision: number;
  @Field(() => Date)
  issuedAt: Date;
  @Field(() => Boolean)
  confirmed: boolean;
}

@ObjectType({ description: 'EIP-712 typed data of a Ballot, ready for eth_signTypedData_v4.' })
export class VoteTypedData {
  @Field(() => String, {
    description: 'JSON text: { types, domain, primaryType, message } (uint256 as text).',
  })
  json: string;
  @Field(() => Int)
  chainId: number;
  @Field(() => String)
  verifyingContract: string;
  @Field(() => String)
  nonce: string;
}

@ObjectType({ description: 'A vote relayed with castVoteBySig.' })
export class RelayedVote {
  @Field(() => String)
  txHash: string;
  @Field(() => String)
  proposalId: string;
  @Field(() => String)
  voter: string;
  @Field(() => Int)
  support: number;
  @Field(() => Int)
  blockNumber: number;
}
