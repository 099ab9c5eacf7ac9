/**
 * Backup and restore (docs/operations.md): a database with anchored reading proofs is dumped with
 * pg_dump (custom format) and the chain directory (genesis, journal) is copied; both are restored
 * elsewhere — pg_restore into a fresh database, the local chain replayed from the copied journal on
 * another port — and every proof read from the restored database still verifies off-chain and
 * against the restored chain.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, runMigrations, type TestDatabase } from '@opencep/migrations';
import { type ProofFile, uuidToBytes32, verifyProof } from 'opencep-verify';
import { devAccount } from 'opencep-verify/testing';
import pg from 'pg';
import pino from 'pino';
import { type Abi, createPublicClient, createWalletClient, defineChain, type Hex, http } from 'viem';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authz, type Identity, LoaderRegistry, type RequestContext } from '../api/src/core/context';
import type { EventBus } from '../api/src/core/events';
import { AnchorWorker } from '../api/src/modules/trust/trust.anchor-worker';
import { runBatcherOnce } from '../api/src/modules/trust/trust.commit';
import { readingProof } from '../api/src/modules/trust/trust.proof.service';
import { type LocalChain, startLocalChain } from './chain/local-chain';

const ROOT = join(import.meta.dirname, '..');
const T0 = Date.parse('2027-05-01T00:00:00.000Z');
const HOUR = 3_600_000;
const admin = devAccount(8);
const artifact = (name: string) =>
  JSON.parse(readFileSync(join(ROOT, 'contracts/artifacts/src', `${name}.sol`, `${name}.json`), 'utf8')) as {
    abi: Abi;
    bytecode: Hex;
  };

let work: string;
let chain: LocalChain | undefined;
let restoredChain: LocalChain | undefined;
let db: TestDatabase;
let restored: TestDatabase;
let pool: pg.Pool;
let enterpriseId: string;
let meterId: string;
let registry: Hex;

function ctxOn(ds: DataSource): RequestContext {
  const identity: Identity = {
    kind: 'user',
    userId: randomUUID(),
    sessionId: randomUUID(),
    email: 'backup@example.com',
    grants: [
      {
        role: 'ENTERPRISE_ADMIN',
        scopeType: 'ENTERPRISE',
        scopeId: enterpriseId,
        enterpriseIds: [enterpriseId],
        parkIds: [],
      },
    ],
  };
  return {
    requestId: 'backup-test',
    identity,
    auth: new Authz(identity),
    db: ds,
    loaders: new LoaderRegistry(),
    log: pino({ level: 'silent' }),
    events: {} as EventBus,
    settings: { jwtSecret: new Uint8Array(32), accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 60 },
  };
}

async function proofsFrom(url: string): Promise<ProofFile[]> {
  const ds = new DataSource({ type: 'postgres', url, synchronize: false, logging: false, poolSize: 2 });
  await ds.initialize();
  try {
    const leaves = (await ds.query(
      `SELECT meter_id, ts FROM trust_leaf WHERE enterprise_id = $1 AND meter_id IS NOT NULL ORDER BY ts`,
      [enterpriseId],
    )) as { meter_id: string; ts: Date }[];
    const out: ProofFile[] = [];
    for (const l of leaves)
      out.push((await readingProof(ctxOn(ds), { enterpriseId, meterId: l.meter_id, ts: l.ts })).file);
    return out;
  } finally {
    await ds.destroy();
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'opencep-backup-'));
  // --- a platform data dir: chain journal + secrets, and a database with anchored proofs ---
  const dataDir = join(work, 'data');
  chain = await startLocalChain({ dataDir: join(dataDir, 'chain'), port: 0 });
  writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify({ jwtSecret: 'x'.repeat(48) }), {
    mode: 0o600,
  });
  const c = defineChain({
    id: chain.chainId,
    name: 'local',
    nativeCurrency: { name: 'ETH', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [chain.url] } },
  });
  const pub = createPublicClient({ chain: c, transport: http(chain.url) });
  const deployer = createWalletClient({ chain: c, transport: http(chain.url), account: devAccount(0) });
  const deploy = async (name: string, args: unknown[]) => {
    const a = artifact(name);
    const hash = await deployer.deployContract({ abi: a.abi, bytecode: a.bytecode, args });
    const r = await pub.waitForTransactionReceipt({ hash });
    return r.contractAddress as Hex;
  };
  const participants = await deploy('ParticipantRegistry', [deployer.account.address]);
  registry = await deploy('AttestationRegistry', [participants]);

  db = await createTestDatabase('backup_src');
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  const park = await pool.query(`INSERT INTO parks (name, jurisdiction) VALUES ('P', 'CN-42') RETURNING id`);
  const ent = await pool.query(`INSERT INTO enterprises (park_id, name) VALUES ($1, 'Works') RETURNING id`, [
    park.rows[0].id,
  ]);
  enterpriseId = ent.rows[0].id;
  const reg = await deployer.writeContract({
    address: participants,
    abi: artifact('ParticipantRegistry').abi,
    functionName: 'registerEnterprise',
    args: [uuidToBytes32(enterpriseId), admin.address],
  });
  await pub.waitForTransactionReceipt({ hash: reg });
  const m = await pool.query(
    `INSERT INTO metering_meter (enterprise_id, code, name, energy_type, unit, kind) VALUES ($1, 'M1', 'Main', 'electricity', 'kWh', 'interval') RETURNING id`,
    [enterpriseId],
  );
  meterId = m.rows[0].id;
  for (let h = 0; h < 4; h++)
    for (let i = 0; i < 3; i++) {
      const ts = new Date(T0 + h * HOUR + (i + 1) * 15 * 60_000 - 60_000);
      await pool.query(`SELECT metering_ensure_reading_partition($1)`, [ts]);
      await pool.query(
        `INSERT INTO metering_reading (enterprise_id, meter_id, ts, source, value, unit) VALUES ($1, $2, $3, 'device', $4, 'kWh')`,
        [enterpriseId, meterId, ts, `${h}.${i}25`],
      );
    }
  await runBatcherOnce(pool, { now: () => new Date(T0 + 5 * HOUR) });
  const worker = new AnchorWorker({
    pool,
    rpcUrl: chain.url,
    chainId: chain.chainId,
    registry,
    signerFor: () => admin,
    retryBaseSeconds: 0,
    pollMs: 50,
  });
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    await worker.tick();
    const open = await pool.query(`SELECT count(*)::int AS n FROM trust_anchor WHERE state <> 'confirmed'`);
    if (open.rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await chain?.stop();
  await restoredChain?.stop();
  await db?.drop();
  await restored?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('proofs from a pg_restore-d database verify off-chain and against the chain restored from its journal', async (t) => {
    // pg_dump refuses servers newer than itself (e.g. the embedded Postgres 18 when DATABASE_URL is unset).
    const server = Number((await pool.query(`SHOW server_version_num`)).rows[0].server_version_num) / 10_000;
    const client = Number(/(\d+)/.exec(execFileSync('pg_dump', ['--version']).toString())?.[1] ?? 0);
    if (client < Math.floor(server))
      t.skip(`pg_dump ${client} is older than the server (${Math.floor(server)})`);
    const anchors = await pool.query(`SELECT state, count(*)::int AS n FROM trust_anchor GROUP BY 1`);
    expect(anchors.rows).toEqual([{ state: 'confirmed', n: 4 }]);
    const original = await proofsFrom(db.url);
    expect(original).toHaveLength(12);
    expect((await verifyProof(original[0], { rpcUrl: chain!.url })).code).toBe('VALID');

    // --- backup (docs/operations.md): pg_dump -Fc, then copy the chain dir and secrets ---
    const backup = join(work, 'backup');
    const dump = join(backup, 'opencep.dump');
    cpSync(join(work, 'data', 'secrets.json'), join(backup, 'secrets.json'));
    execFileSync('pg_dump', ['--format=custom', '--file', dump, db.url]);
    await chain!.stop(); // the journal is append-only; stopping gives a consistent copy
    chain = undefined;
    cpSync(join(work, 'data', 'chain'), join(backup, 'chain'), { recursive: true });

    // --- restore elsewhere: fresh database + chain replayed from the copied journal ---
    restored = await createTestDatabase('backup_dst', { migrate: false });
    execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', restored.url, dump]);
    expect(await runMigrations(restored.url)).toHaveLength(0); // schema complete, nothing pending
    const restoreDir = join(work, 'restored');
    cpSync(join(backup, 'chain'), join(restoreDir, 'chain'), { recursive: true });
    restoredChain = await startLocalChain({ dataDir: join(restoreDir, 'chain'), port: 0 });
    expect(restoredChain.consistent).toBe(true);
    expect(restoredChain.replayed).toBeGreaterThan(0);

    const after = await proofsFrom(restored.url);
    expect(after).toEqual(original);
    for (const p of after) {
      expect(p.anchor?.registry.toLowerCase()).toBe(registry.toLowerCase());
      expect(await verifyProof(p)).toMatchObject({ ok: true });
      expect(await verifyProof(p, { rpcUrl: restoredChain.url })).toMatchObject({
        ok: true,
        checkedOnChain: true,
      });
    }
    // row counts of every table survive the round trip
    const counts = async (url: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const r = await c.query(
        `SELECT n.nspname || '.' || c.relname AS t,
                (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::int AS n
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('public', 'chain') AND c.relkind IN ('r', 'p') ORDER BY 1`,
      );
      await c.end();
      return r.rows;
    };
    expect(await counts(restored.url)).toEqual(await counts(db.url));
  }, 60_000);
});
