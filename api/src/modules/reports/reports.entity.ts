import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

/** bigint column (block numbers) → JS number; null stays null. */
const blockNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v == null ? null : Number(v)),
};

@ObjectType('Report', {
  description:
    'A GHG report generated from a FINAL inventory: canonical JSON + PDF + XLSX with hashes. generated → signed → anchored.',
})
@Entity({ name: 'report' })
export class Report {
  @Field(() => ID)
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'inventory_id' })
  inventoryId: string;

  @Field(() => Int, { description: 'Version per inventory and language (1, 2, …).' })
  @Column({ type: 'integer' })
  version: number;

  @Field(() => String, { description: 'zh-CN or en' })
  @Column({ type: 'text' })
  language: string;

  @Field(() => String, { description: 'Standard pack ref, e.g. cn-machinery-2015@1.0.0.' })
  @Column({ type: 'text', name: 'standard_ref' })
  standardRef: string;

  @Field(() => String)
  @Column({ type: 'text', name: 'inventory_hash' })
  inventoryHash: string;

  @Column({ type: 'text', name: 'json_canonical', select: false })
  jsonCanonical: string;

  @Field(() => String, { description: '0x + SHA-256 of the RFC 8785 canonical JSON bytes.' })
  @Column({ type: 'text', name: 'json_hash' })
  jsonHash: string;

  @Column({ type: 'bytea', select: false })
  pdf: Buffer;

  @Field(() => String)
  @Column({ type: 'text', name: 'pdf_hash' })
  pdfHash: string;

  @Column({ type: 'bytea', select: false })
  xlsx: Buffer;

  @Field(() => String)
  @Column({ type: 'text', name: 'xlsx_hash' })
  xlsxHash: string;

  @Field(() => String, { description: 'generated, signed or anchored' })
  @Column({ type: 'text' })
  state: string;

  @Field(() => String, { nullable: true, description: 'Address that signed the EIP-712 report message.' })
  @Column({ type: 'text', nullable: true })
  signer: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  signature: string | null;

  @Column({ type: 'uuid', name: 'signed_by', nullable: true })
  signedBy: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'signed_at', nullable: true })
  signedAt: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      'keccak256(abi.encode(jsonHash, pdfHash, inventoryHash, signer)), queued as a report anchor.',
  })
  @Column({ type: 'text', name: 'anchor_root', nullable: true })
  anchorRoot: string | null;

  @Column({ type: 'uuid', name: 'anchor_batch_id', nullable: true })
  anchorBatchId: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'anchor_tx_hash', nullable: true })
  anchorTxHash: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Block time of the confirmed Anchored event (from the chain mirror).',
  })
  @Column({ type: 'timestamptz', name: 'anchored_at', nullable: true })
  anchoredAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'Block of the confirmed Anchored event.' })
  @Column({ type: 'bigint', name: 'anchor_block_number', nullable: true, transformer: blockNumber })
  anchorBlockNumber: number | null;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', name: 'supersedes_report_id', nullable: true })
  supersedesReportId: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'supersede_reason', nullable: true })
  supersedeReason: string | null;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', name: 'superseded_by_report_id', nullable: true })
  supersededByReportId: string | null;

  /** The confirmed on-chain AnchorSuperseded event of this report (set by the chain reconciler). */
  @Column({ type: 'text', name: 'superseded_tx_hash', nullable: true })
  supersededTxHash: string | null;

  @Column({ type: 'bigint', name: 'superseded_block_number', nullable: true, transformer: blockNumber })
  supersededBlockNumber: number | null;

  @Column({ type: 'timestamptz', name: 'superseded_at', nullable: true })
  supersededAt: Date | null;

  @Column({ type: 'text', name: 'superseded_reason_on_chain', nullable: true })
  supersededReasonOnChain: string | null;

  @Column({ type: 'uuid', name: 'created_by', nullable: true })
  createdBy: string | null;

  @Field(() => Date)
  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

@ObjectType('ReportGrant', { description: 'Access of a verifier (user) to one report.' })
@Entity({ name: 'report_grant' })
export class ReportGrant {
  @Field(() => ID)
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'report_id' })
  reportId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'verifier_user_id' })
  verifierUserId: string;

  @Column({ type: 'uuid', name: 'granted_by', nullable: true })
  grantedBy: string | null;

  @Field(() => Date)
  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

@ObjectType('ReportVerification', { description: "A verifier's statement on a report." })
@Entity({ name: 'report_verification' })
export class ReportVerification {
  @Field(() => ID)
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'report_id' })
  reportId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'verifier_user_id' })
  verifierUserId: string;

  @Field(() => String, { description: 'POSITIVE, QUALIFIED or NEGATIVE' })
  @Column({ type: 'text' })
  opinion: string;

  @Field(() => String)
  @Column({ type: 'text', name: 'document_hash' })
  documentHash: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'chain_tx_hash', nullable: true })
  chainTxHash: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'chain_error', nullable: true })
  chainError: string | null;

  @Field(() => Date)
  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

@ObjectType('ReportSupersession', {
  description:
    'How a report was superseded: by which correction, why, and whether AttestationRegistry recorded it (AnchorSuperseded).',
})
export class ReportSupersession {
  @Field(() => ID)
  supersededByReportId: string;

  @Field(() => String, { description: 'The reason as recorded on chain, else as given with the correction.' })
  reason: string;

  @Field(() => String, {
    description:
      'RECORDED: the AnchorSuperseded event is confirmed in the chain mirror; PENDING: not yet (correction unsigned, queued or unconfirmed); OFF_CHAIN: the superseded report was never anchored, so there is nothing to supersede on chain.',
  })
  state: 'RECORDED' | 'PENDING' | 'OFF_CHAIN';

  @Field(() => String, { nullable: true })
  txHash: string | null;

  @Field(() => Int, { nullable: true })
  blockNumber: number | null;

  @Field(() => Date, { nullable: true, description: 'Block time of the AnchorSuperseded event.' })
  recordedAt: Date | null;
}

@ObjectType('ReportChange', {
  description: 'A report state change observed on chain (subscription payload).',
})
export class ReportChange {
  @Field(() => ID)
  reportId: string;

  @Field(() => ID)
  enterpriseId: string;

  @Field(() => String, { description: 'ANCHORED or SUPERSEDED_ON_CHAIN' })
  change: string;

  @Field(() => String, { description: 'The report state after the change.' })
  state: string;

  @Field(() => String, { nullable: true })
  txHash: string | null;

  @Field(() => Int, { nullable: true })
  blockNumber: number | null;
}
