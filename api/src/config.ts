import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

/** Every environment variable the API reads (documented in /.env.example). Nothing else reads process.env. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.url({ message: 'must be a postgres:// URL' }),
  API_HOST: z.string().default('0.0.0.0'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  JWT_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 24 * 3600),
  GRAPHQL_INTROSPECTION: bool,
  GRAPHQL_EXPLORER: bool,
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(12),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().positive().default(5000),
  /** Postgres connections this API process may hold (plus one LISTEN connection for the event bus). */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(20),
  API_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  RATE_LIMIT_CAPACITY: z.coerce.number().int().positive().default(300),
  RATE_LIMIT_REFILL_PER_SECOND: z.coerce.number().positive().default(10),
  /** Governance relayer: pays for castVoteBySig (optional; without it relayVoteBySig answers RELAYER_NOT_CONFIGURED). */
  OPENCEP_RELAYER_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, { message: 'must be a 0x-prefixed 32-byte hex private key' })
    .optional(),
  /** JSON-RPC endpoint for relaying votes and reading Ballot nonces (optional). */
  OPENCEP_CHAIN_RPC_URL: z.url().optional(),
  /** StandardsGovernor address (optional; default: taken from the indexer mirror). */
  OPENCEP_GOVERNOR_ADDRESS: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .optional(),
  /** Secret the account-held signing keys are encrypted with (custody module; unset = account keys off). */
  KEY_ENCRYPTION_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ApiConfig = ReturnType<typeof loadConfig>;

/** Validates the environment; the error names each bad variable, e.g. `JWT_SECRET: must be at least 32 characters`. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid API environment:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const dev = c.NODE_ENV !== 'production';
  return {
    ...c,
    GRAPHQL_INTROSPECTION: c.GRAPHQL_INTROSPECTION ?? dev,
    GRAPHQL_EXPLORER: c.GRAPHQL_EXPLORER ?? dev,
  };
}
