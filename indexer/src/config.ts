import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const int = (def?: number) =>
  def === undefined ? z.coerce.number().int() : z.coerce.number().int().default(def);

/** Environment of the indexer CLI (see .env.example). Nothing else in indexer/ reads process.env. */
const schema = z.object({
  DATABASE_URL: z.string().min(1),
  /** JSON-RPC URL of the chain node (http(s) polls, ws(s) subscribes to new heads). */
  CHAIN_RPC_URL: z.string().url().default('http://127.0.0.1:8545'),
  /** Optional WebSocket URL for new-head pushes next to an HTTP CHAIN_RPC_URL (polling while it is down). */
  CHAIN_WS_URL: z.string().url().optional(),
  /** Deployment file written by contracts/deploy; relative paths are resolved from the repository root. */
  CHAIN_DEPLOYMENT_FILE: z
    .string()
    .default('contracts/deployments/31337.json')
    .transform((p) => (isAbsolute(p) ? p : resolve(repoRoot, p))),
  INDEXER_FINALITY_DEPTH: int(12).pipe(z.number().min(0)),
  INDEXER_POLL_INTERVAL_MS: int(1000).pipe(z.number().min(10)),
  INDEXER_ON_CHAIN_REPLACED: z.enum(['stop', 'reindex']).default('stop'),
  /** Serve /metrics on this port when set. */
  INDEXER_METRICS_PORT: int().optional(),
  INDEXER_INITIAL_BLOCK_RANGE: int(1).pipe(z.number().min(1)),
  INDEXER_MAX_BLOCK_RANGE: int(10_000).pipe(z.number().min(1)),
  INDEXER_TARGET_LOGS_PER_BATCH: int(5000).pipe(z.number().min(1)),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type IndexerConfig = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid indexer environment: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
