import { Decimal } from 'decimal.js';
import { Field, ID, ObjectType } from 'type-graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type ValueTransformer,
} from 'typeorm';
import { DecimalScalar } from '../../core/scalars';

/** numeric ↔ Decimal: figures never pass through a binary float. */
export const decimalTransformer: ValueTransformer = {
  to: (v: Decimal | null | undefined) => (v == null ? v : v.toString()),
  from: (v: string | null) => (v == null ? null : new Decimal(v)),
};

@ObjectType({ description: 'Industrial park: the unit a park admin oversees.' })
@Entity({ name: 'parks' })
export class Park {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String)
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { description: 'Administrative region code whose regulator oversees the park.' })
  @Column({ type: 'text' })
  jurisdiction: string;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field(() => Date)
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}

@ObjectType({ description: 'A tenant: one company (plant) in a park.' })
@Entity({ name: 'enterprises' })
export class Enterprise {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'park_id' })
  parkId: string;

  @Field(() => String)
  @Column({ type: 'text' })
  name: string;

  @Field(() => String)
  @Column({ type: 'text', default: '' })
  industry: string;

  @Field(() => String, { nullable: true, description: 'Unified social credit code.' })
  @Column({ type: 'text', name: 'credit_code', nullable: true })
  creditCode: string | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field(() => Date)
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}

@ObjectType()
@Entity({ name: 'sites' })
export class Site {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => String)
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  address: string | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field(() => Date)
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}

@ObjectType({ description: 'Workshop or other area of a site (welding, machining, painting, …).' })
@Entity({ name: 'areas' })
export class Area {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'site_id' })
  siteId: string;

  @Field(() => String)
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { description: 'WORKSHOP, UTILITIES, OFFICE, WAREHOUSE, …' })
  @Column({ type: 'text', default: 'WORKSHOP' })
  kind: string;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field(() => Date)
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}

@ObjectType({ description: 'Production line inside an area.' })
@Entity({ name: 'lines' })
export class Line {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'area_id' })
  areaId: string;

  @Field(() => String)
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  product: string | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field(() => Date)
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}

@ObjectType()
@Entity({ name: 'equipment' })
export class Equipment {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'enterprise_id' })
  enterpriseId: string;

  @Field(() => ID)
  @Column({ type: 'uuid', name: 'line_id' })
  lineId: string;

  @Field(() => String, { description: 'Asset code, unique within the enterprise.' })
  @Column({ type: 'text' })
  code: string;

  @Field(() => String)
  @Column({ type: 'text' })
  name: string;

  @Field(() => String)
  @Column({ type: 'text', default: '' })
  kind: string;

  @Field(() => DecimalScalar, { nullable: true })
  @Column({ type: 'numeric', name: 'rated_power_kw', nullable: true, transformer: decimalTransformer })
  ratedPowerKw: Decimal | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field(() => Date)
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
