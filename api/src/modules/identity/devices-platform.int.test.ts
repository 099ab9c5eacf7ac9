import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleHas } from '../../core/permissions';
import { startTestApi, type TestApi } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';

/** Platform admins operate devices (the admin page lists them); other non-enterprise roles do not. */
let db: TestDatabase;
let api: TestApi;
const ADDRESS = `0x${'ab'.repeat(20)}`;
const LIST = `query($e: ID!) { devices(enterpriseId: $e) { id name address revokedAt enterpriseId lastSeenAt } }`;
const SEEN = '2026-03-04T05:06:07.000Z';

beforeAll(async () => {
  db = await createTestDatabase('devices_platform');
  api = await startTestApi(db.url);
  const ds = api.server.dataSource;
  const [d] = await ds.query(
    `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'gw', $2) RETURNING id`,
    [DEMO_ENTERPRISE_ID, ADDRESS],
  );
  // Two accepted batches: last seen is the later one.
  for (const [nonce, at] of [
    ['n1', '2026-03-01T00:00:00Z'],
    ['n2', SEEN],
  ])
    await ds.query(
      `INSERT INTO device_batches (enterprise_id, device_id, nonce, received_at) VALUES ($1, $2, $3, $4)`,
      [DEMO_ENTERPRISE_ID, d.id, nonce, at],
    );
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('devices for platform admins', () => {
  it('the permission table gives PLATFORM_ADMIN devices:manage, not verifiers or operators', () => {
    expect(roleHas('PLATFORM_ADMIN', 'devices:manage')).toBe(true);
    expect(roleHas('VERIFIER', 'devices:manage')).toBe(false);
    expect(roleHas('ENTERPRISE_OPERATOR', 'devices:manage')).toBe(false);
  });

  it('a platform admin lists an enterprise’s devices; a verifier and an operator are refused', async () => {
    const platform = await api.loginAs('platform@opencep.demo');
    const r = await platform.gql<{
      devices: { name: string; address: string; enterpriseId: string; lastSeenAt: string | null }[];
    }>(LIST, {
      e: DEMO_ENTERPRISE_ID,
    });
    expect(r.errors).toBeUndefined();
    expect(r.data?.devices.map((d) => [d.name, d.address, d.enterpriseId, d.lastSeenAt])).toEqual([
      ['gw', ADDRESS, DEMO_ENTERPRISE_ID, SEEN],
    ]);
    for (const email of ['verifier@audit.demo', 'operator@plant18.demo']) {
      const s = await api.loginAs(email);
      const denied = await s.gql(LIST, { e: DEMO_ENTERPRISE_ID });
      expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});
