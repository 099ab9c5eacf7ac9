import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A disclosed reading or inventory line with its Merkle proof (docs/trust.md).' })
export class TrustProof {
  @Field(() => String, { description: '"reading" or "inventory-line"' })
  kind: string;

  @Field(() => GraphQLJSON, { description: 'The disclosed leaf data including the salt.' })
  leaf: unknown;

  @Field(() => String)
  salt: string;

  @Field(() => String)
  leafHash: string;

  @Field(() => Int)
  leafIndex: number;

  @Field(() => [String])
  proof: string[];

  @Field(() => String)
  root: string;

  @Field(() => ID)
  batchId: string;

  @Field(() => String, { nullable: true, description: 'pending, sent, confirmed or failed' })
  anchorState: string | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'Block time of the Anchored event once the chain mirror has it confirmed (the batch is anchored); null before.',
  })
  chainAnchoredAt: Date | null;

  @Field(() => Int, { nullable: true })
  chainId: number | null;

  @Field(() => String, { nullable: true })
  registry: string | null;

  @Field(() => String, { nullable: true })
  anchorTxHash: string | null;

  @Field(() => String, { description: 'The proof file for `npx opencep-verify` (JSON text).' })
  proofJson: string;
}

@ObjectType({ description: 'A stored row or batch root that no longer matches its commitment.' })
export class TamperAlarm {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  enterpriseId: string;

  @Field(() => ID)
  batchId: string;

  @Field(() => Int, {
    nullable: true,
    description: 'The row (leaf index) concerned; null for batch-level alarms.',
  })
  leafIndex: number | null;

  @Field(() => String, {
    description:
      'root_mismatch, leaf_mismatch, row_missing, leaf_count_mismatch, chain_root_missing, chain_root_mismatch or report_mismatch',
  })
  kind: string;

  @Field(() => String, { description: 'What the batch commits: readings, inventory or report.' })
  batchKind: string;

  @Field(() => ID, { nullable: true, description: 'The report concerned (report batches).' })
  reportId: string | null;

  @Field(() => GraphQLJSON)
  detail: unknown;

  @Field(() => Date)
  detectedAt: Date;
}
