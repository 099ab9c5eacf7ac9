import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { assertEveryRootFieldHasRule, authGuard } from './core/auth';
import { unusedPubSub } from './core/events';
import type { ApiModule } from './core/module';
import { DateTimeScalar, Decimal, DecimalScalar } from './core/scalars';
import { accountingModule } from './modules/accounting';
import { auditModule } from './modules/audit';
import { identityModule } from './modules/identity';
import { offsetsModule } from './modules/offsets';
import { orgModule } from './modules/org';
import { parkModule } from './modules/park';
import { pathwaysModule } from './modules/pathways';
import { reportsModule } from './modules/reports';
import { trustModule } from './modules/trust';
import { energyModule } from './modules/energy';
import { meteringModule } from './modules/metering';
import { governanceModule } from './modules/governance';
import { custodyModule } from './modules/custody';

/**
 * Module registry: append your module here (one import, one line). Resolvers join the schema,
 * entities join the DataSource; the auth walk and the role × tenant matrix test pick them up.
 */
export const modules: ApiModule[] = [
  identityModule,
  orgModule,
  auditModule,
  trustModule,
  energyModule,
  meteringModule,
  accountingModule,
  governanceModule,
  custodyModule,
  reportsModule,
  parkModule,
  pathwaysModule,
  offsetsModule,
];

export function apiEntities(list: ApiModule[] = modules): Function[] {
  return list.flatMap((m) => m.entities);
}

export async function buildApiSchema(
  extraResolvers: Function[] = [],
  opts: { requireRules?: boolean } = {},
): Promise<GraphQLSchema> {
  const resolvers = [...modules.flatMap((m) => m.resolvers), ...extraResolvers];
  const schema = await buildSchema({
    resolvers: resolvers as [Function, ...Function[]],
    validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    globalMiddlewares: [authGuard],
    pubSub: unusedPubSub,
    scalarsMap: [
      { type: Date, scalar: DateTimeScalar },
      { type: Decimal, scalar: DecimalScalar },
    ],
  });
  if (opts.requireRules !== false) assertEveryRootFieldHasRule(schema);
  return schema;
}

let cached: Promise<GraphQLSchema> | null = null;
/** The application schema, built once per process. */
export function apiSchema(): Promise<GraphQLSchema> {
  cached ??= buildApiSchema();
  return cached;
}
