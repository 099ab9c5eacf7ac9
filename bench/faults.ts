/**
 * `npm run test:faults`: the long form of the fault suite (more kills, more load) — see
 * scripts/fault-suite.ts and, for the PostgreSQL and chain-node restarts, scripts/fault-restarts.ts.
 * The bounded form runs in CI as scripts/faults.int.test.ts.
 *   FAULT_API_KILLS=5 FAULT_WORKER_KILLS=5 FAULT_GATEWAY_KILLS=5 npm run test:faults
 *   FAULT_PG_RESTARTS=2 FAULT_CHAIN_RESTARTS=2 …  (0 skips that fault)
 *   FAULT_WORKER_SESSION_EXPIRY=3600 …  (compare persistent worker sessions; see mqtt-worker.ts)
 */
import { runChainRestartFault, runPostgresRestartFault } from '../scripts/fault-restarts';
import { type FaultRow, formatFaultTable, runFaultSuite } from '../scripts/fault-suite';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (l: string) => console.log(l);
const r = await runFaultSuite({
  apiKills: Number(process.env.FAULT_API_KILLS ?? 5),
  workerKills: Number(process.env.FAULT_WORKER_KILLS ?? 5),
  gatewayKills: Number(process.env.FAULT_GATEWAY_KILLS ?? 5),
  workerSessionExpirySeconds: Number(process.env.FAULT_WORKER_SESSION_EXPIRY ?? 0),
  meters: 8,
  batchSize: 400,
  loadMs: 3000,
  mqttUrl: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883',
  log,
});
const rows: FaultRow[] = [...r.rows];
const problems: string[] = [];
const pgRestarts = Number(process.env.FAULT_PG_RESTARTS ?? 2);
if (pgRestarts > 0) {
  // on a dedicated embedded Postgres: the shared server is never restarted
  const p = await runPostgresRestartFault({ restarts: pgRestarts, downMs: 3000, loadMs: 3000, log });
  rows.push(p.row, ...(p.mqttRow ? [p.mqttRow] : []));
  r.rollupMismatches.push(...p.rollupMismatches);
  r.rejected += p.rejected;
  if (!p.apiSurvived) problems.push('the API process died when PostgreSQL restarted');
  if (!p.workerSurvived) problems.push('the MQTT ingest worker died when PostgreSQL restarted');
  if (!p.listenRestored) problems.push('the API LISTEN connection (subscriptions) did not come back');
}
const chainRestarts = Number(process.env.FAULT_CHAIN_RESTARTS ?? 2);
if (chainRestarts > 0) {
  const c = await runChainRestartFault({ restarts: chainRestarts, downMs: 3000, loadMs: 3000, log });
  rows.push(c.row);
  problems.push(...c.problems);
}
console.log(formatFaultTable(rows));
console.log(`rejected items: ${r.rejected}, dead letters: ${r.deadLetters}`);
if (r.rollupMismatches.length) console.log(`rollup mismatches:\n  ${r.rollupMismatches.join('\n  ')}`);
if (problems.length) console.log(`problems:\n  ${problems.join('\n  ')}`);
const bad = rows.some(
  (x) =>
    (typeof x.lost === 'number' && x.lost > 0) ||
    (typeof x.duplicates === 'number' && x.duplicates > 0) ||
    x.recovery.includes('never'),
);
process.exit(bad || problems.length || r.rollupMismatches.length || r.rejected || r.deadLetters ? 1 : 0);
