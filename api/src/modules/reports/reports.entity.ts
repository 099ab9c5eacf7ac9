import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

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

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'anchored_at', nullable: true })
  anchoredAt: Date | null;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', name: 'supersedes_report_id', nullable: true })
  supersedesReportId: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'supersede_reason', nullable: true })
  supersedeReason: string | null;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', name: 'superseded_by_report_id', nullable: true })
  supersededByReportId: string | null;

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
