import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { decodeCursor, toConnection } from '../../core/pagination';
import { AuditEntry } from './audit.entity';

export interface AuditRecord {
  action: string;
  entity: string;
  entityId?: string | null;
  enterpriseId: string | null;
  before?: unknown;
  after?: unknown;
}

const SECRET_KEYS = /password|secret|token|hash/i;

/** JSON-safe copy without secrets (password hashes, token hashes never reach the audit log). */
function snapshot(value: unknown): unknown {
  if (value == null) return null;
  return JSON.parse(JSON.stringify(value, (k, v) => (SECRET_KEYS.test(k) ? '[redacted]' : v)));
}

/**
 * Appends an audit row inside the caller's transaction, so the row exists iff the change committed.
 * Every mutation's service calls this once per changed row.
 */
export async function recordAudit(em: EntityManager, ctx: RequestContext, rec: AuditRecord): Promise<void> {
  const i = ctx.identity;
  await em.query(
    `INSERT INTO audit_log (actor_kind, actor_id, enterprise_id, action, entity, entity_id, before, after, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      i.kind,
      ctx.auth.actorId,
      rec.enterpriseId,
      rec.action,
      rec.entity,
      rec.entityId ?? null,
      JSON.stringify(snapshot(rec.before)),
      JSON.stringify(snapshot(rec.after)),
      ctx.requestId,
    ],
  );
}

/** Audit rows of one enterprise, newest first. */
export function listAudit(ctx: RequestContext, enterpriseId: string, first: number, after?: string | null) {
  return withTenant(ctx, 'audit:read', async (em) => {
    const qb = em
      .getRepository(AuditEntry)
      .createQueryBuilder('a')
      .where('a.enterprise_id = :enterpriseId', { enterpriseId })
      .orderBy('a.id', 'DESC')
      .limit(first + 1);
    if (after) qb.andWhere('a.id < :after', { after: decodeCursor(after) });
    const rows = await qb.getMany();
    return toConnection(rows, first, (r) => String(r.id));
  });
}
