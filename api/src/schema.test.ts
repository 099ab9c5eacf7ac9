import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { graphql } from 'graphql';
import { Query, Resolver } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { fieldsWithoutRule } from './core/auth';
import { Authz, type Identity, LoaderRegistry, type RequestContext } from './core/context';
import { printSchemaSdl } from './print-schema';
import { apiSchema, buildApiSchema } from './schema';

@Resolver()
class UnguardedResolver {
  // Deliberately no @Public/@Authenticated/@Can.
  @Query(() => String)
  unguardedSecret(): string {
    return 'leaked';
  }
}

const platformAdmin: Identity = {
  kind: 'user',
  userId: 'u',
  sessionId: 's',
  email: 'p@x',
  grants: [
    { role: 'PLATFORM_ADMIN', scopeType: 'PLATFORM', scopeId: null, enterpriseIds: '*', parkIds: '*' },
  ],
};
const ctxFor = (identity: Identity) =>
  ({
    identity,
    auth: new Authz(identity),
    loaders: new LoaderRegistry(),
    requestId: 't',
  }) as unknown as RequestContext;

describe('schema', () => {
  it('committed api/schema.graphql is up to date (run `npm run schema -w api`)', async () => {
    const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema.graphql');
    expect(readFileSync(file, 'utf8')).toBe(printSchemaSdl(await apiSchema()));
  });

  it('every Query/Mutation/Subscription field declares an authorisation rule', async () => {
    const schema = await apiSchema();
    expect(fieldsWithoutRule(schema)).toEqual([]);
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {}).length).toBeGreaterThan(5);
  });

  it('a root field with no rule fails the schema build and is denied at run time, even for a platform admin', async () => {
    await expect(buildApiSchema([UnguardedResolver])).rejects.toThrow(/Query\.unguardedSecret/);
    const schema = await buildApiSchema([UnguardedResolver], { requireRules: false });
    expect(fieldsWithoutRule(schema)).toEqual(['Query.unguardedSecret']);
    for (const identity of [platformAdmin, { kind: 'anonymous' } as Identity]) {
      const r = await graphql({ schema, source: '{ unguardedSecret }', contextValue: ctxFor(identity) });
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});
