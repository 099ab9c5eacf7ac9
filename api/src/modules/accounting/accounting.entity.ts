import type { Decimal } from 'decimal.js';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DecimalScalar } from '../../core/scalars';
import { decimalTransformer } from '../org/org.entity';

@ObjectType({
  description: 'An emission source of an enterprise (per site), bound to a meter or entered manually.',
})
@Entity({ name: 'accounting_source' })
export class EmissionSource {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', name: 'site_id', nullable: true })
  siteId: string | null;

  @Field(() => String, { description: 'Unique per enterprise; the sourceId of the inventory line.' })
  @Column({ type: 'text' })
  code: string;

  @Field(() => String)
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { description: "The pack's source type, e.g. combustion.natural-gas." })
  @Column({ type: 'text', name: 'source_type' })
  sourceType: string;

  @Field(() => String, { description: "The pack's category, e.g. stationary-combustion." })
  @Column({ type: 'text' })
  category: string;

  @Field(() => Int, { nullable: true })
  @Column({ type: 'smallint', nullable: true })
  scope: number | null;

  @Field(() => ID, { nullable: true, description: 'Bound meter: its monthly rollups are the activity data.' })
  @Column({ type: 'uuid', name: 'meter_id', nullable: true })
  meterId: string | null;

  @Field(() => String, { description: 'Unit of the activity data (manual records are converted to it).' })
  @Column({ type: 'text' })
  unit: string;

  @Field(() => Boolean)
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}

@ObjectType({
  description: 'Manual activity data with evidence (fuel invoice, purchase voucher, SF6 log, …).',
})
@Entity({ name: 'accounting_activity' })
export class ActivityRecord {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'source_id' })
  sourceId: string;

  @Field(() => String)
  @Column({ type: 'date', name: 'period_start' })
  periodStart: string;

  @Field(() => String)
  @Column({ type: 'date', name: 'period_end' })
  periodEnd: string;

  @Field(() => DecimalScalar)
  @Column({ type: 'numeric', transformer: decimalTransformer })
  quantity: Decimal;

  @Field(() => String)
  @Column({ type: 'text' })
  unit: string;

  @Field(() => String)
  @Column({ type: 'text', name: 'evidence_kind' })
  evidenceKind: string;

  @Field(() => String)
  @Column({ type: 'text', name: 'evidence_reference' })
  evidenceReference: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'attachment_sha256', nullable: true })
  attachmentSha256: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'text', name: 'created_by', nullable: true })
  createdBy: string | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}

@ObjectType({ description: 'A measured (site-specific) factor with evidence and validity period.' })
@Entity({ name: 'accounting_measured_factor' })
export class MeasuredFactorRecord {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'source_id' })
  sourceId: string;

  @Field(() => String)
  @Column({ type: 'text' })
  role: string;

  @Field(() => DecimalScalar)
  @Column({ type: 'numeric', transformer: decimalTransformer })
  value: Decimal;

  @Field(() => String)
  @Column({ type: 'text' })
  unit: string;

  @Field(() => String)
  @Column({ type: 'text', name: 'evidence_reference' })
  evidenceReference: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'attachment_sha256', nullable: true })
  attachmentSha256: string | null;

  @Field(() => String)
  @Column({ type: 'date', name: 'valid_from' })
  validFrom: string;

  @Field(() => String)
  @Column({ type: 'date', name: 'valid_to' })
  validTo: string;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}

@ObjectType({ description: 'Production output and revenue of a period (intensity denominators).' })
@Entity({ name: 'accounting_production' })
export class ProductionRecord {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', name: 'site_id', nullable: true })
  siteId: string | null;

  @Field(() => String)
  @Column({ type: 'date', name: 'period_start' })
  periodStart: string;

  @Field(() => String)
  @Column({ type: 'date', name: 'period_end' })
  periodEnd: string;

  @Field(() => DecimalScalar, { nullable: true })
  @Column({ type: 'numeric', name: 'output_quantity', nullable: true, transformer: decimalTransformer })
  outputQuantity: Decimal | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'output_unit', nullable: true })
  outputUnit: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  @Column({ type: 'numeric', name: 'revenue_amount', nullable: true, transformer: decimalTransformer })
  revenueAmount: Decimal | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'revenue_unit', nullable: true })
  revenueUnit: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'evidence_reference', nullable: true })
  evidenceReference: string | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}

@ObjectType('Inventory', {
  description:
    'A monthly or annual GHG inventory computed by the engine. DRAFT is recomputable; FINAL and later are locked (a recalculation makes a new revision).',
})
@Entity({ name: 'accounting_inventory' })
export class InventoryRecord {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', name: 'site_id', nullable: true })
  siteId: string | null;

  @Field(() => String, { description: 'MONTH or YEAR' })
  @Column({ type: 'text', name: 'period_kind' })
  periodKind: string;

  @Field(() => String)
  @Column({ type: 'date', name: 'period_start' })
  periodStart: string;

  @Field(() => String)
  @Column({ type: 'date', name: 'period_end' })
  periodEnd: string;

  @Field(() => Int)
  @Column({ type: 'integer' })
  revision: number;

  @Field(() => String, { description: 'DRAFT, FINAL, ANCHORED or VERIFIED' })
  @Column({ type: 'text' })
  state: string;

  @Field(() => String, { description: 'CHAIN (active on-chain standard version) or EXPLICIT (draft only).' })
  @Column({ type: 'text', name: 'standard_source' })
  standardSource: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'standard_version', nullable: true })
  standardVersion: string | null;

  @Field(() => String)
  @Column({ type: 'text', name: 'pack_ref' })
  packRef: string;

  @Field(() => String)
  @Column({ type: 'text', name: 'pack_hash' })
  packHash: string;

  @Field(() => [String])
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  warnings: string[];

  @Field(() => String, { description: 'The inventory as RFC 8785 canonical JSON (the full working).' })
  @Column({ type: 'text', name: 'canonical_json' })
  canonicalJson: string;

  @Field(() => String)
  @Column({ type: 'text', name: 'inventory_hash' })
  inventoryHash: string;

  @Column({ type: 'jsonb', name: 'activity_json' })
  activityJson: unknown;

  @Field(() => DecimalScalar, { description: 'Total tCO2e (location-based), exact.' })
  @Column({ type: 'numeric', name: 'total_location', transformer: decimalTransformer })
  totalLocation: Decimal;

  @Field(() => DecimalScalar, { nullable: true })
  @Column({ type: 'numeric', name: 'total_market', nullable: true, transformer: decimalTransformer })
  totalMarket: Decimal | null;

  @Field(() => DecimalScalar)
  @Column({ type: 'numeric', transformer: decimalTransformer })
  scope1: Decimal;

  @Field(() => DecimalScalar)
  @Column({ type: 'numeric', name: 'scope2_location', transformer: decimalTransformer })
  scope2Location: Decimal;

  @Field(() => DecimalScalar, { nullable: true })
  @Column({ type: 'numeric', name: 'scope2_market', nullable: true, transformer: decimalTransformer })
  scope2Market: Decimal | null;

  @Field(() => DecimalScalar)
  @Column({ type: 'numeric', transformer: decimalTransformer })
  scope3: Decimal;

  @Field(() => ID, { nullable: true, description: 'The revision this one replaces.' })
  @Column({ type: 'uuid', name: 'previous_id', nullable: true })
  previousId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  diff: unknown;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'anchor_ref', nullable: true })
  anchorRef: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'verification_ref', nullable: true })
  verificationRef: string | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field(() => Date)
  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'finalized_at', nullable: true })
  finalizedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'anchored_at', nullable: true })
  anchoredAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'verified_at', nullable: true })
  verifiedAt: Date | null;
}

@ObjectType({ description: 'One entry of the enterprise-entered quota history (SET or ADJUST).' })
@Entity({ name: 'accounting_quota' })
export class QuotaEntry {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => Int)
  @Column({ type: 'integer' })
  year: number;

  @Field(() => String, { description: 'SET or ADJUST' })
  @Column({ type: 'text' })
  kind: string;

  @Field(() => DecimalScalar, { description: 'Quota after this entry, tCO2e.' })
  @Column({ type: 'numeric', transformer: decimalTransformer })
  amount: Decimal;

  @Field(() => DecimalScalar)
  @Column({ type: 'numeric', transformer: decimalTransformer })
  delta: Decimal;

  @Field(() => String)
  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', name: 'entered_by', nullable: true })
  enteredBy: string | null;

  @Field(() => Date)
  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'clock_timestamp()' })
  createdAt: Date;
}
