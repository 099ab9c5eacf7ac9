import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../core/testing';

/** `users` (platform admin's user list, issue 10): platform:ops only, no password hashes. */
let db: TestDatabase;
let api: TestApi;
const Q = 'query($n: Int) { users(first: $n) { id email displayName createdAt disabledAt } }';

beforeAll(async () => {
  db = await createTestDatabase('identity_users_list');
  api = await startTestApi(db.url);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('users', () => {
  it('lists the seeded accounts for the platform admin, newest first, capped by first', async () => {
    const platform = await api.loginAs('platform@opencep.demo');
    const all = await platform.gql<{ users: { email: string; createdAt: string }[] }>(Q, {});
    expect(all.errors).toBeUndefined();
    const emails = all.data?.users.map((u) => u.email) ?? [];
    expect(emails).toEqual(expect.arrayContaining(['admin@plant18.demo', 'verifier@audit.demo']));
    const times = all.data?.users.map((u) => u.createdAt) ?? [];
    expect([...times].sort().reverse()).toEqual(times);
    const one = await platform.gql<{ users: unknown[] }>(Q, { n: 1 });
    expect(one.data?.users).toHaveLength(1);
    const bad = await platform.gql(Q, { n: 0 });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses every other role and anonymous callers', async () => {
    for (const email of ['admin@plant18.demo', 'regulator@hunan.demo', 'park@changsha.demo']) {
      const r = await (await api.loginAs(email)).gql(Q, {});
      expect(r.errors?.[0]?.extensions?.code, email).toBe('FORBIDDEN');
      expect(r.data?.users ?? null).toBeNull();
    }
    const anon = await api.gql(Q, {});
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
