import type { NonEmptyArray } from 'type-graphql';

/**
 * What each `api/src/modules/<domain>/index.ts` exports. `api/src/schema.ts` lists the modules; the
 * resolvers go into the schema and the entities into the TypeORM DataSource.
 */
export interface ApiModule {
  name: string;
  resolvers: Function[];
  entities: Function[];
}

export type { NonEmptyArray };
