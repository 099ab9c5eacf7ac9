import type { Sql } from './energy.service';

/**
 * Brings the hierarchy-node rollups of one enterprise in line after a change of its plant tree or
 * of a meter binding (equipment / line / area moved, meter created), in the caller's transaction.
 *
 * `energy_refresh_node_rollups(enterprise, false)` is incremental: it re-derives membership (one
 * pass over the enterprise's meters) and adds / subtracts the meter rollups of only the meters that
 * joined or left a node, so a meter created before it has data costs a membership pass and nothing
 * more, and a move costs the moved meters' rollup rows. It takes the enterprise's exclusive node
 * lock: ingestion of the same enterprise waits for the end of the caller's (short) transaction at
 * its node-rollup trigger; readings of other enterprises never wait. Running it in the same
 * transaction as the change means a committed change is never followed by a stale node (the
 * dashboard would otherwise fall back to meter rollups until someone refreshed).
 */
export async function refreshNodesAfterHierarchyChange(db: Sql, enterpriseId: string): Promise<number> {
  const r = await db.query<{ n: number }[]>(`SELECT energy_refresh_node_rollups($1, false) AS n`, [
    enterpriseId,
  ]);
  return Number(r[0]?.n ?? 0);
}

/** Whether a meter of this shape counts toward hierarchy nodes (see `energy_node_members_of`). */
export function countsTowardNodes(meter: { kind: string; formula?: string | null }): boolean {
  return !meter.formula && (meter.kind === 'cumulative' || meter.kind === 'interval');
}
