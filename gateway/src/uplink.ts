import type { Journal } from './journal';
import { PermanentPushError, type PushOutcome, type Pusher } from './push';
import type { GatewayReading, SignedBatch } from './signing';

export interface UplinkStats {
  pushed: number;
  pushFailures: number;
  /** re-sends of a batch that was not confirmed in time */
  resends: number;
  pending: number;
  lastError: string | null;
}

export interface UplinkLogger {
  warn(msg: string, extra?: Record<string, unknown>): void;
}

export interface UplinkOptions {
  journal: Journal<GatewayReading>;
  signer: { sign(readings: GatewayReading[]): Promise<SignedBatch> };
  pusher: Pusher;
  batchSize: number;
  intervalMs: number;
  log?: UplinkLogger;
  stats?: UplinkStats;
  /** backoff after a failed push: min(maxBackoffMs, baseBackoffMs × 2^failures) */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface Uplink {
  stats: UplinkStats;
  /** Pushes until the journal is empty or a push fails; resolves true when empty. */
  flush(): Promise<boolean>;
  /** Stops the timer; with `drainMs` keeps pushing for up to that long. Does not close the pusher. */
  stop(opts?: { drainMs?: number }): Promise<void>;
}

/**
 * The push loop of the gateway: drains the fsync'd journal in signed batches. A journal record is
 * retired only after the pusher confirmed the platform committed the batch; a batch that was not
 * confirmed (timeout, broker or API down) stays and is re-sent unchanged — same readings, same
 * content-derived batch id — after an exponential backoff, so the platform answers DUPLICATE instead
 * of storing anything twice. After a crash the journal is re-read from the last retired offset.
 */
export function startUplink(o: UplinkOptions): Uplink {
  const stats: UplinkStats = o.stats ?? {
    pushed: 0,
    pushFailures: 0,
    resends: 0,
    pending: 0,
    lastError: null,
  };
  const base = o.baseBackoffMs ?? 250;
  const max = o.maxBackoffMs ?? 30_000;
  let pushing: Promise<boolean> | null = null;
  let backoffUntil = 0;
  let failures = 0;
  /** the unconfirmed batch, re-sent as is (a new grouping would get a new batch id) */
  let retry: { end: number; count: number; batch: SignedBatch } | null = null;

  const drain = async (): Promise<boolean> => {
    for (;;) {
      stats.pending = o.journal.pendingBytes;
      let next = retry;
      if (!next) {
        const recs = o.journal.pending(o.batchSize);
        if (!recs.length) return true;
        const readings = recs.flatMap((r) => r.items);
        const end = recs.at(-1)!.end;
        if (!readings.length) {
          o.journal.ack(end);
          continue;
        }
        next = { end, count: readings.length, batch: await o.signer.sign(readings) };
      } else stats.resends++;
      try {
        const out: PushOutcome | null = await o.pusher.push(next.batch);
        if (out?.rejected)
          o.log?.warn('readings rejected by the platform', { ...out, batchId: next.batch.batchId });
        o.journal.ack(next.end);
        retry = null;
        stats.pushed += next.count;
        failures = 0;
      } catch (e) {
        if (e instanceof PermanentPushError) {
          o.log?.warn('batch refused permanently; dropped from the buffer', {
            error: e.message,
            batchId: next.batch.batchId,
          });
          o.journal.ack(next.end);
          retry = null;
          continue;
        }
        retry = next;
        stats.pushFailures++;
        failures++;
        stats.lastError = e instanceof Error ? e.message : String(e);
        backoffUntil = Date.now() + Math.min(max, base * 2 ** Math.min(failures, 16));
        return false;
      }
    }
  };
  const flush = (): Promise<boolean> => {
    pushing ??= drain().finally(() => {
      pushing = null;
    });
    return pushing;
  };
  const timer = setInterval(() => {
    if (Date.now() >= backoffUntil) void flush();
  }, o.intervalMs);

  return {
    stats,
    async flush() {
      backoffUntil = 0;
      await pushing;
      return flush();
    },
    async stop(opts = {}) {
      clearInterval(timer);
      await pushing?.catch(() => false);
      const until = Date.now() + (opts.drainMs ?? 0);
      while (Date.now() < until && o.journal.pendingBytes > 0) {
        if (!(await flush())) await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}
