import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { ATTESTATION_VERIFY_ABI, uuidToBytes32 } from 'opencep-verify';
import { devAccount, type LocalRegistry, startLocalRegistry } from 'opencep-verify/testing';
import pg from 'pg';
import { createWalletClient, type Hex, http, keccak256, parseAbi, parseEventLogs, toBytes } from 'viem';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { calculate, inventoryHash, inventoryToCanonicalJson } from '../accounting/engine/calculate';
import { activity, line, machineryPack } from '../accounting/testing';
import { AnchorWorker } from '../trust/trust.anchor-worker';
import { configureReports } from './report.chain';
import { sha256Hex } from './report.content';

/** End to end on a local chain: report anchor (kind report) by the trust AnchorWorker, verifier statement on chain. */
const E = DEMO_ENTERPRISE_ID;
const anchorKey = devAccount(8);
const verifierKey = devAccount(9);
let db: TestDatabase;
let api: TestApi;
let chain: LocalRegistry;
let pool: pg.Pool;
let admin: TestSession;
let verifier: TestSession;

beforeAll(async () => {
  [db, chain] = await Promise.all([createTestDatabase('reports_chain'), startLocalRegistry()]);
  api = await startTestApi(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  await chain.registerEnterprise(uuidToBytes32(E) as Hex, anchorKey.address);
  const deployer = createWalletClient({
    chain: chain.chain,
    transport: http(chain.url),
    account: devAccount(0),
  });
  const hash = await deployer.writeContract({
    address: chain.participants,
    abi: parseAbi(['function grantRole(bytes32 role, address account)']),
    functionName: 'grantRole',
    args: [keccak256(toBytes('VERIFIER_ROLE')), verifierKey.address],
  });
  await chain.publicClient.waitForTransactionReceipt({ hash });
  configureReports({
    chainId: chain.chainId,
    statements: {
      rpcUrl: chain.url,
      registry: chain.registry,
      chain: chain.chain,
      verifierAccount: async () => verifierKey,
    },
  });
  [admin, verifier] = await Promise.all([
    api.loginAs('admin@plant18.demo'),
    api.loginAs('verifier@audit.demo'),
  ]);
}, 60_000);

afterAll(async () => {
  configureReports({ chainId: 31337 });
  await pool?.end();
  await api?.close();
  await db?.drop();
  await chain?.stop();
});

it('anchors a signed report as kind report and records the verifier statement on chain', async () => {
  const inv = calculate(machineryPack(), activity([line('grid', 'electricity.purchased', '100', 'MWh')]));
  const [row] = (await api.server.dataSource.query(
    `INSERT INTO accounting_inventory (enterprise_id, period_kind, period_start, period_end, revision, state,
       standard_source, pack_ref, pack_hash, canonical_json, inventory_hash, activity_json, total_location, scope1, scope2_location, scope3)
     VALUES ($1, 'YEAR', '2023-01-01', '2023-12-31', 1, 'FINAL', 'CHAIN', 'cn-machinery-2015@1.0.0', $2, $3, $4, '{}', 57.03, 0, 57.03, 0)
     RETURNING id`,
    [E, inv.pack.hash, inventoryToCanonicalJson(inv), inventoryHash(inv)],
  )) as { id: string }[];
  const g = await admin.gql<{ generateReport: { id: string } }>(
    `mutation($i: GenerateReportInput!) { generateReport(input: $i) { id } }`,
    { i: { inventoryId: row?.id, language: 'en' } },
  );
  expect(g.errors).toBeUndefined();
  const id = g.data?.generateReport.id as string;
  const td = await admin.gql<{ reportTypedData: { json: string } }>(
    `query { reportTypedData(reportId: "${id}") { json } }`,
  );
  const typed = JSON.parse(td.data?.reportTypedData.json as string);
  expect(typed.domain).toEqual({ name: 'OpenCEP Report', version: '1', chainId: chain.chainId });
  const signature = await anchorKey.signTypedData(typed);
  const s = await admin.gql<{ signReport: { anchorRoot: Hex } }>(
    `mutation { signReport(reportId: "${id}", signature: "${signature}", signer: "${anchorKey.address}") { anchorRoot } }`,
  );
  expect(s.errors).toBeUndefined();
  const root = s.data?.signReport.anchorRoot as Hex;

  const worker = new AnchorWorker({
    pool,
    rpcUrl: chain.url,
    chainId: chain.chainId,
    registry: chain.registry,
    signerFor: () => anchorKey,
    retryBaseSeconds: 0,
    pollMs: 50,
  });
  for (let i = 0; i < 50; i++) {
    await worker.tick();
    const [a] = (
      await pool.query(`SELECT state FROM trust_anchor WHERE root = decode($1, 'hex')`, [root.slice(2)])
    ).rows;
    if (a?.state === 'confirmed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const rec = await chain.publicClient.readContract({
    address: chain.registry,
    abi: ATTESTATION_VERIFY_ABI,
    functionName: 'anchorOf',
    args: [root],
  });
  expect(rec.anchoredAt).not.toBe(0);
  expect(Number(rec.kind)).toBe(2); // AnchorKind.Report

  // Reads are pure: without the indexer's mirror (reports.supersede.chain.int.test.ts runs one) the
  // report stays signed although the queue row is confirmed.
  const after = await admin.gql<{ report: { state: string; anchorTxHash: string | null } }>(
    `query { report(id: "${id}") { state anchorTxHash } }`,
  );
  expect(after.data?.report).toEqual({ state: 'signed', anchorTxHash: null });

  const [u] = (await pool.query(`SELECT id FROM users WHERE email = 'verifier@audit.demo'`)).rows;
  expect(
    (await admin.gql(`mutation { grantReportAccess(reportId: "${id}", verifierUserId: "${u?.id}") { id } }`))
      .errors,
  ).toBeUndefined();
  const docHash = sha256Hex('statement pdf');
  const v = await verifier.gql<{
    recordVerification: { chainTxHash: Hex | null; chainError: string | null };
  }>(`mutation($i: RecordVerificationInput!) { recordVerification(input: $i) { chainTxHash chainError } }`, {
    i: { reportId: id, opinion: 'POSITIVE', documentHash: docHash },
  });
  expect(v.errors).toBeUndefined();
  expect(v.data?.recordVerification.chainError).toBeNull();
  const receipt = await chain.publicClient.waitForTransactionReceipt({
    hash: v.data?.recordVerification.chainTxHash as Hex,
  });
  const logs = parseEventLogs({ abi: chain.registryAbi, logs: receipt.logs, eventName: 'StatementRecorded' });
  expect(logs).toHaveLength(1);
  expect((logs[0] as unknown as { args: { root: Hex; documentHash: Hex } }).args).toMatchObject({
    root,
    documentHash: docHash,
  });
}, 60_000);
