import type { Server } from 'node:http';
import pg from 'pg';
import pino from 'pino';
import type { Deployment } from './deployment';
import { ChainIndexer, type Logger, type Status } from './indexer';
import { startMetricsServer } from './metrics';
import { Rpc } from './rpc';

export type { Deployment } from './deployment';
export { ChainReplacedError, DeploymentMismatchError, IndexerError } from './errors';
export type { Logger, Phase, Status } from './indexer';
export { NOTIFY_CHANNEL } from './store';

export interface StartIndexerOptions {
  databaseUrl: string;
  /** JSON-RPC endpoint: http(s):// (polling) or ws(s):// (new heads pushed). */
  rpcUrl: string;
  /**
   * WebSocket endpoint for new-head pushes (eth_subscribe newHeads) next to an HTTP `rpcUrl`. While
   * it is unreachable the indexer polls `rpcUrl` every `pollIntervalMs` and keeps reconnecting.
   * A ws(s):// `rpcUrl` is used for both.
   */
  wsUrl?: string;
  /** contracts/deployments/<chainId>.json path (re-read on reindex) … */
  deploymentFile?: string;
  /** … or the parsed object. */
  deployment?: Deployment;
  /** Blocks below head - finalityDepth count as confirmed. Default 12. */
  finalityDepth?: number;
  /** Head polling interval. Default 1000 ms. */
  pollIntervalMs?: number;
  /** What to do when the node serves another chain than the mirror. Default 'stop'. */
  onChainReplaced?: 'stop' | 'reindex';
  /** Serve Prometheus text on http://0.0.0.0:<port>/metrics when set. */
  metricsPort?: number;
  /**
   * eth_getLogs block span of the first request (slow start: spans then follow the measured log
   * density, growing at most 4-fold per request) and the span never exceeded. Defaults 1 / 10000.
   */
  initialBlockRange?: number;
  maxBlockRange?: number;
  /** Logs per batch the adaptive range aims at. Default 5000. */
  targetLogsPerBatch?: number;
  logger?: Logger;
}

export interface IndexerHandle {
  stop(): Promise<void>;
  status(): Promise<Status>;
  /** Settles when the loop ends: resolves after stop(), rejects on a fatal error. */
  done: Promise<void>;
  metricsPort?: number;
}

/**
 * Starts mirroring the OpenCEP contracts of a deployment into the chain.* schema. Rejects when the
 * node and the mirror disagree (chain replaced in 'stop' mode, deployment for another chain).
 */
export async function startIndexer(opts: StartIndexerOptions): Promise<IndexerHandle> {
  const deployment = opts.deploymentFile ?? opts.deployment;
  if (!deployment) throw new Error('startIndexer: deploymentFile or deployment is required');
  const log: Logger = opts.logger ?? pino({ name: 'indexer' });
  // synchronous_commit=off: a Postgres crash may lose the last few commits, but each one whole (rows
  // with their checkpoint), so the indexer simply re-indexes those blocks; the mirror stays exact
  // and backfill does not wait for a WAL flush per batch.
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: 3,
    options: '-c synchronous_commit=off',
  });
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle pg client error'));
  const rpc = new Rpc(opts.rpcUrl, { wsUrl: opts.wsUrl });
  // One writer per database: a session advisory lock, released by Postgres if the process dies.
  const lockClient = await pool.connect();
  let server: Server | undefined;
  const cleanup = async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    lockClient.release(true);
    await pool.end().catch(() => {});
    await rpc.close().catch(() => {});
  };
  let indexer: ChainIndexer;
  try {
    await lockClient.query(`SELECT pg_advisory_lock(hashtext('opencep_chain_indexer'))`);
    indexer = new ChainIndexer(
      pool,
      rpc,
      {
        deployment,
        finalityDepth: opts.finalityDepth ?? 12,
        pollIntervalMs: opts.pollIntervalMs ?? 1000,
        onChainReplaced: opts.onChainReplaced ?? 'stop',
        initialBlockRange: opts.initialBlockRange ?? 1,
        maxBlockRange: opts.maxBlockRange ?? 10_000,
        targetLogsPerBatch: opts.targetLogsPerBatch ?? 5000,
      },
      log,
    );
    await indexer.prepare();
    if (opts.metricsPort !== undefined)
      server = await startMetricsServer(opts.metricsPort, () => indexer.status());
  } catch (err) {
    await cleanup();
    throw err;
  }
  const done = indexer.run().finally(cleanup);
  done.catch(() => {});
  const address = server?.address();
  return {
    done,
    metricsPort: address && typeof address === 'object' ? address.port : undefined,
    async stop() {
      indexer.stop();
      await done.catch(() => {});
    },
    async status() {
      return indexer.status();
    },
  };
}
