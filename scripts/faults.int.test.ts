import { describe, expect, it } from 'vitest';
import { formatFaultTable, runFaultSuite } from './fault-suite';

// Bounded form of the fault suite (one kill of each kind); `npm run test:faults` runs more kills.
describe('fault injection (kill -9 of API, MQTT worker and gateway under load)', () => {
  it('stores every acknowledged reading exactly once and keeps rollups equal to the raw data', async () => {
    const t0 = Date.now();
    const r = await runFaultSuite({
      apiKills: 1,
      workerKills: 1,
      gatewayKills: 1,
      meters: 3,
      batchSize: 150,
      loadMs: 1500,
      mqttIntervalMs: 50,
      ackTimeoutMs: 2000,
      log: (line) => console.log(`[faults +${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}`),
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
});
