import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { jwtVerify, SignJWT } from 'jose';
import type { DataSource, EntityManager } from 'typeorm';
import type { ContextSettings, Identity, RequestContext, RoleGrant } from '../../core/context';
import { API_KEY_CHANGED_TOPIC, SESSION_REVOKED_TOPIC, USER_CHANGED_TOPIC } from '../../core/auth-cache';
import { withSystem, withTenant } from '../../core/db';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  UserInputError,
} from '../../core/errors';
import { publish } from '../../core/events';
import {
  type Permission,
  ROLE_PERMISSIONS,
  ROLE_SCOPE,
  type Role,
  type ScopeType,
} from '../../core/permissions';
import { recordAudit } from '../audit/audit.service';
import { ApiKey, Device, User } from './identity.entity';
import type { CreateApiKeyInput, CreateUserInput, GrantInput, RegisterDeviceInput } from './identity.inputs';
import type { AuthPayload, Grant, Viewer } from './identity.types';

const ISSUER = 'opencep';
const AUDIENCE = 'opencep-api';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** argon2id with the library defaults (19 MiB, t=2, p=1: OWASP minimum). */
export const hashPassword = (password: string): Promise<string> => argonHash(password);

interface GrantRow {
  id: string;
  role: Role;
  scope_type: ScopeType;
  scope_id: string | null;
}

/** Resolves stored grants to the tenants they reach (park → its enterprises, jurisdiction → its parks…). */
export async function resolveGrants(
  db: Pick<DataSource, 'query'> | EntityManager,
  rows: GrantRow[],
): Promise<RoleGrant[]> {
  const parkIds = rows.filter((r) => r.scope_type === 'PARK').map((r) => r.scope_id as string);
  const jurisdictions = rows.filter((r) => r.scope_type === 'JURISDICTION').map((r) => r.scope_id as string);
  let reach: { enterprise_id: string | null; park_id: string; jurisdiction: string }[] = [];
  if (parkIds.length || jurisdictions.length) {
    reach = await db.query(
      `SELECT e.id AS enterprise_id, p.id::text AS park_id, p.jurisdiction
         FROM parks p LEFT JOIN enterprises e ON e.park_id = p.id
        WHERE p.id::text = ANY($1) OR p.jurisdiction = ANY($2)`,
      [parkIds, jurisdictions],
    );
  }
  const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))];
  return rows.map((r): RoleGrant => {
    const base = { role: r.role, scopeType: r.scope_type, scopeId: r.scope_id };
    switch (r.scope_type) {
      case 'PLATFORM':
        return { ...base, enterpriseIds: '*', parkIds: '*' };
      case 'ENTERPRISE':
        return { ...base, enterpriseIds: [r.scope_id as string], parkIds: [] };
      case 'PARK': {
        const inPark = reach.filter((x) => x.park_id === r.scope_id);
        return {
          ...base,
          enterpriseIds: uniq(inPark.map((x) => x.enterprise_id)),
          parkIds: [r.scope_id as string],
        };
      }
      case 'JURISDICTION': {
        const inJ = reach.filter((x) => x.jurisdiction === r.scope_id);
        return {
          ...base,
          enterpriseIds: uniq(inJ.map((x) => x.enterprise_id)),
          parkIds: uniq(inJ.map((x) => x.park_id)),
        };
      }
      default:
        return { ...base, enterpriseIds: [], parkIds: [] };
    }
  });
}

async function issueTokens(
  em: EntityManager,
  settings: ContextSettings,
  user: User,
  sessionId: string,
): Promise<AuthPayload> {
  const now = Math.floor(Date.now() / 1000);
  const accessTokenExpiresAt = new Date((now + settings.accessTokenTtlSeconds) * 1000);
  const accessToken = await new SignJWT({ sid: sessionId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setJti(randomUUID())
    .setExpirationTime(now + settings.accessTokenTtlSeconds)
    .sign(settings.jwtSecret);
  const refreshToken = `ocr_${randomBytes(32).toString('base64url')}`;
  const refreshTokenExpiresAt = new Date(Date.now() + settings.refreshTokenTtlSeconds * 1000);
  await em.query(`INSERT INTO refresh_tokens (session_id, token_hash, expires_at) VALUES ($1, $2, $3)`, [
    sessionId,
    sha256(refreshToken),
    refreshTokenExpiresAt,
  ]);
  return { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt, user };
}

/** Revokes in the transaction; the NOTIFY (sent on commit) drops the session from every API process's cache. */
async function revokeSession(em: EntityManager, sessionId: string, reason: string): Promise<void> {
  await em.query(
    `UPDATE sessions SET revoked_at = now(), revoke_reason = $2 WHERE id = $1 AND revoked_at IS NULL`,
    [sessionId, reason],
  );
  await publish(em, SESSION_REVOKED_TOPIC, { sessionId }, null);
}

/** The user's grants changed: cached sessions of theirs are dropped on commit (every process). */
async function announceUserChanged(em: EntityManager, userId: string): Promise<void> {
  await publish(em, USER_CHANGED_TOPIC, { userId }, null);
}

function checkGrantScope(ctx: RequestContext, permission: Permission, grant: GrantInput): void {
  const scopeType = ROLE_SCOPE[grant.role];
  if (grant.role === 'DEVICE')
    throw new UserInputError('DEVICE is implied by device keys', { 'grant.role': ['not assignable'] });
  if (scopeType === 'PLATFORM' ? grant.scopeId : !grant.scopeId) {
    throw new UserInputError('scopeId is required except for PLATFORM_ADMIN', {
      'grant.scopeId': ['invalid for role'],
    });
  }
  const allowed =
    scopeType === 'ENTERPRISE'
      ? ctx.auth.can(permission, { enterpriseId: grant.scopeId })
      : ctx.auth.enterpriseIdsFor(permission) === '*';
  if (!allowed) throw new ForbiddenError(`No ${permission} for that scope`);
}

async function insertGrant(
  em: EntityManager,
  owner: { userId?: string; apiKeyId?: string },
  grant: GrantInput,
) {
  await em.query(
    `INSERT INTO role_grants (user_id, api_key_id, role, scope_type, scope_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [owner.userId ?? null, owner.apiKeyId ?? null, grant.role, ROLE_SCOPE[grant.role], grant.scopeId ?? null],
  );
}

/** Sessions, tokens, users, API keys and devices. */
export const IdentityService = {
  async login(
    ds: DataSource,
    settings: ContextSettings,
    email: string,
    password: string,
  ): Promise<AuthPayload> {
    // The password check (argon2, tens of ms) runs before the transaction so it holds no pooled connection.
    const user = await ds
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    // Verify against a dummy hash when the user is unknown so timing does not reveal accounts.
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await argonVerify(user?.passwordHash ?? (await dummyHash), password).catch(() => false);
    if (!user || !ok || user.disabledAt) throw new UnauthenticatedError('Invalid email or password');
    return withSystem(ds, async (em) => {
      // Re-checked under a row lock: a user disabled during the password check gets no session.
      const [still] = (await em.query(`SELECT disabled_at FROM users WHERE id = $1 FOR SHARE`, [
        user.id,
      ])) as {
        disabled_at: Date | null;
      }[];
      if (!still || still.disabled_at) throw new UnauthenticatedError('Invalid email or password');
      const [{ id: sessionId }] = (await em.query(`INSERT INTO sessions (user_id) VALUES ($1) RETURNING id`, [
        user.id,
      ])) as [{ id: string }];
      return issueTokens(em, settings, user, sessionId);
    });
  },

  /**
   * Rotates a refresh token. A token presented twice means it leaked: the whole session (token
   * family) is revoked and REFRESH_TOKEN_REUSED is returned to both holders.
   */
  async refresh(ds: DataSource, settings: ContextSettings, refreshToken: string): Promise<AuthPayload> {
    const outcome = await withSystem(ds, async (em) => {
      const rows = (await em.query(
        `SELECT t.id, t.session_id, t.used_at, t.expires_at, s.revoked_at, s.user_id
           FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
          WHERE t.token_hash = $1 FOR UPDATE OF t, s`,
        [sha256(refreshToken)],
      )) as {
        id: string;
        session_id: string;
        used_at: Date | null;
        expires_at: Date;
        revoked_at: Date | null;
        user_id: string;
      }[];
      const t = rows[0];
      if (!t || t.revoked_at) return { error: new UnauthenticatedError('Refresh token is not valid') };
      if (t.used_at) {
        const echo = settings.sessionCache?.echo(SESSION_REVOKED_TOPIC, t.session_id);
        await revokeSession(em, t.session_id, 'refresh token reuse');
        return {
          revokedSessionId: t.session_id,
          echo,
          error: new UnauthenticatedError(
            'Refresh token was already used; session revoked',
            'REFRESH_TOKEN_REUSED',
          ),
        };
      }
      if (t.expires_at.getTime() < Date.now())
        return { error: new UnauthenticatedError('Refresh token expired') };
      await em.query(`UPDATE refresh_tokens SET used_at = now() WHERE id = $1`, [t.id]);
      const user = await em.getRepository(User).findOneBy({ id: t.user_id });
      if (!user || user.disabledAt) return { error: new UnauthenticatedError('User disabled') };
      return { payload: await issueTokens(em, settings, user, t.session_id) };
    });
    // Errors are returned, not thrown, so the reuse revocation above commits.
    if (outcome.error) {
      if (outcome.revokedSessionId) {
        settings.sessionCache?.revokeSession(outcome.revokedSessionId);
        await outcome.echo;
      }
      throw outcome.error;
    }
    return outcome.payload as AuthPayload;
  },

  /** Revokes the caller's session: refresh tokens die now, access tokens on their next request. */
  async logout(ctx: RequestContext): Promise<boolean> {
    if (ctx.identity.kind !== 'user') throw new ForbiddenError('Only user sessions can log out');
    const sessionId = ctx.identity.sessionId;
    const cache = ctx.settings.sessionCache;
    const echo = cache?.echo(SESSION_REVOKED_TOPIC, sessionId);
    await withSystem(ctx.db, (em) => revokeSession(em, sessionId, 'logout'));
    // This process drops it now; the others when the NOTIFY arrives, which we wait to see come back.
    cache?.revokeSession(sessionId);
    await echo;
    return true;
  },

  /** Identity for `Authorization: Bearer <jwt>` or `ApiKey <key>` (also `x-api-key`); anonymous when absent. */
  async authenticate(
    ds: DataSource,
    settings: ContextSettings,
    authorization: string | undefined,
  ): Promise<Identity> {
    if (!authorization) return { kind: 'anonymous' };
    const [scheme, credential] = authorization.trim().split(/\s+/, 2);
    if (!credential) throw new UnauthenticatedError('Malformed Authorization header');
    if (scheme?.toLowerCase() === 'bearer') return authenticateJwt(ds, settings, credential);
    if (scheme?.toLowerCase() === 'apikey') return authenticateApiKey(ds, settings, credential);
    throw new UnauthenticatedError('Unsupported Authorization scheme');
  },

  viewer(ctx: RequestContext): Viewer {
    const i = ctx.identity;
    const grants: Grant[] = ctx.auth.grants.map((g) => ({
      id: (g as RoleGrant & { id?: string }).id ?? null,
      role: g.role,
      scopeType: g.scopeType,
      scopeId: g.scopeId,
    }));
    const permissions = [...new Set(ctx.auth.grants.flatMap((g) => ROLE_PERMISSIONS[g.role]))];
    const user = i.kind === 'user' ? ({ id: i.userId, email: i.email } as User) : null;
    return { kind: i.kind, user, grants, permissions };
  },

  /** Platform operations only (the resolver requires platform:ops): no tenant data, no hashes. */
  async listUsers(ctx: RequestContext, first: number): Promise<User[]> {
    if (!Number.isInteger(first) || first < 1 || first > 500)
      throw new UserInputError('first must be 1–500', { first: ['range'] });
    return ctx.db.getRepository(User).find({ order: { createdAt: 'DESC' }, take: first });
  },

  async userById(ds: DataSource, id: string): Promise<User | null> {
    return ds.getRepository(User).findOneBy({ id });
  },

  async createUser(ctx: RequestContext, input: CreateUserInput): Promise<User> {
    checkGrantScope(ctx, 'users:manage', input.grant);
    // Hashed before the transaction so argon2 holds no pooled connection.
    const passwordHash = await hashPassword(input.password);
    return withTenant(ctx, 'users:manage', async (em) => {
      const exists = await em.query(`SELECT 1 FROM users WHERE lower(email) = lower($1)`, [input.email]);
      if (exists.length) throw new ConflictError('A user with this email exists', { reason: 'EMAIL_TAKEN' });
      const repo = em.getRepository(User);
      const user = await repo.save(
        repo.create({
          email: input.email,
          displayName: input.displayName,
          passwordHash,
        }),
      );
      await insertGrant(em, { userId: user.id }, input.grant);
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'User',
        entityId: user.id,
        enterpriseId: ROLE_SCOPE[input.grant.role] === 'ENTERPRISE' ? (input.grant.scopeId ?? null) : null,
        after: { email: user.email, displayName: user.displayName, grant: input.grant },
      });
      return user;
    });
  },

  async grantRole(ctx: RequestContext, userId: string, grant: GrantInput): Promise<boolean> {
    checkGrantScope(ctx, 'users:manage', grant);
    const echo = ctx.settings.sessionCache?.echo(USER_CHANGED_TOPIC, userId);
    const done = await withTenant(ctx, 'users:manage', async (em) => {
      const user = await em.getRepository(User).findOneBy({ id: userId });
      if (!user) throw new NotFoundError('User', userId);
      await insertGrant(em, { userId }, grant);
      await announceUserChanged(em, userId);
      await recordAudit(em, ctx, {
        action: 'grant',
        entity: 'User',
        entityId: userId,
        enterpriseId: ROLE_SCOPE[grant.role] === 'ENTERPRISE' ? (grant.scopeId ?? null) : null,
        after: grant,
      });
      return true;
    });
    ctx.settings.sessionCache?.invalidateUser(userId);
    await echo;
    return done;
  },

  async revokeGrant(ctx: RequestContext, grantId: string): Promise<boolean> {
    let userId: string | null = null;
    let apiKeyId: string | null = null;
    let echo: Promise<void> | undefined;
    const done = await withTenant(ctx, 'users:manage', async (em) => {
      const [row] = (await em.query(
        `SELECT id, role, scope_type, scope_id, user_id, api_key_id FROM role_grants WHERE id = $1`,
        [grantId],
      )) as (GrantRow & { user_id: string | null; api_key_id: string | null })[];
      if (!row) throw new NotFoundError('Grant', grantId);
      checkGrantScope(ctx, 'users:manage', { role: row.role, scopeId: row.scope_id ?? undefined });
      await em.query(`DELETE FROM role_grants WHERE id = $1`, [grantId]);
      userId = row.user_id;
      apiKeyId = row.api_key_id;
      const cache = ctx.settings.sessionCache;
      if (row.user_id) {
        echo = cache?.echo(USER_CHANGED_TOPIC, row.user_id);
        await announceUserChanged(em, row.user_id);
      }
      if (row.api_key_id) {
        echo = cache?.echo(API_KEY_CHANGED_TOPIC, row.api_key_id);
        await publish(em, API_KEY_CHANGED_TOPIC, { apiKeyId: row.api_key_id }, null);
      }
      await recordAudit(em, ctx, {
        action: 'revoke',
        entity: 'Grant',
        entityId: grantId,
        enterpriseId: row.scope_type === 'ENTERPRISE' ? row.scope_id : null,
        before: { id: row.id, role: row.role, scope_type: row.scope_type, scope_id: row.scope_id },
      });
      return true;
    });
    if (userId) ctx.settings.sessionCache?.invalidateUser(userId);
    if (apiKeyId) ctx.settings.sessionCache?.invalidateApiKey(apiKeyId);
    await echo;
    return done;
  },

  createApiKey(ctx: RequestContext, input: CreateApiKeyInput): Promise<{ apiKey: ApiKey; secret: string }> {
    checkGrantScope(ctx, 'apikeys:manage', input.grant);
    return withTenant(ctx, 'apikeys:manage', async (em) => {
      const prefix = `ock_${randomBytes(4).toString('hex')}`;
      const secret = `${prefix}_${randomBytes(24).toString('base64url')}`;
      const repo = em.getRepository(ApiKey);
      const apiKey = await repo.save(
        repo.create({
          name: input.name,
          prefix,
          keyHash: sha256(secret),
          createdBy: ctx.identity.kind === 'user' ? ctx.identity.userId : null,
        }),
      );
      await insertGrant(em, { apiKeyId: apiKey.id }, input.grant);
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'ApiKey',
        entityId: apiKey.id,
        enterpriseId: ROLE_SCOPE[input.grant.role] === 'ENTERPRISE' ? (input.grant.scopeId ?? null) : null,
        after: { name: input.name, prefix, grant: input.grant },
      });
      return { apiKey, secret };
    });
  },

  /** Keys whose grants reach `enterpriseId`. */
  listApiKeys(ctx: RequestContext, enterpriseId: string): Promise<ApiKey[]> {
    return withTenant(ctx, 'apikeys:manage', (em) =>
      em
        .getRepository(ApiKey)
        .createQueryBuilder('k')
        .where(
          `EXISTS (SELECT 1 FROM role_grants g WHERE g.api_key_id = k.id AND g.scope_type = 'ENTERPRISE' AND g.scope_id = :e)`,
          {
            e: enterpriseId,
          },
        )
        .orderBy('k.created_at', 'DESC')
        .getMany(),
    );
  },

  async revokeApiKey(ctx: RequestContext, id: string): Promise<ApiKey> {
    const echo = ctx.settings.sessionCache?.echo(API_KEY_CHANGED_TOPIC, id);
    const revoked = await withTenant(ctx, 'apikeys:manage', async (em) => {
      const key = await em.getRepository(ApiKey).findOneBy({ id });
      const grants = (await em.query(
        `SELECT id, role, scope_type, scope_id FROM role_grants WHERE api_key_id = $1`,
        [id],
      )) as GrantRow[];
      const mine = grants.every((g) => {
        try {
          checkGrantScope(ctx, 'apikeys:manage', { role: g.role, scopeId: g.scope_id ?? undefined });
          return true;
        } catch {
          return false;
        }
      });
      // A key outside the caller's tenants is reported as absent, like RLS-hidden rows.
      if (!key || !mine) throw new NotFoundError('ApiKey', id);
      key.revokedAt = new Date();
      const saved = await em.getRepository(ApiKey).save(key);
      await publish(em, API_KEY_CHANGED_TOPIC, { apiKeyId: id }, null);
      const enterpriseId = grants.find((g) => g.scope_type === 'ENTERPRISE')?.scope_id ?? null;
      await recordAudit(em, ctx, {
        action: 'revoke',
        entity: 'ApiKey',
        entityId: id,
        enterpriseId,
        after: { revokedAt: saved.revokedAt },
      });
      return saved;
    });
    // This process drops it now; the others when the NOTIFY arrives.
    ctx.settings.sessionCache?.invalidateApiKey(id);
    await echo;
    return revoked;
  },

  registerDevice(ctx: RequestContext, input: RegisterDeviceInput): Promise<Device> {
    return withTenant(ctx, 'devices:manage', async (em) => {
      const repo = em.getRepository(Device);
      const address = input.address.toLowerCase();
      const taken = await em.query(`SELECT 1 FROM devices WHERE address = $1`, [address]);
      if (taken.length)
        throw new ConflictError('Device address already registered', { reason: 'DEVICE_EXISTS' });
      const device = await repo.save(
        repo.create({ enterpriseId: input.enterpriseId, name: input.name, address }),
      );
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'Device',
        entityId: device.id,
        enterpriseId: device.enterpriseId,
        after: device,
      });
      return device;
    });
  },

  listDevices(ctx: RequestContext, enterpriseId: string): Promise<Device[]> {
    return withTenant(ctx, 'devices:manage', (em) =>
      em.getRepository(Device).find({ where: { enterpriseId }, order: { createdAt: 'ASC' } }),
    );
  },

  revokeDevice(ctx: RequestContext, id: string): Promise<Device> {
    return withTenant(ctx, 'devices:manage', async (em) => {
      const device = await em.getRepository(Device).findOneBy({ id });
      if (!device) throw new NotFoundError('Device', id);
      const before = { ...device };
      device.revokedAt = new Date();
      const saved = await em.getRepository(Device).save(device);
      await recordAudit(em, ctx, {
        action: 'revoke',
        entity: 'Device',
        entityId: id,
        enterpriseId: device.enterpriseId,
        before,
        after: saved,
      });
      return saved;
    });
  },
};

// Hash of a random string, verified for unknown emails so timing does not reveal which accounts exist.
let dummyHash: Promise<string> | null = null;

async function loadGrants(
  ds: DataSource,
  column: 'user_id' | 'api_key_id',
  id: string,
): Promise<RoleGrant[]> {
  const rows = (await ds.query(
    `SELECT id, role, scope_type, scope_id FROM role_grants WHERE ${column} = $1`,
    [id],
  )) as GrantRow[];
  const resolved = await resolveGrants(ds, rows);
  return resolved.map((g, i) => Object.assign(g, { id: rows[i]?.id }));
}

/**
 * PARK and JURISDICTION grants reach whatever enterprises the org tables place under them right now
 * (a new enterprise in the park is visible at once), so identities holding one are not cached;
 * ENTERPRISE and PLATFORM grants do not depend on other rows.
 */
const cacheable = (grants: RoleGrant[]): boolean =>
  grants.every((g) => g.scopeType === 'ENTERPRISE' || g.scopeType === 'PLATFORM');

async function authenticateJwt(ds: DataSource, settings: ContextSettings, token: string): Promise<Identity> {
  let sub: string;
  let sid: string;
  try {
    const { payload } = await jwtVerify(token, settings.jwtSecret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    sub = String(payload.sub);
    sid = String(payload.sid);
  } catch {
    throw new UnauthenticatedError('Access token is invalid or expired');
  }
  // Signature and expiry were checked above; the session state comes from the cache when warm.
  const cache = settings.sessionCache;
  const hit = cache?.get(sid);
  if (hit && hit.userId === sub)
    return { kind: 'user', userId: sub, sessionId: sid, email: hit.email, grants: hit.grants };
  const generation = cache?.generation ?? 0;
  const rows = (await ds.query(
    `SELECT u.email, u.disabled_at, s.revoked_at FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = $1 AND u.id = $2`,
    [sid, sub],
  )) as { email: string; disabled_at: Date | null; revoked_at: Date | null }[];
  const row = rows[0];
  if (!row || row.revoked_at || row.disabled_at) throw new UnauthenticatedError('Session revoked');
  const grants = await loadGrants(ds, 'user_id', sub);
  if (cacheable(grants)) cache?.set(sid, { userId: sub, email: row.email, grants }, generation);
  return { kind: 'user', userId: sub, sessionId: sid, email: row.email, grants };
}

async function authenticateApiKey(ds: DataSource, settings: ContextSettings, key: string): Promise<Identity> {
  const prefix = key.split('_').slice(0, 2).join('_');
  const presented = Buffer.from(sha256(key), 'hex');
  const cache = settings.sessionCache;
  const hit = cache?.getApiKey(prefix);
  if (hit) {
    if (!timingSafeEqual(presented, Buffer.from(hit.keyHash, 'hex')))
      throw new UnauthenticatedError('API key is invalid or revoked');
    return { kind: 'apiKey', apiKeyId: hit.apiKeyId, grants: hit.grants };
  }
  const generation = cache?.generation ?? 0;
  const rows = (await ds.query(`SELECT id, key_hash, revoked_at FROM api_keys WHERE prefix = $1`, [
    prefix,
  ])) as {
    id: string;
    key_hash: string;
    revoked_at: Date | null;
  }[];
  const row = rows[0];
  if (!row || row.revoked_at || !timingSafeEqual(presented, Buffer.from(row.key_hash, 'hex'))) {
    throw new UnauthenticatedError('API key is invalid or revoked');
  }
  // With the cache on, last_used_at is refreshed on each lookup (at most once per TTL per process).
  await ds.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [row.id]);
  const grants = await loadGrants(ds, 'api_key_id', row.id);
  if (cacheable(grants))
    cache?.setApiKey(prefix, { apiKeyId: row.id, keyHash: row.key_hash, grants }, generation);
  return { kind: 'apiKey', apiKeyId: row.id, grants };
}
