import 'reflect-metadata';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  calculate,
  inventoryHash,
  inventoryToCanonicalJson,
} from '@opencep/api/src/modules/accounting/engine/calculate';
import { activity, line, machineryPack } from '@opencep/api/src/modules/accounting/testing';
import { AlarmEvaluator } from '@opencep/api/src/modules/alarms/alarm-evaluator';
import { createMeter } from '@opencep/api/src/modules/metering/meter.service';
import { inventoryCommitLines } from '@opencep/api/src/modules/offsets/offsets.commitment';
import { commitInventory } from '@opencep/api/src/modules/trust/trust.commit';
import { type ApiServer, startApiServer } from '@opencep/api/src/server';
import {
  DEMO_ENTERPRISE_ID,
  DEMO_PARK_ID,
  DEMO_PASSWORD,
  demoId,
  seedDemoIdentity,
} from '@opencep/api/src/seed/users';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../web/src/i18n/en';
import { zhCN } from '../web/src/i18n/zh-CN';
import { seedDemoTopology } from '../scripts/demo/plant';
import { CHROMIUM_ARGS, CHROMIUM_PATH, type Portal, startPortal } from './harness';

/**
 * Browser tests of the topology, distribution-room, admin-device, verifier proof-pick and XLSX
 * import views on the demo seed (scripts/demo/plant.ts seedDemoTopology), in both languages, with
 * axe and screenshots (e2e/screenshots, not committed).
 */
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = join(import.meta.dirname, 'screenshots');
const ADMIN = 'admin@plant18.demo';
const E = DEMO_ENTERPRISE_ID;
const DEVICE_ADDRESS = `0x${'5a1e'.repeat(10)}`;
const INVENTORY_YEAR = new Date().getFullYear() - 1;

let db: TestDatabase;
let api: ApiServer;
let portal: Portal;
let browser: Browser;
let pool: pg.Pool;
let adminToken = '';
const pageErrors: string[] = [];
const cspViolations: string[] = [];

async function gql<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`API: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Register readings of `code` 15 minutes apart ending now (through the API, so subscribers hear). */
async function ingest(code: string, unit: string, values: string[]): Promise<void> {
  const now = Date.now();
  const readings = values.map((value, i) => ({
    meterCode: code,
    ts: new Date(now - (values.length - 1 - i) * 15 * 60_000).toISOString(),
    value,
    unit,
  }));
  await gql(
    'mutation($e: ID!, $r: [ReadingInput!]!) { ingestReadings(enterpriseId: $e, readings: $r) { accepted } }',
    { e: E, r: readings },
    adminToken,
  );
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  db = await createTestDatabase('e2e_views');
  api = await startApiServer({
    databaseUrl: db.url,
    port: 0,
    host: '127.0.0.1',
    jwtSecret: 'e2e-views-secret-e2e-views-secret-0123',
    logLevel: 'silent',
    rateLimit: { capacity: 10_000, refillPerSecond: 1_000 },
  });
  const ds = api.dataSource;
  await seedDemoIdentity(ds);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  adminToken = (
    await gql<{ login: { accessToken: string } }>(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: ADMIN, p: DEMO_PASSWORD },
    )
  ).login.accessToken;
  // A few of the demo plant's meters with readings, then the demo diagrams and room sensors on them.
  for (const [code, type, unit] of [
    ['E-MAIN', 'electricity', 'kWh'],
    ['E-LINE1', 'electricity', 'kWh'],
    ['E-LINE2', 'electricity', 'kWh'],
    ['W-MAIN', 'water', 'm3'],
    ['W-WELDING', 'water', 'm3'],
  ] as const)
    await createMeter(ds, E, { code, name: code, energyType: type, unit, kind: 'cumulative' });
  await ingest('E-MAIN', 'kWh', ['1000', '1100', '1200']);
  await ingest('E-LINE1', 'kWh', ['500', '560', '620']);
  await ingest('E-LINE2', 'kWh', ['300', '330', '360']);
  await seedDemoTopology(ds);
  await new AlarmEvaluator(ds).runOnce();
  // A device with a signed batch (admin device list: last seen).
  const [device] = await ds.query(
    `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'DR-1 edge gateway', $2) RETURNING id`,
    [E, DEVICE_ADDRESS],
  );
  await ds.query(`INSERT INTO device_batches (enterprise_id, device_id, nonce) VALUES ($1, $2, 'n-1')`, [
    E,
    device.id,
  ]);
  // Last year's FINAL inventory, its commitment (inventory-line leaves) and a report granted to the verifier.
  const inv = calculate(machineryPack(), activity([line('grid', 'electricity.purchased', '100', 'MWh')]));
  const canonicalJson = inventoryToCanonicalJson(inv);
  const hash = inventoryHash(inv);
  const [row] = await ds.query(
    `INSERT INTO accounting_inventory (enterprise_id, period_kind, period_start, period_end, revision, state,
       standard_source, pack_ref, pack_hash, canonical_json, inventory_hash, activity_json, total_location, scope1, scope2_location, scope3)
     VALUES ($1, 'YEAR', $2, $3, 1, 'FINAL', 'CHAIN', 'cn-machinery-2015@1.0.0', $4, $5, $6, '{}', 57.03, 0, 57.03, 0)
     RETURNING id`,
    [E, `${INVENTORY_YEAR}-01-01`, `${INVENTORY_YEAR}-12-31`, inv.pack.hash, canonicalJson, hash],
  );
  const period = { start: `${INVENTORY_YEAR}-01-01`, end: `${INVENTORY_YEAR}-12-31` };
  await commitInventory(pool, {
    enterpriseId: E,
    inventoryId: row.id,
    periodStart: new Date(`${period.start}T00:00:00Z`),
    periodEnd: new Date(`${INVENTORY_YEAR + 1}-01-01T00:00:00Z`),
    lines: inventoryCommitLines({ inventoryHash: hash, canonicalJson }, [], period),
  });
  const report = await gql<{ generateReport: { id: string } }>(
    'mutation($i: GenerateReportInput!) { generateReport(input: $i) { id } }',
    { i: { inventoryId: row.id, language: 'en' } },
    adminToken,
  );
  await gql(
    'mutation($r: ID!, $v: ID!) { grantReportAccess(reportId: $r, verifierUserId: $v) { id } }',
    { r: report.generateReport.id, v: demoId('user:verifier@audit.demo') },
    adminToken,
  );
  [portal, browser] = await Promise.all([
    startPortal(api.url, api.wsUrl),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await pool?.end();
  await api?.close();
  await db?.drop();
});

async function axeCheck(p: Page): Promise<string[]> {
  await p.evaluate(AXE_SOURCE);
  const result = (await p.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as {
    violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} → ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function shot(p: Page, name: string): Promise<void> {
  await p.locator('h1').first().waitFor();
  await p.getByTestId('segment-loading').waitFor({ state: 'detached' });
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function switchLang(p: Page, lang: 'zh-CN' | 'en'): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if ((await p.locator('html').getAttribute('lang')) === lang) return;
    await p.getByTestId(`lang-${lang}`).click();
    try {
      await expect.poll(() => p.locator('html').getAttribute('lang'), { timeout: 8_000 }).toBe(lang);
      await p.locator('h1').first().waitFor();
      return;
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
}

async function signIn(email: string, landing: string): Promise<{ ctx: BrowserContext; p: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  ctx.setDefaultTimeout(20_000);
  const p = await ctx.newPage();
  p.on('pageerror', (err) => pageErrors.push(`${email}: ${err.message}`));
  p.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(`${email}: ${msg.text()}`);
  });
  await p.goto(`${portal.url}/login`);
  await p.fill('#email', email);
  await p.fill('#password', DEMO_PASSWORD);
  await p.getByTestId('login-form').locator('button[type=submit]').click();
  await p.waitForURL(new RegExp(`${landing}$`));
  await p.locator('h1').first().waitFor();
  return { ctx, p };
}

/** Both languages of the current page: heading, axe, screenshot. */
async function bothLanguages(p: Page, name: string, headings: Record<'zh-CN' | 'en', string>) {
  const problems: string[] = [];
  for (const lang of ['zh-CN', 'en'] as const) {
    await switchLang(p, lang);
    await p.getByRole('heading', { level: 1, name: headings[lang] }).waitFor();
    expect(await p.locator('.state.error').count(), `${name} ${lang}: error panels`).toBe(0);
    expect(await p.getByTestId('not-available').count(), `${name} ${lang}: not available`).toBe(0);
    problems.push(...(await axeCheck(p)).map((v) => `${lang}: ${v}`));
    await shot(p, `${name}-${lang}`);
  }
  expect(problems).toEqual([]);
}

describe('enterprise views', () => {
  let ctx: BrowserContext;
  let p: Page;
  beforeAll(async () => {
    ({ ctx, p } = await signIn(ADMIN, '/enterprise'));
  });
  afterAll(async () => ctx?.close());

  it('topology: single-line diagram as SVG with live values, alarm states and the balance check', async () => {
    await p.goto(`${portal.url}/enterprise/topology`);
    const diagram = p.getByTestId('topology-diagram');
    await diagram.waitFor();
    const main = p.getByTestId('topo-node-E-MAIN');
    expect(await main.getAttribute('data-value')).toBe('1200');
    expect(await main.getAttribute('data-level')).toBe('ok');
    // Unbound or unread feeders say so in text and icon, not only colour.
    expect(await p.getByTestId('topo-node-E-OFFICE').getAttribute('data-level')).toBe('nodata');
    expect(await p.getByTestId('topo-row-E-MAIN').textContent()).toMatch(/✓/);
    // Balance: incomer 200 kWh vs feeders 120 + 60 over the window, 10 % off → unbalanced at 5 %.
    expect(await p.getByTestId('panel-unbalance').textContent()).toMatch(/⚠/);
    await bothLanguages(p, '30-topology-power', { 'zh-CN': '拓扑图', en: 'Topology diagrams' });
    // Live: a new incomer reading reaches the diagram over the subscription.
    await expect.poll(() => diagram.getAttribute('data-live'), { timeout: 20_000 }).toBe('live');
    const deadline = Date.now() + 30_000;
    let register = 1200;
    while ((await main.getAttribute('data-value')) === '1200') {
      if (Date.now() > deadline) throw new Error('diagram value did not change within 30 s');
      register += 10;
      await gql(
        'mutation($e: ID!, $r: [ReadingInput!]!) { ingestReadings(enterpriseId: $e, readings: $r) { accepted } }',
        {
          e: E,
          r: [{ meterCode: 'E-MAIN', ts: new Date().toISOString(), value: String(register), unit: 'kWh' }],
        },
        adminToken,
      );
      await p.waitForTimeout(1500);
    }
    expect(Number(await main.getAttribute('data-value'))).toBeGreaterThan(1200);
    expect(Number(await diagram.getAttribute('data-updates'))).toBeGreaterThan(0);
    // The utility network opens from the list.
    await p.getByTestId('diagram-link-water').click();
    await p.getByTestId('topo-node-W-MAIN').waitFor();
    await shot(p, '31-topology-water-en');
  });

  it('distribution room: sensor values and alarm states from the energy/alarm queries', async () => {
    await p.goto(`${portal.url}/enterprise/room`);
    await switchLang(p, 'en');
    const door = p.getByTestId('sensor-DR1-DOOR');
    await door.waitFor();
    expect(await door.getAttribute('data-level')).toBe('warning');
    expect(await p.getByTestId('sensor-DR1-QF1').getAttribute('data-level')).toBe('ok');
    expect(await p.getByTestId('sensor-DR1-TEMP').textContent()).toContain('27.4 °C');
    expect(await door.textContent()).toContain('Open');
    expect(await p.getByTestId('panel-room-alarms').textContent()).toContain('DR-1 door');
    await bothLanguages(p, '32-distribution-room', { 'zh-CN': '配电室状态', en: 'Distribution-room status' });
    expect(await door.textContent()).toContain('Open');
    await switchLang(p, 'zh-CN');
    expect(await door.textContent()).toContain('打开');
  });

  it('data: XLSX import shows the row errors next to the CSV import', async () => {
    await p.goto(`${portal.url}/enterprise/data`);
    const form = p.getByTestId('xlsx-import-form');
    await form.waitFor();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('readings');
    ws.addRow(['meter_code', 'ts', 'value', 'unit']);
    ws.addRow(['E-LINE2', new Date(Date.now() - 60_000).toISOString(), '365', 'kWh']);
    ws.addRow(['NO-SUCH-METER', new Date().toISOString(), '1', 'kWh']);
    ws.addRow(['E-LINE2', 'yesterday', 'abc', 'kWh']);
    const buffer = Buffer.from(await wb.xlsx.writeBuffer());
    await form.locator('input[type=file]').setInputFiles({
      name: 'readings.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer,
    });
    await form.locator('button[type=submit]').click();
    const errors = p.getByTestId('xlsx-errors');
    await errors.waitFor();
    const rows = await errors.locator('tbody tr').allTextContents();
    expect(rows.some((r) => r.startsWith('readings3'))).toBe(true);
    expect(rows.some((r) => r.startsWith('readings4'))).toBe(true);
    expect(await form.locator('[data-import-status]').textContent()).toMatch(/1 \/ 3/);
    expect(await axeCheck(p)).toEqual([]);
    await shot(p, '33-data-xlsx-errors-zh-CN');
  });
});

describe('park view', () => {
  it('layout: every member at its position with its status by colour, icon and text, in both languages', async () => {
    const ds = api.dataSource;
    // Plant 18 shares (seeded position), B shares and is placed by the park admin, C neither.
    const [b] = await ds.query(
      `INSERT INTO enterprises (park_id, name) VALUES ($1, 'Layout Works B') RETURNING id`,
      [DEMO_PARK_ID],
    );
    const [c] = await ds.query(
      `INSERT INTO enterprises (park_id, name) VALUES ($1, 'Layout Private C') RETURNING id`,
      [DEMO_PARK_ID],
    );
    for (const id of [E, b.id])
      await ds.query('INSERT INTO park_share_consent (enterprise_id, park_id) VALUES ($1, $2)', [
        id,
        DEMO_PARK_ID,
      ]);
    const parkToken = (
      await gql<{ login: { accessToken: string } }>(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: 'park@changsha.demo', p: DEMO_PASSWORD },
      )
    ).login.accessToken;
    await gql(
      'mutation($p: ID!, $e: ID!) { setParkLayoutPosition(parkId: $p, enterpriseId: $e, x: 700, y: 300) { x } }',
      { p: DEMO_PARK_ID, e: b.id },
      parkToken,
    );
    const { parkLayout } = await gql<{
      parkLayout: { members: { enterpriseId: string; placed: boolean; status: string; name: string }[] };
    }>(
      'query($p: ID!) { parkLayout(parkId: $p) { members { enterpriseId name placed status } } }',
      { p: DEMO_PARK_ID },
      parkToken,
    );
    const expected = new Map(parkLayout.members.map((m) => [m.enterpriseId, m]));
    expect([...expected.keys()].sort()).toEqual([E, b.id, c.id].sort());
    expect(expected.get(c.id)).toMatchObject({ placed: false, status: 'NOT_SHARING' });
    expect(expected.get(b.id)).toMatchObject({ placed: true, status: 'NO_DATA' });

    const { ctx, p } = await signIn('park@changsha.demo', '/park');
    const panel = p.getByTestId('park-layout');
    await panel.waitFor();
    for (const lang of ['zh-CN', 'en'] as const) {
      await switchLang(p, lang);
      const dict = lang === 'en' ? en : zhCN;
      await p.getByRole('heading', { level: 2, name: dict['park.layout.title'] }).waitFor();
      for (const m of expected.values()) {
        const el = panel.getByTestId(`layout-member-${m.enterpriseId}`);
        expect(await el.getAttribute('data-status'), `${lang} ${m.name}`).toBe(m.status);
        const statusText = dict[`park.layout.status.${m.status}` as keyof typeof en];
        expect(await el.textContent()).toContain(statusText);
        expect(await el.textContent()).toContain(m.name);
        if (m.placed) {
          // In the SVG, focusable and labelled with the member and its status.
          expect(await el.evaluate((n) => n.tagName.toLowerCase())).toBe('g');
          // Shown as text next to the coloured icon, not only in the label.
          expect(await el.getByTestId('layout-status-text').textContent()).toContain(statusText);
          expect(await el.getAttribute('aria-label')).toContain(`${m.name}: ${statusText}`);
          await el.focus();
          type Doc = { document: { activeElement: { getAttribute(a: string): string | null } | null } };
          const focused = () =>
            (globalThis as unknown as Doc).document.activeElement?.getAttribute('data-testid');
          expect(await p.evaluate(focused)).toBe(`layout-member-${m.enterpriseId}`);
        }
      }
      const legend = (await panel.getByTestId('layout-legend').textContent()) ?? '';
      for (const s of ['OK', 'QUOTA_WARNING', 'ALARM', 'STALE', 'NO_DATA', 'NOT_SHARING'])
        expect(legend).toContain(dict[`park.layout.status.${s}` as keyof typeof en]);
      expect(await p.locator('.state.error').count()).toBe(0);
      expect(await axeCheck(p)).toEqual([]);
      await shot(p, `36-park-layout-${lang}`);
    }
    await ctx.close();
  });
});

describe('platform admin and verifier views', () => {
  it('admin: devices with key fingerprint, status and last seen', async () => {
    const { ctx, p } = await signIn('platform@opencep.demo', '/admin');
    const panel = p.getByTestId('panel-admin-devices');
    await panel.waitFor();
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('DR-1 edge gateway');
    expect(text).toContain('0x 5a1e 5a1e');
    expect(text).toContain('✓');
    expect(await panel.locator('.state').count()).toBe(0);
    await bothLanguages(p, '34-admin-devices', { 'zh-CN': '平台管理', en: 'Platform administration' });
    expect(await panel.textContent()).toContain('Last seen');
    await ctx.close();
  });

  it('verifier: picks a committed line of the granted report and verifies its proof in the browser', async () => {
    const { ctx, p } = await signIn('verifier@audit.demo', '/verifier');
    const pick = p.getByTestId('proof-pick');
    await pick.waitFor();
    for (const lang of ['zh-CN', 'en'] as const) {
      await switchLang(p, lang);
      const row = p.getByTestId('pick-totals/location');
      await row.getByRole('button').click();
      await expect.poll(() => row.getByTestId('pick-verdict').getAttribute('data-verdict')).toBe('VALID');
    }
    const hashRow = p.locator('[data-testid^="pick-inventory/sha256/"]');
    await hashRow.getByRole('button').click();
    await expect.poll(() => hashRow.getByTestId('pick-verdict').getAttribute('data-verdict')).toBe('VALID');
    expect(await axeCheck(p)).toEqual([]);
    await shot(p, '35-verifier-pick-en');
    await ctx.close();
  });

  it('had no CSP violations or uncaught page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
