import type { Hex } from 'viem';
import { type Collector, modbusCollector, opcuaCollector } from './collectors';
import type { GatewayConfig } from './config';
import { Journal } from './journal';
import { graphqlPusher, mqttPusher, PermanentPushError, type Pusher } from './push';
import { deviceSigner, type GatewayReading } from './signing';

export interface GatewayStats {
  polled: number;
  pushed: number;
  pushFailures: number;
  pending: number;
  lastError: string | null;
}

export interface RunningGateway {
  address: string;
  stats: GatewayStats;
  /** Pushes until the journal is empty or a push fails; resolves true when empty. */
  flush(): Promise<boolean>;
  /**
   * Stops polling; with `drainMs` keeps pushing the buffer for up to that long first. Whatever is
   * not delivered stays in the journal for the next start.
   */
  stop(opts?: { drainMs?: number }): Promise<void>;
}

export interface GatewayLogger {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
}

const quiet: GatewayLogger = { info: () => undefined, warn: () => undefined };

/**
 * Starts the edge collector: polls every source on its own timer, appends each poll to the fsync'd
 * journal, and a push loop drains the journal in signed batches. A reading leaves the journal only
 * after the API (GraphQL answer) or the broker (MQTT PUBACK) confirmed it; retries are idempotent
 * because the batch id is derived from the batch content.
 */
export async function startGateway(
  config: GatewayConfig,
  log: GatewayLogger = quiet,
): Promise<RunningGateway> {
  const journal = new Journal<GatewayReading>(config.journalDir);
  const signer = deviceSigner(config.device.privateKey as Hex);
  const pusher: Pusher = config.push.mode === 'mqtt' ? mqttPusher(config) : graphqlPusher(config);
  const stats: GatewayStats = { polled: 0, pushed: 0, pushFailures: 0, pending: 0, lastError: null };
  const onError = (e: unknown) => {
    stats.lastError = e instanceof Error ? e.message : String(e);
  };
  const collectors: { c: Collector; ms: number }[] = config.sources.map((s) => ({
    c: s.kind === 'modbus' ? modbusCollector(s, onError) : opcuaCollector(s, onError),
    ms: s.pollMs,
  }));
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const polling = new Set<Promise<void>>();

  for (const { c, ms } of collectors) {
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      const p = c
        .poll()
        .then((readings) => {
          if (readings.length && !stopped) {
            journal.append(readings);
            stats.polled += readings.length;
          }
        })
        .finally(() => {
          busy = false;
          polling.delete(p);
        });
      polling.add(p);
    };
    tick();
    timers.push(setInterval(tick, ms));
  }

  let pushing: Promise<boolean> | null = null;
  let backoffUntil = 0;
  let failures = 0;
  const drain = async (): Promise<boolean> => {
    for (;;) {
      const recs = journal.pending(config.push.batchSize);
      stats.pending = journal.pendingBytes;
      if (!recs.length) return true;
      const readings = recs.flatMap((r) => r.items);
      const end = recs.at(-1)!.end;
      if (!readings.length) {
        journal.ack(end);
        continue;
      }
      try {
        const batch = await signer.sign(readings);
        const out = await pusher.push(batch);
        if (out?.rejected) log.warn('readings rejected by the API', { ...out, batchId: batch.batchId });
        journal.ack(end);
        stats.pushed += readings.length;
        failures = 0;
      } catch (e) {
        if (e instanceof PermanentPushError) {
          log.warn('batch refused permanently; dropped from the buffer', { error: e.message });
          journal.ack(end);
          continue;
        }
        stats.pushFailures++;
        failures++;
        onError(e);
        backoffUntil = Date.now() + Math.min(30_000, 250 * 2 ** Math.min(failures, 7));
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
  timers.push(
    setInterval(() => {
      if (Date.now() >= backoffUntil) void flush();
    }, config.push.intervalMs),
  );
  log.info('gateway started', {
    address: signer.address,
    sources: collectors.length,
    push: config.push.mode,
  });

  return {
    address: signer.address,
    stats,
    async flush() {
      backoffUntil = 0;
      await pushing;
      return flush();
    },
    async stop(opts = {}) {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...polling]);
      await pushing?.catch(() => false);
      const until = Date.now() + (opts.drainMs ?? 0);
      while (Date.now() < until && journal.pendingBytes > 0) {
        backoffUntil = 0;
        if (!(await flush())) await new Promise((r) => setTimeout(r, 200));
      }
      await Promise.allSettled(collectors.map(({ c }) => c.close()));
      await pusher.close();
      journal.close();
    },
  };
}
