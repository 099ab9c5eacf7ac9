import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './embedded-postgres';

const root = resolve(import.meta.dirname, '..');

interface Run {
  child: ChildProcess;
  output: () => string;
}

/** Starts `npm start`'s entry point exactly as a user would, with every embedded default. */
function start(env: Record<string, string>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  delete childEnv.CHAIN_RPC_URL;
  delete childEnv.MQTT_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not come up:\n${out.slice(-4000)}`)),
      240_000,
    );
    const check = setInterval(() => {
      if (out.includes('OpenCEP is up.')) {
        clearInterval(check);
        clearTimeout(timer);
        resolvePromise({ child, output: () => out });
      }
    }, 200);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${out.slice(-4000)}`));
    });
  });
}

function stop(run: Run): Promise<number | null> {
  return new Promise((r) => {
    run.child.removeAllListeners('exit');
    run.child.once('exit', (code) => r(code));
    run.child.kill('SIGINT');
  });
}

async function gql(api: string, query: string, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${api}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('npm start (embedded Postgres + journaled local chain)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opencep-start-'));
  // As root, embedded Postgres runs initdb as a dedicated user, who must be able to enter the dir.
  chmodSync(dataDir, 0o755);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('comes up from nothing, serves GraphQL with live demo data, and keeps data and chain state across a restart', async () => {
    const [apiPort, chainPort, pgPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      OPENCEP_DATA_DIR: dataDir,
      API_PORT: String(apiPort),
      CHAIN_PORT: String(chainPort),
      EMBEDDED_PG_PORT: String(pgPort),
      START_WEB: 'false',
      LOG_LEVEL: 'warn',
    };
    const api = `http://127.0.0.1:${apiPort}`;
    const dbUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/opencep`;

    const first = await start(env);
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    const login = await gql(
      api,
      'mutation { login(email: "admin@plant18.demo", password: "opencep-demo") { accessToken } }',
    );
    const token = (login.data as { login: { accessToken: string } }).login.accessToken;
    expect(token).toMatch(/^ey/);

    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const meters = await db.query('SELECT count(*)::int AS n FROM metering_meter');
    expect(meters.rows[0].n).toBeGreaterThanOrEqual(40);
    const readings1 = (await db.query('SELECT count(*)::int AS n FROM metering_reading')).rows[0].n as number;
    expect(readings1).toBeGreaterThan(100_000);
    // The indexer mirrored the deployment and the demo governance round.
    const mirrored = await db.query('SELECT count(*)::int AS n FROM chain.log');
    expect(mirrored.rows[0].n).toBeGreaterThan(0);
    await db.end();

    const deploymentFile = readdirSync(join(dataDir, 'chain', 'deployments'))[0]!;
    const deployment = JSON.parse(
      readFileSync(join(dataDir, 'chain', 'deployments', deploymentFile), 'utf8'),
    );
    const blockOf = async (rpc: string, n: number) => {
      const res = await fetch(rpc, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'eth_getBlockByNumber',
          params: [`0x${n.toString(16)}`, false],
        }),
      });
      return ((await res.json()) as { result: { hash: string } }).result.hash;
    };
    const rpc = `http://127.0.0.1:${chainPort}`;
    const deployBlockHash = await blockOf(rpc, deployment.deployedAtBlock);

    expect(await stop(first)).toBe(0);

    const second = await start(env);
    expect(second.output()).not.toMatch(/"replayed":0/);
    expect(await blockOf(rpc, deployment.deployedAtBlock)).toBe(deployBlockHash);
    const db2 = new pg.Client({ connectionString: dbUrl });
    await db2.connect();
    const readings2 = (await db2.query('SELECT count(*)::int AS n FROM metering_reading')).rows[0]
      .n as number;
    expect(readings2).toBeGreaterThanOrEqual(readings1);
    await db2.end();
    const login2 = await gql(
      api,
      'mutation { login(email: "admin@plant18.demo", password: "opencep-demo") { accessToken } }',
    );
    expect((login2.data as { login: { accessToken: string } }).login.accessToken).toMatch(/^ey/);
    expect(await stop(second)).toBe(0);
  }, 600_000);
});
