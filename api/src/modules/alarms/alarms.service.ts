import Decimal from 'decimal.js';
import { returningRows, type Sql } from '../energy/energy.service';
import { AlarmError } from './alarms.errors';
import {
  type AlarmEventCommand,
  type AlarmEventStatus,
  type AlarmInput,
  type AlarmRuleSpec,
  type AlarmState,
  INITIAL_STATE,
  nextEventStatus,
  step,
} from './alarm-machine';

export const ALARM_TOPIC = 'alarm.event';
const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/** Validates a rule spec for its kind (pure). */
export function parseRuleSpec(raw: unknown): AlarmRuleSpec {
  if (!raw || typeof raw !== 'object') throw new AlarmError('ALARM_RULE_INVALID', 'spec must be an object');
  const s = raw as Record<string, unknown>;
  const dec = (k: string, optional = false) => {
    const v = s[k];
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || !DECIMAL_RE.test(v))
      throw new AlarmError('ALARM_RULE_INVALID', `${k} must be a decimal string`);
  };
  const int = (k: string, optional = false) => {
    const v = s[k];
    if (v === undefined && optional) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new AlarmError('ALARM_RULE_INVALID', `${k} must be a whole number ≥ 0`);
  };
  switch (s.kind) {
    case 'threshold':
      if (s.op !== 'above' && s.op !== 'below')
        throw new AlarmError('ALARM_RULE_INVALID', 'op must be above or below');
      dec('limit');
      dec('hysteresis', true);
      int('minDurationSec', true);
      if (s.hysteresis !== undefined && new Decimal(s.hysteresis as string).lt(0))
        throw new AlarmError('ALARM_RULE_INVALID', 'hysteresis < 0');
      break;
    case 'rate_of_change':
      dec('maxPerMinute');
      int('minDurationSec', true);
      break;
    case 'no_data':
      int('minutes');
      break;
    case 'over_plan':
      dec('plan');
      dec('hysteresis', true);
      if (s.period !== 'day' && s.period !== 'month')
        throw new AlarmError('ALARM_RULE_INVALID', 'period must be day or month');
      break;
    case 'running_in_peak':
      dec('runKw');
      int('minDurationSec', true);
      break;
    case 'transformer_overload':
      dec('ratedKva');
      dec('rate', true);
      dec('hysteresis', true);
      int('minDurationSec', true);
      break;
    case 'state':
      if (
        !Array.isArray(s.alarmValues) ||
        !s.alarmValues.every((v) => typeof v === 'string' && DECIMAL_RE.test(v))
      ) {
        throw new AlarmError('ALARM_RULE_INVALID', 'alarmValues must be decimal strings');
      }
      int('minDurationSec', true);
      break;
    default:
      throw new AlarmError('ALARM_RULE_INVALID', `unknown kind ${String(s.kind)}`);
  }
  return s as unknown as AlarmRuleSpec;
}

export interface AlarmRuleInput {
  name: string;
  severity?: 'info' | 'warning' | 'critical';
  meterId: string;
  reactiveMeterId?: string | null;
  spec: unknown;
}

export async function createAlarmRule(db: Sql, enterpriseId: string, input: AlarmRuleInput): Promise<string> {
  const spec = parseRuleSpec(input.spec);
  const rows = await db.query<{ id: string }[]>(
    `INSERT INTO alarm_rule (enterprise_id, name, kind, severity, meter_id, reactive_meter_id, spec)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      enterpriseId,
      input.name,
      spec.kind,
      input.severity ?? 'warning',
      input.meterId,
      input.reactiveMeterId ?? null,
      JSON.stringify(spec),
    ],
  );
  return rows[0]!.id;
}

export interface AlarmEventRow {
  id: string;
  enterpriseId: string;
  ruleId: string;
  subject: string;
  status: AlarmEventStatus;
  severity: string;
  message: string;
  raisedAt: Date;
  raisedValue: string | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  ackNote: string | null;
  clearedAt: Date | null;
  clearedValue: string | null;
}

const EVENT_COLUMNS = `id, enterprise_id AS "enterpriseId", rule_id AS "ruleId", subject, status, severity, message,
  raised_at AS "raisedAt", raised_value::text AS "raisedValue", acknowledged_at AS "acknowledgedAt",
  acknowledged_by AS "acknowledgedBy", ack_note AS "ackNote", cleared_at AS "clearedAt", cleared_value::text AS "clearedValue"`;

export async function listAlarmEvents(
  db: Sql,
  enterpriseId: string,
  opts: { open?: boolean; limit?: number } = {},
): Promise<AlarmEventRow[]> {
  return db.query<AlarmEventRow[]>(
    `SELECT ${EVENT_COLUMNS} FROM alarm_event WHERE enterprise_id = $1 AND ($2::boolean IS NOT TRUE OR status <> 'cleared')
     ORDER BY raised_at DESC LIMIT $3`,
    [enterpriseId, opts.open ?? null, opts.limit ?? 100],
  );
}

type Publisher = (db: Sql, topic: string, payload: unknown, enterpriseId: string) => Promise<void>;

/**
 * Acknowledge (who, note) or clear an event by hand. Returns the updated event; the transition
 * rules are the pure `nextEventStatus`.
 */
export async function commandAlarmEvent(
  db: Sql,
  enterpriseId: string,
  eventId: string,
  command: AlarmEventCommand,
  actor: string,
  note: string | null,
  publish?: Publisher,
): Promise<AlarmEventRow> {
  const cur = await db.query<{ status: AlarmEventStatus }[]>(
    `SELECT status FROM alarm_event WHERE enterprise_id = $1 AND id = $2 FOR UPDATE`,
    [enterpriseId, eventId],
  );
  if (!cur[0]) throw new AlarmError('ALARM_EVENT_NOT_FOUND', eventId);
  const next = nextEventStatus(cur[0].status, command);
  if (!next) throw new AlarmError('ALARM_TRANSITION_NOT_ALLOWED', `${cur[0].status} → ${command}`);
  const rows = returningRows<AlarmEventRow>(
    await db.query(
      command === 'acknowledge'
        ? `UPDATE alarm_event SET status = $3, acknowledged_at = now(), acknowledged_by = $4, ack_note = $5
         WHERE enterprise_id = $1 AND id = $2 RETURNING ${EVENT_COLUMNS}`
        : `UPDATE alarm_event SET status = $3, cleared_at = now(),
           ack_note = coalesce(ack_note, $5), acknowledged_by = coalesce(acknowledged_by, $4)
         WHERE enterprise_id = $1 AND id = $2 RETURNING ${EVENT_COLUMNS}`,
      [enterpriseId, eventId, next, actor, note],
    ),
  );
  const ev = rows[0]!;
  await publish?.(db, ALARM_TOPIC, ev, enterpriseId);
  return ev;
}

interface RuleRow {
  enterprise_id: string;
  id: string;
  name: string;
  severity: string;
  meter_id: string;
  reactive_meter_id: string | null;
  spec: AlarmRuleSpec;
}

function describe(rule: RuleRow, value: string | null): string {
  const s = rule.spec;
  switch (s.kind) {
    case 'threshold':
      return `${rule.name}: ${value} ${s.op} ${s.limit}`;
    case 'no_data':
      return `${rule.name}: no data for ${s.minutes} min`;
    case 'running_in_peak':
      return `${rule.name}: running at ${value} kW during a peak/sharp period`;
    case 'transformer_overload':
      return `${rule.name}: transformer overloaded (P = ${value} kW)`;
    default:
      return `${rule.name}: ${s.kind} (${value ?? 'n/a'})`;
  }
}

/**
 * Evaluates one rule: consumes the readings of its meter after the stored cursor (in time order,
 * up to `batch`), then a `tick` at `now` (no-data), and turns machine actions into events —
 * de-duplicated by the one-open-event-per-rule+subject index. Runs in the caller's transaction;
 * an advisory lock keeps concurrent evaluators off the same rule.
 */
export async function evaluateRule(
  db: Sql,
  rule: RuleRow,
  now: Date,
  publish?: Publisher,
  batch = 5000,
): Promise<{ raised: number; cleared: number; consumed: number }> {
  const locked = await db.query<{ ok: boolean }[]>(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok`, [
    rule.id,
  ]);
  if (!locked[0]?.ok) return { raised: 0, cleared: 0, consumed: 0 };
  const subject = rule.meter_id;
  const st = await db.query<{ state: AlarmState; cursor_ts: Date | null }[]>(
    `SELECT state, cursor_ts FROM alarm_state WHERE enterprise_id = $1 AND rule_id = $2 AND subject = $3`,
    [rule.enterprise_id, rule.id, subject],
  );
  let state: AlarmState = st[0]?.state ?? INITIAL_STATE;
  let cursor = st[0]?.cursor_ts ? new Date(st[0].cursor_ts) : null;
  const inputs: AlarmInput[] = [];
  const spec = rule.spec;
  if (spec.kind === 'over_plan') {
    // Consumption of the current local day/month (meter time zone) so far, compared with the plan.
    const unit = spec.period === 'day' ? 'day' : 'month';
    const r = await db.query<{ v: string }[]>(
      `SELECT coalesce(sum(r.value), 0)::text AS v
       FROM metering_meter m JOIN metering_rollup r ON r.enterprise_id = m.enterprise_id AND r.meter_id = m.id
       WHERE m.enterprise_id = $1 AND m.id = $2 AND r.grain = '15m'
         AND r.bucket_start >= date_trunc('${unit}', $3::timestamptz, m.time_zone) AND r.bucket_start < $3::timestamptz`,
      [rule.enterprise_id, rule.meter_id, now.toISOString()],
    );
    inputs.push({ type: 'sample', ts: now.getTime(), value: r[0]!.v });
  } else {
    const rows = await db.query<{ ts: Date; v: string; q: string | null; tou: string | null }[]>(
      `SELECT r.ts, r.value::text AS v,
              ${rule.reactive_meter_id ? `(SELECT q.value::text FROM metering_reading q WHERE q.enterprise_id = r.enterprise_id AND q.meter_id = $4 AND q.ts = r.ts LIMIT 1)` : 'NULL'} AS q,
              ${spec.kind === 'running_in_peak' ? 'energy_tou_period(r.enterprise_id, r.ts)' : 'NULL'} AS tou
       FROM metering_reading r
       WHERE r.enterprise_id = $1 AND r.meter_id = $2 AND ($3::timestamptz IS NULL OR r.ts > $3)
       ORDER BY r.ts LIMIT ${Math.max(1, Math.floor(batch))}`,
      rule.reactive_meter_id
        ? [rule.enterprise_id, rule.meter_id, cursor?.toISOString() ?? null, rule.reactive_meter_id]
        : [rule.enterprise_id, rule.meter_id, cursor?.toISOString() ?? null],
    );
    for (const r of rows) {
      inputs.push({
        type: 'sample',
        ts: new Date(r.ts).getTime(),
        value: r.v,
        reactive: r.q ?? undefined,
        touPeriod: r.tou ?? undefined,
      });
      cursor = new Date(r.ts);
    }
    if (spec.kind === 'no_data') inputs.push({ type: 'tick', now: now.getTime() });
  }
  let raised = 0;
  let cleared = 0;
  for (const input of inputs) {
    const r = step(spec, state, input);
    state = r.state;
    const at = new Date(input.type === 'tick' ? input.now : input.ts).toISOString();
    if (r.action === 'raise') {
      const ev = await db.query<AlarmEventRow[]>(
        `INSERT INTO alarm_event (enterprise_id, rule_id, subject, status, severity, message, raised_at, raised_value)
         VALUES ($1, $2, $3, 'raised', $4, $5, $6, $7)
         ON CONFLICT (enterprise_id, rule_id, subject) WHERE status <> 'cleared' DO NOTHING
         RETURNING ${EVENT_COLUMNS}`,
        [rule.enterprise_id, rule.id, subject, rule.severity, describe(rule, r.value), at, r.value],
      );
      if (ev[0]) {
        raised++;
        await publish?.(db, ALARM_TOPIC, ev[0], rule.enterprise_id);
      }
    } else if (r.action === 'clear') {
      const ev = returningRows<AlarmEventRow>(
        await db.query(
          `UPDATE alarm_event SET status = 'cleared', cleared_at = $4, cleared_value = $5
         WHERE enterprise_id = $1 AND rule_id = $2 AND subject = $3 AND status <> 'cleared'
         RETURNING ${EVENT_COLUMNS}`,
          [rule.enterprise_id, rule.id, subject, at, r.value],
        ),
      );
      if (ev[0]) {
        cleared++;
        await publish?.(db, ALARM_TOPIC, ev[0], rule.enterprise_id);
      }
    }
  }
  await db.query(
    `INSERT INTO alarm_state (enterprise_id, rule_id, subject, state, cursor_ts, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (enterprise_id, rule_id, subject) DO UPDATE SET state = EXCLUDED.state, cursor_ts = EXCLUDED.cursor_ts, updated_at = now()`,
    [rule.enterprise_id, rule.id, subject, JSON.stringify(state), cursor?.toISOString() ?? null],
  );
  return { raised, cleared, consumed: inputs.length };
}

/** Enabled rules, optionally of one enterprise. */
export async function enabledRules(db: Sql, enterpriseId?: string): Promise<RuleRow[]> {
  return db.query<RuleRow[]>(
    `SELECT enterprise_id, id, name, severity, meter_id, reactive_meter_id, spec FROM alarm_rule
     WHERE enabled AND ($1::uuid IS NULL OR enterprise_id = $1) ORDER BY enterprise_id, id`,
    [enterpriseId ?? null],
  );
}
