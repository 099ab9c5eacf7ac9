/**
 * `npm run test:faults`: the long form of the fault suite (more kills, more load) — see
 * scripts/fault-suite.ts. The bounded form runs in CI as scripts/faults.int.test.ts.
 *   FAULT_API_KILLS=5 FAULT_WORKER_KILLS=5 FAULT_GATEWAY_KILLS=5 npm run test:faults
 *   FAULT_WORKER_SESSION_EXPIRY=3600 …  (compare persistent worker sessions; see mqtt-worker.ts)
 */
import { formatFaultTable, runFaultSuite } from '../scripts/fault-suite';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const r = await runFaultSuite({
  apiKills: Number(process.env.FAULT_API_KILLS ?? 5),
  workerKills: Number(process.env.FAULT_WORKER_KILLS ?? 5),
  gatewayKills: Number(process.env.FAULT_GATEWAY_KILLS ?? 5),
  workerSessionExpirySeconds: Number(process.env.FAULT_WORKER_SESSION_EXPIRY ?? 0),
  meters: 8,
  batchSize: 400,
  loadMs: 3000,
  mqttUrl: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883',
  log: (l) => console.log(l),
});
console.log(formatFaultTable(r.rows));
console.log(`rejected items: ${r.rejected}, dead letters: ${r.deadLetters}`);
if (r.rollupMismatches.length) console.log(`rollup mismatches:\n  ${r.rollupMismatches.join('\n  ')}`);
const bad = r.rows.some(
  (x) =>
    (typeof x.lost === 'number' && x.lost > 0) ||
    (typeof x.duplicates === 'number' && x.duplicates > 0) ||
    x.recovery.includes('never'),
);
process.exit(bad || r.rollupMismatches.length || r.rejected || r.deadLetters ? 1 : 0);
