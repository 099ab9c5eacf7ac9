import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { withScope } from '../../core/db';
import type { EventBus } from '../../core/events';
import { calculateInEm } from './accounting.service';

/** Payload metering publishes on `metering.updated` after rollups changed. */
interface MeteringUpdate {
  enterpriseId: string;
  from: string;
  to: string;
}

const monthOf = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

/**
 * Lightweight live recompute: when metering publishes new rollups for an enterprise, recompute the
 * enterprise-level monthly inventory of each touched month that is still a DRAFT (or, for the current
 * month, does not exist yet). FINAL months are never touched here — late data for them is picked up
 * by an explicit `calculateInventory` (which creates a new revision with a diff). Enterprises whose
 * chain mirror has no active standard version are skipped (no explicit pack is ever guessed).
 * Wire it in the API process: `startEmissionsRecalcTrigger(server.events, server.dataSource, log)`.
 */
export function startEmissionsRecalcTrigger(
  bus: EventBus,
  ds: DataSource,
  log?: Logger,
  opts: { debounceMs?: number; now?: () => Date } = {},
): { stop(): Promise<void>; flush(): Promise<void> } {
  const pending = new Map<string, Set<string>>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const iter = bus.subscribe<MeteringUpdate>('metering.updated', () => true);

  const flush = async (): Promise<void> => {
    timer = null;
    const batch = [...pending.entries()];
    pending.clear();
    const current = monthOf(opts.now?.() ?? new Date());
    for (const [enterpriseId, months] of batch) {
      for (const period of [...months].sort()) {
        try {
          await withScope(
            ds,
            { enterpriseIds: [enterpriseId], parkIds: [], actor: 'recalc-trigger' },
            async (em) => {
              const rows = (await em.query(
                `SELECT state FROM accounting_inventory
               WHERE enterprise_id = $1 AND site_id IS NULL AND period_kind = 'MONTH' AND period_start = $2::date
               ORDER BY revision DESC LIMIT 1`,
                [enterpriseId, `${period}-01`],
              )) as { state: string }[];
              const state = rows[0]?.state;
              if (state === 'DRAFT' || (!state && period === current))
                await calculateInEm(em, { enterpriseId, period });
            },
          );
        } catch (err) {
          log?.warn({ err, enterpriseId, period }, 'emissions recompute skipped');
        }
      }
    }
  };

  void (async () => {
    for await (const u of iter) {
      if (stopped) break;
      if (!u?.enterpriseId || !u.from || !u.to) continue;
      const set = pending.get(u.enterpriseId) ?? new Set<string>();
      const from = new Date(u.from);
      const to = new Date(u.to);
      for (
        let d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
        d <= to && set.size < 24;
      ) {
        set.add(monthOf(d));
        d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
      }
      pending.set(u.enterpriseId, set);
      timer ??= setTimeout(() => void flush(), opts.debounceMs ?? 2_000);
    }
  })();

  return {
    flush: async () => {
      if (timer) clearTimeout(timer);
      await flush();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await iter.return?.();
    },
  };
}
