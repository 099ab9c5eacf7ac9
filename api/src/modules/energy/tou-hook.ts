import { registerTouClassifier, type TouClassifier, type TouSlot } from '../metering/metering.service';
import type { Sql } from './energy.service';

/**
 * The TOU hook metering calls while maintaining rollups: one period per 15-minute slot start,
 * from the enterprise's tariff plan in force on that local date (`energy_tou_period` in SQL, the
 * same rules as `classify()` in tou.ts). 'none' where no plan applies.
 */
export const classifyTouSlots: TouClassifier = async (
  db: Sql,
  enterpriseId: string,
  slots: readonly TouSlot[],
) => {
  if (!slots.length) return [];
  const distinct = [...new Set(slots.map((s) => s.slot.toISOString()))];
  const rows = await db.query<{ ts: string; tou: string }[]>(
    `SELECT to_char(s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts, energy_tou_period($1, s) AS tou
     FROM unnest($2::timestamptz[]) AS s`,
    [enterpriseId, distinct],
  );
  const map = new Map(rows.map((r) => [r.ts, r.tou]));
  return slots.map((s) => map.get(s.slot.toISOString()) ?? 'none');
};

/** TypeScript entry for other modules: the period of one instant, or 'none'. */
export async function touPeriodFor(db: Sql, enterpriseId: string, ts: Date): Promise<string> {
  const rows = await db.query<{ tou: string }[]>(`SELECT energy_tou_period($1, $2::timestamptz) AS tou`, [
    enterpriseId,
    ts.toISOString(),
  ]);
  return rows[0]?.tou ?? 'none';
}

/** Installs the hook in metering (idempotent); called when the energy module is loaded. */
export function registerEnergyHooks(): void {
  registerTouClassifier(classifyTouSlots);
}
