import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import pg from 'pg';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { runMigrations } from '@opencep/migrations';
import { startApiServer } from '../api/src/server';
import { startIndexer } from '@opencep/indexer';
import {
  DEMO_ENTERPRISE_ID as DEMO_API_ENTERPRISE_ID,
  DEMO_LOGINS,
  DEMO_PASSWORD,
  demoId,
  seedDemoIdentity,
} from '../api/src/seed/users';
import { AlarmEvaluator } from '../api/src/modules/alarms/alarm-evaluator';
import { startEmissionsRecalcTrigger } from '../api/src/modules/accounting/recalc-trigger';
import { startIngestWorker } from '../api/src/modules/metering/mqtt-worker';
import { parseConfig, startGateway } from '../gateway/src/index';
import { MODBUS_MAP, OPCUA_NODES, startSimulator } from '../gateway/src/simulator/index';
import { seedDemoPlant, seedDemoTariff, startDemoFeed } from './demo/plant';
import { startTrustJobs } from '../api/src/modules/trust/trust.jobs';
import { startInventoryCommitter } from '../api/src/modules/offsets/offsets.commitment';
import { configureCustody, DEV_KEY_ENCRYPTION_SECRET, seedDemoAccountKeys } from '../api/src/modules/custody';
import { configureGovernance } from '../api/src/modules/governance';
import { configureReports } from '../api/src/modules/reports/report.chain';
import { uuidToBytes32 } from 'opencep-verify';
import {
  CONTRACTS_DIR,
  compileContracts,
  DEMO_SETTINGS,
  DEMO_ENTERPRISE_ID,
  DEV_DEPLOYER_KEY,
  DEV_ROLES,
  deployAll,
  seedDemo,
  type Deployment,
} from '../contracts/deploy/index';
import { loadPack } from '../api/src/modules/accounting/packs/pack';
import { type StartConfig, trustAnchorKey } from './config';
import { freePort } from './embedded-postgres';

const MACHINERY_PACK = join(
  import.meta.dirname,
  '..',
  'api',
  'src',
  'modules',
  'accounting',
  'packs',
  'cn-machinery-2015@1.0.0.json',
);

export interface PlatformOptions {
  config: StartConfig;
  log: Logger;
  dataDir: string;
  databaseUrl: string;
  rpcUrl: string;
  /** WebSocket endpoint of the chain node, when it has one: the indexer follows heads over it. */
  wsUrl?: string;
  /** True when the chain is the embedded dev node: dev keys and the demo governance round apply. */
  localChain: boolean;
  jwtSecret: string;
}

export interface RunningPlatform {
  apiUrl: string;
  deployment: Deployment;
  stops: Array<{ name: string; stop: () => Promise<void> }>;
  banner: string[];
}

/**
 * Brings up everything between the database/chain and the portal. Used by `npm start` and by the
 * end-to-end and fault suites, so they all exercise the same wiring.
 */
export async function runPlatform(
  o: PlatformOptions,
  stops: RunningPlatform['stops'] = [],
): Promise<RunningPlatform> {
  const banner: string[] = [];
  const applied = await runMigrations(o.databaseUrl);
  o.log.info({ applied: applied.length }, 'migrations done');

  // Contracts: compiled offline by solc-js; deployed once per chain (idempotent).
  if (!existsSync(join(CONTRACTS_DIR, 'artifacts', 'src'))) {
    o.log.info('compiling contracts (first start only)');
    await compileContracts();
  }
  const deployerKey: Hex | undefined =
    (o.config.DEPLOYER_PRIVATE_KEY as Hex | undefined) ?? (o.localChain ? DEV_DEPLOYER_KEY : undefined);
  if (!deployerKey)
    throw new Error('DEPLOYER_PRIVATE_KEY: required when CHAIN_RPC_URL points at a non-local chain');
  const deployment = await deployAll({
    rpcUrl: o.rpcUrl,
    deployerKey,
    // The embedded chain's deployment lives with its journal; a real chain's in contracts/deployments.
    outDir: o.localChain ? join(o.dataDir, 'chain', 'deployments') : undefined,
    ...(o.localChain ? DEMO_SETTINGS : {}),
  });
  o.log.info({ chainId: deployment.chainId, block: deployment.deployedAtBlock }, 'contracts deployed');
  if (o.localChain && o.config.DEMO) {
    // The first active standard is the real machinery-guideline pack, by its canonical hash.
    const pack = loadPack(JSON.parse(readFileSync(MACHINERY_PACK, 'utf8')));
    const seeded = await seedDemo({
      rpcUrl: o.rpcUrl,
      deployment,
      standard: {
        code: pack.document.id,
        version: pack.document.version,
        contentHash: pack.hash as Hex,
        uri: `opencep://packs/${pack.ref}`,
        effectiveFrom: Date.UTC(2020, 0, 1) / 1000,
      },
    });
    o.log.info({ seeded: seeded.seeded }, 'demo governance seeded');
  }

  // Indexer: chain events → chain.* tables (exactly once, reorg-safe). On the embedded chain a
  // replaced history (journal replay that diverged) is re-indexed; on a real chain it stops loudly.
  const indexer = await startIndexer({
    databaseUrl: o.databaseUrl,
    rpcUrl: o.rpcUrl,
    ...(o.wsUrl ? { wsUrl: o.wsUrl } : {}),
    // The contracts' Deployment carries viem's Abi type; the indexer validates the plain JSON shape.
    deployment: JSON.parse(JSON.stringify(deployment)),
    finalityDepth: o.localChain ? 1 : 12,
    pollIntervalMs: o.localChain ? 500 : 2000,
    onChainReplaced: o.localChain ? 'reindex' : 'stop',
    logger: o.log.child({ svc: 'indexer' }),
  });
  stops.push({ name: 'indexer', stop: () => indexer.stop() });

  // Chain-facing settings of API modules. On the embedded chain the deployer relays gasless votes
  // and the demo verifier's dev key records statements; a real deployment brings its own custody.
  const demoChainIds = (enterpriseId: string): Hex[] =>
    enterpriseId === DEMO_API_ENTERPRISE_ID ? [DEMO_ENTERPRISE_ID] : [uuidToBytes32(enterpriseId)];
  configureGovernance({
    rpcUrl: o.rpcUrl,
    relayerKey: o.localChain ? DEV_DEPLOYER_KEY : undefined,
    governorAddress: deployment.contracts.StandardsGovernor.address,
    onChainEnterpriseIds: demoChainIds,
  });
  // Account-held signing keys (members and regulators without a wallet): a fixed dev secret only on
  // the embedded chain, otherwise KEY_ENCRYPTION_SECRET or no account keys.
  const keySecret = o.config.KEY_ENCRYPTION_SECRET ?? (o.localChain ? DEV_KEY_ENCRYPTION_SECRET : undefined);
  configureCustody({
    encryptionSecret: keySecret,
    quotaRegistryAddress: deployment.contracts.QuotaRegistry.address,
  });
  if (!keySecret) o.log.warn('account keys off: set KEY_ENCRYPTION_SECRET to hold signing keys for members');
  configureReports({
    chainId: deployment.chainId,
    ...(o.localChain
      ? {
          statements: {
            rpcUrl: o.rpcUrl,
            registry: deployment.contracts.AttestationRegistry.address,
            verifierAccount: async () => privateKeyToAccount(DEV_ROLES.verifier.privateKey),
          },
        }
      : {}),
  });

  const api = await startApiServer({
    databaseUrl: o.databaseUrl,
    port: o.config.API_PORT,
    host: o.config.API_HOST,
    jwtSecret: o.jwtSecret,
    // 10,000-reading batches and phone photos (4 MB, base64) must fit.
    bodyLimitBytes: 32 * 1024 * 1024,
    introspection: o.config.NODE_ENV !== 'production',
    explorer: o.config.NODE_ENV !== 'production',
    logLevel: o.config.LOG_LEVEL,
    poolMax: o.config.DB_POOL_MAX,
  });
  stops.push({ name: 'api', stop: () => api.close() });
  const apiUrl = api.url.replace(/\/graphql$/, '');

  // Background jobs of the API process: alarm evaluation (never inside ingestion) and the
  // current-month emissions recalculation when new rollups arrive.
  const alarms = new AlarmEvaluator(api.dataSource, {
    intervalMs: 15_000,
    onError: (err, ruleId) => o.log.warn({ err, ruleId }, 'alarm rule failed'),
  });
  alarms.start();
  stops.push({ name: 'alarms', stop: () => alarms.stop() });
  const recalc = startEmissionsRecalcTrigger(api.events, api.dataSource, o.log);
  stops.push({ name: 'emissions-recalc', stop: () => recalc.stop() });
  if (o.config.MQTT_URL) {
    // A stable client id per host and API port names this instance on the broker. Nothing in flight is
    // lost when this process dies: gateways keep each batch until the worker's application ack
    // (mqtt-worker.ts IngestAck) and re-send it otherwise.
    const worker = await startIngestWorker({
      ds: api.dataSource,
      url: o.config.MQTT_URL,
      clientId: `opencep-ingest-${hostname()}-${o.config.API_PORT}`,
    });
    stops.push({ name: 'mqtt-ingest', stop: () => worker.stop() });
  }

  if (o.config.DEMO) {
    await seedDemoIdentity(api.dataSource);
    // Demo member and regulator sign with their dev keys (public keys: local chain only).
    if (o.localChain && keySecret) await seedDemoAccountKeys(api.dataSource);
    await seedDemoTariff(api.dataSource);
    const deviceAccount = privateKeyToAccount(DEV_ROLES.device.privateKey);
    const plant = await seedDemoPlant(api.dataSource, { deviceAddress: deviceAccount.address });
    o.log.info(plant, 'demo plant seeded');
    const stopFeed = startDemoFeed(api.dataSource, {
      intervalMs: 60_000,
      onError: (err) => o.log.warn({ err }, 'demo feed failed'),
    });
    stops.push({ name: 'demo-feed', stop: stopFeed });

    // Real protocol peers: the simulator serves Modbus TCP and OPC UA; the gateway polls them,
    // signs with the device key registered on chain and pushes GraphQL batches to the API.
    const sim = await startSimulator({ modbusPort: await freePort(), opcuaPort: await freePort() });
    stops.push({ name: 'simulator', stop: () => sim.stop() });
    const gateway = await startGateway(
      parseConfig({
        device: {
          privateKey: DEV_ROLES.device.privateKey,
          enterpriseId: DEMO_API_ENTERPRISE_ID,
          deviceId: demoId('device:gateway-1'),
        },
        journalDir: join(o.dataDir, 'gateway'),
        push: { mode: 'graphql', url: api.url, batchSize: 1000, intervalMs: 15_000 },
        sources: [
          {
            kind: 'modbus',
            host: '127.0.0.1',
            port: sim.modbusPort,
            pollMs: 15_000,
            points: Object.entries(MODBUS_MAP)
              .filter(([code]) => code !== 'P-MAIN')
              .map(([code, m]) => ({
                meterCode: code,
                register: m.address,
                type: m.type,
                scale: String(m.scale),
                unit: code.startsWith('W-') ? 'm3' : 'kWh',
              })),
          },
          {
            kind: 'opcua',
            endpoint: sim.opcuaEndpoint,
            pollMs: 15_000,
            points: ['G-BOILER', 'S-MAIN', 'A-COMP'].map((code) => ({
              meterCode: code,
              nodeId: OPCUA_NODES[code]!.nodeId,
              unit: OPCUA_NODES[code]!.unit,
            })),
          },
        ],
      }),
    );
    stops.push({ name: 'gateway', stop: () => gateway.stop({ drainMs: 2000 }) });

    banner.push(
      `  Meters     ${plant.meters} demo meters; simulator Modbus TCP :${sim.modbusPort}, OPC UA ${sim.opcuaEndpoint}`,
    );
    banner.push(`  Demo logins (password "${DEMO_PASSWORD}"):`);
    for (const l of DEMO_LOGINS) banner.push(`    ${l.role.padEnd(22)} ${l.email}`);
  }
  // Trust layer: hourly batches of readings and finalised inventories (committer) → Merkle roots →
  // anchored on chain → anchored/verified states from the chain mirror (reconciler) → scheduled tamper
  // check. Runs whenever an anchoring key is known: ANCHOR_PRIVATE_KEY, or on the embedded chain the
  // dev enterprise-admin key registered by the seed. The key must be authorised on chain for the
  // enterprises it anchors (otherwise their anchors fail and are retried).
  const anchorKey = trustAnchorKey(o.config, o.localChain, DEV_ROLES.enterpriseAdmin.privateKey);
  if (anchorKey) {
    const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 4 });
    const anchorAccount = privateKeyToAccount(anchorKey as Hex);
    const trustLog = (msg: string, extra?: Record<string, unknown>) =>
      o.log.warn({ svc: 'trust', ...extra }, msg);
    const stopTrust = startTrustJobs({
      pool,
      // Anchored states follow the chain mirror: react to the indexer's notices on the API's bus.
      reconcile: { events: api.events },
      anchor: {
        rpcUrl: o.rpcUrl,
        chainId: deployment.chainId,
        registry: deployment.contracts.AttestationRegistry.address,
        signerFor: () => anchorAccount,
        onChainEnterpriseId: (enterpriseId) =>
          enterpriseId === DEMO_API_ENTERPRISE_ID ? DEMO_ENTERPRISE_ID : uuidToBytes32(enterpriseId),
      },
      log: trustLog,
    });
    // Finalised inventories: the commitment queued with DRAFT → FINAL becomes a batch at once. Its own
    // pool: a pass holds one connection (the claimed outbox rows) while committing on a second.
    const commitPool = new pg.Pool({ connectionString: o.databaseUrl, max: 2 });
    const stopCommitter = startInventoryCommitter({ pool: commitPool, events: api.events, log: trustLog });
    stops.push({
      name: 'trust',
      stop: async () => {
        await stopCommitter();
        await stopTrust();
        await Promise.all([pool.end(), commitPool.end()]);
      },
    });
    o.log.info({ anchorer: anchorAccount.address }, 'trust jobs started');
  } else {
    o.log.warn('trust jobs off: set ANCHOR_PRIVATE_KEY to commit and anchor on this chain');
  }
  return { apiUrl, deployment, stops, banner };
}
