import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import ExcelJS from 'exceljs';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { calculate, inventoryHash, inventoryToCanonicalJson } from '../accounting/engine/calculate';
import { activity, line, machineryPack } from '../accounting/testing';
import pg from 'pg';
import { reconcileChainState } from '../trust/trust.reconcile';
import { checkReport, reportRows, runTamperCheck } from '../trust/trust.tamper';
import { reportAnchorRoot } from './report.chain';
import { sha256Hex } from './report.content';

const E = DEMO_ENTERPRISE_ID;
let db: TestDatabase;
let api: TestApi;
let admin: TestSession;
let operator: TestSession;
let regulator: TestSession;
let verifier: TestSession;
let verifierUserId = '';
let pool: pg.Pool;
let inventoryId = '';
let draftId = '';
const tmp = mkdtempSync(join(tmpdir(), 'reports-'));
const sql = (q: string, p: unknown[] = []) =>
  api.server.dataSource.query(q, p) as Promise<Record<string, unknown>[]>;

const FIELDS = `id enterpriseId inventoryId version language state jsonHash pdfHash xlsxHash inventoryHash standardRef
  signer anchorRoot supersedesReportId supersedeReason supersededByReportId`;
type R = {
  id: string;
  version: number;
  language: string;
  state: string;
  jsonHash: string;
  pdfHash: string;
  xlsxHash: string;
  inventoryHash: string;
  standardRef: string;
  enterpriseId: string;
  signer: string | null;
  anchorRoot: string | null;
  supersedesReportId: string | null;
  supersedeReason: string | null;
  supersededByReportId: string | null;
  json?: string;
  pdfBase64?: string;
  xlsxBase64?: string;
};

async function generate(
  language: string,
  extra: Record<string, unknown> = {},
  who = admin,
  inv = inventoryId,
) {
  return who.gql<{ generateReport: R }>(
    `mutation($i: GenerateReportInput!) { generateReport(input: $i) { ${FIELDS} } }`,
    { i: { inventoryId: inv, language, ...extra } },
  );
}
async function get(id: string, who: TestSession, more = '') {
  return who.gql<{ report: R }>(`query($id: ID!) { report(id: $id) { ${FIELDS} ${more} } }`, { id });
}
async function sign(id: string, pk = generatePrivateKey(), signerOverride?: string) {
  const td = await admin.gql<{ reportTypedData: { json: string } }>(
    `query($id: ID!) { reportTypedData(reportId: $id) { json } }`,
    { id },
  );
  expect(td.errors).toBeUndefined();
  const account = privateKeyToAccount(pk);
  const signature = await account.signTypedData(JSON.parse(td.data?.reportTypedData.json as string));
  const r = await admin.gql<{ signReport: R }>(
    `mutation($id: ID!, $s: String!, $a: String!) { signReport(reportId: $id, signature: $s, signer: $a) { ${FIELDS} } }`,
    { id, s: signature, a: signerOverride ?? account.address },
  );
  return { r, account };
}
const pdfText = (b64: string, name: string) => {
  const f = join(tmp, `${name}.pdf`);
  writeFileSync(f, Buffer.from(b64, 'base64'));
  execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', f, join(tmp, name)]);
  const png = readdirSync(tmp).find((x) => x.startsWith(`${name}`) && x.endsWith('.png'));
  expect(png && statSync(join(tmp, png)).size).toBeGreaterThan(1000);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-']).toString('utf8');
};

beforeAll(async () => {
  db = await createTestDatabase('reports');
  api = await startTestApi(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  [admin, operator, regulator, verifier] = await Promise.all([
    api.loginAs('admin@plant18.demo'),
    api.loginAs('operator@plant18.demo'),
    api.loginAs('regulator@hunan.demo'),
    api.loginAs('verifier@audit.demo'),
  ]);
  const [u] = await sql(`SELECT id FROM users WHERE email = 'verifier@audit.demo'`);
  verifierUserId = u?.id as string;
  const inv = calculate(
    machineryPack(),
    activity([
      line('boiler-ng', 'combustion.natural-gas', '120', '10^4 Nm3'),
      line('grid', 'electricity.purchased', '5000', 'MWh'),
      line('welding', 'process.co2-welding', '2.5', 't'),
    ]),
  );
  const ins = (state: string, source: string, start: string) =>
    sql(
      `INSERT INTO accounting_inventory (enterprise_id, period_kind, period_start, period_end, revision, state,
         standard_source, standard_version, pack_ref, pack_hash, canonical_json, inventory_hash, activity_json,
         total_location, scope1, scope2_location, scope3)
       VALUES ($1, 'YEAR', $2, ($2::date + interval '1 year' - interval '1 day')::date, 1, $3, $4, '1.0.0',
         'cn-machinery-2015@1.0.0', $5, $6, $7, '{}', $8, $9, $10, 0) RETURNING id`,
      [
        E,
        start,
        state,
        source,
        inv.pack.hash,
        inventoryToCanonicalJson(inv),
        inventoryHash(inv),
        inv.totals.location.exact,
        inv.totals.byScope.scope1.exact,
        inv.totals.byScope.scope2Location.exact,
      ],
    );
  inventoryId = (await ins('FINAL', 'CHAIN', '2023-01-01'))[0]?.id as string;
  draftId = (await ins('DRAFT', 'EXPLICIT', '2022-01-01'))[0]?.id as string;
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await api?.close();
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('reports', () => {
  let zh: R;
  let en: R;

  it('refuses drafts; generates zh-CN and en reports (canonical JSON, PDF with CJK text and chart, XLSX)', async () => {
    const d = await generate('zh-CN', {}, admin, draftId);
    expect(d.errors?.[0]?.extensions?.reason).toBe('INVENTORY_NOT_FINAL');
    const bad = await generate('fr');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const a = await generate('zh-CN');
    expect(a.errors).toBeUndefined();
    zh = a.data?.generateReport as R;
    expect(zh).toMatchObject({ version: 1, language: 'zh-CN', state: 'generated', enterpriseId: E });
    const b = await generate('en', {}, operator);
    expect(b.errors).toBeUndefined();
    en = b.data?.generateReport as R;

    const full = (await get(zh.id, admin, 'json pdfBase64 xlsxBase64')).data?.report as R;
    const json = full.json as string;
    expect(sha256Hex(Buffer.from(json, 'utf8'))).toBe(zh.jsonHash);
    const doc = JSON.parse(json);
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining([
        'enterprise',
        'boundary',
        'emissionSources',
        'activityData',
        'factors',
        'emissions',
        'scopeTotals',
        'qualityManagement',
        'signatures',
      ]),
    );
    expect(doc.factors.some((f: { citation: unknown }) => f.citation)).toBe(true);
    // Any byte changed → a different hash.
    const flipped = Buffer.from(json, 'utf8');
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(sha256Hex(flipped)).not.toBe(zh.jsonHash);
    expect(sha256Hex(Buffer.from(full.pdfBase64 as string, 'base64'))).toBe(zh.pdfHash);

    const text = pdfText(full.pdfBase64 as string, 'zh');
    expect(text).toContain('温室气体排放报告');
    expect(text).toContain('排放总量');
    const enFull = (await get(en.id, admin, 'pdfBase64')).data?.report as R;
    const enText = pdfText(enFull.pdfBase64 as string, 'en');
    expect(enText).toContain('Greenhouse Gas Emission Report');
    expect(enText).not.toContain('报告主体基本信息');
    expect(text).toContain('报告主体基本信息');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(full.xlsxBase64 as string, 'base64') as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Activity', 'Factors', 'Emissions']);
    expect(wb.getWorksheet('Emissions')?.rowCount).toBe(4);
  }, 40_000);

  it('EIP-712: rejects a wrong signer, accepts the right one and queues a report anchor', async () => {
    const pk = generatePrivateKey();
    const other = privateKeyToAccount(generatePrivateKey());
    const wrong = await sign(zh.id, pk, other.address);
    expect(wrong.r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const op = await operator.gql(
      `mutation { signReport(reportId: "${zh.id}", signature: "0x00", signer: "0x00") { id } }`,
    );
    expect(op.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const ok = await sign(zh.id, pk);
    expect(ok.r.errors).toBeUndefined();
    const s = ok.r.data?.signReport as R;
    expect(s.state).toBe('signed');
    expect(s.signer).toBe(ok.account.address.toLowerCase());
    expect(s.anchorRoot).toBe(
      reportAnchorRoot({ ...zh, enterpriseId: E }, ok.account.address.toLowerCase() as `0x${string}`),
    );
    const q = await sql(
      `SELECT b.kind, b.scope, a.state, '0x' || encode(a.root, 'hex') AS root FROM trust_anchor a
       JOIN trust_batch b ON b.id = a.batch_id WHERE b.scope = $1`,
      [zh.id],
    );
    expect(q).toEqual([{ kind: 'report', scope: zh.id, state: 'pending', root: s.anchorRoot }]);
    const again = await sign(zh.id, pk);
    expect(again.r.errors?.[0]?.extensions?.reason).toBe('REPORT_ALREADY_SIGNED');
  });

  it('verification: grant, verifier lists/downloads, statement; regulator sees anchored reports', async () => {
    // Regulators see nothing before the anchor is confirmed.
    const before = await regulator.gql<{ regulatorReports: R[] }>(`query { regulatorReports { id } }`);
    expect(before.data?.regulatorReports).toEqual([]);
    expect((await get(zh.id, regulator)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The verifier sees nothing until granted.
    expect((await get(zh.id, verifier)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const opGrant = await operator.gql(
      `mutation { grantReportAccess(reportId: "${zh.id}", verifierUserId: "${verifierUserId}") { id } }`,
    );
    expect(opGrant.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const notVerifier = await admin.gql(
      `mutation($r: ID!, $u: ID!) { grantReportAccess(reportId: $r, verifierUserId: $u) { id } }`,
      { r: zh.id, u: (await sql(`SELECT id FROM users WHERE email = 'operator@plant18.demo'`))[0]?.id },
    );
    expect(notVerifier.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const g = await admin.gql<{ grantReportAccess: { reportId: string; verifierUserId: string } }>(
      `mutation { grantReportAccess(reportId: "${zh.id}", verifierUserId: "${verifierUserId}") { reportId verifierUserId } }`,
    );
    expect(g.data?.grantReportAccess).toEqual({ reportId: zh.id, verifierUserId });

    const list = await verifier.gql<{ grantedReports: R[] }>(`query { grantedReports { id jsonHash } }`);
    expect(list.data?.grantedReports).toEqual([{ id: zh.id, jsonHash: zh.jsonHash }]);
    const dl = await get(zh.id, verifier, 'json pdfBase64');
    expect(sha256Hex(Buffer.from(dl.data?.report.pdfBase64 as string, 'base64'))).toBe(zh.pdfHash);
    expect((await get(en.id, verifier)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const conn = await verifier.gql<{ reports: { edges: { node: { id: string } }[] } }>(
      `query($e: ID!) { reports(enterpriseId: $e) { edges { node { id } } } }`,
      { e: E },
    );
    expect(conn.data?.reports.edges.map((x) => x.node.id)).toEqual([zh.id]);

    const docHash = sha256Hex('verification statement');
    const notGranted = await verifier.gql(
      `mutation($i: RecordVerificationInput!) { recordVerification(input: $i) { id } }`,
      { i: { reportId: en.id, opinion: 'POSITIVE', documentHash: docHash } },
    );
    expect(notGranted.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const v = await verifier.gql<{
      recordVerification: { opinion: string; documentHash: string; chainTxHash: string | null };
    }>(
      `mutation($i: RecordVerificationInput!) { recordVerification(input: $i) { opinion documentHash chainTxHash } }`,
      { i: { reportId: zh.id, opinion: 'QUALIFIED', documentHash: docHash } },
    );
    expect(v.errors).toBeUndefined();
    expect(v.data?.recordVerification).toEqual({
      opinion: 'QUALIFIED',
      documentHash: docHash,
      chainTxHash: null,
    });

    // The anchoring worker confirms the anchor (simulated): reads stay pure, nothing changes yet.
    await sql(
      `UPDATE trust_anchor a SET state = 'confirmed', tx_hash = '0x' || repeat('ab', 32), confirmed_at = now()
       FROM trust_batch b WHERE b.id = a.batch_id AND b.scope = $1`,
      [zh.id],
    );
    expect((await regulator.gql<{ regulatorReports: R[] }>(`{ regulatorReports { id } }`)).data).toEqual({
      regulatorReports: [],
    });
    expect((await get(zh.id, admin)).data?.report.state).toBe('signed');
    // The indexer mirrors the Anchored event (simulated) at block 7; confirmed once the head passes
    // the finality depth → the chain reconciler marks the report anchored.
    const [{ root }] = (await sql(
      `SELECT '0x' || encode(a.root, 'hex') AS root FROM trust_anchor a JOIN trust_batch b ON b.id = a.batch_id WHERE b.scope = $1`,
      [zh.id],
    )) as [{ root: string }];
    await sql(
      `INSERT INTO chain.anchor (chain_id, tx_hash, log_index, block_number, block_timestamp, address, enterprise_id,
         standard_ref, root, period_start, period_end, kind, leaf_count, submitter)
       VALUES (31337, '0x' || repeat('ab', 32), 0, 7, '2026-01-01T00:00:00Z', '0x' || repeat('11', 20), '0x00',
         '0x00', $1, '2023-01-01', '2024-01-01', 'report', 1, '0x' || repeat('22', 20))`,
      [root],
    );
    await sql(`INSERT INTO chain.indexer_status (chain_id, phase, head_block, finality_depth)
      VALUES (31337, 'following', 7, 2)`);
    expect(await reconcileChainState(pool)).toMatchObject({ anchors: 0, reports: 0 }); // 7 > 7 - 2
    expect((await get(zh.id, admin)).data?.report.state).toBe('signed');
    await sql(`UPDATE chain.indexer_status SET head_block = 9`);
    expect(await reconcileChainState(pool)).toMatchObject({ anchors: 1, reports: 1 });
    expect(await reconcileChainState(pool)).toMatchObject({ anchors: 0, reports: 0 });
    const after = await regulator.gql<{
      regulatorReports: { id: string; state: string; anchorTxHash: string; verificationState: string }[];
    }>(`query { regulatorReports { id state anchorTxHash verificationState } }`);
    expect(after.errors).toBeUndefined();
    expect(after.data?.regulatorReports).toEqual([
      { id: zh.id, state: 'anchored', anchorTxHash: `0x${'ab'.repeat(32)}`, verificationState: 'QUALIFIED' },
    ]);
    const anchored = await get(zh.id, regulator, 'anchorBlockNumber anchoredAt');
    expect(anchored.data?.report).toMatchObject({ state: 'anchored' });
    expect(anchored.data?.report).toMatchObject({
      anchorBlockNumber: 7,
      anchoredAt: '2026-01-01T00:00:00.000Z',
    });
    expect((await get(en.id, regulator)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // The statement's on-chain confirmation, from the mirror (StatementRecorded in a confirmed block).
    const stmt = async () =>
      (
        await regulator.gql<{ regulatorReports: { verifications: { statementConfirmed: boolean }[] }[] }>(
          `{ regulatorReports { verifications { statementConfirmed } } }`,
        )
      ).data?.regulatorReports[0]?.verifications.map((x) => x.statementConfirmed);
    await sql(
      `UPDATE report_verification SET chain_tx_hash = '0x' || repeat('cd', 32) WHERE report_id = $1`,
      [zh.id],
    );
    expect(await stmt()).toEqual([false]);
    await sql(
      `INSERT INTO chain.verifier_statement (chain_id, tx_hash, log_index, block_number, block_timestamp, address,
         enterprise_id, root, verifier, opinion, document_hash)
       VALUES (31337, '0x' || repeat('cd', 32), 0, 8, now(), '0x' || repeat('11', 20), '0x00', '0x00',
         '0x' || repeat('33', 20), 'qualified', $1)`,
      [docHash],
    );
    expect(await stmt()).toEqual([false]); // block 8 > head 9 - 2
    await sql(`UPDATE chain.indexer_status SET head_block = 10`);
    expect(await stmt()).toEqual([true]);
  });

  it('supersession: a corrected report supersedes the earlier one with a reason, once', async () => {
    const noReason = await generate('zh-CN', { supersedesReportId: zh.id });
    expect(noReason.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const c = await generate('zh-CN', {
      supersedesReportId: zh.id,
      reason: 'corrected welding gas quantity',
    });
    expect(c.errors).toBeUndefined();
    const corr = c.data?.generateReport as R;
    expect(corr).toMatchObject({
      version: 2,
      supersedesReportId: zh.id,
      supersedeReason: 'corrected welding gas quantity',
    });
    expect(
      JSON.parse((await get(corr.id, admin, 'json')).data?.report.json as string).report.supersedes,
    ).toEqual({
      reportId: zh.id,
      reason: 'corrected welding gas quantity',
    });
    expect((await get(zh.id, admin)).data?.report.supersededByReportId).toBe(corr.id);
    const twice = await generate('zh-CN', { supersedesReportId: zh.id, reason: 'again' });
    expect(twice.errors?.[0]?.extensions?.reason).toBe('REPORT_SUPERSEDED');
    // en v1 superseded → it can no longer be signed.
    const c2 = await generate('en', { supersedesReportId: en.id, reason: 'typo in description' });
    expect(c2.errors).toBeUndefined();
    expect((await sign(en.id)).r.errors?.[0]?.extensions?.reason).toBe('REPORT_SUPERSEDED');
    // Stored content is immutable.
    await expect(sql(`UPDATE report SET json_hash = '0x00' WHERE id = $1`, [zh.id])).rejects.toThrow(
      /immutable/,
    );
  }, 30_000);

  it('tamper: any changed report byte or hash is detected; the regulator sees the alarm jurisdiction-wide', async () => {
    const [b] = (await sql(`SELECT anchor_batch_id FROM report WHERE id = $1`, [zh.id])) as [
      { anchor_batch_id: string },
    ];
    const [row] = (await reportRows(pool, { batchIds: [b.anchor_batch_id] })).rows;
    if (!row) throw new Error('signed report row missing');
    expect(row.chain_root).not.toBeNull(); // the reference root is the mirror's
    expect(checkReport(row)).toEqual([]);
    // 1,200 random single-byte changes of a stored artefact or hash: every one is found.
    const fields = [
      'json_canonical',
      'pdf',
      'xlsx',
      'json_hash',
      'pdf_hash',
      'xlsx_hash',
      'inventory_hash',
    ] as const;
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let detected = 0;
    const N = 1200;
    for (let k = 0; k < N; k++) {
      const f = fields[rnd(fields.length)] as (typeof fields)[number];
      const t = { ...row };
      if (f === 'pdf' || f === 'xlsx') {
        const buf = Buffer.from(t[f]);
        const at = rnd(buf.length);
        buf[at] = (buf[at] as number) ^ (1 + rnd(255));
        t[f] = buf;
      } else {
        const text = t[f];
        const at = f === 'json_canonical' ? rnd(text.length) : 2 + rnd(text.length - 2);
        const c = text.charCodeAt(at);
        const repl =
          f === 'json_canonical' ? String.fromCharCode(c === 0x7a ? 0x79 : c + 1) : c === 0x30 ? '1' : '0';
        t[f] = text.slice(0, at) + repl + text.slice(at + 1);
      }
      const found = checkReport(t);
      if (found.length === 1 && found[0]?.kind === 'report_mismatch') detected++;
    }
    expect(detected).toBe(N);

    // A real change in the database (trigger bypassed, as an intruder with table access would).
    await sql(`ALTER TABLE report DISABLE TRIGGER report_guard`);
    await sql(`UPDATE report SET pdf = overlay(pdf placing '\\x00'::bytea from 200 for 1) WHERE id = $1`, [
      zh.id,
    ]);
    await sql(`ALTER TABLE report ENABLE TRIGGER report_guard`);
    const run = await runTamperCheck(pool, { batchIds: [b.anchor_batch_id] });
    expect(run.findings).toEqual([
      expect.objectContaining({
        kind: 'report_mismatch',
        batchId: b.anchor_batch_id,
        detail: expect.objectContaining({ reportId: zh.id, changed: ['pdf', 'anchor'] }),
      }),
    ]);
    // Regulator: all alarms of the jurisdiction (no enterpriseId), and the report flagged in its view.
    const alarms = await regulator.gql<{
      tamperAlarms: { kind: string; batchKind: string; reportId: string; enterpriseId: string }[];
    }>(`{ tamperAlarms { kind batchKind reportId enterpriseId } }`);
    expect(alarms.errors).toBeUndefined();
    expect(alarms.data?.tamperAlarms).toEqual([
      { kind: 'report_mismatch', batchKind: 'report', reportId: zh.id, enterpriseId: E },
    ]);
    const one = await regulator.gql<{ tamperAlarms: unknown[] }>(
      `query($e: ID!) { tamperAlarms(enterpriseId: $e) { id } }`,
      { e: E },
    );
    expect(one.data?.tamperAlarms).toHaveLength(1);
    const view = await regulator.gql<{
      regulatorReports: { id: string; openTamperAlarms: number; verificationState: string | null }[];
    }>(`{ regulatorReports { id openTamperAlarms verificationState } }`);
    expect(view.data?.regulatorReports.find((r) => r.id === zh.id)).toEqual({
      id: zh.id,
      openTamperAlarms: 1,
      verificationState: 'QUALIFIED',
    });
    // Outside the jurisdiction, and roles without anchored:read, are refused.
    const elsewhere = await regulator.gql(`query($e: ID!) { tamperAlarms(enterpriseId: $e) { id } }`, {
      e: '00000000-0000-4000-8000-0000000000ee',
    });
    expect(elsewhere.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const member = await api.loginAs('member@cmia.demo');
    for (const q of [`{ tamperAlarms { id } }`, `{ regulatorReports { id } }`]) {
      expect((await member.gql(q)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  }, 60_000);
});
