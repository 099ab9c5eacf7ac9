import { z } from 'zod';

/**
 * Configuration of `npm start`, validated once at start. Every variable is documented in
 * `.env.example`; nothing else in scripts/ reads process.env.
 */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  OPENCEP_DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  CHAIN_RPC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Optional WebSocket endpoint of the same node: the indexer follows new heads over it (HTTP polling as fallback). */
  CHAIN_WS_URL: z.url({ protocol: /^wss?$/ }).optional(),
  CHAIN_PORT: z.coerce.number().int().min(1).max(65535).default(8545),
  DEPLOYER_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
    .optional(),
  /**
   * Key that anchors trust batches (readings, inventories, reports) on AttestationRegistry; it must be
   * authorised for the enterprises it anchors. The trust jobs run only when a key is known: this one,
   * or on the local chain the dev enterprise-admin key.
   */
  ANCHOR_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
    .optional(),
  /**
   * Secret the account-held signing keys (custody module) are encrypted with, ≥ 32 characters. On the
   * embedded local chain a fixed dev secret is used when unset; elsewhere unset = account keys off.
   */
  KEY_ENCRYPTION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(1).max(65535).default(4000),
  /** Postgres connections the API may hold (plus one LISTEN connection for its event bus). */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(20),
  WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MQTT_URL: z.url({ protocol: /^mqtts?$/ }).optional(),
  DEMO: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  START_WEB: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

export type StartConfig = z.infer<typeof schema>;

export class ConfigError extends Error {}

/**
 * The key the trust jobs anchor with: ANCHOR_PRIVATE_KEY when set, else on the embedded (local) chain
 * the dev enterprise-admin key; undefined (trust jobs off) on another chain without a key.
 */
export function trustAnchorKey(
  config: Pick<StartConfig, 'ANCHOR_PRIVATE_KEY'>,
  localChain: boolean,
  devKey: string,
): string | undefined {
  return config.ANCHOR_PRIVATE_KEY ?? (localChain ? devKey : undefined);
}

export function loadStartConfig(env: NodeJS.ProcessEnv = process.env): StartConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(
      `Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every variable.`,
    );
  }
  return parsed.data;
}
