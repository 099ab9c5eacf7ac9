/**
 * Deterministic load data shared by the fault suite (scripts/fault-suite.ts) and its child processes
 * (scripts/fault-api.ts): a retry or a restarted generator produces exactly the same readings.
 */
export const FAULT_T0 = Date.UTC(2026, 5, 1);

/** Cumulative register value of meter `m` at minute `t` (monotonic per meter). */
export const valueAt = (m: number, t: number) => String(1000 + t * (1 + (m % 5)) + (t % 3) * 0.125);
export const tsAt = (t: number) => new Date(FAULT_T0 + t * 60_000).toISOString();
export const minuteOf = (ts: string) => Math.round((Date.parse(ts) - FAULT_T0) / 60_000);
