/**
 * Child-process entry for the fault suite (scripts/fault-suite.ts): starts the API, one MQTT ingest
 * worker or an MQTT gateway from a JSON argument, prints `READY <url>` on stdout, and runs until
 * killed. The suite kills it with SIGKILL on purpose — nothing here may rely on a clean shutdown.
 *
 *   tsx scripts/fault-api.ts '{"mode":"api","databaseUrl":"…","port":0}'
 *   tsx scripts/fault-api.ts '{"mode":"worker","databaseUrl":"…","mqttUrl":"mqtt://…","group":"g"}'
 *   tsx scripts/fault-api.ts '{"mode":"gateway","mqttUrl":"mqtt://…","gateway":{…}}'
 *   tsx scripts/fault-api.ts '{"mode":"chain","databaseUrl":"","chainDir":"…","port":8545}'
 *
 * The gateway mode is the real gateway uplink (gateway/src/uplink.ts: fsync'd journal, signed batches,
 * MQTT publish, retire only on the platform's application ack) fed by a deterministic generator
 * instead of Modbus/OPC UA polls. After each journal append it prints `J <t>`: every reading of
 * minutes ≤ t is on disk. On stdin `stop` it stops generating and keeps draining.
 */
import type { Hex } from 'viem';
import { DataSource } from 'typeorm';
import { Journal } from '../gateway/src/journal';
import { mqttPusher } from '../gateway/src/push';
import { deviceSigner, type GatewayReading } from '../gateway/src/signing';
import { startUplink } from '../gateway/src/uplink';
import { minuteOf, tsAt, valueAt } from './fault-data';
import { startApiServer } from '../api/src/server';
import { seedDemoIdentity } from '../api/src/seed/users';
import { startIngestWorker } from '../api/src/modules/metering/mqtt-worker';
import { apiEntities } from '../api/src/schema';

export interface FaultGatewayConfig {
  privateKey: string;
  enterpriseId: string;
  deviceId: string;
  journalDir: string;
  /** meter codes are `${prefix}-${0..meters-1}` */
  prefix: string;
  meters: number;
  /** minutes generated per tick (× meters readings) */
  minutesPerTick: number;
  tickMs: number;
  /** first minute to generate (the suite passes the last reported + 1 after a kill) */
  startT: number;
  batchSize: number;
  /** wait this long for the platform's ack before re-sending */
  timeoutMs: number;
}

export interface FaultChildConfig {
  mode: 'api' | 'worker' | 'gateway' | 'chain';
  /** chain: the local journaled chain node's data dir (genesis + journal), restarted on the same dir */
  chainDir?: string;
  gateway?: FaultGatewayConfig;
  databaseUrl: string;
  port?: number;
  jwtSecret?: string;
  mqttUrl?: string;
  group?: string;
  clientId?: string;
  /** worker: only this device topic (other tests on the shared broker must not reach it) */
  topicFilter?: string;
  /** worker: MQTT session expiry (0 = clean start, the default) */
  sessionExpirySeconds?: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as FaultChildConfig;
// never outlive the suite: if it dies without its cleanup (e.g. a test timeout), exit too
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();
if (cfg.mode === 'api') {
  const api = await startApiServer({
    databaseUrl: cfg.databaseUrl,
    port: cfg.port ?? 0,
    host: '127.0.0.1',
    jwtSecret: cfg.jwtSecret ?? 'fault-suite-secret-fault-suite-secret-0123',
    logLevel: 'silent',
    bodyLimitBytes: 16 * 1024 * 1024,
    maxComplexity: 1_000_000,
    rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
  });
  await seedDemoIdentity(api.dataSource);
  process.stdout.write(`READY ${api.url}\n`);
} else if (cfg.mode === 'chain') {
  // the local chain node (scripts/chain/local-chain.ts): replays its journal at start
  const { startLocalChain } = await import('./chain/local-chain'); // hardhat: only in this mode
  const chain = await startLocalChain({ dataDir: cfg.chainDir!, port: cfg.port ?? 0 });
  // C before READY: the suite has read the replay report when the child counts as started
  process.stdout.write(`C ${chain.replayed} ${chain.consistent}\nREADY ${chain.url}\n`);
} else if (cfg.mode === 'gateway') {
  const g = cfg.gateway!;
  const journal = new Journal<GatewayReading>(g.journalDir);
  // resume after what is on disk: a kill -9 may have come between an append and its report
  let t = g.startT;
  for (const r of journal.pending()) for (const it of r.items) t = Math.max(t, minuteOf(it.ts) + 1);
  const pusher = mqttPusher({
    device: { privateKey: g.privateKey, enterpriseId: g.enterpriseId, deviceId: g.deviceId },
    push: {
      mode: 'mqtt',
      url: cfg.mqttUrl ?? 'mqtt://127.0.0.1:1883',
      batchSize: g.batchSize,
      intervalMs: 50,
      timeoutMs: g.timeoutMs,
    },
  });
  const uplink = startUplink({
    journal,
    signer: deviceSigner(g.privateKey as Hex),
    pusher,
    batchSize: g.batchSize,
    intervalMs: 50,
    maxBackoffMs: 2000,
  });
  let generating = true;
  setInterval(() => {
    if (!generating) return;
    const readings: GatewayReading[] = [];
    for (let k = 0; k < g.minutesPerTick; k++, t++)
      for (let m = 0; m < g.meters; m++)
        readings.push({ meterCode: `${g.prefix}-${m}`, ts: tsAt(t), value: valueAt(m, t), unit: 'kWh' });
    journal.append(readings); // fsync'd before it returns
    process.stdout.write(`J ${t - 1}\n`);
  }, g.tickMs);
  setInterval(() => {
    process.stdout.write(`P ${journal.pendingBytes} ${uplink.stats.resends}\n`);
  }, 250);
  process.stdin.on('data', (b: Buffer) => {
    if (b.toString().includes('stop')) generating = false;
  });
  process.stdout.write('READY gateway\n');
} else {
  const ds = new DataSource({
    type: 'postgres',
    url: cfg.databaseUrl,
    entities: apiEntities(),
    synchronize: false,
    logging: false,
    extra: { max: 4, application_name: 'opencep-fault-worker' },
  });
  await ds.initialize();
  await startIngestWorker({
    ds,
    url: cfg.mqttUrl ?? 'mqtt://127.0.0.1:1883',
    group: cfg.group,
    clientId: cfg.clientId,
    sessionExpirySeconds: cfg.sessionExpirySeconds,
    topicFilter: cfg.topicFilter,
  });
  process.stdout.write('READY worker\n');
}
