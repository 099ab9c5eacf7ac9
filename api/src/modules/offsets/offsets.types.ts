import { IsIn, IsOptional, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Decimal, DecimalScalar } from '../../core/scalars';

export enum OffsetKindEnum {
  GREEN_POWER = 'GREEN_POWER',
  CERTIFICATE = 'CERTIFICATE',
  CARBON_CREDIT = 'CARBON_CREDIT',
}
registerEnumType(OffsetKindEnum, {
  name: 'OffsetKind',
  description:
    'GREEN_POWER contract (MWh), CERTIFICATE (GEC/I-REC, 1 MWh per serial), CARBON_CREDIT (tCO2e).',
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SERIAL = /^\d{1,18}$/;

@ObjectType()
export class MonthlyVolume {
  @Field(() => String, { description: 'YYYY-MM' })
  month: string;
  @Field(() => DecimalScalar)
  mwh: Decimal;
}

@InputType()
export class MonthlyVolumeInput {
  @Field(() => String)
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/)
  month: string;
  @Field(() => DecimalScalar)
  mwh: Decimal;
}

@ObjectType({ description: 'A purchase of green power, certificates or carbon credits, with evidence.' })
export class OffsetPurchase {
  @Field(() => ID) id: string;
  @Field(() => ID) enterpriseId: string;
  @Field(() => OffsetKindEnum) kind: OffsetKindEnum;
  @Field(() => String, { nullable: true }) registry: string | null;
  @Field(() => String, { nullable: true, description: 'First serial (inclusive).' }) serialStart:
    | string
    | null;
  @Field(() => String, { nullable: true, description: 'Last serial (inclusive).' }) serialEnd: string | null;
  @Field(() => DecimalScalar) quantity: Decimal;
  @Field(() => String) unit: string;
  @Field(() => String) periodStart: string;
  @Field(() => String) periodEnd: string;
  @Field(() => [MonthlyVolume], { nullable: true }) monthlyVolumes: MonthlyVolume[] | null;
  @Field(() => String) counterparty: string;
  @Field(() => String) evidenceKind: string;
  @Field(() => String) evidenceReference: string;
  @Field(() => DecimalScalar, { description: 'Quantity already retired.' }) retired: Decimal;
  @Field(() => Date) createdAt: Date;
}

@ObjectType({ description: 'A retirement against a period: applied to the market-based inventory (or net).' })
export class OffsetRetirement {
  @Field(() => ID) id: string;
  @Field(() => ID) enterpriseId: string;
  @Field(() => ID) purchaseId: string;
  @Field(() => OffsetKindEnum) kind: OffsetKindEnum;
  @Field(() => String, { nullable: true }) registry: string | null;
  @Field(() => String, { nullable: true }) serialStart: string | null;
  @Field(() => String, { nullable: true }) serialEnd: string | null;
  @Field(() => DecimalScalar) quantity: Decimal;
  @Field(() => String) periodStart: string;
  @Field(() => String) periodEnd: string;
  @Field(() => String) evidenceReference: string;
  @Field(() => Date) createdAt: Date;
}

@ObjectType()
export class OffsetSummary {
  @Field(() => ID) enterpriseId: string;
  @Field(() => Int) year: number;
  @Field(() => DecimalScalar, { description: 'Green power retired for the year (MWh).' })
  greenPowerMwh: Decimal;
  @Field(() => DecimalScalar, { description: 'Certificates retired for the year (MWh).' })
  certificatesMwh: Decimal;
  @Field(() => DecimalScalar, { description: 'Carbon credits retired for the year (tCO2e).' })
  creditsTco2e: Decimal;
  @Field(() => [OffsetRetirement]) retirements: OffsetRetirement[];
}

@InputType()
export class RecordOffsetPurchaseInput {
  @Field(() => ID) @IsUUID() enterpriseId: string;
  @Field(() => OffsetKindEnum) @IsIn(Object.values(OffsetKindEnum)) kind: OffsetKindEnum;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'MWh or tCO2e; certificates: derived from serials.',
  })
  @IsOptional()
  quantity?: Decimal;
  @Field(() => String, { nullable: true, description: 'GEC, I-REC, CCER, …' })
  @IsOptional()
  @Length(1, 40)
  registry?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(SERIAL) serialStart?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(SERIAL) serialEnd?: string;
  @Field(() => String) @Matches(DATE) periodStart: string;
  @Field(() => String) @Matches(DATE) periodEnd: string;
  @Field(() => [MonthlyVolumeInput], { nullable: true })
  @IsOptional()
  @ValidateNested({ each: true })
  monthlyVolumes?: MonthlyVolumeInput[];
  @Field(() => String) @Length(1, 200) counterparty: string;
  @Field(() => String) @IsIn(['contract', 'certificate-registry', 'voucher', 'manual']) evidenceKind: string;
  @Field(() => String) @Length(1, 500) evidenceReference: string;
}

@InputType()
export class RetireOffsetInput {
  @Field(() => ID) @IsUUID() enterpriseId: string;
  @Field(() => ID) @IsUUID() purchaseId: string;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Green power / credits; certificates use serials.',
  })
  @IsOptional()
  quantity?: Decimal;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(SERIAL) serialStart?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(SERIAL) serialEnd?: string;
  @Field(() => String) @Matches(DATE) periodStart: string;
  @Field(() => String) @Matches(DATE) periodEnd: string;
  @Field(() => String) @Length(1, 500) evidenceReference: string;
}

@ObjectType({ description: 'One line of an inventory commitment (trust inventory-line leaf).' })
export class CommittedInventoryLine {
  @Field(() => String) line: string;
  @Field(() => String, { description: 'Exact decimal (≤ 6 decimals)' }) value: string;
  @Field(() => String) unit: string;
}

@ObjectType({
  description:
    'An inventory committed with its retirements (Merkle batch kind inventory; anchored by the trust queue).',
})
export class InventoryCommitment {
  @Field(() => ID) inventoryId: string;
  @Field(() => ID) batchId: string;
  @Field(() => String, { description: 'Merkle root (0x…) queued for anchoring' }) root: string;
  @Field(() => Int) seq: number;
  @Field(() => Int) leafCount: number;
  @Field(() => [CommittedInventoryLine]) lines: CommittedInventoryLine[];
}

@ObjectType()
export class RetirementCommitmentFinding {
  @Field(() => String) retirementId: string;
  @Field(() => String, { description: 'ALTERED, REMOVED, NOT_COMMITTED or PROOF_INVALID' }) problem: string;
  @Field(() => String, { nullable: true }) committedLine: string | null;
  @Field(() => String, { nullable: true }) committedValue: string | null;
  @Field(() => String, { nullable: true }) currentLine: string | null;
  @Field(() => String, { nullable: true }) currentValue: string | null;
}

@ObjectType({
  description: 'Retirements of an inventory recomputed from the stored rows against its anchored commitment.',
})
export class RetirementCommitmentCheck {
  @Field(() => ID) inventoryId: string;
  @Field(() => ID, { nullable: true }) batchId: string | null;
  @Field(() => String, { nullable: true }) root: string | null;
  @Field(() => String, { nullable: true, description: 'chain, queue or batch' }) rootSource: string | null;
  @Field(() => String, { nullable: true }) anchorState: string | null;
  @Field(() => Int, { description: 'Retirement leaves in the commitment' }) committed: number;
  @Field(() => Boolean) ok: boolean;
  @Field(() => [RetirementCommitmentFinding]) findings: RetirementCommitmentFinding[];
}

@ObjectType({ description: 'Proof that a retirement is a leaf of the inventory’s anchored commitment.' })
export class RetirementProof {
  @Field(() => String) line: string;
  @Field(() => String) root: string;
  @Field(() => String) leafHash: string;
  @Field(() => String, { nullable: true }) anchorState: string | null;
  @Field(() => String, { description: 'opencep-proof/1 file for the standalone verifier' })
  proofJson: string;
}
