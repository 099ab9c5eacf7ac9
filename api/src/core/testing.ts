import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { DEMO_PASSWORD, seedDemoIdentity } from '../seed/users';
import { type ApiServer, type ApiServerOptions, startApiServer } from '../server';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

export interface TestApi {
  server: ApiServer;
  url: string;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GqlResult<T>>;
  /** Logs a seeded user in; returns tokens and a `gql` bound to the access token. */
  loginAs(email: string, password?: string): Promise<TestSession>;
  /** graphql-ws client authenticated with `token` (connectionParams.authorization). */
  ws(token?: string): Client;
  close(): Promise<void>;
}

export interface TestSession {
  accessToken: string;
  refreshToken: string;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
}

/** Starts the real API on a free port against `databaseUrl` and seeds the demo identity (idempotent). */
export async function startTestApi(
  databaseUrl: string,
  opts: Partial<ApiServerOptions> & { seed?: boolean } = {},
): Promise<TestApi> {
  const server = await startApiServer({
    databaseUrl,
    port: 0,
    host: '127.0.0.1',
    jwtSecret: TEST_JWT_SECRET,
    logLevel: 'silent',
    rateLimit: { capacity: 10_000, refillPerSecond: 1_000 },
    ...opts,
  });
  if (opts.seed !== false) await seedDemoIdentity(server.dataSource);
  const clients: Client[] = [];

  async function gql<T>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GqlResult<T>> {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GqlResult<T>;
    return { ...body, status: res.status };
  }

  return {
    server,
    url: server.url,
    gql,
    async loginAs(email, password = DEMO_PASSWORD) {
      const r = await gql<{ login: { accessToken: string; refreshToken: string } }>(
        `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`,
        { e: email, p: password },
      );
      if (!r.data?.login) throw new Error(`login ${email} failed: ${JSON.stringify(r.errors)}`);
      const { accessToken, refreshToken } = r.data.login;
      return { accessToken, refreshToken, gql: (q, v) => gql(q, v, accessToken) };
    },
    ws(token) {
      const client = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      await server.close();
    },
  };
}
