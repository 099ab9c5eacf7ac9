/**
 * Hostile input (issue 12): schema-driven fast-check fuzzing of every mutation over real HTTP, MQTT
 * payload fuzzing against a real worker, GraphQL abuse (depth, aliases, batching, introspection) and
 * token/device-batch tampering. Counts of cases per operation are printed.
 */
import { createHmac } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import fc from 'fast-check';
import {
  type GraphQLArgument,
  type GraphQLInputType,
  GraphQLEnumType,
  GraphQLError,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  type GraphQLSchema,
  getNamedType,
  isLeafType,
} from 'graphql';
import { SignJWT } from 'jose';
import mqtt from 'mqtt';
import pg from 'pg';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceSigner, signingPayload } from '../../gateway/src/signing';
import { ERROR_CODES, formatError } from './core/errors';
import { startTestApi, TEST_JWT_SECRET, type TestApi, type TestSession } from './core/testing';
import { type IngestWorker, startIngestWorker } from './modules/metering/mqtt-worker';
import { apiSchema } from './schema';
import { DEMO_ENTERPRISE_ID } from './seed/users';

const E = DEMO_ENTERPRISE_ID;
const MQTT_URL = 'mqtt://127.0.0.1:1883';
const CASES_PER_MUTATION = 15;
const SEED = 1212;
const TYPED_CODES = new Set<string>([
  ...ERROR_CODES,
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
]);
/** Rows that a rejected request may legitimately add (authentication bookkeeping, audit, dead letters). */
const VOLATILE_TABLES = new Set([
  'sessions',
  'refresh_tokens',
  'audit_log',
  'metering_dead_letter',
  'event_payloads',
]);

let db: TestDatabase;
let api: TestApi;
let admin: TestSession;
let pool: pg.Pool;
let schema: GraphQLSchema;
const caseCounts: Record<string, number> = {};
const count = (op: string, n = 1) => {
  caseCounts[op] = (caseCounts[op] ?? 0) + n;
};

interface Raw {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } | unknown;
}
async function post(body: unknown, token?: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // non-JSON bodies are checked by the caller via status
  }
  return { status: res.status, body: parsed };
}
const errorsOf = (r: Raw) =>
  (r.body as { errors?: { message: string; extensions?: { code?: string } }[] }).errors ?? [];

/** Status < 500; every error typed; never INTERNAL_SERVER_ERROR. */
function assertTyped(r: Raw, label: string): void {
  expect(r.status, `${label}: ${JSON.stringify(r.body).slice(0, 400)}`).toBeLessThan(500);
  for (const e of errorsOf(r)) {
    expect(e.extensions?.code, `${label}: untyped error ${JSON.stringify(e).slice(0, 300)}`).toBeTypeOf(
      'string',
    );
    expect(e.extensions?.code, `${label}: ${e.message}`).not.toBe('INTERNAL_SERVER_ERROR');
    expect(TYPED_CODES.has(String(e.extensions?.code)), `${label}: code ${e.extensions?.code}`).toBe(true);
  }
}

async function rowCounts(): Promise<Map<string, number>> {
  const r = await pool.query<{ t: string; n: number }>(
    `SELECT c.relname AS t,
            (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I', c.relname), false, true, '')))[1]::text::int AS n
     FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
     WHERE s.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
  );
  return new Map(r.rows.filter((x) => !VOLATILE_TABLES.has(x.t)).map((x) => [x.t, x.n]));
}

// ---- schema-driven arbitraries --------------------------------------------------------------

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e\u0644\u0627',
    '💥'.repeat(500),
    "'; DROP TABLE users; --",
    '{{7*7}}',
    '../../etc/passwd',
    'not-a-uuid',
    '00000000-0000-0000-0000-00000000000g',
  ),
  fc.constant('x'.repeat(70_000)),
);
const hugeNumberString = fc.constantFrom(
  '1e400',
  '-1e400',
  '9'.repeat(400),
  'NaN',
  'Infinity',
  '-0',
  '0x10',
  '1.2.3',
);
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`)),
  fc.constant(Number.MAX_SAFE_INTEGER * 1e10),
  fc.constant(-1e308),
);

function scalarArb(t: GraphQLScalarType): fc.Arbitrary<unknown> {
  switch (t.name) {
    case 'Int':
      return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2147483647, -2147483648));
    case 'Float':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'Boolean':
      return fc.boolean();
    case 'ID':
      return fc.oneof(fc.uuid(), fc.constant(E), hostileString);
    case 'DateTime':
      return fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom('2026-13-45T99:99:99Z', '0000-01-01T00:00:00Z', '275760-09-13T00:00:00.001Z'),
        hostileString,
      );
    case 'Decimal':
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
        hugeNumberString,
        hostileString,
      );
    default:
      return fc.oneof(hostileString, hugeNumberString, anyJson);
  }
}

/** A value shaped like the type (so resolvers run), with hostile leaves; depth-bounded. */
function shapedArb(t: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (t instanceof GraphQLNonNull) return shapedArb(t.ofType, depth);
  if (t instanceof GraphQLList)
    return fc.oneof(
      { weight: 4, arbitrary: fc.array(shapedArb(t.ofType, depth + 1), { maxLength: depth > 1 ? 1 : 3 }) },
      { weight: 1, arbitrary: fc.constant([]) },
    );
  if (t instanceof GraphQLEnumType)
    return fc.oneof(fc.constantFrom(...t.getValues().map((v) => v.name)), hostileString);
  if (t instanceof GraphQLScalarType) return scalarArb(t);
  if (t instanceof GraphQLInputObjectType) {
    if (depth > 4) return fc.constant({});
    const rec: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    for (const f of Object.values(t.getFields())) {
      rec[f.name] =
        f.name === 'enterpriseId'
          ? fc.oneof(
              { weight: 3, arbitrary: fc.constant(E) },
              { weight: 1, arbitrary: scalarArb(getNamedType(f.type) as GraphQLScalarType) },
            )
          : shapedArb(f.type, depth + 1);
      if (f.type instanceof GraphQLNonNull) required.push(f.name);
    }
    return fc.record(rec, { requiredKeys: required });
  }
  return anyJson;
}

/** A value of the wrong shape: wrong JSON type, deep nesting, or huge. */
const wrongArb = fc.oneof(
  anyJson,
  hostileString,
  fc.constant({ a: { b: { c: { d: { e: { f: { g: 1 } } } } } } }),
  fc.constant(Array.from({ length: 5000 }, (_, i) => i)),
  fc.constant(1e308),
  fc.constant(true),
);

function argsArb(args: readonly GraphQLArgument[]): fc.Arbitrary<Record<string, unknown>> {
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const a of args) {
    const shaped =
      a.name === 'enterpriseId'
        ? fc.oneof({ weight: 3, arbitrary: fc.constant(E) }, { weight: 1, arbitrary: shapedArb(a.type) })
        : shapedArb(a.type);
    rec[a.name] = fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: wrongArb });
  }
  return fc.record(rec);
}

beforeAll(async () => {
  db = await createTestDatabase('fuzz');
  api = await startTestApi(db.url, { bodyLimitBytes: 2 * 1024 * 1024 });
  admin = await api.loginAs('admin@plant18.demo');
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  schema = await apiSchema();
  const r = await admin.gql(`mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`, {
    i: {
      enterpriseId: E,
      code: 'E-MAIN',
      name: 'Main',
      energyType: 'electricity',
      unit: 'kWh',
      kind: 'cumulative',
    },
  });
  expect(r.errors).toBeUndefined();
}, 120_000);

afterAll(async () => {
  const rows = Object.entries(caseCounts).sort(([a], [b]) => a.localeCompare(b));
  console.log(`fuzz cases per operation (${rows.reduce((a, [, n]) => a + n, 0)} total):`);
  for (const [op, n] of rows) console.log(`  ${op.padEnd(40)} ${n}`);
  await pool?.end();
  await api?.close();
  await db?.drop();
});

describe('GraphQL mutations under hostile arguments', () => {
  it('never answer 5xx or INTERNAL_SERVER_ERROR, errors are typed, rejected calls write nothing', async () => {
    const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
    expect(mutations.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const m of mutations) {
      if (m.name === 'logout') continue; // would end the admin session; covered below
      const decl = m.args.map((a, i) => `$a${i}: ${a.type.toString()}`).join(', ');
      const call = m.args.map((a, i) => `${a.name}: $a${i}`).join(', ');
      const selection = isLeafType(getNamedType(m.type)) ? '' : ' { __typename }';
      const query = `mutation${decl ? `(${decl})` : ''} { ${m.name}${call ? `(${call})` : ''}${selection} }`;
      const samples = fc.sample(fc.tuple(argsArb(m.args), fc.boolean()), {
        numRuns: CASES_PER_MUTATION,
        seed: SEED,
      });
      for (const [args, anonymous] of samples) {
        const variables = Object.fromEntries(m.args.map((a, i) => [`a${i}`, args[a.name]]));
        const before = await rowCounts();
        const r = await post({ query, variables }, anonymous ? undefined : admin.accessToken);
        count(m.name);
        const short = JSON.stringify(variables).slice(0, 200);
        const errs = errorsOf(r);
        if (r.status >= 500) failures.push(`${m.name}: HTTP ${r.status} for ${short}`);
        for (const e of errs)
          if (!TYPED_CODES.has(String(e.extensions?.code)) || e.extensions?.code === 'INTERNAL_SERVER_ERROR')
            failures.push(`${m.name}: ${e.extensions?.code ?? 'untyped'} (${e.message}) for ${short}`);
        const body = r.body as { data?: Record<string, unknown> | null };
        if (errs.length && !body.data?.[m.name]) {
          const after = await rowCounts();
          for (const [t, n] of after)
            if (n !== before.get(t)) failures.push(`${m.name}: rejected but ${t} ${before.get(t)} → ${n}`);
        }
      }
    }
    expect([...new Set(failures.map((f) => f.replace(/ for .*/, '')))]).toEqual([]);
  }, 300_000);

  it('wrong literal types inline (not variables) are rejected as validation errors', async () => {
    for (const lit of ['1e999', '"x"', '[[[[[[1]]]]]]', '{ a: { b: { c: 1 } } }', 'true', 'null']) {
      const r = await post(
        { query: `mutation { ingestReadings(enterpriseId: ${lit}, readings: ${lit}) { accepted } }` },
        admin.accessToken,
      );
      count('ingestReadings (inline literals)');
      assertTyped(r, `inline ${lit}`);
      expect(errorsOf(r).length).toBeGreaterThan(0);
    }
  });
});

describe('error mapping', () => {
  it('maps Postgres 22P02 to BAD_USER_INPUT and still hides every other unknown error', () => {
    const wrap = (e: Error) =>
      formatError({ message: e.message }, new GraphQLError(e.message, { originalError: e }));
    const pg22 = Object.assign(new Error('invalid input syntax for type uuid: "x"'), { code: '22P02' });
    expect(wrap(pg22)).toMatchObject({
      message: 'Invalid input syntax',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const other = Object.assign(new Error('relation "secret_table" does not exist'), { code: '42P01' });
    expect(wrap(other)).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(wrap(new Error('boom'))).toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});

describe('GraphQL abuse', () => {
  it('deep queries, 1000 aliases, batched arrays and junk bodies are refused with typed errors', async () => {
    let deep = 'id';
    for (let i = 0; i < 30; i++) deep = `children(first: 1) { edges { node { ${deep} } } }`;
    const cases: [string, unknown][] = [
      [
        'deep query',
        {
          query: `{ me { __typename } sites(enterpriseId: "${E}", first: 1) { edges { node { ${deep} } } } }`,
        },
      ],
      [
        '1000 aliases',
        {
          query: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: me { kind permissions grants { role scopeId } }`).join(' ')} }`,
        },
      ],
      ['batched array', Array.from({ length: 50 }, () => ({ query: '{ me { kind } }' }))],
      ['not JSON', '{"query": '],
      ['query not a string', { query: { a: 1 } }],
      ['parse error', { query: 'mutation { {{{{ ' }],
      ['huge variables', { query: '{ me { kind } }', variables: { x: 'y'.repeat(3 * 1024 * 1024) } }],
    ];
    // Known gap (docs/security.md): aliases are only bounded by the cost budget — 1000 cheap aliases pass.
    const t = performance.now();
    const cheap = await post(
      { query: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: me { kind }`).join(' ')} }` },
      admin.accessToken,
    );
    count('abuse: 1000 cheap aliases');
    console.log(`abuse 1000 cheap aliases: HTTP ${cheap.status} in ${Math.round(performance.now() - t)} ms`);
    assertTyped(cheap, '1000 cheap aliases');
    // limits.ts skips `__` fields; nested introspection is stopped by graphql-js's own
    // MaxIntrospectionDepthRule (part of specifiedRules), and production disables introspection.
    let intro = 'name';
    for (let i = 0; i < 8; i++) intro = `name fields { name type { name fields { ${intro} } } }`;
    const t2 = performance.now();
    const deepIntro = await post({ query: `{ __schema { types { ${intro} } } }` }, admin.accessToken);
    count('abuse: deep introspection (dev)');
    console.log(
      `abuse deep introspection (dev): HTTP ${deepIntro.status} ${JSON.stringify(deepIntro.body).slice(0, 160)} in ${Math.round(performance.now() - t2)} ms`,
    );
    assertTyped(deepIntro, 'deep introspection');
    expect(deepIntro.status).toBe(400);
    for (const [label, body] of cases) {
      const r = await post(body, admin.accessToken);
      count(`abuse: ${label}`);
      console.log(
        `abuse ${label}: HTTP ${r.status} ${errorsOf(r)
          .map((e) => e.extensions?.code)
          .join(',')}`,
      );
      expect(r.status, label).toBeLessThan(500);
      if (label === 'huge variables') expect(r.status).toBe(413);
      if (label === 'deep query')
        expect(errorsOf(r).map((e) => e.extensions?.code)).toContain('QUERY_TOO_DEEP');
      if (label === '1000 aliases')
        expect(errorsOf(r).map((e) => e.extensions?.code)).toContain('QUERY_TOO_COMPLEX');
      const errs = errorsOf(r);
      expect(errs.length, `${label}: ${JSON.stringify(r.body).slice(0, 300)}`).toBeGreaterThan(0);
      for (const e of errs) expect(e.extensions?.code, label).not.toBe('INTERNAL_SERVER_ERROR');
    }
  });

  it('introspection is refused when the server runs with introspection: false (production)', async () => {
    const { startTestApi: start } = await import('./core/testing');
    const prod = await start(db.url, { introspection: false, seed: false });
    try {
      const r = await prod.gql(`{ __schema { types { name } } }`);
      count('abuse: introspection (prod)');
      expect(r.status).toBeLessThan(500);
      expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(r.data ?? undefined).toBeUndefined();
    } finally {
      await prod.close();
    }
  });
});

describe('token tampering', () => {
  const ME = `{ me { kind } }`;
  it('tampered, alg:none, expired, foreign-key and revoked tokens are rejected', async () => {
    const s = await api.loginAs('admin@plant18.demo');
    const [h, p, sig] = s.accessToken.split('.') as [string, string, string];
    const flipped = Buffer.from(sig, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 0x01;
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const hs256 = (head: string, body: string, key: string) =>
      createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
    const noneHead = b64({ alg: 'none', typ: 'JWT' });
    const expired = await new SignJWT({ ...payload, exp: Math.floor(Date.now() / 1000) - 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const elevatedBody = b64({ ...payload, sub: '00000000-0000-4000-8000-000000000000' });
    const bad: [string, string][] = [
      ['signature byte flipped', `${h}.${p}.${flipped.toString('base64url')}`],
      ['alg none', `${noneHead}.${p}.`],
      ['alg none with signature', `${noneHead}.${p}.${sig}`],
      ['expired', expired],
      ['payload changed', `${h}.${elevatedBody}.${sig}`],
      ['signed with another key', `${h}.${p}.${hs256(h, p, 'x'.repeat(40))}`],
      ['garbage', 'a.b.c'],
      ['empty', ''],
    ];
    for (const [label, token] of bad) {
      const r = await post({ query: ME }, undefined, { authorization: `Bearer ${token}` });
      count(`token: ${label}`);
      expect(r.status, label).toBe(401);
      expect(errorsOf(r)[0]?.extensions?.code, label).toBe('UNAUTHENTICATED');
    }
    // refresh rotation: reuse is detected and revokes the session; logout revokes the rest
    const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
    const first = await api.gql<{ refreshSession: { accessToken: string; refreshToken: string } }>(REFRESH, {
      t: s.refreshToken,
    });
    expect(first.errors).toBeUndefined();
    const reuse = await api.gql(REFRESH, { t: s.refreshToken });
    count('token: refresh reused');
    expect(reuse.errors?.[0]?.extensions?.code).toBe('REFRESH_TOKEN_REUSED');
    const rotated = await api.gql(REFRESH, { t: first.data!.refreshSession.refreshToken });
    count('token: refresh after reuse (session revoked)');
    expect(rotated.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const s2 = await api.loginAs('admin@plant18.demo');
    expect((await s2.gql(`mutation { logout }`)).errors).toBeUndefined();
    const afterLogout = await post({ query: ME }, s2.accessToken);
    const refreshAfterLogout = await api.gql(REFRESH, { t: s2.refreshToken });
    count('token: access after logout');
    count('token: refresh after logout');
    expect(afterLogout.status).toBe(401);
    expect(refreshAfterLogout.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('device batches', () => {
  it('replayed and forged signed batches are rejected', async () => {
    const key = generatePrivateKey();
    const signer = deviceSigner(key);
    const stranger = deviceSigner(generatePrivateKey());
    await pool.query(`INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'fuzz-gw', $2)`, [
      E,
      signer.address,
    ]);
    const M = `mutation($b: SignedReadingBatchInput!) { ingestSignedReadings(batch: $b) { accepted duplicates rejected items { code } } }`;
    type R = {
      ingestSignedReadings: {
        accepted: number;
        duplicates: number;
        rejected: number;
        items: { code: string | null }[];
      };
    };
    const readings = [{ meterCode: 'E-MAIN', ts: '2026-04-01T00:15:00.000Z', value: '100', unit: 'kWh' }];
    const batch = await signer.sign(readings);
    const ok = await api.gql<R>(M, { b: batch });
    expect(ok.data?.ingestSignedReadings.accepted).toBe(1);
    const replay = await api.gql<R>(M, { b: batch });
    count('device: replayed batch');
    expect(replay.data?.ingestSignedReadings).toMatchObject({ accepted: 0, duplicates: 1 });
    // same batch id, other content, validly signed by the device → BATCH_REPLAYED
    const otherReadings = [{ ...readings[0]!, ts: '2026-04-01T00:30:00.000Z', value: '101' }];
    const body = { batchId: batch.batchId, deviceAddress: signer.address, readings: otherReadings };
    const signature = await privateKeyToAccount(key).signMessage({ message: { raw: signingPayload(body) } });
    const forgedId = await api.gql<R>(M, { b: { ...body, signature } });
    count('device: same batchId, other payload');
    expect(forgedId.data?.ingestSignedReadings.accepted ?? 0).toBe(0);
    expect(forgedId.data?.ingestSignedReadings.items.map((i) => i.code)).toEqual(['BATCH_REPLAYED']);
    const forged: [string, unknown][] = [
      ['unregistered key', await stranger.sign(readings)],
      [
        'registered address, foreign signature',
        { ...(await stranger.sign(readings)), deviceAddress: signer.address },
      ],
      ['tampered value', { ...batch, readings: [{ ...readings[0]!, value: '999999' }] }],
      ['signature truncated', { ...batch, signature: batch.signature.slice(0, 20) }],
    ];
    for (const [label, b] of forged) {
      const before = await rowCounts();
      const r = await api.gql<R>(M, { b });
      count(`device: ${label}`);
      expect(r.status, label).toBeLessThan(500);
      for (const e of r.errors ?? []) expect(e.extensions?.code, label).not.toBe('INTERNAL_SERVER_ERROR');
      expect(r.data?.ingestSignedReadings.accepted ?? 0, label).toBe(0);
      expect(await rowCounts(), label).toEqual(before);
    }
  });
});

describe('MQTT payloads', () => {
  it('malformed payloads are dead-lettered with a reason and the worker stays alive', async () => {
    const signer = deviceSigner(generatePrivateKey());
    const dev = await pool.query<{ id: string }>(
      `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'fuzz-mqtt', $2) RETURNING id`,
      [E, signer.address],
    );
    const deviceId = dev.rows[0]!.id;
    const topic = `opencep/${E}/${deviceId}/readings`;
    // Same device, enterprise segment not a UUID: reaches this worker's filter, fails topic parsing.
    const badTopic = `opencep/not-an-enterprise/${deviceId}/readings`;
    let handled = 0;
    // Only this test's device (a fresh UUID): other tests publishing on the shared broker never reach it.
    const worker: IngestWorker = await startIngestWorker({
      ds: api.server.dataSource,
      url: MQTT_URL,
      group: `fuzz-${db.name}`,
      topicFilter: `opencep/+/${deviceId}/readings`,
      onHandled: (e) => {
        if (e.topic === topic || e.topic === badTopic) handled++;
      },
    });
    const pub = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5 });
    try {
      const valid = await signer.sign([
        { meterCode: 'E-MAIN', ts: '2026-04-02T00:15:00.000Z', value: '5', unit: 'kWh' },
      ]);
      const payloads: [string, string | Buffer, string][] = [
        ['not JSON', '{"batchId":', 'NOT_JSON'],
        [
          'huge number',
          `{"batchId":1e999999,"deviceAddress":${'9'.repeat(5000)},"readings":[],"signature":"0x"}`,
          'BAD_ENVELOPE',
        ],
        [
          'wrong types',
          JSON.stringify({ batchId: 1, deviceAddress: [], readings: 'x', signature: {} }),
          'BAD_ENVELOPE',
        ],
        ['deep nesting', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'BAD_ENVELOPE|NOT_JSON'],
        ['oversize (9 MB)', Buffer.alloc(9 * 1024 * 1024, 0x20), 'NOT_JSON'],
        ['bad signature', JSON.stringify({ ...valid, signature: `0x${'00'.repeat(65)}` }), 'BAD_SIGNATURE'],
        [
          'hostile reading values',
          JSON.stringify({
            ...valid,
            readings: [{ meterCode: 'E-MAIN', ts: 'x', value: '1e400', unit: 'kWh' }],
          }),
          'BAD_SIGNATURE',
        ],
        ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0xfd]), 'NOT_JSON'],
      ];
      const random = fc.sample(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        40,
      );
      for (const p of random) payloads.push(['fast-check', p, 'NOT_JSON|BAD_ENVELOPE']);
      payloads.push(['bad topic', '{}', 'BAD_TOPIC']);
      for (const [label, p] of payloads)
        await pub.publishAsync(label === 'bad topic' ? badTopic : topic, p, { qos: 1 });
      await pub.publishAsync(topic, JSON.stringify(valid), { qos: 1 });
      const until = Date.now() + 30_000;
      while (handled < payloads.length + 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(handled).toBe(payloads.length + 1);
      const dl = await pool.query<{ reason: string; n: number }>(
        `SELECT reason, count(*)::int AS n FROM metering_dead_letter WHERE topic = ANY($1) GROUP BY 1 ORDER BY 1`,
        [[topic, badTopic]],
      );
      const byReason = Object.fromEntries(dl.rows.map((r) => [r.reason, r.n]));
      expect(dl.rows.reduce((a, r) => a + r.n, 0)).toBe(payloads.length);
      expect(byReason.BAD_TOPIC).toBe(1);
      for (const [label, , reason] of payloads.slice(0, 8))
        expect(
          reason.split('|').some((x) => (byReason[x] ?? 0) > 0),
          label,
        ).toBe(true);
      for (const [label] of payloads) count(`mqtt: ${label}`);
      // the worker survived all of it: the valid batch went in
      const stored = await pool.query(`SELECT 1 FROM metering_reading WHERE ts = '2026-04-02T00:15:00Z'`);
      expect(stored.rowCount).toBe(1);
    } finally {
      await pub.endAsync();
      await worker.stop();
    }
  }, 60_000);
});
