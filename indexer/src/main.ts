import pino from 'pino';
import { loadConfig } from './config';
import { startIndexer } from './index';

const config = loadConfig();
const logger = pino({ name: 'indexer', level: config.LOG_LEVEL });

const handle = await startIndexer({
  databaseUrl: config.DATABASE_URL,
  rpcUrl: config.CHAIN_RPC_URL,
  wsUrl: config.CHAIN_WS_URL,
  deploymentFile: config.CHAIN_DEPLOYMENT_FILE,
  finalityDepth: config.INDEXER_FINALITY_DEPTH,
  pollIntervalMs: config.INDEXER_POLL_INTERVAL_MS,
  onChainReplaced: config.INDEXER_ON_CHAIN_REPLACED,
  metricsPort: config.INDEXER_METRICS_PORT,
  initialBlockRange: config.INDEXER_INITIAL_BLOCK_RANGE,
  maxBlockRange: config.INDEXER_MAX_BLOCK_RANGE,
  targetLogsPerBatch: config.INDEXER_TARGET_LOGS_PER_BATCH,
  logger,
}).catch((err: unknown) => {
  logger.fatal({ err }, 'indexer failed to start');
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping');
    void handle.stop().then(() => process.exit(0));
  });
}

handle.done.then(
  () => process.exit(0),
  (err: unknown) => {
    logger.fatal({ err }, 'indexer stopped');
    process.exit(1);
  },
);
