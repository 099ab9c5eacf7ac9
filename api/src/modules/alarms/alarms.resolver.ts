import {
  Arg,
  Ctx,
  Field,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { InputType } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError, ConflictError } from '../../core/errors';
import { publish, tenantTopic } from '../../core/events';
import { mapDbError } from '../energy/energy-api.service';
import { AlarmError } from './alarms.errors';
import {
  ALARM_TOPIC,
  type AlarmEventRow,
  commandAlarmEvent,
  createAlarmRule,
  listAlarmEvents,
} from './alarms.service';

@ObjectType({ description: 'An alarm occurrence: raised → acknowledged → cleared.' })
export class AlarmEvent {
  @Field(() => ID)
  id: string;
  @Field(() => ID)
  enterpriseId: string;
  @Field(() => ID)
  ruleId: string;
  @Field(() => String, { description: 'Meter/sensor the event is about.' })
  subject: string;
  @Field(() => String, { description: 'raised | acknowledged | cleared' })
  status: string;
  @Field(() => String)
  severity: string;
  @Field(() => String)
  message: string;
  @Field(() => Date)
  raisedAt: Date;
  @Field(() => String, { nullable: true })
  raisedValue: string | null;
  @Field(() => Date, { nullable: true })
  acknowledgedAt: Date | null;
  @Field(() => String, { nullable: true })
  acknowledgedBy: string | null;
  @Field(() => String, { nullable: true })
  ackNote: string | null;
  @Field(() => Date, { nullable: true })
  clearedAt: Date | null;
  @Field(() => String, { nullable: true })
  clearedValue: string | null;
}

@ObjectType()
export class AlarmRuleCreated {
  @Field(() => ID)
  id: string;
}

@InputType()
export class CreateAlarmRuleInput {
  @Field(() => String)
  @Length(1, 200)
  name: string;
  @Field(() => String, { nullable: true, description: 'info | warning | critical' })
  @IsOptional()
  severity?: string | null;
  @Field(() => ID)
  @IsUUID()
  meterId: string;
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  reactiveMeterId?: string | null;
  @Field(() => String, {
    description:
      'JSON, e.g. {"kind":"threshold","op":"above","limit":"40","hysteresis":"2","minDurationSec":120}',
  })
  @MaxLength(4000)
  spec: string;
}

function mapError(err: unknown): never {
  if (err instanceof AlarmError) {
    if (err.code === 'ALARM_EVENT_NOT_FOUND') throw new NotFoundError('AlarmEvent');
    if (err.code === 'ALARM_TRANSITION_NOT_ALLOWED')
      throw new ConflictError(err.message, { reason: err.code });
    throw new UserInputError(err.message, { spec: [err.message] });
  }
  return mapDbError(err);
}

const SEVERITIES = ['info', 'warning', 'critical'] as const;
type Severity = (typeof SEVERITIES)[number];

@Resolver()
export class AlarmsResolver {
  @Can('aggregates:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [AlarmEvent], { description: 'Newest first.' })
  alarmEvents(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('openOnly', () => Boolean, { nullable: true }) openOnly?: boolean | null,
    @Arg('limit', () => Int, { nullable: true }) limit?: number | null,
  ) {
    return withTenant(ctx, 'aggregates:read', (em) =>
      listAlarmEvents(em, enterpriseId, {
        open: openOnly ?? false,
        limit: Math.min(Math.max(limit ?? 100, 1), 500),
      }),
    );
  }

  @Can('energy:configure', { enterprise: 'args.enterpriseId' })
  @Mutation(() => AlarmRuleCreated)
  async createAlarmRule(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('input', () => CreateAlarmRuleInput) input: CreateAlarmRuleInput,
  ) {
    let spec: unknown;
    try {
      spec = JSON.parse(input.spec);
    } catch {
      throw new UserInputError('spec must be JSON', { 'input.spec': ['invalid JSON'] });
    }
    const severity = (SEVERITIES as readonly string[]).includes(input.severity ?? 'warning')
      ? ((input.severity ?? 'warning') as Severity)
      : undefined;
    if (!severity) throw new UserInputError('severity must be info, warning or critical');
    try {
      const id = await withTenant(ctx, 'energy:configure', (em) =>
        createAlarmRule(em, enterpriseId, { ...input, severity, spec }),
      );
      return { id };
    } catch (err) {
      return mapError(err);
    }
  }

  @Can('readings:write', { enterprise: 'args.enterpriseId' })
  @Mutation(() => AlarmEvent, { description: 'Acknowledge an open alarm (who = the caller).' })
  async acknowledgeAlarm(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
  ) {
    try {
      return await withTenant(ctx, 'readings:write', (em) =>
        commandAlarmEvent(
          em,
          enterpriseId,
          id,
          'acknowledge',
          ctx.auth.actorId ?? 'unknown',
          note ?? null,
          publish,
        ),
      );
    } catch (err) {
      return mapError(err);
    }
  }

  @Can('readings:write', { enterprise: 'args.enterpriseId' })
  @Mutation(() => AlarmEvent, {
    description: 'Close an alarm by hand (e.g. a latched sensor after inspection).',
  })
  async clearAlarm(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
  ) {
    try {
      return await withTenant(ctx, 'readings:write', (em) =>
        commandAlarmEvent(
          em,
          enterpriseId,
          id,
          'clear',
          ctx.auth.actorId ?? 'unknown',
          note ?? null,
          publish,
        ),
      );
    } catch (err) {
      return mapError(err);
    }
  }

  @Can('aggregates:read')
  @Subscription(() => AlarmEvent, {
    subscribe: tenantTopic(ALARM_TOPIC, 'aggregates:read'),
    description: 'Alarm events as they are raised, acknowledged and cleared.',
  })
  alarmEventChanged(@Root() e: AlarmEventRow): AlarmEventRow {
    return {
      ...e,
      raisedAt: new Date(e.raisedAt),
      acknowledgedAt: e.acknowledgedAt ? new Date(e.acknowledgedAt) : null,
      clearedAt: e.clearedAt ? new Date(e.clearedAt) : null,
    };
  }
}
