import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'A signing key held (encrypted) by the platform for a user. The key itself is never exposed.',
})
export class AccountKey {
  @Field(() => ID)
  userId: string;
  @Field(() => String, { description: 'Checksummed address of the held key.' })
  address: string;
  @Field(() => Date)
  createdAt: Date;
}

@ObjectType({ description: 'A vote signed with the account-held key and relayed.' })
export class AccountKeyVote {
  @Field(() => String)
  txHash: string;
  @Field(() => String)
  proposalId: string;
  @Field(() => String)
  voter: string;
  @Field(() => Int)
  support: number;
  @Field(() => String)
  reason: string;
  @Field(() => Int)
  blockNumber: number;
}

@ObjectType({ description: 'A Governor.queue or Governor.execute transaction.' })
export class ProposalAction {
  @Field(() => String)
  proposalId: string;
  @Field(() => String, { description: 'queue or execute' })
  action: string;
  @Field(() => String)
  txHash: string;
  @Field(() => String, { description: 'Account that sent it: the caller’s held key, else the relayer.' })
  sender: string;
  @Field(() => Int)
  blockNumber: number;
}

@ObjectType({ description: 'A quota issued on chain from the regulator’s held key.' })
export class IssuedQuota {
  @Field(() => ID)
  enterpriseId: string;
  @Field(() => String, { description: 'bytes32 enterprise id on chain.' })
  chainEnterpriseId: string;
  @Field(() => Int)
  year: number;
  @Field(() => String, { description: 'gCO2e (tCO2e × 10^6), as sent to the contract.' })
  amountGrams: string;
  @Field(() => String)
  txHash: string;
  @Field(() => String)
  regulator: string;
  @Field(() => Int)
  blockNumber: number;
}
