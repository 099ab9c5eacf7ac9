import type DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { SessionCache } from './auth-cache';
import type { EventBus } from './events';
import { type Permission, type Role, roleHas, type ScopeType } from './permissions';

/** One role granted on one scope, with the tenants that scope reaches resolved at request start. */
export interface RoleGrant {
  role: Role;
  scopeType: ScopeType;
  /** enterprise id, park id, jurisdiction code, association id; null for PLATFORM. */
  scopeId: string | null;
  /** Enterprises reached by this grant; '*' for platform scope. */
  enterpriseIds: readonly string[] | '*';
  /** Parks reached by this grant; '*' for platform scope. */
  parkIds: readonly string[] | '*';
}

export type Identity =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; sessionId: string; email: string; grants: RoleGrant[] }
  | { kind: 'apiKey'; apiKeyId: string; grants: RoleGrant[] }
  | { kind: 'device'; deviceId: string; enterpriseId: string; grants: RoleGrant[] };

export type TenantSet = readonly string[] | '*';

function union(sets: TenantSet[]): TenantSet {
  if (sets.some((s) => s === '*')) return '*';
  return [...new Set((sets as (readonly string[])[]).flat())];
}

/** Answers "may this identity exercise permission P (on tenant T)?" from its grants. */
export class Authz {
  constructor(readonly identity: Identity) {}

  get grants(): RoleGrant[] {
    return this.identity.kind === 'anonymous' ? [] : this.identity.grants;
  }
  get authenticated(): boolean {
    return this.identity.kind !== 'anonymous';
  }
  /** Stable key for rate limiting and audit. */
  get actorId(): string | null {
    const i = this.identity;
    if (i.kind === 'user') return i.userId;
    if (i.kind === 'apiKey') return i.apiKeyId;
    if (i.kind === 'device') return i.deviceId;
    return null;
  }

  private grantsWith(permission: Permission): RoleGrant[] {
    return this.grants.filter((g) => roleHas(g.role, permission));
  }
  /** Role check only (no tenant). */
  has(permission: Permission): boolean {
    return this.grantsWith(permission).length > 0;
  }
  /** Enterprises on which the permission may be exercised: what RLS is given for the transaction. */
  enterpriseIdsFor(permission: Permission): TenantSet {
    return union(this.grantsWith(permission).map((g) => g.enterpriseIds));
  }
  parkIdsFor(permission: Permission): TenantSet {
    return union(this.grantsWith(permission).map((g) => g.parkIds));
  }
  can(
    permission: Permission,
    target: { enterpriseId?: string | null; parkId?: string | null } = {},
  ): boolean {
    return this.grantsWith(permission).some(
      (g) =>
        (target.enterpriseId == null ||
          g.enterpriseIds === '*' ||
          g.enterpriseIds.includes(target.enterpriseId)) &&
        (target.parkId == null || g.parkIds === '*' || g.parkIds.includes(target.parkId)),
    );
  }
}

/** Per-request DataLoader cache: `ctx.loaders.get('site.byId', () => new DataLoader(...))`. */
export class LoaderRegistry {
  private readonly map = new Map<string, DataLoader<unknown, unknown>>();
  get<K, V>(key: string, create: () => DataLoader<K, V>): DataLoader<K, V> {
    let loader = this.map.get(key);
    if (!loader) {
      loader = create() as unknown as DataLoader<unknown, unknown>;
      this.map.set(key, loader);
    }
    return loader as unknown as DataLoader<K, V>;
  }
}

/** What every resolver and service receives first. Services never read globals. */
export interface RequestContext {
  requestId: string;
  identity: Identity;
  auth: Authz;
  /** Root DataSource; open tenant work with `withTenant(ctx, permission, em => …)` (core/db.ts). */
  db: DataSource;
  loaders: LoaderRegistry;
  log: Logger;
  events: EventBus;
  /** Shared secrets/options a service may need (JWT secret, token TTLs). */
  settings: ContextSettings;
}

export interface ContextSettings {
  jwtSecret: Uint8Array;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /**
   * Per-process session cache (core/auth-cache.ts) fed by the event bus; absent = every request looks
   * its session up. Whoever revokes a session or changes a user's grants tells it after commit.
   */
  sessionCache?: SessionCache;
}
