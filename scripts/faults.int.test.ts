import { describe, expect, it } from 'vitest';
import { runChainRestartFault, runPostgresRestartFault } from './fault-restarts';
import { formatFaultTable, runFaultSuite } from './fault-suite';

// Bounded form of the fault suite (one kill/restart of each kind); `npm run test:faults` runs more.
const t0 = Date.now();
const log = (line: string) => console.log(`[faults +${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}`);

describe('fault injection (kill -9 of API, MQTT worker and gateway; restart of PostgreSQL and chain node)', () => {
  it('stores every acknowledged reading exactly once and keeps rollups equal to the raw data', async () => {
    const r = await runFaultSuite({
      apiKills: 1,
      workerKills: 1,
      gatewayKills: 1,
      meters: 3,
      batchSize: 150,
      loadMs: 1500,
      mqttIntervalMs: 50,
      ackTimeoutMs: 2000,
      log,
    });
    console.log(formatFaultTable(r.rows));
    const [apiRow, mqttRow] = r.rows;
    // GraphQL path: the API's answer is the commit. MQTT path: "acknowledged" is every reading the
    // gateway journaled (fsync'd) — stronger than the platform's ack, which retires it from the journal.
    for (const row of [apiRow!, mqttRow!]) {
      expect(Number(row.acknowledged), row.fault).toBeGreaterThan(0);
      expect(row.lost, row.fault).toBe(0);
      expect(row.duplicates, row.fault).toBe(0);
      expect(Number(row.stored), row.fault).toBe(Number(row.acknowledged));
    }
    expect(mqttRow!.recovery).not.toContain('never');
    expect(r.rollupMismatches).toEqual([]);
    expect(r.rejected).toBe(0);
    expect(r.deadLetters).toBe(0);
  }, 360_000);

  it('PostgreSQL stop -m immediate under GraphQL and MQTT load: stored once, rollups, API, worker and LISTEN back', async () => {
    // a dedicated embedded Postgres: the machine's shared server is never restarted
    const r = await runPostgresRestartFault({ restarts: 1, downMs: 3000, loadMs: 1500, log });
    expect(r.mqttRow).toBeDefined();
    console.log(formatFaultTable([r.row, r.mqttRow!]));
    // GraphQL: the API's answer is the commit; MQTT: every reading the gateway journaled (fsync'd)
    for (const row of [r.row, r.mqttRow!]) {
      expect(Number(row.acknowledged), row.fault).toBeGreaterThan(0);
      expect(row.lost, row.fault).toBe(0);
      expect(row.duplicates, row.fault).toBe(0);
      expect(Number(row.stored), row.fault).toBe(Number(row.acknowledged));
    }
    expect(r.mqttRow!.recovery).not.toContain('never');
    expect(r.rollupMismatches).toEqual([]);
    expect(r.rejected).toBe(0);
    expect(r.apiSurvived).toBe(true);
    expect(r.workerSurvived).toBe(true);
    expect(r.listenRestored).toBe(true);
  }, 180_000);

  it('chain node kill -9 during anchoring: every batch anchored exactly once, indexer mirror = eth_getLogs', async () => {
    const r = await runChainRestartFault({ restarts: 1, downMs: 3000, loadMs: 2000, log });
    console.log(formatFaultTable([r.row]));
    expect(Number(r.row.acknowledged)).toBeGreaterThan(0);
    expect(r.row.lost).toBe(0);
    expect(r.row.duplicates).toBe(0);
    expect(Number(r.row.stored)).toBe(Number(r.row.acknowledged));
    expect(r.row.recovery).not.toContain('never');
    expect(r.problems).toEqual([]);
    expect(r.worker.failed).toBe(0); // no anchor given up
    expect(r.chainLogs).toBeGreaterThan(0);
    expect(r.mirrorLogs).toBe(r.chainLogs);
  }, 180_000);
});
