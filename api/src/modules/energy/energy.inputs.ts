import { Decimal } from 'decimal.js';
import { IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { DecimalScalar } from '../../core/scalars';
import { EnergyNodeKind } from './energy.types';

@InputType()
export class EnergyNodeInput {
  @Field(() => EnergyNodeKind)
  kind: EnergyNodeKind;

  @Field(() => ID, { description: 'Id of the site/area/line/equipment/meter (ignored for ENTERPRISE).' })
  @IsUUID()
  id: string;
}

@InputType()
export class ProductionRecordInput {
  @Field(() => ID)
  @IsUUID()
  lineId: string;
  @Field(() => String)
  @Length(1, 200)
  product: string;
  @Field(() => DecimalScalar)
  quantity: Decimal;
  @Field(() => String)
  @Length(1, 50)
  shift: string;
  @Field(() => String)
  @Length(1, 50)
  team: string;
  @Field(() => Date)
  start: Date;
  @Field(() => Date)
  end: Date;
}

@InputType()
export class TransformerInput {
  @Field(() => String)
  @Length(1, 200)
  name: string;
  @Field(() => DecimalScalar)
  ratedKva: Decimal;
  @Field(() => DecimalScalar, { description: 'No-load loss P0, kW' })
  noLoadLossKw: Decimal;
  @Field(() => DecimalScalar, { description: 'Load loss at rated load Pk, kW' })
  loadLossKw: Decimal;
  @Field(() => ID)
  @IsUUID()
  activeMeterId: string;
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  reactiveMeterId?: string | null;
}

@InputType()
export class DiagramNodeInput {
  @Field(() => String)
  @Length(1, 100)
  key: string;
  @Field(() => String)
  @MaxLength(200)
  label: string;
  @Field(() => String)
  @Length(1, 50)
  kind: string;
  @Field(() => DecimalScalar)
  x: Decimal;
  @Field(() => DecimalScalar)
  y: Decimal;
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  meterId?: string | null;
}

@InputType()
export class DiagramEdgeInput {
  @Field(() => String)
  from: string;
  @Field(() => String)
  to: string;
}

@InputType()
export class SaveDiagramInput {
  @Field(() => ID, { nullable: true, description: 'Replace this diagram; omit to create.' })
  @IsOptional()
  @IsUUID()
  id?: string | null;
  @Field(() => String)
  @Length(1, 200)
  name: string;
  @Field(() => String, { description: 'power | water | gas | steam | air | layout' })
  kind: string;
  @Field(() => [DiagramNodeInput])
  nodes: DiagramNodeInput[];
  @Field(() => [DiagramEdgeInput])
  edges: DiagramEdgeInput[];
}
