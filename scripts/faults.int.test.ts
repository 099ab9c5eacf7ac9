import { describe, expect, it } from 'vitest';
import { formatFaultTable, runFaultSuite } from './fault-suite';

// Bounded form of the fault suite (one kill of each kind); `npm run test:faults` runs more kills.
describe('fault injection (kill -9 of API and MQTT worker under load)', () => {
  it('stores every acknowledged reading exactly once and keeps rollups equal to the raw data', async () => {
    const r = await runFaultSuite({
      apiKills: 1,
      workerKills: 1,
      meters: 3,
      batchSize: 150,
      loadMs: 1500,
      mqttIntervalMs: 20,
    });
    console.log(formatFaultTable(r.rows));
    for (const row of r.rows.slice(0, 2)) {
      expect(row.acknowledged).toBeGreaterThan(0);
      expect(row.lost, row.fault).toBe(0);
      expect(row.duplicates, row.fault).toBe(0);
    }
    expect(r.rollupMismatches).toEqual([]);
    expect(r.rejected).toBe(0);
    expect(r.deadLetters).toBe(0);
  }, 170_000);
});
