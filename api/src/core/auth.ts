import {
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isObjectType,
} from 'graphql';
import { Extensions, type MiddlewareFn } from 'type-graphql';
import type { RequestContext } from './context';
import { ForbiddenError, UnauthenticatedError } from './errors';
import type { Permission } from './permissions';

/**
 * An authorisation rule, declared next to the resolver and stored in the GraphQL field's
 * `extensions.auth`. Root fields (Query/Mutation/Subscription) without a rule are DENIED at run time
 * and fail `assertEveryRootFieldHasRule` when the schema is built.
 *
 * `enterprise` / `park` are dotted paths into `{ args, root }` naming the tenant the operation
 * targets (`'args.input.enterpriseId'`, `'root.id'`). Operations addressed by row id need no path:
 * the tenant-scoped transaction (RLS) makes foreign rows invisible, so they answer NOT_FOUND.
 */
export type AuthRule =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'permission'; permission: Permission; enterprise?: string; park?: string };

export const AUTH_EXTENSION = 'auth';

/** Anyone, even anonymous (login, refresh). */
export function Public(): PropertyDecorator & MethodDecorator {
  return Extensions({ [AUTH_EXTENSION]: { kind: 'public' } satisfies AuthRule });
}
/** Any authenticated identity (e.g. `me`). */
export function Authenticated(): PropertyDecorator & MethodDecorator {
  return Extensions({ [AUTH_EXTENSION]: { kind: 'authenticated' } satisfies AuthRule });
}
/** Requires `permission` from PERMISSIONS, optionally on the tenant found at `target.enterprise`/`target.park`. */
export function Can(
  permission: Permission,
  target: { enterprise?: string; park?: string } = {},
): PropertyDecorator & MethodDecorator {
  return Extensions({ [AUTH_EXTENSION]: { kind: 'permission', permission, ...target } satisfies AuthRule });
}

function pick(source: unknown, path: string): unknown {
  let cur: unknown = source;
  for (const key of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function ruleOf(field: GraphQLField<unknown, unknown>): AuthRule | undefined {
  return field.extensions?.[AUTH_EXTENSION] as AuthRule | undefined;
}

/** Throws unless `ctx` satisfies `rule` for these args/root. Also used by subscription `subscribe`. */
export function enforceRule(
  rule: AuthRule | undefined,
  ctx: RequestContext,
  data: { args: Record<string, unknown>; root: unknown },
  fieldName: string,
): void {
  if (!rule) throw new ForbiddenError(`${fieldName} has no authorisation rule`);
  if (rule.kind === 'public') return;
  if (!ctx.auth.authenticated) throw new UnauthenticatedError();
  if (rule.kind === 'authenticated') return;
  const enterpriseId = rule.enterprise ? pick(data, rule.enterprise) : undefined;
  const parkId = rule.park ? pick(data, rule.park) : undefined;
  const target = {
    enterpriseId: typeof enterpriseId === 'string' ? enterpriseId : undefined,
    parkId: typeof parkId === 'string' ? parkId : undefined,
  };
  if (!ctx.auth.has(rule.permission)) throw new ForbiddenError(`Missing permission ${rule.permission}`);
  if (!ctx.auth.can(rule.permission, target))
    throw new ForbiddenError(`No ${rule.permission} on this tenant`);
}

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Global middleware: deny-by-default for root fields, enforce rules wherever declared. Runs before
 * argument validation, so a caller without rights learns nothing from validation messages.
 */
export const authGuard: MiddlewareFn<RequestContext> = ({ context, info, args, root }, next) => {
  const rule = ruleFor(info);
  if (!rule && !ROOT_TYPES.has(info.parentType.name)) return next();
  enforceRule(rule, context, { args, root }, `${info.parentType.name}.${info.fieldName}`);
  return next();
};

function ruleFor(info: GraphQLResolveInfo): AuthRule | undefined {
  const field = info.parentType.getFields()[info.fieldName];
  return field ? ruleOf(field) : undefined;
}

/** Every Query/Mutation/Subscription field with no rule, as `Type.field`. */
export function fieldsWithoutRule(schema: GraphQLSchema): string[] {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (t): t is GraphQLObjectType => !!t && isObjectType(t),
  );
  return roots.flatMap((t) =>
    Object.values(t.getFields())
      .filter((f) => !ruleOf(f))
      .map((f) => `${t.name}.${f.name}`),
  );
}

/** Called by buildApiSchema: the build fails if any root field lacks a rule. */
export function assertEveryRootFieldHasRule(schema: GraphQLSchema): void {
  const missing = fieldsWithoutRule(schema);
  if (missing.length) {
    throw new Error(
      `Root fields without an authorisation rule (use @Public/@Authenticated/@Can): ${missing.join(', ')}`,
    );
  }
}
