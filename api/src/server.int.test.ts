import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from './core/db';
import { startTestApi, type TestApi } from './core/testing';
import { DEMO_ENTERPRISE_ID, demoId } from './seed/users';

describe('API server: limits, health, RLS, subscriptions across instances', () => {
  let db: TestDatabase;
  let a: TestApi;
  let b: TestApi;
  beforeAll(async () => {
    db = await createTestDatabase('api_server');
    a = await startTestApi(db.url, { maxDepth: 6, maxComplexity: 300, bodyLimitBytes: 16_384 });
    b = await startTestApi(db.url, { seed: false, rateLimit: { capacity: 3, refillPerSecond: 0.01 } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('serves /healthz and /readyz (migrations applied)', async () => {
    const base = a.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves the offline GraphQL console in development', async () => {
    const r = await fetch(a.url, { headers: { accept: 'text/html' } });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('OpenCEP GraphQL');
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|embeddable)/);
  });

  it('rejects too-deep, too-complex and too-large requests with clear codes', async () => {
    const s = await a.loginAs('admin@plant18.demo');
    const deep = await s.gql(
      `{ enterprise(id: "${DEMO_ENTERPRISE_ID}") { sites { areas { lines { equipment { id } } } } } }`,
    );
    expect(deep.errors).toBeUndefined();
    const tooDeep = await s.gql(
      `{ parks { edges { node { enterprises { sites { areas { lines { equipment { id } } } } } } } } }`,
    );
    expect(tooDeep.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
    const tooComplex = await s.gql(
      `{ enterprises(first: 100) { edges { node { id name industry createdAt } } } }`,
    );
    expect(tooComplex.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const big = await s.gql(`{ me { kind } }`, { pad: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(big.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rate limits per identity with RATE_LIMITED', async () => {
    const s = await b.loginAs('operator@plant18.demo'); // anonymous bucket: 1 token used
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) codes.push((await s.gql(`{ me { kind } }`)).errors?.[0]?.extensions?.code);
    expect(codes.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(codes[3]).toBe('RATE_LIMITED');
  });

  it('hides internals: unknown failures are INTERNAL_SERVER_ERROR without details', async () => {
    const s = await a.loginAs('admin@plant18.demo');
    const r = await s.gql(`{ site(id: "not-a-uuid") { id } }`);
    // Postgres 22P02 (malformed UUID) is mapped to BAD_USER_INPUT by formatError, still without details.
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toBe('Invalid input syntax');
  });

  it('RLS: a tenant transaction sees only its enterprises, even with no WHERE clause', async () => {
    const ds = a.server.dataSource;
    const other = (await ds.query(
      `INSERT INTO parks (name, jurisdiction) VALUES ('P2', 'CN-X') RETURNING id`,
    )) as { id: string }[];
    const ent = (await ds.query(`INSERT INTO enterprises (park_id, name) VALUES ($1, 'Other') RETURNING id`, [
      other[0]?.id,
    ])) as {
      id: string;
    }[];
    await ds.query(`INSERT INTO sites (enterprise_id, name) VALUES ($1, 'Other site')`, [ent[0]?.id]);
    const seen = await withScope(ds, { enterpriseIds: [DEMO_ENTERPRISE_ID], parkIds: [] }, (em) =>
      em.query(`SELECT DISTINCT enterprise_id FROM sites`),
    );
    expect(seen).toEqual([{ enterprise_id: DEMO_ENTERPRISE_ID }]);
    await expect(
      withScope(ds, { enterpriseIds: [DEMO_ENTERPRISE_ID], parkIds: [] }, (em) =>
        em.query(`INSERT INTO sites (enterprise_id, name) VALUES ($1, 'sneaky')`, [ent[0]?.id]),
      ),
    ).rejects.toThrow(/row-level security/);
    const none = await withScope(ds, { enterpriseIds: [], parkIds: [] }, (em) =>
      em.query(`SELECT count(*)::int n FROM equipment`),
    );
    expect(none).toEqual([{ n: 0 }]);
  });

  it('org CRUD with validation and audit; a subscription on instance A receives events published via instance B', async () => {
    const adminA = await a.loginAs('admin@plant18.demo');
    const adminB = await a.loginAs('admin@plant18.demo');
    const client = a.ws(adminA.accessToken);
    const received: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const stop = client.subscribe(
        { query: `subscription { orgChanged { kind action id enterpriseId } }` },
        {
          next: (msg) => {
            received.push(msg);
            stop();
            resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    // Wait until the subscription is registered on instance A before publishing through B.
    for (let i = 0; i < 100 && a.server.events.subscriberCount === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    const bad = await b.gql(
      `mutation($i: CreateEquipmentInput!) { createEquipment(input: $i) { id } }`,
      { i: { lineId: demoId('line:Paint line'), code: 'has space', name: '' } },
      adminB.accessToken,
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(bad.errors?.[0]?.extensions?.fieldErrors as object).sort()).toEqual(['code', 'name']);
    const created = await b.gql<{
      createEquipment: { id: string; enterpriseId: string; ratedPowerKw: string };
    }>(
      `mutation($i: CreateEquipmentInput!) { createEquipment(input: $i) { id enterpriseId ratedPowerKw } }`,
      {
        i: {
          lineId: demoId('line:Paint line'),
          code: 'PNT-B02',
          name: 'Spray booth 2',
          ratedPowerKw: '55.125',
        },
      },
      adminB.accessToken,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createEquipment).toMatchObject({
      enterpriseId: DEMO_ENTERPRISE_ID,
      ratedPowerKw: '55.125',
    });
    await done;
    expect(received[0]).toEqual({
      data: {
        orgChanged: {
          kind: 'Equipment',
          action: 'CREATED',
          id: created.data?.createEquipment.id,
          enterpriseId: DEMO_ENTERPRISE_ID,
        },
      },
    });
    const dup = await b.gql(
      `mutation($i: CreateEquipmentInput!) { createEquipment(input: $i) { id } }`,
      { i: { lineId: demoId('line:Paint line'), code: 'PNT-B02', name: 'again' } },
      adminB.accessToken,
    );
    expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'DUPLICATE' });
    const audit = await adminA.gql<{
      auditLog: { edges: { node: { action: string; entity: string; after: { code: string } } }[] };
    }>(`query($e: ID!) { auditLog(enterpriseId: $e, first: 5) { edges { node { action entity after } } } }`, {
      e: DEMO_ENTERPRISE_ID,
    });
    expect(audit.data?.auditLog.edges[0]?.node).toMatchObject({
      action: 'create',
      entity: 'Equipment',
      after: { code: 'PNT-B02' },
    });
  });

  it('subscriptions need the permission of their rule (park admin has no org:read)', async () => {
    const park = await a.loginAs('park@changsha.demo');
    const client = a.ws(park.accessToken);
    const err = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: `subscription { orgChanged { id } }` },
        { next: resolve, error: resolve, complete: () => resolve(null) },
      );
    });
    expect(JSON.stringify(err)).toContain('FORBIDDEN');
  });
});
