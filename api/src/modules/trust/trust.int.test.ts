import { randomUUID } from 'node:crypto';
import { graphql } from 'graphql';
import { ATTESTATION_VERIFY_ABI, uuidToBytes32, verifyProof } from 'opencep-verify';
import { type LocalRegistry, devAccount, startLocalRegistry } from 'opencep-verify/testing';
import pino from 'pino';
import { createWalletClient, type Hex, http, parseEventLogs } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authz, type Identity, LoaderRegistry, type RequestContext } from '../../core/context';
import type { EventBus } from '../../core/events';
import { buildApiSchema } from '../../schema';
import { type MeteringFixture, meteringFixture } from '../metering/testing';
import { AnchorWorker, type AnchorWorkerOptions } from './trust.anchor-worker';
import { commitInventory, runBatcherOnce } from './trust.commit';
import { inventoryLineProof, readingProof } from './trust.proof.service';
import { TrustResolver } from './trust.resolver';
import { runTamperCheck } from './trust.tamper';

const HOUR = 3600_000;
const T0 = Date.parse('2027-03-01T00:00:00.000Z');
const admin = devAccount(8);
let f: MeteringFixture;
let chain: LocalRegistry;
let meterId: string;
let ctx: RequestContext;

async function insertReading(ts: Date, value: string, source = 'device', unit = 'kWh'): Promise<void> {
  await f.pool.query(`SELECT metering_ensure_reading_partition($1)`, [ts]);
  await f.pool.query(
    `INSERT INTO metering_reading (enterprise_id, meter_id, ts, source, value, unit) VALUES ($1, $2, $3, $4, $5, $6)`,
    [f.enterpriseId, meterId, ts, source, value, unit],
  );
}

function worker(extra: Partial<AnchorWorkerOptions> = {}): AnchorWorker {
  return new AnchorWorker({
    pool: f.pool,
    rpcUrl: chain.url,
    chainId: chain.chainId,
    registry: chain.registry,
    signerFor: () => admin,
    retryBaseSeconds: 0,
    pollMs: 50,
    ...extra,
  });
}

async function anchorsByState(): Promise<Record<string, number>> {
  const r = await f.pool.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM trust_anchor GROUP BY state`,
  );
  return Object.fromEntries(r.rows.map((x) => [x.state, x.n]));
}

/** Ticks the workers until no anchor is pending or sent (or 20 s pass). */
async function drain(w: AnchorWorker[]): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    await Promise.all(w.map((x) => x.tick()));
    const s = await anchorsByState();
    if (!s.pending && !s.sent) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  [f, chain] = await Promise.all([meteringFixture('trust'), startLocalRegistry()]);
  await chain.registerEnterprise(uuidToBytes32(f.enterpriseId), admin.address);
  const m = await f.pool.query<{ id: string }>(
    `INSERT INTO metering_meter (enterprise_id, code, name, energy_type, unit, kind) VALUES ($1, 'M1', 'Main', 'electricity', 'kWh', 'interval') RETURNING id`,
    [f.enterpriseId],
  );
  meterId = (m.rows[0] as { id: string }).id;
  const identity: Identity = {
    kind: 'user',
    userId: randomUUID(),
    sessionId: randomUUID(),
    email: 'a@example.com',
    grants: [
      {
        role: 'ENTERPRISE_ADMIN',
        scopeType: 'ENTERPRISE',
        scopeId: f.enterpriseId,
        enterpriseIds: [f.enterpriseId],
        parkIds: [],
      },
    ],
  };
  ctx = {
    requestId: 'test',
    identity,
    auth: new Authz(identity),
    db: f.ds,
    loaders: new LoaderRegistry(),
    log: pino({ level: 'silent' }),
    events: {} as EventBus,
    settings: { jwtSecret: new Uint8Array(32), accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 60 },
  };
});
afterAll(async () => {
  await chain?.stop();
  await f?.close();
});

describe('batching', () => {
  it('batches closed hourly periods per enterprise; late data makes a new batch referencing the previous', async () => {
    for (let i = 0; i < 8; i++) await insertReading(new Date(T0 + i * 15 * 60_000), `${i}.125`);
    await insertReading(new Date(T0 + 3 * HOUR + 60_000), '9'); // still-open period at `now`
    const now = () => new Date(T0 + 3 * HOUR + 30 * 60_000);
    const first = await runBatcherOnce(f.pool, { now });
    expect(first.map((b) => [b.leafCount, b.seq])).toEqual([
      [4, 0],
      [4, 0],
    ]);
    expect(await runBatcherOnce(f.pool, { now })).toEqual([]);
    await insertReading(new Date(T0 + 10 * 60_000), '100.5'); // late reading for hour 0
    const late = await runBatcherOnce(f.pool, { now });
    expect(late).toHaveLength(1);
    const hour0 = first.find((b) => b.leafCount === 4 && b.seq === 0) as (typeof first)[number];
    expect(late[0]).toMatchObject({ seq: 1, leafCount: 1 });
    const prev = await f.pool.query(`SELECT previous_batch_id FROM trust_batch WHERE id = $1`, [
      late[0]?.batchId,
    ]);
    expect([first[0]?.batchId, first[1]?.batchId]).toContain(prev.rows[0].previous_batch_id);
    expect(hour0).toBeDefined();
    expect(await anchorsByState()).toEqual({ pending: 3 });
  });
});

describe('anchoring queue', () => {
  it('anchors every pending batch once with concurrent workers; proofs verify off- and on-chain', async () => {
    // 9 more hours of data → more batches for the concurrent run.
    for (let h = 4; h < 13; h++)
      for (let i = 0; i < 3; i++) await insertReading(new Date(T0 + h * HOUR + i * 60_000), `${h}.${i}`);
    await runBatcherOnce(f.pool, { now: () => new Date(T0 + 14 * HOUR) });
    const total = (await f.pool.query(`SELECT count(*)::int AS n FROM trust_anchor`)).rows[0].n as number;
    expect(total).toBe(13);
    const nonceBefore = await chain.publicClient.getTransactionCount({ address: admin.address });
    await drain([worker(), worker(), worker()]);
    expect(await anchorsByState()).toEqual({ confirmed: total });
    // Exactly one transaction per batch, each emitting one Anchored event for a distinct root.
    const nonceAfter = await chain.publicClient.getTransactionCount({ address: admin.address });
    expect(nonceAfter - nonceBefore).toBe(total);
    const logs = await chain.publicClient.getLogs({ address: chain.registry, fromBlock: 0n });
    const anchored = parseEventLogs({ abi: chain.registryAbi, logs, eventName: 'Anchored' });
    const roots = anchored.map((l) => (l.args as { root: Hex }).root);
    expect(new Set(roots).size).toBe(roots.length);
    const dbRoots = (
      await f.pool.query(`SELECT '0x' || encode(root, 'hex') AS r FROM trust_anchor`)
    ).rows.map((r) => r.r);
    expect(roots.sort()).toEqual(dbRoots.sort());

    // Proof of a reading through the service and GraphQL, verified like a third party would.
    const p = await readingProof(ctx, {
      enterpriseId: f.enterpriseId,
      meterId,
      ts: new Date(T0 + 15 * 60_000),
    });
    expect(p.file.anchor?.registry.toLowerCase()).toBe(chain.registry.toLowerCase());
    expect(p.file.leaf).toMatchObject({ value: '1.125', unit: 'kWh', ts: '2027-03-01T00:15:00.000Z' });
    expect(await verifyProof(p.file, { rpcUrl: chain.url })).toMatchObject({
      ok: true,
      checkedOnChain: true,
    });
    const schema = await buildApiSchema([TrustResolver]);
    const res = await graphql({
      schema,
      source: `query($e: ID!, $m: ID!, $t: DateTime!) { readingProof(enterpriseId: $e, meterId: $m, ts: $t) { root anchorState anchorTxHash proofJson } }`,
      variableValues: { e: f.enterpriseId, m: meterId, t: new Date(T0 + 30 * 60_000).toISOString() },
      contextValue: ctx,
    });
    expect(res.errors).toBeUndefined();
    const gp = (res.data as { readingProof: { anchorState: string; proofJson: string } }).readingProof;
    expect(gp.anchorState).toBe('confirmed');
    expect((await verifyProof(gp.proofJson, { rpcUrl: chain.url })).code).toBe('VALID');
    const foreign = await graphql({
      schema,
      source: `query($e: ID!, $m: ID!, $t: DateTime!) { readingProof(enterpriseId: $e, meterId: $m, ts: $t) { root } }`,
      variableValues: { e: randomUUID(), m: meterId, t: new Date(T0).toISOString() },
      contextValue: ctx,
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('commits inventory lines and discloses one with a verifiable proof', async () => {
    const inventoryId = randomUUID();
    await commitInventory(f.pool, {
      enterpriseId: f.enterpriseId,
      inventoryId,
      periodStart: new Date('2027-01-01T00:00:00Z'),
      periodEnd: new Date('2028-01-01T00:00:00Z'),
      lines: [
        { line: 'scope1/natural_gas', value: '1234.5', unit: 'tCO2e' },
        { line: 'scope2/electricity/location', value: '987.654321', unit: 'tCO2e' },
        { line: 'scope2/electricity/market', value: '0', unit: 'tCO2e' },
      ],
    });
    await drain([worker()]);
    const p = await inventoryLineProof(ctx, {
      enterpriseId: f.enterpriseId,
      inventoryId,
      line: 'scope2/electricity/location',
    });
    expect(p.file.kind).toBe('inventory-line');
    expect(await verifyProof(p.file, { rpcUrl: chain.url })).toMatchObject({
      ok: true,
      checkedOnChain: true,
    });
  });

  it('resumes after a crash between recording and broadcasting a transaction', async () => {
    await insertReading(new Date(T0 + 20 * HOUR), '42');
    const [b] = await runBatcherOnce(f.pool, { now: () => new Date(T0 + 22 * HOUR) });
    const crashing = worker({
      beforeBroadcast: () => {
        throw new Error('simulated crash');
      },
    });
    await crashing.tick();
    const sent = await f.pool.query(`SELECT state, tx_hash, nonce FROM trust_anchor WHERE batch_id = $1`, [
      b?.batchId,
    ]);
    expect(sent.rows[0].state).toBe('sent');
    expect(
      await chain.publicClient.getTransaction({ hash: sent.rows[0].tx_hash }).catch(() => null),
    ).toBeNull();
    // The crashed process never released its lease: emulate its expiry.
    await f.pool.query(
      `UPDATE trust_anchor SET locked_by = 'dead', locked_until = now() - interval '1 second', next_attempt_at = now() WHERE batch_id = $1`,
      [b?.batchId],
    );
    const w = worker();
    await drain([w]);
    const done = await f.pool.query(`SELECT state, tx_hash, nonce FROM trust_anchor WHERE batch_id = $1`, [
      b?.batchId,
    ]);
    expect(done.rows[0]).toEqual({
      state: 'confirmed',
      tx_hash: sent.rows[0].tx_hash,
      nonce: sent.rows[0].nonce,
    });
  });

  it('resumes after a crash between broadcasting and recording the receipt', async () => {
    await insertReading(new Date(T0 + 26 * HOUR), '44');
    const [b] = await runBatcherOnce(f.pool, { now: () => new Date(T0 + 28 * HOUR) });
    await worker().tick(); // sends (automine mines it) and "dies" before looking at the receipt
    const sent = await f.pool.query(`SELECT state, tx_hash FROM trust_anchor WHERE batch_id = $1`, [
      b?.batchId,
    ]);
    expect(sent.rows[0].state).toBe('sent');
    await drain([worker()]);
    const done = await f.pool.query(`SELECT state, tx_hash FROM trust_anchor WHERE batch_id = $1`, [
      b?.batchId,
    ]);
    expect(done.rows[0]).toEqual({ state: 'confirmed', tx_hash: sent.rows[0].tx_hash });
  });

  it('re-sends with a fresh nonce when another sender used the recorded nonce', async () => {
    await insertReading(new Date(T0 + 29 * HOUR), '45');
    const [b] = await runBatcherOnce(f.pool, { now: () => new Date(T0 + 31 * HOUR) });
    const wallet = createWalletClient({ chain: chain.chain, transport: http(chain.url), account: admin });
    const crashing = worker({
      beforeBroadcast: async () => {
        // The same key used elsewhere takes the nonce first; then this worker dies.
        const h = await wallet.sendTransaction({ to: admin.address, value: 0n });
        await chain.publicClient.waitForTransactionReceipt({ hash: h });
        throw new Error('simulated crash');
      },
    });
    await crashing.tick();
    const first = await f.pool.query(`SELECT nonce::text FROM trust_anchor WHERE batch_id = $1`, [
      b?.batchId,
    ]);
    await f.pool.query(
      `UPDATE trust_anchor SET locked_by = NULL, locked_until = NULL, next_attempt_at = now() WHERE batch_id = $1`,
      [b?.batchId],
    );
    await drain([worker()]);
    const done = await f.pool.query(`SELECT state, nonce::text FROM trust_anchor WHERE batch_id = $1`, [
      b?.batchId,
    ]);
    expect(done.rows[0].state).toBe('confirmed');
    expect(BigInt(done.rows[0].nonce)).toBeGreaterThan(BigInt(first.rows[0].nonce));
    const txs = await f.pool.query(
      `SELECT count(DISTINCT nonce)::int AS n FROM trust_anchor_tx WHERE batch_id = $1`,
      [b?.batchId],
    );
    expect(txs.rows[0].n).toBe(2);
  });

  it('replaces a stuck transaction with higher fees (same nonce) and confirms the replacement', async () => {
    await insertReading(new Date(T0 + 23 * HOUR), '43');
    const [b] = await runBatcherOnce(f.pool, { now: () => new Date(T0 + 25 * HOUR) });
    await chain.publicClient.request({ method: 'evm_setAutomine' as never, params: [false] as never });
    try {
      const w = worker({ stuckAfterSeconds: 0 });
      expect((await w.tick()).sent).toBe(1);
      expect((await w.tick()).replaced).toBe(1);
      const txs = await f.pool.query(
        `SELECT tx_hash, nonce::text, max_fee_per_gas::text AS fee FROM trust_anchor_tx WHERE batch_id = $1 ORDER BY created_at`,
        [b?.batchId],
      );
      expect(txs.rows).toHaveLength(2);
      expect(txs.rows[0].nonce).toBe(txs.rows[1].nonce);
      expect(BigInt(txs.rows[1].fee)).toBeGreaterThan(BigInt(txs.rows[0].fee));
      await chain.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
      await drain([w]);
      const a = await f.pool.query(`SELECT state, tx_hash FROM trust_anchor WHERE batch_id = $1`, [
        b?.batchId,
      ]);
      expect(a.rows[0]).toEqual({ state: 'confirmed', tx_hash: txs.rows[1].tx_hash });
    } finally {
      await chain.publicClient.request({ method: 'evm_setAutomine' as never, params: [true] as never });
    }
  });

  it('does not anchor a root twice even if the queue row is reset to pending', async () => {
    const row = await f.pool.query(
      `SELECT batch_id, '0x' || encode(root, 'hex') AS root FROM trust_anchor WHERE state = 'confirmed' LIMIT 1`,
    );
    await f.pool.query(
      `UPDATE trust_anchor SET state = 'pending', next_attempt_at = now() WHERE batch_id = $1`,
      [row.rows[0].batch_id],
    );
    const before = await chain.publicClient.getTransactionCount({ address: admin.address });
    await drain([worker(), worker()]);
    expect(await chain.publicClient.getTransactionCount({ address: admin.address })).toBe(before);
    const rec = await chain.publicClient.readContract({
      address: chain.registry,
      abi: ATTESTATION_VERIFY_ABI,
      functionName: 'anchorOf',
      args: [row.rows[0].root],
    });
    expect(rec.anchoredAt).toBeGreaterThan(0);
    expect(await anchorsByState()).toEqual({
      confirmed: (await f.pool.query(`SELECT count(*)::int n FROM trust_anchor`)).rows[0].n,
    });
  });
});

describe('tamper detection (database)', () => {
  it('finds nothing on untouched data', async () => {
    const r = await runTamperCheck(f.pool);
    expect(r.findings).toEqual([]);
    expect(r.batchesChecked).toBeGreaterThan(10);
  });

  it('raises an alarm with batch and row for randomised changes of readings, salts and values', async () => {
    const leaves = (
      await f.pool.query<{
        batch_id: string;
        leaf_index: number;
        meter_id: string | null;
        ts: Date;
        source: string;
      }>(
        `SELECT batch_id, leaf_index, meter_id, ts, source FROM trust_leaf WHERE meter_id IS NOT NULL ORDER BY batch_id, leaf_index`,
      )
    ).rows;
    const c = await f.pool.connect();
    await c.query(`SET session_replication_role = replica`); // a DBA bypassing the append-only trigger
    const kinds = ['value', 'unit', 'salt', 'delete', 'ts'] as const;
    let detected = 0;
    const N = 30;
    try {
      for (let k = 0; k < N; k++) {
        const l = leaves[(k * 7919) % leaves.length] as (typeof leaves)[number];
        const kind = kinds[k % kinds.length] as (typeof kinds)[number];
        const key = [f.enterpriseId, l.meter_id, l.ts, l.source];
        const where = `enterprise_id = $1 AND meter_id = $2 AND ts = $3 AND source = $4`;
        const orig = (await c.query(`SELECT * FROM metering_reading WHERE ${where}`, key)).rows[0];
        const origSalt = (
          await c.query(`SELECT salt FROM trust_leaf WHERE batch_id = $1 AND leaf_index = $2`, [
            l.batch_id,
            l.leaf_index,
          ])
        ).rows[0].salt;
        if (kind === 'value')
          await c.query(`UPDATE metering_reading SET value = value + 0.000001 WHERE ${where}`, key);
        if (kind === 'unit') await c.query(`UPDATE metering_reading SET unit = 'MWh' WHERE ${where}`, key);
        if (kind === 'delete') await c.query(`DELETE FROM metering_reading WHERE ${where}`, key);
        if (kind === 'ts')
          await c.query(`UPDATE metering_reading SET ts = ts + interval '1 millisecond' WHERE ${where}`, key);
        if (kind === 'salt')
          await c.query(
            `UPDATE trust_leaf SET salt = decode(md5(random()::text) || md5(random()::text), 'hex') WHERE batch_id = $1 AND leaf_index = $2`,
            [l.batch_id, l.leaf_index],
          );
        const r = await runTamperCheck(f.pool, { batchIds: [l.batch_id] });
        const rowAlarm = r.findings.find((x) => x.batchId === l.batch_id && x.leafIndex === l.leaf_index);
        const rootAlarm = r.findings.find((x) => x.batchId === l.batch_id && x.kind === 'root_mismatch');
        if (rowAlarm && rootAlarm) detected++;
        expect(
          r.findings.every(
            (x) => x.batchId === l.batch_id && (x.leafIndex === null || x.leafIndex === l.leaf_index),
          ),
          kind,
        ).toBe(true);
        // Undo (put the original row and salt back), resolve, and check the batch is clean again.
        await c.query(
          `DELETE FROM metering_reading WHERE enterprise_id = $1 AND meter_id = $2 AND ts IN ($3, $3::timestamptz + interval '1 millisecond') AND source = $4`,
          key,
        );
        await c.query(
          `INSERT INTO metering_reading (enterprise_id, meter_id, ts, source, value, unit, batch_id, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            orig.enterprise_id,
            orig.meter_id,
            orig.ts,
            orig.source,
            orig.value,
            orig.unit,
            orig.batch_id,
            orig.received_at,
          ],
        );
        await c.query(`UPDATE trust_leaf SET salt = $3 WHERE batch_id = $1 AND leaf_index = $2`, [
          l.batch_id,
          l.leaf_index,
          origSalt,
        ]);
        await c.query(`UPDATE trust_tamper_alarm SET resolved_at = now() WHERE resolved_at IS NULL`);
        expect(
          (await runTamperCheck(f.pool, { batchIds: [l.batch_id] })).findings,
          `${kind} restored`,
        ).toEqual([]);
      }
    } finally {
      c.release();
    }
    expect(detected).toBe(N);
    const alarms = await f.pool.query(
      `SELECT count(*)::int n FROM trust_tamper_alarm WHERE leaf_index IS NOT NULL`,
    );
    expect(alarms.rows[0].n).toBeGreaterThanOrEqual(N);
  });

  it('detects a changed committed inventory line', async () => {
    const l = await f.pool.query(
      `SELECT batch_id, leaf_index FROM trust_leaf WHERE line_data IS NOT NULL LIMIT 1`,
    );
    const { batch_id, leaf_index } = l.rows[0];
    await f.pool.query(
      `UPDATE trust_leaf SET line_data = jsonb_set(line_data, '{value}', '"1"') WHERE batch_id = $1 AND leaf_index = $2`,
      [batch_id, leaf_index],
    );
    const r = await runTamperCheck(f.pool, { batchIds: [batch_id] });
    expect(r.findings.map((x) => [x.kind, x.leafIndex])).toEqual(
      expect.arrayContaining([
        ['leaf_mismatch', leaf_index],
        ['root_mismatch', null],
      ]),
    );
  });

  it('flags a batch whose queue root differs from the chain mirror', async () => {
    const a = await f.pool.query(
      `SELECT enterprise_id, batch_id, tx_hash, block_number FROM trust_anchor WHERE state = 'confirmed' AND block_number IS NOT NULL ORDER BY created_at LIMIT 1`,
    );
    const r = a.rows[0];
    await f.pool.query(
      `INSERT INTO chain.anchor (chain_id, tx_hash, log_index, block_number, block_timestamp, address, enterprise_id, standard_ref, root,
         period_start, period_end, kind, leaf_count, submitter)
       VALUES (31337, $1, 0, $2, now(), $3, $4, $5, $6, now(), now(), 'readings', 1, $7)`,
      [
        r.tx_hash,
        r.block_number,
        chain.registry.toLowerCase(),
        uuidToBytes32(r.enterprise_id),
        `0x${'00'.repeat(32)}`,
        `0x${'ab'.repeat(32)}`,
        admin.address.toLowerCase(),
      ],
    );
    const found = await runTamperCheck(f.pool, { batchIds: [r.batch_id] });
    expect(found.findings.map((x) => x.kind)).toContain('chain_root_mismatch');
    expect(found.findings.map((x) => x.kind)).toContain('root_mismatch');
    await f.pool.query(`DELETE FROM chain.anchor WHERE tx_hash = $1`, [r.tx_hash]);
    const alarmsGql = await graphql({
      schema: await buildApiSchema([TrustResolver]),
      source: `query($e: ID!) { tamperAlarms(enterpriseId: $e) { batchId leafIndex kind } }`,
      variableValues: { e: f.enterpriseId },
      contextValue: ctx,
    });
    expect(alarmsGql.errors).toBeUndefined();
    expect(
      (alarmsGql.data as { tamperAlarms: { batchId: string }[] }).tamperAlarms.some(
        (x) => x.batchId === r.batch_id,
      ),
    ).toBe(true);
  });
});
