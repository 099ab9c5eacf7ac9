import type { DataSource } from 'typeorm';
import { publish } from '../../core/events';
import { enabledRules, evaluateRule } from './alarms.service';

/**
 * Asynchronous alarm evaluator. Ingestion never waits for it: it runs beside the API, wakes on
 * `metering.updated` events (or every `intervalMs`), and evaluates each enabled rule in its own
 * short transaction, so one slow or failing rule delays no reading and no other rule.
 * Events are published with NOTIFY inside the rule's transaction (delivered on commit).
 */
export class AlarmEvaluator {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ds: DataSource,
    private readonly opts: { intervalMs?: number; onError?: (err: unknown, ruleId: string) => void } = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.opts.intervalMs ?? 15_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Requests a pass; coalesces wake-ups that arrive while a pass is running. */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runOnce().then(
      () => undefined,
      () => undefined,
    );
    void this.running.finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** One pass over every enabled rule. Returns totals (tests call this directly). */
  async runOnce(now: Date = new Date()): Promise<{ raised: number; cleared: number }> {
    const rules = await enabledRules(this.ds);
    let raised = 0;
    let cleared = 0;
    for (const rule of rules) {
      try {
        const r = await this.ds.transaction((em) =>
          evaluateRule(em, rule, now, (db, t, p, e) => publish(db, t, p, e)),
        );
        raised += r.raised;
        cleared += r.cleared;
      } catch (err) {
        this.opts.onError?.(err, rule.id);
      }
    }
    return { raised, cleared };
  }
}
