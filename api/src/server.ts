import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { loadMigrations } from '@opencep/migrations';
import {
  type ExecutionArgs,
  type GraphQLError,
  type GraphQLFormattedError,
  specifiedRules,
  validate,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import pino, { type Logger } from 'pino';
import { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import { SessionCache } from './core/auth-cache';
import {
  Authz,
  type ContextSettings,
  type Identity,
  LoaderRegistry,
  type RequestContext,
} from './core/context';
import { AppError, formatError, isInternal, RateLimitedError, UnauthenticatedError } from './core/errors';
import { EventBus } from './core/events';
import { limitsRule, RateLimiter } from './core/limits';
import { CONSOLE_HTML } from './explorer';
import { IdentityService } from './modules/identity/identity.service';
import { apiEntities, apiSchema } from './schema';

export interface ApiServerOptions {
  databaseUrl: string;
  port: number;
  host?: string;
  /** HS256 secret for access tokens (≥ 32 characters). */
  jwtSecret: string;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** Introspection and the local GraphQL console at GET /graphql. Default true. */
  introspection?: boolean;
  explorer?: boolean;
  maxDepth?: number;
  maxComplexity?: number;
  bodyLimitBytes?: number;
  rateLimit?: { capacity: number; refillPerSecond: number };
  logLevel?: string;
  logger?: Logger;
  /** Postgres pool size of this process (DB_POOL_MAX). Default 20. */
  poolMax?: number;
  /**
   * How long a verified session's state (user, grants) is reused without a database lookup; 0 turns
   * the cache off. Revocation is immediate regardless (NOTIFY). Default 5000 ms.
   */
  sessionCacheTtlMs?: number;
}

export interface ApiServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql (graphql-ws protocol) */
  wsUrl: string;
  httpServer: Server;
  dataSource: DataSource;
  events: EventBus;
  sessionCache: SessionCache;
  close(): Promise<void>;
}

const isAuthError = (e: unknown): e is AppError => e instanceof AppError;

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function errorBody(e: AppError): { errors: GraphQLFormattedError[] } {
  return { errors: [{ message: e.message, extensions: e.extensions }] };
}

class PayloadTooLarge extends AppError {
  constructor(limit: number) {
    super('PAYLOAD_TOO_LARGE', `Request body exceeds ${limit} bytes`, { limit });
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new PayloadTooLarge(limit));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new PayloadTooLarge(limit));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts the API: GraphQL over HTTP and graphql-ws on the same port at /graphql, /healthz, /readyz.
 * Resolves once listening; `close()` drains HTTP and WebSocket clients and releases the database.
 */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const log = opts.logger ?? pino({ level: opts.logLevel ?? 'info', name: 'opencep-api' });
  const sessionCache = new SessionCache(opts.sessionCacheTtlMs ?? 5_000);
  const settings: ContextSettings = {
    jwtSecret: new TextEncoder().encode(opts.jwtSecret),
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 900,
    refreshTokenTtlSeconds: opts.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
    sessionCache,
  };
  if (opts.jwtSecret.length < 32) throw new Error('jwtSecret must be at least 32 characters');
  const introspection = opts.introspection ?? true;
  const explorer = opts.explorer ?? introspection;
  const bodyLimit = opts.bodyLimitBytes ?? 1_048_576;
  const limiter = new RateLimiter(opts.rateLimit?.capacity ?? 300, opts.rateLimit?.refillPerSecond ?? 10);
  const limits = limitsRule({ maxDepth: opts.maxDepth ?? 12, maxComplexity: opts.maxComplexity ?? 5000 });

  const dataSource = new DataSource({
    type: 'postgres',
    url: opts.databaseUrl,
    entities: apiEntities(),
    synchronize: false,
    logging: false,
    extra: { max: opts.poolMax ?? 20, application_name: 'opencep-api' },
  });
  await dataSource.initialize();
  const schema = await apiSchema();
  const events = new EventBus(opts.databaseUrl, dataSource, log);
  // The cache is trusted only while revocations can reach it: disabled and emptied whenever LISTEN is down.
  events.watch({
    event: (e) => sessionCache.apply(e.topic, e.payload),
    connection: (up) => sessionCache.setEnabled(up),
  });
  await events.start();
  const expectedMigrations = (await loadMigrations()).map((m) => (m as unknown as { name: string }).name);

  const makeContext = (identity: Identity, requestId: string): RequestContext => ({
    requestId,
    identity,
    auth: new Authz(identity),
    db: dataSource,
    loaders: new LoaderRegistry(),
    log: log.child({ requestId }),
    events,
    settings,
  });
  const logAndFormat = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (isInternal(error)) log.error({ err: error, path: formatted.path }, 'internal error');
    return formatError(formatted, error);
  };
  const rateKey = (identity: Identity, address: string | undefined) => {
    const a = new Authz(identity).actorId;
    return a ? `${identity.kind}:${a}` : `ip:${address ?? 'unknown'}`;
  };

  const httpServer = createServer();
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: bodyLimit });
  const wsCleanup = useServer<Record<string, unknown> | undefined, { identity?: Identity }>(
    {
      schema,
      onConnect: async (ctx) => {
        const auth = ctx.connectionParams?.authorization;
        try {
          ctx.extra.identity = await IdentityService.authenticate(
            dataSource,
            settings,
            typeof auth === 'string' ? auth : undefined,
          );
          return true;
        } catch {
          return false; // closes with 4403 Forbidden
        }
      },
      onSubscribe: (ctx) => {
        const identity = ctx.extra.identity ?? { kind: 'anonymous' };
        const wait = limiter.take(rateKey(identity, ctx.extra.request.socket.remoteAddress));
        if (wait > 0) return [new RateLimitedError(wait)];
        return undefined;
      },
      validate: (s, doc) => validate(s, doc, [...specifiedRules, limits]),
      context: (ctx) => makeContext(ctx.extra.identity ?? { kind: 'anonymous' }, randomUUID()),
      onNext: (_ctx, _id, _payload, _args: ExecutionArgs, result) =>
        result.errors
          ? { ...result, errors: result.errors.map((e: GraphQLError) => logAndFormat(e.toJSON(), e)) }
          : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => logAndFormat(e.toJSON(), e)),
    },
    wsServer,
  );

  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection,
    formatError: logAndFormat,
    validationRules: [limits],
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  httpServer.on('request', (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'unhandled request error');
      if (!res.headersSent)
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') {
      try {
        const rows = (await dataSource.query('SELECT name FROM typeorm_migrations')) as { name: string }[];
        const applied = new Set(rows.map((r) => r.name));
        const pending = expectedMigrations.filter((n) => !applied.has(n));
        if (pending.length) return sendJson(res, 503, { status: 'migrations pending', pending });
        return sendJson(res, 200, { status: 'ready' });
      } catch {
        return sendJson(res, 503, { status: 'database unreachable' });
      }
    }
    if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found' });
    if (req.method === 'GET' && explorer && (req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(CONSOLE_HTML);
      return;
    }
    const requestId =
      (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id']) || randomUUID();
    let body: unknown;
    let identity: Identity;
    try {
      const raw = req.method === 'POST' ? await readBody(req, bodyLimit) : '';
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return sendJson(res, 400, {
          errors: [{ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
        });
      }
      const apiKey = req.headers['x-api-key'];
      const authorization =
        req.headers.authorization ?? (typeof apiKey === 'string' ? `ApiKey ${apiKey}` : undefined);
      identity = await IdentityService.authenticate(dataSource, settings, authorization);
    } catch (e) {
      if (e instanceof PayloadTooLarge) return sendJson(res, 413, errorBody(e));
      if (e instanceof UnauthenticatedError) return sendJson(res, 401, errorBody(e));
      throw e;
    }
    const wait = limiter.take(rateKey(identity, req.socket.remoteAddress));
    if (wait > 0)
      return sendJson(res, 429, errorBody(new RateLimitedError(wait)), { 'retry-after': String(wait) });

    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => makeContext(identity, requestId),
    });
    const outHeaders: Record<string, string> = { 'x-request-id': requestId };
    for (const [k, v] of result.headers) outHeaders[k] = v;
    res.writeHead(result.status ?? 200, outHeaders);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const addr = httpServer.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  log.info({ port: addr.port }, 'API listening');

  let closed = false;
  return {
    url: `http://${host}:${addr.port}/graphql`,
    wsUrl: `ws://${host}:${addr.port}/graphql`,
    httpServer,
    dataSource,
    events,
    sessionCache,
    async close() {
      if (closed) return;
      closed = true;
      await apollo.stop();
      await events.stop();
      await dataSource.destroy();
    },
  };
}

export { isAuthError };
