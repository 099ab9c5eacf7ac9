import Decimal from 'decimal.js';
import type { Sql } from './energy.service';
import { transformerLoad } from './transformer';

export interface TransformerRow {
  id: string;
  name: string;
  ratedKva: Decimal;
  at: Date | null;
  activeKw: Decimal | null;
  reactiveKvar: Decimal | null;
  apparentKva: Decimal | null;
  loadRate: Decimal | null;
  powerFactor: Decimal | null;
  state: string | null;
  lossKw: Decimal | null;
}

export async function createTransformer(
  db: Sql,
  enterpriseId: string,
  t: {
    name: string;
    ratedKva: Decimal.Value;
    noLoadLossKw: Decimal.Value;
    loadLossKw: Decimal.Value;
    activeMeterId: string;
    reactiveMeterId?: string | null;
  },
): Promise<string> {
  const rows = await db.query<{ id: string }[]>(
    `INSERT INTO energy_transformer (enterprise_id, name, rated_kva, no_load_loss_kw, load_loss_kw, active_meter_id, reactive_meter_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      enterpriseId,
      t.name,
      new Decimal(t.ratedKva).toString(),
      new Decimal(t.noLoadLossKw).toString(),
      new Decimal(t.loadLossKw).toString(),
      t.activeMeterId,
      t.reactiveMeterId ?? null,
    ],
  );
  return rows[0]!.id;
}

/**
 * Latest load of every transformer: the newest active-power reading (kW) and the reactive reading
 * (kvar) at the same instant, then load rate, power factor, state and losses (pure, decimal).
 */
export async function transformerStatuses(db: Sql, enterpriseId: string): Promise<TransformerRow[]> {
  const rows = await db.query<
    {
      id: string;
      name: string;
      rated: string;
      p0: string;
      pk: string;
      over: string;
      low: string;
      ts: Date | null;
      p: string | null;
      q: string | null;
    }[]
  >(
    `SELECT t.id, t.name, t.rated_kva::text AS rated, t.no_load_loss_kw::text AS p0, t.load_loss_kw::text AS pk,
            t.overload_rate::text AS over, t.low_load_rate::text AS low, p.ts, p.value::text AS p,
            (SELECT q.value::text FROM metering_reading q WHERE q.enterprise_id = t.enterprise_id
               AND q.meter_id = t.reactive_meter_id AND q.ts = p.ts LIMIT 1) AS q
     FROM energy_transformer t
     LEFT JOIN LATERAL (SELECT r.ts, r.value FROM metering_reading r
                        WHERE r.enterprise_id = t.enterprise_id AND r.meter_id = t.active_meter_id
                        ORDER BY r.ts DESC LIMIT 1) p ON true
     WHERE t.enterprise_id = $1 ORDER BY t.name`,
    [enterpriseId],
  );
  return rows.map((r) => {
    const base = { id: r.id, name: r.name, ratedKva: new Decimal(r.rated) };
    if (r.p === null) {
      return {
        ...base,
        at: null,
        activeKw: null,
        reactiveKvar: null,
        apparentKva: null,
        loadRate: null,
        powerFactor: null,
        state: null,
        lossKw: null,
      };
    }
    const l = transformerLoad(
      { ratedKva: r.rated, noLoadLossKw: r.p0, loadLossKw: r.pk, overloadRate: r.over, lowLoadRate: r.low },
      r.p,
      r.q ?? 0,
    );
    return {
      ...base,
      at: r.ts ? new Date(r.ts) : null,
      activeKw: new Decimal(r.p),
      reactiveKvar: new Decimal(r.q ?? 0),
      apparentKva: l.apparentKva,
      loadRate: l.loadRate,
      powerFactor: l.powerFactor,
      state: l.state,
      lossKw: l.lossKw,
    };
  });
}
