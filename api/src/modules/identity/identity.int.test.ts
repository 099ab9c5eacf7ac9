import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { authenticateDevice, signedBytes, verifyDeviceSignature } from './device-auth';

const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { email } } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
const ME = `query { me { kind user { email } grants { role scopeType scopeId } permissions } }`;

describe('identity: sessions, keys, devices', () => {
  let db: TestDatabase;
  let api: TestApi;
  beforeAll(async () => {
    db = await createTestDatabase('identity');
    api = await startTestApi(db.url);
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('logs in with argon2id password and rejects a wrong one without saying which part was wrong', async () => {
    const ok = await api.gql(LOGIN, { e: 'ADMIN@plant18.demo', p: 'opencep-demo' });
    expect(ok.errors).toBeUndefined();
    const bad = await api.gql(LOGIN, { e: 'admin@plant18.demo', p: 'nope' });
    const unknown = await api.gql(LOGIN, { e: 'ghost@plant18.demo', p: 'nope' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(unknown.errors?.[0]?.message).toBe(bad.errors?.[0]?.message);
    const hash = ((await db) &&
      (await api.server.dataSource.query(`SELECT password_hash FROM users LIMIT 1`))) as {
      password_hash: string;
    }[];
    expect(hash[0]?.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('access token identifies the user with its grants; anonymous me is UNAUTHENTICATED', async () => {
    const s = await api.loginAs('admin@plant18.demo');
    const me = await s.gql<{
      me: { kind: string; grants: { role: string; scopeId: string }[]; permissions: string[] };
    }>(ME);
    expect(me.data?.me.kind).toBe('user');
    expect(me.data?.me.grants).toEqual([
      { role: 'ENTERPRISE_ADMIN', scopeType: 'ENTERPRISE', scopeId: DEMO_ENTERPRISE_ID },
    ]);
    expect(me.data?.me.permissions).toContain('org:write');
    expect((await api.gql(ME)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await api.gql(ME, {}, `${s.accessToken.slice(0, -2)}xx`);
    expect(forged.status).toBe(401);
    expect(forged.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rotates refresh tokens; reuse revokes the whole family including live access tokens', async () => {
    const s = await api.loginAs('operator@plant18.demo');
    const r1 = await api.gql<{ refreshSession: { accessToken: string; refreshToken: string } }>(REFRESH, {
      t: s.refreshToken,
    });
    expect(r1.errors).toBeUndefined();
    const second = r1.data!.refreshSession;
    expect(second.refreshToken).not.toBe(s.refreshToken);
    expect((await api.gql(ME, {}, second.accessToken)).errors).toBeUndefined();

    // The first token is presented again: theft assumed, family revoked.
    const reuse = await api.gql(REFRESH, { t: s.refreshToken });
    expect(reuse.errors?.[0]?.extensions?.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await api.gql(REFRESH, { t: second.refreshToken })).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await api.gql(ME, {}, second.accessToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await api.gql(ME, {}, s.accessToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('logout revokes the session immediately', async () => {
    const s = await api.loginAs('verifier@audit.demo');
    expect((await s.gql(`mutation { logout }`)).data).toEqual({ logout: true });
    expect((await s.gql(ME)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await api.gql(REFRESH, { t: s.refreshToken })).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('API keys: hashed, prefix shown, usable via ApiKey header, revocable', async () => {
    const admin = await api.loginAs('admin@plant18.demo');
    const created = await admin.gql<{
      createApiKey: { secret: string; apiKey: { id: string; prefix: string } };
    }>(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id prefix } } }`, {
      i: { name: 'ERP sync', grant: { role: 'ENTERPRISE_OPERATOR', scopeId: DEMO_ENTERPRISE_ID } },
    });
    expect(created.errors).toBeUndefined();
    const { secret, apiKey } = created.data!.createApiKey;
    expect(secret.startsWith(`${apiKey.prefix}_`)).toBe(true);
    const stored = (await api.server.dataSource.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [
      apiKey.id,
    ])) as { key_hash: string }[];
    expect(stored[0]?.key_hash).not.toContain(secret);
    const call = () =>
      fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `ApiKey ${secret}` },
        body: JSON.stringify({ query: '{ me { kind permissions } }' }),
      }).then(
        (r) =>
          r.json() as Promise<{ data?: { me: { kind: string; permissions: string[] } }; errors?: unknown[] }>,
      );
    const me = await call();
    expect(me.data?.me.kind).toBe('apiKey');
    expect(me.data?.me.permissions).toContain('readings:write');
    expect(me.data?.me.permissions).not.toContain('org:write');
    // An operator key cannot be minted for a foreign enterprise.
    const foreign = await admin.gql(
      `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
      {
        i: {
          name: 'x',
          grant: { role: 'ENTERPRISE_ADMIN', scopeId: '00000000-0000-4000-8000-000000000000' },
        },
      },
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await admin.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: apiKey.id });
    expect(JSON.stringify(await call())).toContain('UNAUTHENTICATED');
  });

  it('class-validator failures come back as BAD_USER_INPUT with field messages', async () => {
    const admin = await api.loginAs('admin@plant18.demo');
    const r = await admin.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: {
        email: 'not-an-email',
        displayName: 'X',
        password: 'short',
        grant: { role: 'ENTERPRISE_OPERATOR', scopeId: DEMO_ENTERPRISE_ID },
      },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const fe = r.errors?.[0]?.extensions?.fieldErrors as Record<string, string[]>;
    expect(Object.keys(fe).sort()).toEqual(['email', 'password']);
    expect(fe.password?.[0]).toContain('at least 10');
  });

  it('devices: registered address verifies signed canonical batches; replayed nonce is refused', async () => {
    const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
    const admin = await api.loginAs('admin@plant18.demo');
    const reg = await admin.gql(
      `mutation($i: RegisterDeviceInput!) { registerDevice(input: $i) { id address } }`,
      {
        i: { enterpriseId: DEMO_ENTERPRISE_ID, name: 'Gateway welding', address: account.address },
      },
    );
    expect(reg.errors).toBeUndefined();
    const batch = { nonce: 'b-1', readings: [{ meter: 'M1', ts: '2025-01-01T00:00:00Z', value: '12.5' }] };
    const signature = await account.signMessage({ message: { raw: signedBytes(batch) } });
    // Key order does not matter: the canonical form is signed.
    const reordered = {
      readings: [{ value: '12.5', ts: '2025-01-01T00:00:00Z', meter: 'M1' }],
      nonce: 'b-1',
    };
    expect(await verifyDeviceSignature(account.address, reordered, signature)).toBe(true);
    expect(await verifyDeviceSignature(account.address, { ...batch, nonce: 'b-2' }, signature)).toBe(false);
    const id = await authenticateDevice(api.server.dataSource, {
      deviceAddress: account.address,
      payload: batch,
      signature,
      nonce: 'b-1',
    });
    expect(id.enterpriseId).toBe(DEMO_ENTERPRISE_ID);
    await expect(
      authenticateDevice(api.server.dataSource, {
        deviceAddress: account.address,
        payload: batch,
        signature,
        nonce: 'b-1',
      }),
    ).rejects.toMatchObject({ extensions: { code: 'CONFLICT', reason: 'REPLAY' } });
  });

  it('audit log is append-only and records mutations with before/after', async () => {
    const ds = api.server.dataSource;
    const rows = (await ds.query(
      `SELECT action, entity, actor_kind, after FROM audit_log WHERE entity = 'Device'`,
    )) as {
      actor_kind: string;
    }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]?.actor_kind).toBe('user');
    await expect(ds.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });
});
