import Decimal from 'decimal.js';

/**
 * Alarm evaluation as pure functions: `step(rule, state, input) → { state, action }`. The
 * evaluator worker persists `state` per (rule, subject) and turns `raise` / `clear` actions into
 * alarm events. Nothing here touches the database, so hysteresis and debouncing can be tested
 * exhaustively with properties.
 */

export type ThresholdOp = 'above' | 'below';

export type AlarmRuleSpec =
  /** value beyond `limit` for ≥ minDurationSec raises; returning past limit ∓ hysteresis clears. */
  | { kind: 'threshold'; op: ThresholdOp; limit: string; hysteresis?: string; minDurationSec?: number }
  /** |Δvalue| per minute between consecutive samples above `maxPerMinute`. */
  | { kind: 'rate_of_change'; maxPerMinute: string; minDurationSec?: number }
  /** No sample for `minutes`; evaluated on ticks, cleared by the next sample. */
  | { kind: 'no_data'; minutes: number }
  /** Period consumption (the sample value) above the planned quantity. */
  | { kind: 'over_plan'; plan: string; period?: 'day' | 'month'; hysteresis?: string }
  /** Power ≥ runKw while the tariff period is one of `periods` (default sharp, peak). */
  | { kind: 'running_in_peak'; runKw: string; periods?: string[]; minDurationSec?: number }
  /** Load rate sqrt(P²+Q²)/ratedKva above `rate` (default 1.0). */
  | {
      kind: 'transformer_overload';
      ratedKva: string;
      rate?: string;
      hysteresis?: string;
      minDurationSec?: number;
    }
  /** Discrete sensor state: smoke, water leak, door/intrusion, switch trip… alarm while value ∈ alarmValues. */
  | { kind: 'state'; alarmValues: string[]; minDurationSec?: number };

export type AlarmRuleKind = AlarmRuleSpec['kind'];

export type AlarmInput =
  | { type: 'sample'; ts: number; value: string; reactive?: string; touPeriod?: string }
  | { type: 'tick'; now: number };

export type AlarmStatus = 'normal' | 'pending' | 'active';

export interface AlarmState {
  status: AlarmStatus;
  /** When the condition first held in the current pending/active stretch (ms). */
  since: number | null;
  lastTs: number | null;
  lastValue: string | null;
}

export type AlarmAction = 'raise' | 'clear' | null;

export interface AlarmStep {
  state: AlarmState;
  action: AlarmAction;
  /** The value that caused the action (for the event's message). */
  value: string | null;
}

export const INITIAL_STATE: AlarmState = { status: 'normal', since: null, lastTs: null, lastValue: null };

/** bad: alarm condition holds; good: clearly normal; band: within the hysteresis band. */
type Condition = 'bad' | 'good' | 'band';

function thresholdCondition(value: Decimal, op: ThresholdOp, limit: Decimal, hysteresis: Decimal): Condition {
  if (op === 'above') {
    if (value.gt(limit)) return 'bad';
    return value.lt(limit.minus(hysteresis)) ? 'good' : 'band';
  }
  if (value.lt(limit)) return 'bad';
  return value.gt(limit.plus(hysteresis)) ? 'good' : 'band';
}

function condition(
  rule: AlarmRuleSpec,
  prev: AlarmState,
  ts: number,
  raw: string,
  reactive?: string,
  tou?: string,
): Condition {
  const v = new Decimal(raw);
  switch (rule.kind) {
    case 'threshold':
      return thresholdCondition(v, rule.op, new Decimal(rule.limit), new Decimal(rule.hysteresis ?? 0));
    case 'over_plan':
      return thresholdCondition(v, 'above', new Decimal(rule.plan), new Decimal(rule.hysteresis ?? 0));
    case 'transformer_overload': {
      const s = v
        .pow(2)
        .plus(new Decimal(reactive ?? 0).pow(2))
        .sqrt();
      const rate = s.div(rule.ratedKva);
      return thresholdCondition(
        rate,
        'above',
        new Decimal(rule.rate ?? 1),
        new Decimal(rule.hysteresis ?? 0),
      );
    }
    case 'rate_of_change': {
      if (prev.lastTs === null || prev.lastValue === null || ts <= prev.lastTs) return 'band';
      const perMin = v
        .minus(prev.lastValue)
        .abs()
        .div(ts - prev.lastTs)
        .times(60_000);
      return perMin.gt(rule.maxPerMinute) ? 'bad' : 'good';
    }
    case 'running_in_peak': {
      const periods = rule.periods ?? ['sharp', 'peak'];
      return v.gte(rule.runKw) && tou !== undefined && periods.includes(tou) ? 'bad' : 'good';
    }
    case 'state':
      return rule.alarmValues.some((a) => new Decimal(a).eq(v)) ? 'bad' : 'good';
    case 'no_data':
      return 'good';
  }
}

function minDurationMs(rule: AlarmRuleSpec): number {
  return 'minDurationSec' in rule && rule.minDurationSec ? rule.minDurationSec * 1000 : 0;
}

/** Advances one rule for one subject by one input. */
export function step(rule: AlarmRuleSpec, state: AlarmState, input: AlarmInput): AlarmStep {
  if (input.type === 'tick') {
    if (rule.kind !== 'no_data' || state.status === 'active') return { state, action: null, value: null };
    const last = state.lastTs ?? state.since;
    if (last === null) return { state: { ...state, since: input.now }, action: null, value: null };
    if (input.now - last >= rule.minutes * 60_000) {
      return { state: { ...state, status: 'active', since: last }, action: 'raise', value: null };
    }
    return { state, action: null, value: null };
  }
  // Out-of-order (late) samples do not move the machine: decisions follow time order.
  if (state.lastTs !== null && input.ts < state.lastTs) return { state, action: null, value: null };
  const base = { ...state, lastTs: input.ts, lastValue: input.value };
  if (rule.kind === 'no_data') {
    return state.status === 'active'
      ? { state: { ...base, status: 'normal', since: null }, action: 'clear', value: input.value }
      : { state: { ...base, since: null }, action: null, value: null };
  }
  const c = condition(rule, state, input.ts, input.value, input.reactive, input.touPeriod);
  if (state.status === 'active') {
    return c === 'good'
      ? { state: { ...base, status: 'normal', since: null }, action: 'clear', value: input.value }
      : { state: base, action: null, value: null };
  }
  if (c !== 'bad') return { state: { ...base, status: 'normal', since: null }, action: null, value: null };
  const since = state.status === 'pending' && state.since !== null ? state.since : input.ts;
  if (input.ts - since >= minDurationMs(rule)) {
    return { state: { ...base, status: 'active', since }, action: 'raise', value: input.value };
  }
  return { state: { ...base, status: 'pending', since }, action: null, value: null };
}

/** Runs a sequence of inputs, returning the final state and the actions taken in order. */
export function run(
  rule: AlarmRuleSpec,
  inputs: readonly AlarmInput[],
  state: AlarmState = INITIAL_STATE,
): { state: AlarmState; actions: { at: number; action: 'raise' | 'clear'; value: string | null }[] } {
  const actions: { at: number; action: 'raise' | 'clear'; value: string | null }[] = [];
  let s = state;
  for (const i of inputs) {
    const r = step(rule, s, i);
    s = r.state;
    if (r.action) actions.push({ at: i.type === 'tick' ? i.now : i.ts, action: r.action, value: r.value });
  }
  return { state: s, actions };
}

export type AlarmEventStatus = 'raised' | 'acknowledged' | 'cleared';
export type AlarmEventCommand = 'acknowledge' | 'clear';

/**
 * Event lifecycle raised → acknowledged → cleared (raised → cleared when the condition ends first).
 * Returns the next status, or null when the command is not allowed from `status`.
 */
export function nextEventStatus(
  status: AlarmEventStatus,
  command: AlarmEventCommand,
): AlarmEventStatus | null {
  if (command === 'acknowledge') return status === 'raised' ? 'acknowledged' : null;
  return status === 'cleared' ? null : 'cleared';
}
