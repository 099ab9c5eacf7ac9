import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from './client';

/**
 * Outcome of one panel's query. Views are built against the operations that exist in
 * api/schema.graphql; while an operation is missing the API answers GRAPHQL_VALIDATION_FAILED
 * ("Cannot query field …") and the panel shows "not available yet" instead of made-up data.
 */
export type Loaded<T> =
  | { ok: true; data: T }
  | { ok: false; kind: 'notAvailable'; operation: string }
  | { ok: false; kind: 'forbidden'; operation: string }
  | { ok: false; kind: 'error'; operation: string; code: string };

export async function load<T>(
  operation: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await authedRequest<T>(query, variables) };
  } catch (err) {
    if (err instanceof GraphQLRequestError) {
      if (err.notAvailable) return { ok: false, kind: 'notAvailable', operation };
      if (err.code === 'FORBIDDEN') return { ok: false, kind: 'forbidden', operation };
      console.error(`[portal] ${operation}: ${err.code} ${err.message}`);
      return { ok: false, kind: 'error', operation, code: err.code };
    }
    // redirect() from authedRequest and real bugs propagate (error.tsx handles the latter).
    throw err;
  }
}

/** Relay connection → nodes. */
export function nodes<T>(conn: { edges: { node: T }[] } | null | undefined): T[] {
  return conn?.edges.map((e) => e.node) ?? [];
}
