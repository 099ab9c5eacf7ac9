/**
 * Child-process entry for the fault suite (scripts/fault-suite.ts): starts either the API or one MQTT
 * ingest worker from a JSON argument, prints `READY <url>` on stdout, and runs until killed. The
 * suite kills it with SIGKILL on purpose — nothing here may rely on a clean shutdown.
 *
 *   tsx scripts/fault-api.ts '{"mode":"api","databaseUrl":"…","port":0}'
 *   tsx scripts/fault-api.ts '{"mode":"worker","databaseUrl":"…","mqttUrl":"mqtt://…","group":"g"}'
 */
import { DataSource } from 'typeorm';
import { startApiServer } from '../api/src/server';
import { seedDemoIdentity } from '../api/src/seed/users';
import { startIngestWorker } from '../api/src/modules/metering/mqtt-worker';
import { apiEntities } from '../api/src/schema';

export interface FaultChildConfig {
  mode: 'api' | 'worker';
  databaseUrl: string;
  port?: number;
  jwtSecret?: string;
  mqttUrl?: string;
  group?: string;
  clientId?: string;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as FaultChildConfig;
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
  });
  process.stdout.write('READY worker\n');
}
