import { loadConfig } from './config';
import { configureCustody } from './modules/custody';
import { configureGovernance } from './modules/governance';
import { startApiServer } from './server';

const config = loadConfig();
configureGovernance({
  rpcUrl: config.OPENCEP_CHAIN_RPC_URL,
  relayerKey: config.OPENCEP_RELAYER_KEY as `0x${string}` | undefined,
  governorAddress: config.OPENCEP_GOVERNOR_ADDRESS as `0x${string}` | undefined,
});
configureCustody({ encryptionSecret: config.KEY_ENCRYPTION_SECRET });
const server = await startApiServer({
  databaseUrl: config.DATABASE_URL,
  port: config.API_PORT,
  host: config.API_HOST,
  jwtSecret: config.JWT_SECRET,
  accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
  introspection: config.GRAPHQL_INTROSPECTION,
  explorer: config.GRAPHQL_EXPLORER,
  maxDepth: config.GRAPHQL_MAX_DEPTH,
  maxComplexity: config.GRAPHQL_MAX_COMPLEXITY,
  bodyLimitBytes: config.API_BODY_LIMIT_BYTES,
  poolMax: config.DB_POOL_MAX,
  rateLimit: { capacity: config.RATE_LIMIT_CAPACITY, refillPerSecond: config.RATE_LIMIT_REFILL_PER_SECOND },
  logLevel: config.LOG_LEVEL,
});
console.log(`OpenCEP API on ${server.url} (ws ${server.wsUrl})`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
