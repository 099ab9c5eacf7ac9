import { AnchorWorker, type AnchorWorkerOptions } from './trust.anchor-worker';
import { type BatcherOptions, runBatcherOnce } from './trust.commit';
import { type ChainReconcilerOptions, startChainReconciler } from './trust.reconcile';
import type { Pool } from './trust.sql';
import { runTamperCheck } from './trust.tamper';

export interface TrustJobsOptions {
  pool: Pool;
  batcher?: BatcherOptions & { intervalMs?: number };
  /** Anchoring is off when omitted (no chain configured). */
  anchor?: Omit<AnchorWorkerOptions, 'pool'>;
  /** Tamper check interval (default hourly; 0 disables). */
  tamperIntervalMs?: number;
  /**
   * Chain reconciler (batch/report/inventory → anchored from the chain mirror): pass the API's
   * EventBus as `events` to react to the indexer's notices at once; `intervalMs` default 5000, 0
   * disables the reconciler.
   */
  reconcile?: Omit<ChainReconcilerOptions, 'pool' | 'log'>;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

/**
 * Starts the trust background loops — batcher, anchoring worker, chain reconciler, tamper check — each on its own
 * timer, independent of request handling and ingestion. Returns a stop function.
 */
export function startTrustJobs(o: TrustJobsOptions): () => Promise<void> {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const every = (ms: number, name: string, fn: () => Promise<unknown>) => {
    const loop = async () => {
      try {
        await fn();
      } catch (e) {
        o.log?.(`${name} failed`, { error: (e as Error).message });
      }
      if (!stopped) timers.add(setTimeout(loop, ms));
    };
    timers.add(setTimeout(loop, 0));
  };
  every(o.batcher?.intervalMs ?? 60_000, 'trust batcher', () => runBatcherOnce(o.pool, o.batcher));
  const worker = o.anchor
    ? new AnchorWorker({ ...o.anchor, pool: o.pool, log: o.anchor.log ?? o.log })
    : null;
  worker?.start();
  if ((o.tamperIntervalMs ?? 3_600_000) > 0)
    every(o.tamperIntervalMs ?? 3_600_000, 'tamper check', () => runTamperCheck(o.pool));
  const stopReconciler =
    (o.reconcile?.intervalMs ?? 5000) > 0
      ? startChainReconciler({ ...o.reconcile, pool: o.pool, log: o.log })
      : null;
  return async () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    await worker?.stop();
    await stopReconciler?.();
  };
}
