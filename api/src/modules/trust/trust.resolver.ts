import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { inventoryLineProof, listTamperAlarms, type ProofResult, readingProof } from './trust.proof.service';
import { TamperAlarm, TrustProof } from './trust.types';

function toGraphql(p: ProofResult): TrustProof {
  const f = p.file;
  return Object.assign(new TrustProof(), {
    kind: f.kind,
    leaf: f.leaf,
    salt: f.leaf.salt,
    leafHash: f.leafHash,
    leafIndex: f.leafIndex,
    proof: f.proof,
    root: f.root,
    batchId: f.batch.id,
    anchorState: p.anchorState,
    chainAnchoredAt: p.chainAnchoredAt,
    chainId: f.anchor?.chainId ?? null,
    registry: f.anchor?.registry ?? null,
    anchorTxHash: f.anchor?.txHash ?? null,
    proofJson: JSON.stringify(f, null, 2),
  });
}

@Resolver()
export class TrustResolver {
  @Can('readings:read', { enterprise: 'args.enterpriseId' })
  @Query(() => TrustProof, { description: 'Merkle proof disclosing one committed reading.' })
  async readingProof(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('meterId', () => ID) meterId: string,
    @Arg('ts', () => Date) ts: Date,
    @Arg('source', () => String, { nullable: true }) source?: string | null,
  ): Promise<TrustProof> {
    return toGraphql(await readingProof(ctx, { enterpriseId, meterId, ts, source }));
  }

  @Can('accounting:read', { enterprise: 'args.enterpriseId' })
  @Query(() => TrustProof, { description: 'Merkle proof disclosing one committed inventory line.' })
  async inventoryLineProof(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('inventoryId', () => ID) inventoryId: string,
    @Arg('line', () => String) line: string,
  ): Promise<TrustProof> {
    return toGraphql(await inventoryLineProof(ctx, { enterpriseId, inventoryId, line }));
  }

  @Can('anchored:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [TamperAlarm], {
    description:
      'Open tamper alarms (stored data no longer matching its anchored commitment) of one enterprise, or without enterpriseId of every enterprise in reach (regulator: the jurisdiction).',
  })
  async tamperAlarms(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID, { nullable: true }) enterpriseId?: string | null,
  ): Promise<TamperAlarm[]> {
    return (await listTamperAlarms(ctx, enterpriseId ?? null)).map((a) =>
      Object.assign(new TamperAlarm(), a),
    );
  }
}
