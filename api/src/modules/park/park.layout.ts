import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import { recordAudit } from '../audit';
import {
  PARK_LAYOUT_HEIGHT,
  PARK_LAYOUT_WIDTH,
  ParkLayout,
  ParkLayoutMember,
  ParkLayoutPoint,
  type ParkLayoutPointInput,
  ParkLayoutPosition,
  ParkLayoutStatus,
} from './park.layout.types';
import { overviewIn } from './park.service';

/** A reading older than this marks a member's data as stale (same threshold as the park page). */
export const PARK_STALE_MS = 24 * 3600_000;

interface PositionRow {
  park_id: string;
  enterprise_id: string;
  x: string;
  y: string;
  label: string | null;
  outline: { x: number; y: number }[] | null;
  updated_at: Date;
}

const toPoints = (o: PositionRow['outline']): ParkLayoutPoint[] | null =>
  o ? o.map((p) => Object.assign(new ParkLayoutPoint(), { x: Number(p.x), y: Number(p.y) })) : null;

/** Summary status, most severe condition first. */
export function layoutStatus(m: {
  sharing: boolean;
  quotaWarning: boolean | null;
  openAlarms: number | null;
  lastReadingAt: Date | null;
  now: number;
}): ParkLayoutStatus {
  if (!m.sharing) return ParkLayoutStatus.NOT_SHARING;
  if (m.quotaWarning) return ParkLayoutStatus.QUOTA_WARNING;
  if ((m.openAlarms ?? 0) > 0) return ParkLayoutStatus.ALARM;
  if (!m.lastReadingAt) return ParkLayoutStatus.NO_DATA;
  if (m.now - new Date(m.lastReadingAt).getTime() > PARK_STALE_MS) return ParkLayoutStatus.STALE;
  return ParkLayoutStatus.OK;
}

/** Coordinates: finite, on the canvas, at most two decimals (the stored precision: nothing is rounded away). */
function checkCoordinate(field: string, v: number, max: number): number {
  if (!Number.isFinite(v) || v < 0 || v > max)
    throw new UserInputError('Position outside the park layout', {
      [field]: [`must be between 0 and ${max}`],
    });
  if (Math.round(v * 100) / 100 !== v)
    throw new UserInputError('Position has too many decimals', { [field]: ['at most 2 decimal places'] });
  return v;
}

export function checkPosition(input: {
  x: number;
  y: number;
  label?: string | null;
  outline?: ParkLayoutPointInput[] | null;
}): { x: number; y: number; label: string | null; outline: { x: number; y: number }[] | null } {
  const x = checkCoordinate('x', input.x, PARK_LAYOUT_WIDTH);
  const y = checkCoordinate('y', input.y, PARK_LAYOUT_HEIGHT);
  const label = input.label?.trim() ? input.label.trim() : null;
  if (label && label.length > 80)
    throw new UserInputError('Label too long', { label: ['at most 80 characters'] });
  let outline: { x: number; y: number }[] | null = null;
  if (input.outline?.length) {
    if (input.outline.length < 3 || input.outline.length > 64)
      throw new UserInputError('Outline must be a polygon', { outline: ['between 3 and 64 points'] });
    outline = input.outline.map((p, i) => ({
      x: checkCoordinate(`outline.${i}.x`, p.x, PARK_LAYOUT_WIDTH),
      y: checkCoordinate(`outline.${i}.y`, p.y, PARK_LAYOUT_HEIGHT),
    }));
  }
  return { x, y, label, outline };
}

export const ParkLayoutService = {
  /**
   * Every enterprise of the park with its position (if placed) and, for consenting members, the live
   * status the park view already shows: quota warning, open alarms, data freshness.
   */
  async layout(ctx: RequestContext, parkId: string, year: number): Promise<ParkLayout> {
    if (!Number.isInteger(year) || year < 2000 || year > 2200)
      throw new UserInputError('Invalid year', { year: ['must be between 2000 and 2200'] });
    const { overview, all, positions } = await withTenant(ctx, 'park:read', async (em) => {
      const overview = await overviewIn(em, parkId, year);
      const all = (await em.query(`SELECT id, name FROM enterprises WHERE park_id = $1 ORDER BY name, id`, [
        parkId,
      ])) as { id: string; name: string }[];
      const positions = (await em.query(
        `SELECT park_id, enterprise_id, x::text AS x, y::text AS y, label, outline, updated_at
         FROM park_layout_position WHERE park_id = $1`,
        [parkId],
      )) as PositionRow[];
      return { overview, all, positions };
    });
    const sharing = new Map(overview.enterprises.map((m) => [m.enterpriseId, m]));
    // Alarm counts only for members on which the viewer holds alarm aggregates (park admins), under RLS.
    const alarmIds = [...sharing.keys()].filter((id) =>
      ctx.auth.can('aggregates:read', { enterpriseId: id }),
    );
    const alarms = new Map<string, number>();
    if (alarmIds.length)
      await withTenant(ctx, 'aggregates:read', async (em) => {
        const rows = (await em.query(
          `SELECT enterprise_id, count(*)::int AS n FROM alarm_event
           WHERE enterprise_id = ANY($1::uuid[]) AND status <> 'cleared' GROUP BY 1`,
          [alarmIds],
        )) as { enterprise_id: string; n: number }[];
        for (const id of alarmIds) alarms.set(id, 0);
        for (const r of rows) alarms.set(r.enterprise_id, r.n);
      });
    const at = new Map(positions.map((p) => [p.enterprise_id, p]));
    const now = Date.now();
    const members = all.map((e) => {
      const m = sharing.get(e.id);
      const pos = at.get(e.id);
      const openAlarms = alarms.get(e.id) ?? null;
      const quotaWarning = m ? m.quotaWarning : null;
      const lastReadingAt = m?.lastReadingAt ?? null;
      return Object.assign(new ParkLayoutMember(), {
        enterpriseId: e.id,
        name: e.name,
        placed: !!pos,
        x: pos ? Number(pos.x) : null,
        y: pos ? Number(pos.y) : null,
        label: pos?.label ?? null,
        outline: toPoints(pos?.outline ?? null),
        sharing: !!m,
        status: layoutStatus({ sharing: !!m, quotaWarning, openAlarms, lastReadingAt, now }),
        quotaWarning,
        quotaSource: m?.quotaSource ?? null,
        openAlarms,
        lastReadingAt,
        updatedAt: pos?.updated_at ?? null,
      });
    });
    return Object.assign(new ParkLayout(), {
      parkId: overview.parkId,
      parkName: overview.parkName,
      year,
      width: PARK_LAYOUT_WIDTH,
      height: PARK_LAYOUT_HEIGHT,
      members,
    });
  },

  /** Places (or moves) a member enterprise on its park's layout: park admins of that park only. */
  setPosition(
    ctx: RequestContext,
    parkId: string,
    enterpriseId: string,
    input: { x: number; y: number; label?: string | null; outline?: ParkLayoutPointInput[] | null },
  ): Promise<ParkLayoutPosition> {
    const v = checkPosition(input);
    return withTenant(ctx, 'park:layout', async (em) => {
      const [park] = (await em.query(`SELECT id FROM parks WHERE id = $1`, [parkId])) as { id: string }[];
      if (!park) throw new NotFoundError('Park', parkId);
      const [ent] = (await em.query(`SELECT id FROM enterprises WHERE id = $1 AND park_id = $2`, [
        enterpriseId,
        parkId,
      ])) as { id: string }[];
      if (!ent) throw new NotFoundError('Enterprise', enterpriseId);
      const [before] = (await em.query(
        `SELECT park_id, enterprise_id, x::text AS x, y::text AS y, label, outline, updated_at
         FROM park_layout_position WHERE park_id = $1 AND enterprise_id = $2`,
        [parkId, enterpriseId],
      )) as PositionRow[];
      const [row] = (await em.query(
        `INSERT INTO park_layout_position (park_id, enterprise_id, x, y, label, outline, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
         ON CONFLICT (park_id, enterprise_id) DO UPDATE SET x = EXCLUDED.x, y = EXCLUDED.y, label = EXCLUDED.label,
           outline = EXCLUDED.outline, updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING park_id, enterprise_id, x::text AS x, y::text AS y, label, outline, updated_at`,
        [
          parkId,
          enterpriseId,
          v.x,
          v.y,
          v.label,
          v.outline ? JSON.stringify(v.outline) : null,
          ctx.auth.actorId,
        ],
      )) as PositionRow[];
      if (!row) throw new NotFoundError('Enterprise', enterpriseId);
      await recordAudit(em, ctx, {
        action: before ? 'update' : 'create',
        entity: 'ParkLayoutPosition',
        entityId: enterpriseId,
        enterpriseId,
        before,
        after: row,
      });
      return Object.assign(new ParkLayoutPosition(), {
        parkId: row.park_id,
        enterpriseId: row.enterprise_id,
        x: Number(row.x),
        y: Number(row.y),
        label: row.label,
        outline: toPoints(row.outline),
        updatedAt: row.updated_at,
      });
    });
  },
};
