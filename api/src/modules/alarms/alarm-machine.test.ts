import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlarmInput, type AlarmRuleSpec, nextEventStatus, run } from './alarm-machine';

const samples = (values: (string | number)[], stepMs = 60_000): AlarmInput[] =>
  values.map((v, i) => ({ type: 'sample', ts: i * stepMs, value: String(v) }));

describe('threshold with hysteresis and minimum duration', () => {
  const rule: AlarmRuleSpec = {
    kind: 'threshold',
    op: 'above',
    limit: '80',
    hysteresis: '5',
    minDurationSec: 120,
  };

  it('raises only after the value stayed above the limit for the minimum duration', () => {
    expect(run(rule, samples([70, 81, 82, 70])).actions).toEqual([]);
    const r = run(rule, samples([70, 81, 82, 83, 84]));
    expect(r.actions).toEqual([{ at: 180_000, action: 'raise', value: '83' }]);
  });

  it('stays raised inside the hysteresis band and clears below limit − hysteresis', () => {
    const r = run(rule, samples([81, 82, 83, 78, 79.9, 76, 74.9, 76]));
    expect(r.actions.map((a) => [a.action, a.value])).toEqual([
      ['raise', '83'],
      ['clear', '74.9'],
    ]);
  });

  it('supports a below rule (low temperature)', () => {
    const low: AlarmRuleSpec = { kind: 'threshold', op: 'below', limit: '5', hysteresis: '1' };
    expect(run(low, samples([6, 4, 5.5, 6.1])).actions.map((a) => a.action)).toEqual(['raise', 'clear']);
  });

  // Properties over arbitrary value sequences.
  const arbValues = fc.array(
    fc.integer({ min: 600, max: 1000 }).map((x) => x / 10),
    { minLength: 1, maxLength: 80 },
  );

  it('actions alternate raise, clear, raise … (property)', () => {
    fc.assert(
      fc.property(arbValues, (vs) => {
        const { actions } = run(rule, samples(vs));
        actions.forEach((a, i) => {
          expect(a.action).toBe(i % 2 === 0 ? 'raise' : 'clear');
        });
      }),
    );
  });

  it('a clear needs a value below limit − hysteresis and a raise needs minDuration above limit (property)', () => {
    fc.assert(
      fc.property(arbValues, (vs) => {
        const { actions } = run(rule, samples(vs));
        for (const a of actions) {
          const i = a.at / 60_000;
          if (a.action === 'clear') expect(new Decimal(vs[i]!).lt(75)).toBe(true);
          else {
            expect(i).toBeGreaterThanOrEqual(2);
            for (let k = i - 2; k <= i; k++) expect(vs[k]!).toBeGreaterThan(80);
          }
        }
      }),
    );
  });

  it('noise inside the band never toggles an active alarm (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 750, max: 850 }).map((x) => x / 10),
          { maxLength: 60 },
        ),
        (noise) => {
          const { actions } = run(rule, samples([90, 90, 90, ...noise]));
          expect(actions.map((a) => a.action)).toEqual(['raise']);
        },
      ),
    );
  });

  it('without hysteresis the same noise does chatter (why hysteresis exists)', () => {
    const bare: AlarmRuleSpec = { kind: 'threshold', op: 'above', limit: '80' };
    expect(run(bare, samples([81, 79, 81, 79])).actions).toHaveLength(4);
  });
});

describe('other rule kinds', () => {
  it('no data for N minutes raises on a tick and clears on the next sample', () => {
    const rule: AlarmRuleSpec = { kind: 'no_data', minutes: 15 };
    const r = run(rule, [
      { type: 'sample', ts: 0, value: '1' },
      { type: 'tick', now: 14 * 60_000 },
      { type: 'tick', now: 15 * 60_000 },
      { type: 'tick', now: 16 * 60_000 },
      { type: 'sample', ts: 17 * 60_000, value: '1' },
    ]);
    expect(r.actions.map((a) => [a.action, a.at])).toEqual([
      ['raise', 15 * 60_000],
      ['clear', 17 * 60_000],
    ]);
  });

  it('rate of change per minute', () => {
    const rule: AlarmRuleSpec = { kind: 'rate_of_change', maxPerMinute: '10' };
    expect(run(rule, samples([0, 5, 20, 25])).actions.map((a) => [a.action, a.value])).toEqual([
      ['raise', '20'],
      ['clear', '25'],
    ]);
  });

  it('running in peak needs both power ≥ runKw and a sharp/peak period', () => {
    const rule: AlarmRuleSpec = { kind: 'running_in_peak', runKw: '50' };
    const r = run(rule, [
      { type: 'sample', ts: 0, value: '60', touPeriod: 'valley' },
      { type: 'sample', ts: 1, value: '60', touPeriod: 'peak' },
      { type: 'sample', ts: 2, value: '10', touPeriod: 'peak' },
    ]);
    expect(r.actions.map((a) => a.action)).toEqual(['raise', 'clear']);
  });

  it('transformer overload from P and Q', () => {
    const rule: AlarmRuleSpec = {
      kind: 'transformer_overload',
      ratedKva: '1000',
      rate: '1',
      hysteresis: '0.1',
    };
    const r = run(rule, [
      { type: 'sample', ts: 0, value: '800', reactive: '600' }, // S = 1000 → β = 1, not above
      { type: 'sample', ts: 1, value: '900', reactive: '600' }, // β ≈ 1.08
      { type: 'sample', ts: 2, value: '800', reactive: '500' }, // β ≈ 0.94, in band
      { type: 'sample', ts: 3, value: '700', reactive: '400' }, // β ≈ 0.81
    ]);
    expect(r.actions.map((a) => [a.action, a.at])).toEqual([
      ['raise', 1],
      ['clear', 3],
    ]);
  });

  it('sensor state (smoke, leak, door)', () => {
    const rule: AlarmRuleSpec = { kind: 'state', alarmValues: ['1'] };
    expect(run(rule, samples([0, 1, 1, 0])).actions.map((a) => a.action)).toEqual(['raise', 'clear']);
  });

  it('ignores late samples', () => {
    const rule: AlarmRuleSpec = { kind: 'threshold', op: 'above', limit: '10' };
    const r = run(rule, [
      { type: 'sample', ts: 10, value: '5' },
      { type: 'sample', ts: 5, value: '50' },
    ]);
    expect(r.actions).toEqual([]);
  });
});

describe('event lifecycle', () => {
  it('raised → acknowledged → cleared', () => {
    expect(nextEventStatus('raised', 'acknowledge')).toBe('acknowledged');
    expect(nextEventStatus('acknowledged', 'acknowledge')).toBeNull();
    expect(nextEventStatus('acknowledged', 'clear')).toBe('cleared');
    expect(nextEventStatus('raised', 'clear')).toBe('cleared');
    expect(nextEventStatus('cleared', 'clear')).toBeNull();
    expect(nextEventStatus('cleared', 'acknowledge')).toBeNull();
  });
});
