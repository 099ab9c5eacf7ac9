import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One append-only audit row: who did what, when, with the row before and after. */
@ObjectType()
@Entity({ name: 'audit_log' })
export class AuditEntry {
  @Field(() => ID)
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Field(() => Date)
  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Field(() => String, { description: 'user, apiKey, device, system' })
  @Column({ type: 'text', name: 'actor_kind' })
  actorKind: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'actor_id', nullable: true })
  actorId: string | null;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', name: 'enterprise_id', nullable: true })
  enterpriseId: string | null;

  @Field(() => String)
  @Column({ type: 'text' })
  action: string;

  @Field(() => String)
  @Column({ type: 'text' })
  entity: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'entity_id', nullable: true })
  entityId: string | null;

  @Field(() => GraphQLJSON, { nullable: true })
  @Column({ type: 'jsonb', nullable: true })
  before: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  @Column({ type: 'jsonb', nullable: true })
  after: unknown;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'request_id', nullable: true })
  requestId: string | null;
}
