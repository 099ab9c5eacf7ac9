/**
 * Restart faults of the fault suite (issue 12): PostgreSQL and the chain node are restarted hard while
 * load runs. Both run as separate functions because each needs its own server: the machine's shared
 * Postgres must never be restarted, so the Postgres fault runs on a dedicated embedded Postgres.
 *
 * - runPostgresRestartFault: the API (child process) on a dedicated embedded Postgres under GraphQL
 *   ingest load; the postmaster gets SIGQUIT (= `pg_ctl stop -m immediate`: no checkpoint, crash
 *   recovery at the next start) and is started again on the same data dir and port after `downMs`.
 *   Clients re-send unanswered batches with the same batch id. Afterwards: every acknowledged reading
 *   stored exactly once, rollups equal a recomputation from raw, the API's LISTEN connection (which
 *   feeds GraphQL subscriptions) is back.
 * - runChainRestartFault: the local journaled chain node (scripts/chain/local-chain.ts) as a child
 *   process, the indexer and the anchoring worker (in this process) while readings are committed into
 *   hourly trust batches; the node is killed with SIGKILL and started again on the same data dir and
 *   port. Afterwards: every trust batch anchored exactly once on chain (Anchored events per root),
 *   the queue's tx hashes equal the on-chain ones, the indexer mirror (chain.log, chain.anchor)
 *   equals eth_getLogs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type IndexerHandle, startIndexer } from '@opencep/indexer';
import { createTestDatabase, runMigrations, type TestDatabase } from '@opencep/migrations';
import { uuidToBytes32 } from 'opencep-verify';
import { devAccount } from 'opencep-verify/testing';
import pg from 'pg';
import {
  type Abi,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  parseEventLogs,
} from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { deviceSigner, type GatewayReading } from '../gateway/src/signing';
import { AnchorWorker } from '../api/src/modules/trust/trust.anchor-worker';
import { runBatcherOnce } from '../api/src/modules/trust/trust.commit';
import { DEMO_ENTERPRISE_ID, DEMO_PASSWORD } from '../api/src/seed/users';
import { type EmbeddedPg, freePort, startEmbeddedPostgres } from './embedded-postgres';
import type { FaultChildConfig } from './fault-api';
import { tsAt, valueAt } from './fault-data';
import {
  type Child,
  type FaultRow,
  gql,
  INGEST,
  kill9,
  rollupMismatches,
  startChild,
  storedKeys,
  tally,
} from './fault-suite';

const ROOT = resolve(import.meta.dirname, '..');
const E = DEMO_ENTERPRISE_ID;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface RestartFaultOptions {
  /** restarts of the server under load */
  restarts: number;
  /** how long the server stays down (ms) */
  downMs?: number;
  /** load time before each restart and after the last one (ms) */
  loadMs?: number;
  /** Postgres fault: also ingest through MQTT (gateway uplink → Mosquitto → ingest worker); default true */
  mqtt?: boolean;
  mqttUrl?: string;
  log?: (line: string) => void;
}

export interface PostgresRestartResult {
  row: FaultRow;
  /** MQTT path (gateway journal → worker) through the same restarts, when `mqtt` is on */
  mqttRow?: FaultRow;
  /** the MQTT worker was still alive at the end */
  workerSurvived: boolean;
  /** batches the worker could not commit while the database was down (dead-lettered if it could) */
  ingestFailures: number;
  rollupMismatches: string[];
  rejected: number;
  /** the API process was still alive at the end (it must survive losing its database) */
  apiSurvived: boolean;
  /** the API's LISTEN connection (GraphQL subscriptions) was re-established after the last restart */
  listenRestored: boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Immediate shutdown of the postmaster in `dataDir` (what `pg_ctl stop -m immediate` sends). */
async function stopImmediate(dataDir: string): Promise<void> {
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGQUIT');
  const deadline = Date.now() + 30_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`postmaster ${pid} did not stop in 30 s`);
    await sleep(20);
  }
}

export async function runPostgresRestartFault(o: RestartFaultOptions): Promise<PostgresRestartResult> {
  const log = o.log ?? (() => undefined);
  const downMs = o.downMs ?? 3000;
  const loadMs = o.loadMs ?? 1500;
  const meters = 3;
  const perBatch = 50; // minutes per batch → 150 readings
  const dataDir = mkdtempSync(join(tmpdir(), 'opencep-fault-pg-'));
  const children: Child[] = [];
  let server: EmbeddedPg | undefined;
  let pool: pg.Pool | undefined;
  try {
    const pgPort = await freePort();
    const start = () => startEmbeddedPostgres({ dataDir, port: pgPort, database: 'opencep_faults' });
    server = await start();
    await runMigrations(server.url);
    pool = new pg.Pool({ connectionString: server.url, max: 2 });
    // the suite's own pool loses its connections too: idle-client errors must not crash the suite
    pool.on('error', () => undefined);
    const api = await startChild({ mode: 'api', databaseUrl: server.url, port: await freePort() });
    children.push(api);
    let apiExit: string | null = null;
    api.proc.once('exit', (code, signal) => {
      apiExit = `exit ${code ?? signal}`;
    });
    const url = api.out;
    const login = await gql(
      url,
      `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
      {
        e: 'admin@plant18.demo',
        p: DEMO_PASSWORD,
      },
    );
    const token = (login.data?.login as { accessToken: string } | undefined)?.accessToken;
    if (!token) throw new Error(`login failed: ${JSON.stringify(login.errors)}`);
    const meterIds: string[] = [];
    for (let i = 0; i < 2 * meters; i++) {
      const r = await gql(
        url,
        `mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`,
        {
          i: {
            enterpriseId: E,
            code: `P-${i}`,
            name: `P ${i}`,
            energyType: 'electricity',
            unit: 'kWh',
            kind: 'cumulative',
          },
        },
        token,
      );
      const id = (r.data?.createMeter as { id: string } | undefined)?.id;
      if (!id) throw new Error(`createMeter failed: ${JSON.stringify(r.errors)}`);
      meterIds.push(id);
    }

    const acked = new Set<string>();
    let rejected = 0;
    let stop = false;
    let lastAck = 0;
    let retries = 0;
    const loop = async (w: number) => {
      for (let k = 0; !stop; k++) {
        const readings: GatewayReading[] = [];
        for (let t = k * perBatch; t < (k + 1) * perBatch; t++)
          for (let m = w * meters; m < (w + 1) * meters; m++)
            readings.push({ meterCode: `P-${m}`, ts: tsAt(t), value: valueAt(m, t), unit: 'kWh' });
        const id = randomUUID();
        // at-least-once client: the same batch (same id) until the API answers with a result
        for (;;) {
          try {
            const r = await gql(url, INGEST, { e: E, r: readings, b: id }, token);
            const res = r.data?.ingestReadings as { items: { index: number; status: string }[] } | undefined;
            if (res) {
              for (const it of res.items) {
                const rd = readings[it.index]!;
                if (it.status === 'REJECTED') rejected++;
                else acked.add(`${rd.meterCode}@${rd.ts}`);
              }
              lastAck = Date.now();
              break;
            }
          } catch {
            // connection refused/reset/timeout
          }
          retries++;
          await sleep(100);
        }
      }
    };
    // MQTT: a real gateway uplink (fsync'd journal, re-send until the platform's ack) and one worker
    const mqtt = o.mqtt ?? true;
    let journaled = -1;
    let pendingBytes = -1;
    let resends = 0;
    let workerExit: string | null = null;
    let gateway: Child | undefined;
    const qMeterIds: string[] = [];
    let devTopic = '';
    if (mqtt) {
      for (let i = 0; i < meters; i++) {
        const r = await gql(
          url,
          `mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`,
          {
            i: {
              enterpriseId: E,
              code: `R-${i}`,
              name: `R ${i}`,
              energyType: 'electricity',
              unit: 'kWh',
              kind: 'cumulative',
            },
          },
          token,
        );
        const id = (r.data?.createMeter as { id: string } | undefined)?.id;
        if (!id) throw new Error(`createMeter failed: ${JSON.stringify(r.errors)}`);
        qMeterIds.push(id);
      }
      const key = generatePrivateKey();
      const dev = await pool.query<{ id: string }>(
        `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'fault-pg-gw', $2) RETURNING id`,
        [E, deviceSigner(key).address],
      );
      devTopic = `opencep/${E}/${dev.rows[0]!.id}/readings`;
      const group = `faults-pg-${randomUUID().slice(0, 8)}`;
      const w = await startChild({
        mode: 'worker',
        databaseUrl: server.url,
        mqttUrl: o.mqttUrl ?? 'mqtt://127.0.0.1:1883',
        group,
        clientId: `${group}-w0`,
        topicFilter: devTopic,
      });
      children.push(w);
      w.proc.once('exit', (code, signal) => {
        workerExit = `exit ${code ?? signal}`;
      });
      gateway = await startChild(
        {
          mode: 'gateway',
          databaseUrl: server.url,
          mqttUrl: o.mqttUrl ?? 'mqtt://127.0.0.1:1883',
          gateway: {
            privateKey: key,
            enterpriseId: E,
            deviceId: dev.rows[0]!.id,
            journalDir: `${dataDir}-gw`,
            prefix: 'R',
            meters,
            minutesPerTick: 4,
            tickMs: 50,
            startT: 0,
            batchSize: 1000,
            timeoutMs: 2000,
          },
        },
        (line) => {
          const j = /^J (\d+)/.exec(line);
          if (j) journaled = Math.max(journaled, Number(j[1]));
          const p = /^P (\d+) (\d+)/.exec(line);
          if (p) {
            pendingBytes = Number(p[1]);
            resends = Number(p[2]);
          }
        },
      );
      children.push(gateway);
      log('MQTT: gateway and worker up on the dedicated Postgres');
    }
    const storedUpTo = async (t: number) => {
      const r = await pool!.query<{ n: number }>(
        `SELECT count(DISTINCT (meter_id, ts))::int AS n FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = ANY($2::uuid[]) AND ts <= $3`,
        [E, qMeterIds, tsAt(t)],
      );
      return r.rows[0]!.n >= (t + 1) * meters;
    };
    const running = [0, 1].map((w) => loop(w));
    let worstRecovery = 0;
    let worstOutage = 0;
    let worstMqtt = 0;
    for (let i = 0; i < o.restarts; i++) {
      await sleep(loadMs);
      const tKill = Date.now();
      const journaledAtKill = journaled;
      await stopImmediate(dataDir);
      log(`postgres stop -m immediate #${i + 1} at ${acked.size} acknowledged`);
      await sleep(downMs);
      server = await start();
      const tUp = Date.now();
      log(`postgres restarted after ${secs(tUp - tKill)} (crash recovery included)`);
      const deadline = tUp + 120_000;
      while (lastAck < tUp && Date.now() < deadline && apiExit === null) await sleep(20);
      if (lastAck < tUp)
        throw new Error(`no acknowledged batch after the restart (API ${apiExit ?? 'alive'})`);
      worstRecovery = Math.max(worstRecovery, lastAck - tUp);
      worstOutage = Math.max(worstOutage, lastAck - tKill);
      log(`postgres restart: next ack ${secs(lastAck - tUp)} after the restart`);
      if (mqtt) {
        // restart → every reading the gateway journaled before the stop is stored
        const upTo = journaledAtKill;
        while (Date.now() < deadline && !(await storedUpTo(upTo).catch(() => false))) await sleep(100);
        const rec = Date.now() - tUp;
        worstMqtt = Math.max(worstMqtt, (await storedUpTo(upTo)) ? rec : Number.POSITIVE_INFINITY);
        log(`postgres restart: MQTT journal up to minute ${upTo} stored ${secs(rec)} after the restart`);
      }
    }
    await sleep(loadMs);
    stop = true;
    await Promise.all(running);
    let mqttRow: FaultRow | undefined;
    let ingestFailures = 0;
    if (mqtt) {
      gateway!.proc.stdin?.write('stop\n');
      await sleep(300);
      for (const end = Date.now() + 120_000; Date.now() < end; await sleep(200))
        if (pendingBytes === 0 && (await storedUpTo(journaled))) break;
      log(`MQTT: drained (journal ${pendingBytes} bytes pending, minute ${journaled} journaled)`);
      const qKeys = new Set<string>();
      for (let t = 0; t <= journaled; t++) for (let m = 0; m < meters; m++) qKeys.add(`R-${m}@${tsAt(t)}`);
      const s = await storedKeys(pool, qMeterIds);
      const t = tally(qKeys, s.keys);
      const dl = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM metering_dead_letter WHERE topic = $1 AND reason = 'INGEST_FAILED'`,
        [devTopic],
      );
      ingestFailures = dl.rows[0]!.n;
      mqttRow = {
        fault: `PostgreSQL stop -m immediate ×${o.restarts} during MQTT ingest (gateway journal → worker); app acks`,
        acknowledged: qKeys.size,
        stored: s.rows,
        lost: t.lost,
        duplicates: t.dup,
        recovery: `${Number.isFinite(worstMqtt) ? secs(worstMqtt) : 'never'} restart → all journaled stored (worst); ${resends} re-sends`,
      };
    }
    // the event bus reconnects its LISTEN connection (api/src/core/events.ts) once a second
    let listenRestored = false;
    for (const end = Date.now() + 15_000; Date.now() < end && !listenRestored; await sleep(200)) {
      const l = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'opencep-api-listen'`,
      );
      listenRestored = l.rows[0]!.n > 0;
    }
    const s = await storedKeys(pool, meterIds);
    const t = tally(acked, s.keys);
    return {
      row: {
        fault: `PostgreSQL stop -m immediate ×${o.restarts} (${secs(downMs)} down) during GraphQL ingestReadings (2 clients)`,
        acknowledged: acked.size,
        stored: s.rows,
        lost: t.lost,
        duplicates: t.dup,
        recovery: `${secs(worstRecovery)} restart → next ack (${secs(worstOutage)} from the stop, worst); ${retries} client re-sends`,
      },
      mqttRow,
      rollupMismatches: [
        ...(await rollupMismatches(pool, meterIds)),
        ...(mqtt ? await rollupMismatches(pool, qMeterIds) : []),
      ],
      rejected,
      ingestFailures,
      workerSurvived: workerExit === null,
      apiSurvived: apiExit === null,
      listenRestored,
    };
  } finally {
    for (const c of children) await kill9(c);
    await pool?.end().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}-gw`, { recursive: true, force: true });
  }
}

export interface ChainRestartResult {
  row: FaultRow;
  /** problems found (replay inconsistent, mirror ≠ chain, queue tx ≠ chain tx, anchors left open) */
  problems: string[];
  /** Anchored logs on chain, rows in chain.log for the registry (equal when the mirror is right) */
  chainLogs: number;
  mirrorLogs: number;
  /** what the anchoring worker did to recover (summed tick results) */
  worker: { rebroadcast: number; replaced: number; failed: number; errors: number; retries: number };
}

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const HOUR = 3_600_000;
const artifact = (name: string) =>
  JSON.parse(readFileSync(join(ROOT, 'contracts/artifacts/src', `${name}.sol`, `${name}.json`), 'utf8')) as {
    abi: Abi;
    bytecode: Hex;
  };
const silent = { info() {}, warn() {}, error() {}, debug() {} };

export async function runChainRestartFault(o: RestartFaultOptions): Promise<ChainRestartResult> {
  const log = o.log ?? (() => undefined);
  const downMs = o.downMs ?? 3000;
  const loadMs = o.loadMs ?? 2000;
  const chainDir = mkdtempSync(join(tmpdir(), 'opencep-fault-chain-'));
  const children: Child[] = [];
  const problems: string[] = [];
  let db: TestDatabase | undefined;
  let pool: pg.Pool | undefined;
  let indexer: IndexerHandle | undefined;
  // the anchoring worker's loop, ticked here to count what it did (AnchorWorker.start() drops results)
  const ticks = { rebroadcast: 0, replaced: 0, failed: 0, errors: 0, retries: 0 };
  let workerStop = false;
  let workerLoop: Promise<void> | undefined;
  try {
    const chainCfg: FaultChildConfig = { mode: 'chain', databaseUrl: '', chainDir, port: await freePort() };
    const replays: string[] = [];
    const onChainLine = (line: string) => {
      const m = /^C (\d+) (\w+)/.exec(line);
      if (m) {
        replays.push(`${m[1]} calls replayed`);
        if (m[2] !== 'true')
          problems.push(`chain replay inconsistent (head hash differs after ${m[1]} calls)`);
      }
    };
    let node = await startChild(chainCfg, onChainLine);
    children.push(node);
    const rpc = node.out;
    const c = defineChain({
      id: 31337,
      name: 'local',
      nativeCurrency: { name: 'ETH', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpc] } },
    });
    const pub = createPublicClient({ chain: c, transport: http(rpc) });
    const deployer = createWalletClient({ chain: c, transport: http(rpc), account: devAccount(0) });
    const deploy = async (name: string, args: unknown[]) => {
      const a = artifact(name);
      const hash = await deployer.deployContract({ abi: a.abi, bytecode: a.bytecode, args });
      const r = await pub.waitForTransactionReceipt({ hash });
      return { address: r.contractAddress as Hex, block: Number(r.blockNumber) };
    };
    const participants = await deploy('ParticipantRegistry', [deployer.account.address]);
    const registry = await deploy('AttestationRegistry', [participants.address]);
    const registryAbi = artifact('AttestationRegistry').abi;

    db = await createTestDatabase('faults_chain');
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    // pool.end() resolves before the sockets are closed; the FORCE drop then terminates them, which
    // an idle client reports as an error on the pool: expected at cleanup, not a fault
    pool.on('error', () => undefined);
    const park = await pool.query(
      `INSERT INTO parks (name, jurisdiction) VALUES ('P', 'CN-42') RETURNING id`,
    );
    const ent = await pool.query(
      `INSERT INTO enterprises (park_id, name) VALUES ($1, 'Works') RETURNING id`,
      [park.rows[0].id],
    );
    const enterpriseId = ent.rows[0].id as string;
    const admin = devAccount(8);
    const reg = await deployer.writeContract({
      address: participants.address,
      abi: artifact('ParticipantRegistry').abi,
      functionName: 'registerEnterprise',
      args: [uuidToBytes32(enterpriseId), admin.address],
    });
    await pub.waitForTransactionReceipt({ hash: reg });
    const m = await pool.query(
      `INSERT INTO metering_meter (enterprise_id, code, name, energy_type, unit, kind)
       VALUES ($1, 'M1', 'Main', 'electricity', 'kWh', 'interval') RETURNING id`,
      [enterpriseId],
    );
    const meterId = m.rows[0].id as string;

    indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: rpc,
      deployment: {
        chainId: 31337,
        contracts: {
          AttestationRegistry: {
            address: registry.address,
            abi: JSON.parse(JSON.stringify(registryAbi)),
            blockNumber: registry.block,
          },
        },
      },
      finalityDepth: 1,
      pollIntervalMs: 200,
      logger: silent,
    });
    const worker = new AnchorWorker({
      pool,
      rpcUrl: rpc,
      chainId: 31337,
      registry: registry.address,
      signerFor: () => admin,
      retryBaseSeconds: 1,
      stuckAfterSeconds: 10,
      maxAttempts: 20,
      pollMs: 200,
      log: (msg) => {
        if (msg === 'anchor retry') ticks.retries++;
      },
    });
    workerLoop = (async () => {
      while (!workerStop) {
        try {
          const t = await worker.tick();
          ticks.rebroadcast += t.rebroadcast;
          ticks.replaced += t.replaced;
          ticks.failed += t.failed;
        } catch {
          ticks.errors++; // node down: RPC errors until it is back
        }
        await sleep(200);
      }
    })();

    // load: one hour of readings (4 per hour) every 150 ms, committed into an hourly trust batch
    let stop = false;
    let hours = 0;
    const load = (async () => {
      for (let h = 0; !stop; h++) {
        for (let i = 0; i < 4; i++) {
          const ts = new Date(T0 + h * HOUR + (i + 1) * 15 * 60_000 - 60_000);
          await pool!.query(`SELECT metering_ensure_reading_partition($1)`, [ts]);
          await pool!.query(
            `INSERT INTO metering_reading (enterprise_id, meter_id, ts, source, value, unit)
             VALUES ($1, $2, $3, 'device', $4, 'kWh')`,
            [enterpriseId, meterId, ts, `${h}.${i}25`],
          );
        }
        await runBatcherOnce(pool!);
        hours = h + 1;
        await sleep(150);
      }
    })();
    const confirmed = async () =>
      (
        await pool!.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM trust_anchor WHERE state = 'confirmed'`,
        )
      ).rows[0]!.n;

    let worstRecovery = 0;
    let worstBacklog = 0;
    for (let i = 0; i < o.restarts; i++) {
      await sleep(loadMs);
      const tKill = Date.now();
      await kill9(node);
      const states = await pool.query<{ state: string; n: number }>(
        `SELECT state, count(*)::int AS n FROM trust_anchor GROUP BY 1 ORDER BY 1`,
      );
      // every batch queued before the kill must end up confirmed: the backlog recovery
      const queuedAtKill = (
        await pool.query<{ r: string }>(`SELECT encode(root, 'hex') AS r FROM trust_anchor`)
      ).rows.map((x) => x.r);
      log(
        `chain node kill -9 #${i + 1} after ${hours} hours batched; queue ${states.rows.map((r) => `${r.state} ${r.n}`).join(', ')}`,
      );
      await sleep(downMs);
      const before = await confirmed();
      node = await startChild(chainCfg, onChainLine);
      children.push(node);
      const tUp = Date.now();
      log(`chain node restarted on the same data dir and port (${replays.at(-1)})`);
      const deadline = tUp + 120_000;
      while ((await confirmed()) <= before && Date.now() < deadline) await sleep(50);
      const rec = Date.now() - tUp;
      if ((await confirmed()) <= before) throw new Error('no anchor confirmed after the chain restart');
      worstRecovery = Math.max(worstRecovery, rec);
      const backlog = async () =>
        (
          await pool!.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM trust_anchor WHERE encode(root, 'hex') = ANY($1::text[]) AND state <> 'confirmed'`,
            [queuedAtKill],
          )
        ).rows[0]!.n;
      while ((await backlog()) > 0 && Date.now() < deadline) await sleep(100);
      const drained = (await backlog()) === 0 ? Date.now() - tUp : Number.POSITIVE_INFINITY;
      worstBacklog = Math.max(worstBacklog, drained);
      log(
        `chain restart: next anchor confirmed ${secs(rec)}, all ${queuedAtKill.length} queued before the kill confirmed ${secs(drained)} after the restart (${secs(Date.now() - tKill)} from the kill)`,
      );
    }
    await sleep(loadMs);
    stop = true;
    await load;
    await runBatcherOnce(pool);
    // drain: every batch anchored and confirmed, the indexer at the head
    const open = async () =>
      (
        await pool!.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM trust_anchor WHERE state <> 'confirmed'`,
        )
      ).rows[0]!.n;
    for (const end = Date.now() + 60_000; Date.now() < end && (await open()) > 0; ) await sleep(200);
    workerStop = true;
    await workerLoop;
    // one more block so that the last anchor's block is final for the indexer (finalityDepth 1)
    await pub.request({ method: 'evm_mine' as never, params: [] as never });
    const head = Number(await pub.getBlockNumber());
    for (const end = Date.now() + 60_000; Date.now() < end; await sleep(200)) {
      const s = await indexer.status();
      if ((s.checkpointBlock ?? -1) >= head - 1) break;
    }
    const finalBlock = head - 1;
    const stillOpen = await open();
    if (stillOpen) problems.push(`${stillOpen} anchors not confirmed after the drain`);

    // on chain: Anchored events per root
    const logs = await pub.getLogs({ address: registry.address, fromBlock: 0n, toBlock: BigInt(finalBlock) });
    const anchored = parseEventLogs({ abi: registryAbi, logs, eventName: 'Anchored' }) as unknown as {
      args: { root: Hex };
      transactionHash: Hex;
    }[];
    const onChain = new Map<string, string[]>();
    for (const a of anchored) {
      const k = a.args.root.toLowerCase();
      onChain.set(k, [...(onChain.get(k) ?? []), a.transactionHash.toLowerCase()]);
    }
    const queue = await pool.query<{ root: string; state: string; tx_hash: string | null }>(
      `SELECT '0x' || encode(root, 'hex') AS root, state, lower(tx_hash) AS tx_hash FROM trust_anchor`,
    );
    const batches = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM trust_batch`);
    const inQueue = new Set(queue.rows.map((r) => r.root.toLowerCase()));
    let lost = 0;
    for (const q of queue.rows) {
      const txs = onChain.get(q.root.toLowerCase());
      if (!txs) lost++;
      else if (q.state === 'confirmed' && q.tx_hash && !txs.includes(q.tx_hash))
        problems.push(`anchor ${q.root}: queue tx ${q.tx_hash} ≠ on-chain tx ${txs.join(',')}`);
    }
    let duplicates = 0;
    for (const [root, txs] of onChain) {
      duplicates += txs.length - 1;
      if (!inQueue.has(root)) duplicates++; // anchored on chain but not a batch of this platform
    }
    if (batches.rows[0]!.n !== queue.rows.length)
      problems.push(`${batches.rows[0]!.n} trust batches but ${queue.rows.length} anchors queued`);

    // indexer mirror = eth_getLogs (all registry logs up to the final block)
    const mirror = await pool.query<{ k: string }>(
      `SELECT lower(tx_hash) || ':' || log_index || ':' || lower(block_hash) AS k FROM chain.log
       WHERE lower(address) = lower($1) AND block_number <= $2 ORDER BY block_number, log_index`,
      [registry.address, finalBlock],
    );
    const chainKeys = logs.map(
      (l) => `${l.transactionHash.toLowerCase()}:${l.logIndex}:${l.blockHash.toLowerCase()}`,
    );
    const mirrorKeys = mirror.rows.map((r) => r.k);
    if (JSON.stringify(mirrorKeys) !== JSON.stringify(chainKeys))
      problems.push(
        `indexer mirror ≠ chain: ${mirrorKeys.length} logs in chain.log, ${chainKeys.length} from eth_getLogs`,
      );
    const mirrorAnchors = await pool.query<{ root: string; n: number }>(
      `SELECT lower(root::text) AS root, count(*)::int AS n FROM chain.anchor GROUP BY 1`,
    );
    const mirrored = new Map(mirrorAnchors.rows.map((r) => [r.root.replace(/^\\x/, '0x'), r.n]));
    for (const [root, txs] of onChain)
      if (mirrored.get(root) !== txs.length)
        problems.push(`chain.anchor has ${mirrored.get(root) ?? 0} rows for ${root}, chain ${txs.length}`);
    if (mirrored.size !== onChain.size)
      problems.push(`chain.anchor: ${mirrored.size} roots, chain ${onChain.size}`);
    return {
      row: {
        fault: `Chain node kill -9 ×${o.restarts} (${secs(downMs)} down; journal replay) during hourly anchoring + indexer`,
        acknowledged: queue.rows.length,
        stored: anchored.length,
        lost,
        duplicates,
        recovery: `restart → next anchor confirmed ${secs(worstRecovery)}, → all queued before the kill confirmed ${Number.isFinite(worstBacklog) ? secs(worstBacklog) : 'never'} (worst); ${replays.at(-1)}; worker: ${ticks.rebroadcast} rebroadcast, ${ticks.replaced} replaced, ${ticks.retries} retries, ${ticks.failed} failed; mirror ${problems.some((p) => p.startsWith('indexer') || p.startsWith('chain.anchor')) ? '≠' : '='} chain (${chainKeys.length} logs)`,
      },
      problems,
      chainLogs: chainKeys.length,
      mirrorLogs: mirrorKeys.length,
      worker: ticks,
    };
  } finally {
    workerStop = true;
    await workerLoop?.catch(() => undefined);
    await indexer?.stop().catch(() => undefined);
    for (const ch of children) await kill9(ch);
    await pool?.end();
    await db?.drop();
    rmSync(chainDir, { recursive: true, force: true });
  }
}
