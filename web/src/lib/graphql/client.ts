import { config } from '@/config';

/** One GraphQL error as the API formats it (see api/src/core/errors.ts). */
export interface ApiError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; fieldErrors?: Record<string, string[]> };
}

/** Thrown for transport failures and for GraphQL errors the caller did not handle. */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly errors: readonly ApiError[] = [],
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
  /** The API's schema has no such field yet (the operation is not built). */
  get notAvailable(): boolean {
    return (
      this.code === 'GRAPHQL_VALIDATION_FAILED' &&
      this.errors.some((e) => /Cannot query field|Unknown type|Unknown argument/.test(e.message))
    );
  }
  get unauthenticated(): boolean {
    return this.code === 'UNAUTHENTICATED' || this.code === 'REFRESH_TOKEN_REUSED';
  }
}

export interface RequestOptions {
  /** Access token (JWT). Omit for public operations such as login. */
  token?: string | null;
  signal?: AbortSignal;
}

/**
 * Server-side GraphQL request. Never cached: every answer is tenant- and user-specific.
 * Throws GraphQLRequestError on transport failure or if the response carries errors.
 */
export async function gqlRequest<TData, TVars extends Record<string, unknown> = Record<string, unknown>>(
  query: string,
  variables?: TVars,
  options: RequestOptions = {},
): Promise<TData> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    // Apollo's CSRF prevention wants a non-simple header on every request.
    'apollo-require-preflight': 'true',
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let res: Response;
  try {
    res = await fetch(config().apiUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables: variables ?? {} }),
      cache: 'no-store',
      signal: options.signal ?? AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new GraphQLRequestError(`API unreachable: ${(err as Error).message}`, 'API_UNREACHABLE');
  }
  let body: { data?: TData | null; errors?: ApiError[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new GraphQLRequestError(`API answered ${res.status} without JSON`, 'BAD_RESPONSE');
  }
  if (body.errors && body.errors.length > 0) {
    const first = body.errors[0]!;
    throw new GraphQLRequestError(first.message, first.extensions?.code ?? 'UNKNOWN', body.errors);
  }
  if (body.data == null)
    throw new GraphQLRequestError(`API answered ${res.status} without data`, 'BAD_RESPONSE');
  return body.data;
}
