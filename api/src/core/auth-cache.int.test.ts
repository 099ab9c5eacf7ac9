import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ENTERPRISE_ID } from '../seed/users';
import { SESSION_REVOKED_TOPIC } from './auth-cache';
import { publish } from './events';
import { startTestApi, type TestApi } from './testing';

const ME = `query { me { kind user { email } grants { role scopeId } } }`;
const sidOf = (jwt: string): string =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')).sid as string;

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Session cache (core/auth-cache.ts): a warm session costs no database lookup, yet revocation is
 * refused at once on every API process on the database (transactional NOTIFY on the event bus).
 * Both instances use a 60 s TTL, so only the invalidation path can explain a refusal.
 */
describe('auth: session cache with immediate revocation across API processes', () => {
  let db: TestDatabase;
  let a: TestApi;
  let b: TestApi;
  beforeAll(async () => {
    db = await createTestDatabase('auth_cache');
    a = await startTestApi(db.url, { sessionCacheTtlMs: 60_000 });
    b = await startTestApi(db.url, { sessionCacheTtlMs: 60_000, seed: false });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  it('a warm session is answered from the cache (an unannounced DB change is not looked up)', async () => {
    const s = await a.loginAs('operator@plant18.demo');
    expect((await s.gql(ME)).data?.me).toMatchObject({ kind: 'user' });
    expect(a.server.sessionCache.get(sidOf(s.accessToken))).toBeDefined();
    // Revoked behind the API's back (no NOTIFY): the cached state is still used until the TTL …
    await a.server.dataSource.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1`, [
      sidOf(s.accessToken),
    ]);
    expect((await s.gql(ME)).status).toBe(200);
    // … while a cold process looks it up and refuses.
    const cold = await b.gql(ME, {}, s.accessToken);
    expect(cold.status).toBe(401);
    expect(cold.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('logout: the next request is refused at once on the same and on a second API process, both warm', async () => {
    const s = await a.loginAs('admin@plant18.demo');
    const sid = sidOf(s.accessToken);
    expect((await a.gql(ME, {}, s.accessToken)).status).toBe(200);
    expect((await b.gql(ME, {}, s.accessToken)).status).toBe(200);
    expect(a.server.sessionCache.get(sid)).toBeDefined();
    expect(b.server.sessionCache.get(sid)).toBeDefined();

    expect((await s.gql(`mutation { logout }`)).data).toEqual({ logout: true });
    const onA = await a.gql(ME, {}, s.accessToken);
    const onB = await b.gql(ME, {}, s.accessToken);
    expect([onA.status, onA.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect([onB.status, onB.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(b.server.sessionCache.get(sid)).toBeUndefined();
  });

  it('a revocation NOTIFY from any other process drops the session everywhere', async () => {
    const s = await a.loginAs('operator@plant18.demo');
    const sid = sidOf(s.accessToken);
    expect((await a.gql(ME, {}, s.accessToken)).status).toBe(200);
    expect((await b.gql(ME, {}, s.accessToken)).status).toBe(200);
    // e.g. an admin tool revoking in its own transaction
    await a.server.dataSource.transaction(async (em) => {
      await em.query(`UPDATE sessions SET revoked_at = now(), revoke_reason = 'ops' WHERE id = $1`, [sid]);
      await publish(em, SESSION_REVOKED_TOPIC, { sessionId: sid }, null);
    });
    await until(() => !a.server.sessionCache.get(sid) && !b.server.sessionCache.get(sid));
    expect((await a.gql(ME, {}, s.accessToken)).status).toBe(401);
    expect((await b.gql(ME, {}, s.accessToken)).status).toBe(401);
  });

  it('a revoked grant takes effect at once on a warm second process', async () => {
    const admin = await a.loginAs('admin@plant18.demo');
    const op = await a.loginAs('operator@plant18.demo');
    const before = await b.gql<{ me: { grants: { role: string }[] } }>(ME, {}, op.accessToken);
    expect(before.data?.me.grants.length).toBeGreaterThan(0);
    const [userRow] = (await a.server.dataSource.query(`SELECT id FROM users WHERE email = $1`, [
      'operator@plant18.demo',
    ])) as { id: string }[];
    const granted = await admin.gql(
      `mutation($u: ID!, $g: GrantInput!) { grantRole(userId: $u, grant: $g) }`,
      { u: userRow?.id, g: { role: 'ENTERPRISE_ADMIN', scopeId: DEMO_ENTERPRISE_ID } },
    );
    expect(granted.errors).toBeUndefined();
    const after = await b.gql<{ me: { grants: { role: string }[] } }>(ME, {}, op.accessToken);
    expect(after.data?.me.grants.map((g) => g.role)).toContain('ENTERPRISE_ADMIN');
    expect(after.data?.me.grants.length).toBe((before.data?.me.grants.length ?? 0) + 1);
  });

  it('a revoked API key is refused at once on both warm processes', async () => {
    const admin = await a.loginAs('admin@plant18.demo');
    const created = await admin.gql<{
      createApiKey: { secret: string; apiKey: { id: string; prefix: string } };
    }>(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id prefix } } }`, {
      i: { name: 'cache-test', grant: { role: 'ENTERPRISE_OPERATOR', scopeId: DEMO_ENTERPRISE_ID } },
    });
    const { secret, apiKey } = created.data!.createApiKey;
    const call = (api: TestApi, key = secret) =>
      fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `ApiKey ${key}` },
        body: JSON.stringify({ query: '{ me { kind } }' }),
      }).then(async (r) => ({ status: r.status, body: await r.text() }));
    expect((await call(a)).status).toBe(200);
    expect((await call(b)).status).toBe(200);
    expect(b.server.sessionCache.getApiKey(apiKey.prefix)).toBeDefined();
    // The cached key still checks the presented secret: same prefix, wrong secret → refused.
    const wrong = await call(b, `${apiKey.prefix}_${'A'.repeat(32)}`);
    expect(wrong.status).toBe(401);
    await admin.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: apiKey.id });
    for (const api of [a, b]) {
      const r = await call(api);
      expect(r.status).toBe(401);
      expect(r.body).toContain('UNAUTHENTICATED');
    }
  });

  it('PARK-scoped identities are not cached: their reach follows the org tables live', async () => {
    const park = await a.loginAs('park@changsha.demo');
    expect((await park.gql(ME)).status).toBe(200);
    expect(a.server.sessionCache.get(sidOf(park.accessToken))).toBeUndefined();
  });

  it('while the LISTEN connection is down the cache is off, so revocations are never missed', async () => {
    const s = await a.loginAs('operator@plant18.demo');
    const sid = sidOf(s.accessToken);
    expect((await s.gql(ME)).status).toBe(200);
    expect(a.server.sessionCache.isEnabled).toBe(true);
    // Kill both processes' LISTEN backends on this test database only.
    await a.server.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'opencep-api-listen' AND datname = current_database()`,
    );
    await until(() => !a.server.sessionCache.isEnabled);
    expect(a.server.sessionCache.size).toBe(0);
    await a.server.dataSource.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1`, [sid]);
    expect((await s.gql(ME)).status).toBe(401);
    // The bus reconnects and the cache is trusted again.
    await until(() => a.server.sessionCache.isEnabled && b.server.sessionCache.isEnabled, 10_000);
    const fresh = await a.loginAs('operator@plant18.demo');
    expect((await fresh.gql(ME)).status).toBe(200);
    expect(a.server.sessionCache.get(sidOf(fresh.accessToken))).toBeDefined();
  });
});
