import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext, TenantSet } from './context';
import type { Permission } from './permissions';

/** Postgres role the API switches to inside tenant transactions; RLS applies to it (not an owner). */
export const APP_DB_ROLE = 'opencep_app';

export interface TenantScope {
  enterpriseIds: TenantSet;
  parkIds: TenantSet;
  actor?: string | null;
}

async function applyScope(em: EntityManager, scope: TenantScope): Promise<void> {
  const list = (s: TenantSet) => (s === '*' ? '' : s.join(','));
  await em.query(`SET LOCAL ROLE ${APP_DB_ROLE}`);
  await em.query(
    `SELECT set_config('app.enterprise_ids', $1, true), set_config('app.all_enterprises', $2, true),
            set_config('app.park_ids', $3, true), set_config('app.all_parks', $4, true),
            set_config('app.actor', $5, true)`,
    [
      list(scope.enterpriseIds),
      scope.enterpriseIds === '*' ? 'on' : 'off',
      list(scope.parkIds),
      scope.parkIds === '*' ? 'on' : 'off',
      scope.actor ?? '',
    ],
  );
}

/**
 * Runs `fn` in one transaction as the non-owner role `opencep_app`, with RLS scoped to the tenants on
 * which the identity holds `permission`. Everything a request reads or writes in tenant tables goes
 * through here, so a missed `WHERE enterprise_id` cannot leak another tenant's rows.
 */
export function withTenant<T>(
  ctx: RequestContext,
  permission: Permission,
  fn: (em: EntityManager) => Promise<T>,
): Promise<T> {
  return withScope(
    ctx.db,
    {
      enterpriseIds: ctx.auth.enterpriseIdsFor(permission),
      parkIds: ctx.auth.parkIdsFor(permission),
      actor: ctx.auth.actorId,
    },
    fn,
  );
}

/** Same as withTenant with an explicit scope (jobs, seeds, device ingest). */
export function withScope<T>(
  ds: DataSource,
  scope: TenantScope,
  fn: (em: EntityManager) => Promise<T>,
): Promise<T> {
  return ds.transaction(async (em) => {
    await applyScope(em, scope);
    return fn(em);
  });
}

/**
 * System transaction without tenant scope (connection role, RLS bypassed). Only for identity
 * bootstrap (login, token refresh, resolving grants) and migrations-adjacent jobs.
 */
export function withSystem<T>(ds: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction(fn);
}
