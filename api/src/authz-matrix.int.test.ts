import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthRule, ruleOf } from './core/auth';
import { roleHas, type Role } from './core/permissions';
import { startTestApi, type TestApi, type TestSession } from './core/testing';
import { apiSchema } from './schema';
import { DEMO_ENTERPRISE_ID, DEMO_LOGINS, DEMO_PARK_ID, demoId } from './seed/users';

/**
 * Role × operation × tenant matrix generated from the schema: every Query and Mutation field is
 * called by every role (and anonymously) against its own tenant and a foreign one, with minimal
 * generated arguments. New fields are covered without editing this file.
 *   own tenant:     allowed by PERMISSIONS ⇔ no FORBIDDEN/UNAUTHENTICATED error
 *   foreign tenant: never any foreign data in `data`, and foreign rows unchanged afterwards.
 */
type Tenant = 'own' | 'foreign';
type Fixtures = Record<string, Record<Tenant, string>>;

let counter = 0;
const ENTITY_ALIASES: Record<string, string> = { equipmentItem: 'equipment', orgNode: 'site' };

function entityKey(fieldName: string): string {
  const stripped = fieldName.replace(/^(create|update|delete|revoke|register|grant|get)/, '');
  const key = stripped.charAt(0).toLowerCase() + stripped.slice(1);
  return ENTITY_ALIASES[fieldName] ?? key;
}

function valueFor(name: string, type: GraphQLInputType, fx: Fixtures, t: Tenant, entity: string): unknown {
  if (isNonNullType(type)) return valueFor(name, type.ofType, fx, t, entity);
  if (isListType(type)) return [valueFor(name, type.ofType, fx, t, entity)];
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) || f.name === 'scopeId')
        out[f.name] = valueFor(f.name, f.type, fx, t, entity);
    }
    return out;
  }
  if (isEnumType(type)) return type.getValues()[0]?.value;
  const n = ++counter;
  if (name === 'id') return fx[entity]?.[t] ?? randomUUID();
  if (name === 'scopeId') return fx.enterprise?.[t];
  if (name.endsWith('Id')) return fx[name.slice(0, -2)]?.[t] ?? randomUUID();
  switch (type.name) {
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'Decimal':
      return '1';
    case 'DateTime':
      return new Date().toISOString();
    case 'ID':
      return randomUUID();
  }
  if (name === 'email') return `matrix${n}@matrix.demo`;
  if (name === 'password') return 'matrix-password-123';
  if (name === 'address') return `0x${randomBytes(20).toString('hex')}`;
  if (name === 'jurisdiction') return 'CN-XX';
  if (name === 'code') return `MX-${n}`;
  return `x${n}`;
}

function selection(type: GraphQLOutputType): string {
  const named = getNamedType(type) as GraphQLNamedType;
  if (!isObjectType(named)) return '';
  const fields = named.getFields();
  if (fields.edges) return '{ edges { node { __typename } } pageInfo { hasNextPage } }';
  const leaves = Object.values(fields)
    .filter((f) => !f.args.some((a) => isNonNullType(a.type)))
    .filter((f) => isScalarType(getNamedType(f.type)) || isEnumType(getNamedType(f.type)))
    .map((f) => f.name);
  return `{ __typename ${leaves.join(' ')} }`;
}

function operation(
  kind: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  fx: Fixtures,
  t: Tenant,
) {
  const entity = entityKey(field.name);
  const variables: Record<string, unknown> = {};
  const defs: string[] = [];
  const args: string[] = [];
  for (const a of field.args) {
    if (!isNonNullType(a.type)) continue;
    variables[a.name] = valueFor(a.name, a.type, fx, t, entity);
    defs.push(`$${a.name}: ${a.type.toString()}`);
    args.push(`${a.name}: $${a.name}`);
  }
  const query = `${kind} M${defs.length ? `(${defs.join(', ')})` : ''} { ${field.name}${args.length ? `(${args.join(', ')})` : ''} ${selection(field.type)} }`;
  return { query, variables };
}

function allowed(rule: AuthRule, role: Role | null): boolean {
  if (rule.kind === 'public') return true;
  if (!role) return false;
  if (rule.kind === 'authenticated') return true;
  return roleHas(role, rule.permission);
}

describe('authorisation matrix (generated from the schema)', () => {
  let db: TestDatabase;
  let api: TestApi;
  const fx: Fixtures = {};
  const sessions = new Map<Role, TestSession>();
  let foreignSnapshot = '';

  const snapshotForeign = async () =>
    JSON.stringify(
      await api.server.dataSource.query(
        `SELECT 'e' k, id::text, name, '' x FROM enterprises WHERE id = $1
         UNION ALL SELECT 'p', id::text, name, jurisdiction FROM parks WHERE id = $2
         UNION ALL SELECT 's', id::text, name, '' FROM sites WHERE enterprise_id = $1
         UNION ALL SELECT 'a', id::text, name, kind FROM areas WHERE enterprise_id = $1
         UNION ALL SELECT 'l', id::text, name, '' FROM lines WHERE enterprise_id = $1
         UNION ALL SELECT 'q', id::text, name, code FROM equipment WHERE enterprise_id = $1
         UNION ALL SELECT 'd', id::text, name, coalesce(revoked_at::text, '') FROM devices WHERE enterprise_id = $1
         UNION ALL SELECT 'k', id::text, name, coalesce(revoked_at::text, '') FROM api_keys WHERE id = $3
         UNION ALL SELECT 'g', id::text, role, scope_id FROM role_grants WHERE scope_id = $1::text
         ORDER BY 1, 2`,
        [fx.enterprise?.foreign, fx.park?.foreign, fx.apiKey?.foreign],
      ),
    );

  beforeAll(async () => {
    db = await createTestDatabase('authz_matrix');
    api = await startTestApi(db.url);
    const q = (sql: string, params: unknown[]) =>
      api.server.dataSource.query(sql, params) as Promise<{ id: string }[]>;
    const one = async (sql: string, params: unknown[]) => (await q(sql, params))[0]?.id as string;
    // Foreign tenant: another park in another jurisdiction with its own plant tree.
    const park = await one(
      `INSERT INTO parks (name, jurisdiction) VALUES ('Foreign Park', 'CN-GD-SZ') RETURNING id`,
      [],
    );
    const ent = await one(`INSERT INTO enterprises (park_id, name) VALUES ($1, 'Foreign Co') RETURNING id`, [
      park,
    ]);
    const site = await one(
      `INSERT INTO sites (enterprise_id, name) VALUES ($1, 'Foreign site') RETURNING id`,
      [ent],
    );
    const area = await one(
      `INSERT INTO areas (enterprise_id, site_id, name) VALUES ($1, $2, 'Foreign area') RETURNING id`,
      [ent, site],
    );
    const line = await one(
      `INSERT INTO lines (enterprise_id, area_id, name) VALUES ($1, $2, 'Foreign line') RETURNING id`,
      [ent, area],
    );
    const eq = await one(
      `INSERT INTO equipment (enterprise_id, line_id, code, name) VALUES ($1, $2, 'F-1', 'Foreign press') RETURNING id`,
      [ent, line],
    );
    const device = async (e: string) =>
      one(`INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'gw', $2) RETURNING id`, [
        e,
        `0x${randomBytes(20).toString('hex')}`,
      ]);
    const victim = async (e: string, label: string) => {
      const user = await one(
        `INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'victim', 'x') RETURNING id`,
        [`victim-${label}@matrix.demo`],
      );
      const grant = await one(
        `INSERT INTO role_grants (user_id, role, scope_type, scope_id) VALUES ($1, 'ENTERPRISE_OPERATOR', 'ENTERPRISE', $2) RETURNING id`,
        [user, e],
      );
      const key = await one(
        `INSERT INTO api_keys (name, prefix, key_hash) VALUES ('k', $1, 'x') RETURNING id`,
        [`ock_${label}`],
      );
      await q(
        `INSERT INTO role_grants (api_key_id, role, scope_type, scope_id) VALUES ($1, 'ENTERPRISE_OPERATOR', 'ENTERPRISE', $2)`,
        [key, e],
      );
      return { user, grant, key };
    };
    const ownV = await victim(DEMO_ENTERPRISE_ID, 'own');
    const forV = await victim(ent, 'foreign');
    Object.assign(fx, {
      park: { own: DEMO_PARK_ID, foreign: park },
      enterprise: { own: DEMO_ENTERPRISE_ID, foreign: ent },
      site: { own: demoId('site:plant18-main'), foreign: site },
      area: { own: demoId('area:Welding'), foreign: area },
      line: { own: demoId('line:Boom welding line'), foreign: line },
      equipment: { own: demoId('equipment:WLD-R01'), foreign: eq },
      device: { own: await device(DEMO_ENTERPRISE_ID), foreign: await device(ent) },
      user: { own: ownV.user, foreign: forV.user },
      grant: { own: ownV.grant, foreign: forV.grant },
      apiKey: { own: ownV.key, foreign: forV.key },
    } satisfies Fixtures);
    for (const login of DEMO_LOGINS) sessions.set(login.role, await api.loginAs(login.email));
    foreignSnapshot = await snapshotForeign();
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('every role gets exactly what PERMISSIONS grants, and never another tenant’s data', async () => {
    const schema = await apiSchema();
    const roots = [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
    ] as const;
    // Session-ending fields last so they do not invalidate the caller's token mid-matrix.
    const fields = roots.flatMap(([kind, type]) =>
      Object.values(type?.getFields() ?? {}).map((field) => ({ kind, field })),
    );
    fields.sort((a, b) => Number(a.field.name === 'logout') - Number(b.field.name === 'logout'));
    const foreignIds = Object.values(fx).map((v) => v.foreign);
    const principals: (Role | null)[] = [null, ...DEMO_LOGINS.map((l) => l.role)];
    const mismatches: string[] = [];
    let calls = 0;

    // Principals run concurrently; each walks every field in order.
    await Promise.all(
      principals.map(async (role) => {
        const session = role ? sessions.get(role) : undefined;
        for (const { kind, field } of fields) {
          const rule = ruleOf(field);
          if (!rule) {
            mismatches.push(`${field.name} has no rule`);
            continue;
          }
          // A platform grant reaches every tenant by definition: no foreign tenant exists for it.
          const tenants: Tenant[] = role === 'PLATFORM_ADMIN' ? ['own'] : ['own', 'foreign'];
          for (const tenant of tenants) {
            const op = operation(kind, field, fx, tenant);
            const r = session
              ? await session.gql(op.query, op.variables)
              : await api.gql(op.query, op.variables);
            calls++;
            const codes = (r.errors ?? []).map((e) => e.extensions?.code);
            const who = `${role ?? 'ANONYMOUS'} ${kind} ${field.name} [${tenant}]`;
            if (codes.some((c) => c === 'GRAPHQL_VALIDATION_FAILED' || c === 'INTERNAL_SERVER_ERROR')) {
              mismatches.push(`${who}: ${JSON.stringify(r.errors)}`);
              continue;
            }
            const denied =
              codes.includes('FORBIDDEN') || (rule.kind !== 'public' && codes.includes('UNAUTHENTICATED'));
            if (tenant === 'own' && allowed(rule, role) === denied) {
              mismatches.push(
                `${who}: expected ${allowed(rule, role) ? 'allow' : 'deny'}, got ${JSON.stringify(codes)}`,
              );
            }
            if (tenant === 'foreign') {
              const data = JSON.stringify(r.data ?? null);
              const leaked = foreignIds.filter((id) => data.includes(id));
              if (leaked.length || data.includes('Foreign'))
                mismatches.push(`${who}: foreign data in response ${data}`);
            }
          }
        }
      }),
    );
    expect(mismatches).toEqual([]);
    expect(calls).toBeGreaterThan(200);
    // Writes attempted on the foreign tenant left no trace.
    expect(await snapshotForeign()).toBe(foreignSnapshot);
  });
});
