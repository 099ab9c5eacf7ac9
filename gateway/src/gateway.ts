import type { Hex } from 'viem';
import { type Collector, modbusCollector, opcuaCollector } from './collectors';
import type { GatewayConfig } from './config';
import { Journal } from './journal';
import { graphqlPusher, mqttPusher, type Pusher } from './push';
import { deviceSigner, type GatewayReading } from './signing';
import { startUplink, type UplinkStats } from './uplink';

export interface GatewayStats extends UplinkStats {
  polled: number;
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
 * journal, and a push loop (uplink.ts) drains the journal in signed batches. A reading leaves the
 * journal only after the platform confirmed the commit — the GraphQL answer, or over MQTT the ingest
 * worker's ack on `opencep/<enterprise>/<device>/acks` (a broker PUBACK is not enough); retries are
 * idempotent because the batch id is derived from the batch content.
 */
export async function startGateway(
  config: GatewayConfig,
  log: GatewayLogger = quiet,
): Promise<RunningGateway> {
  const journal = new Journal<GatewayReading>(config.journalDir);
  const signer = deviceSigner(config.device.privateKey as Hex);
  const pusher: Pusher = config.push.mode === 'mqtt' ? mqttPusher(config) : graphqlPusher(config);
  const stats: GatewayStats = {
    polled: 0,
    pushed: 0,
    pushFailures: 0,
    resends: 0,
    pending: 0,
    lastError: null,
  };
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

  const uplink = startUplink({
    journal,
    signer,
    pusher,
    batchSize: config.push.batchSize,
    intervalMs: config.push.intervalMs,
    log,
    stats,
  });
  log.info('gateway started', {
    address: signer.address,
    sources: collectors.length,
    push: config.push.mode,
  });

  return {
    address: signer.address,
    stats,
    flush: () => uplink.flush(),
    async stop(opts = {}) {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...polling]);
      await uplink.stop(opts);
      await Promise.allSettled(collectors.map(({ c }) => c.close()));
      await pusher.close();
      journal.close();
    },
  };
}
