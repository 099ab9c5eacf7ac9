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
import { configureReports } from '@opencep/api/src/modules/reports/report.chain';
import { AnchorWorker } from '@opencep/api/src/modules/trust/trust.anchor-worker';
import { commitReadingPeriod } from '@opencep/api/src/modules/trust/trust.commit';
import { startChainReconciler } from '@opencep/api/src/modules/trust/trust.reconcile';
import { type ApiServer, startApiServer } from '@opencep/api/src/server';
import { DEMO_ENTERPRISE_ID, DEMO_PASSWORD, seedDemoIdentity } from '@opencep/api/src/seed/users';
import { type IndexerHandle, startIndexer } from '@opencep/indexer';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { uuidToBytes32 } from 'opencep-verify';
import { devAccount, type LocalRegistry, startLocalRegistry } from 'opencep-verify/testing';
import pg from 'pg';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type Abi, createWalletClient, type Hex, http, keccak256, parseAbi, toBytes } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  injectedWalletScript,
  type Portal,
  ROOT,
  startPortal,
} from './harness';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = join(import.meta.dirname, 'screenshots');
const ADMIN = 'admin@plant18.demo';

let db: TestDatabase;
let api: ApiServer;
let portal: Portal;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminToken: string;
let chain: LocalRegistry;
let pool: pg.Pool;
let worker: AnchorWorker;
let quotaRegistry: Hex;
let quotaAbi: Abi;
let quotaBlock = 1;
let indexer: IndexerHandle;
let stopReconciler: () => Promise<void> = async () => undefined;
/** One more block, so that what was just mined counts as confirmed (finality depth 1). */
const mine = () => chain.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
/** Enterprise admin key registered on chain (signs reports, anchors), regulator key. */
const enterpriseKey = devAccount(8);
const regulatorKey = devAccount(5);
const INVENTORY_YEAR = new Date().getFullYear() - 1;
const QUOTA_ABI = parseAbi([
  'function quotaOf(bytes32 enterpriseId, uint16 year) view returns ((uint128 amount, uint32 revision, uint64 updatedAt))',
]);
const cspViolations: string[] = [];
/** 1×1 PNG: stands in for a phone photo of a meter dial. */
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAEhgGAWhFmFQAAAABJRU5ErkJggg==',
  'base64',
);

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

/** The register of a plant drawing a steady ~150 kW, so the load curve looks like a real one. */
const T0 = Date.now() - 2 * 3600_000;
const register = (ts: number) => (1000 + ((ts - T0) / 3600_000) * 150).toFixed(3);
/** Register readings of the main electricity meter, 15 minutes apart, ending now. */
async function ingest(count: number): Promise<void> {
  const now = Date.now();
  const readings = Array.from({ length: count }, (_, i) => {
    const ts = now - (count - 1 - i) * 15 * 60_000;
    return { meterCode: 'E-MAIN', ts: new Date(ts).toISOString(), value: register(ts), unit: 'kWh' };
  });
  await gql(
    'mutation($e: ID!, $r: [ReadingInput!]!) { ingestReadings(enterpriseId: $e, readings: $r) { accepted } }',
    {
      e: DEMO_ENTERPRISE_ID,
      r: readings,
    },
    adminToken,
  );
}
const pageErrors: string[] = [];

/** Local chain with the registries, plant-18 registered and a regulator; deploys QuotaRegistry. */
async function setupChain(): Promise<void> {
  chain = await startLocalRegistry();
  const deployer = createWalletClient({
    chain: chain.chain,
    transport: http(chain.url),
    account: devAccount(0),
  });
  const wait = async (hash: Hex) => {
    const r = await chain.publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== 'success') throw new Error(`tx ${hash} reverted`);
    return r;
  };
  await chain.registerEnterprise(uuidToBytes32(DEMO_ENTERPRISE_ID) as Hex, enterpriseKey.address);
  await wait(
    await deployer.writeContract({
      address: chain.participants,
      abi: parseAbi(['function grantRole(bytes32 role, address account)']),
      functionName: 'grantRole',
      args: [keccak256(toBytes('REGULATOR_ROLE')), regulatorKey.address],
    }),
  );
  const art = JSON.parse(
    readFileSync(join(ROOT, 'contracts/artifacts/src/QuotaRegistry.sol/QuotaRegistry.json'), 'utf8'),
  ) as { abi: Abi; bytecode: Hex };
  const receipt = await wait(
    await deployer.deployContract({ abi: art.abi, bytecode: art.bytecode, args: [chain.participants] }),
  );
  quotaRegistry = receipt.contractAddress as Hex;
  quotaAbi = art.abi;
  quotaBlock = Number(receipt.blockNumber);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [db] = await Promise.all([createTestDatabase('e2e_portal'), setupChain()]);
  configureReports({ chainId: chain.chainId });
  api = await startApiServer({
    databaseUrl: db.url,
    port: 0,
    host: '127.0.0.1',
    jwtSecret: 'e2e-secret-e2e-secret-e2e-secret-0123456',
    logLevel: 'silent',
    rateLimit: { capacity: 10_000, refillPerSecond: 1_000 },
  });
  await seedDemoIdentity(api.dataSource);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // The anchoring worker the platform runs next to the API (docs/trust.md), on the local chain.
  worker = new AnchorWorker({
    pool,
    rpcUrl: chain.url,
    chainId: chain.chainId,
    registry: chain.registry,
    signerFor: () => enterpriseKey,
    retryBaseSeconds: 0,
    pollMs: 200,
  });
  worker.start();
  // The chain mirror (indexer) and the reconciler that moves anchors/reports forward from it.
  indexer = await startIndexer({
    databaseUrl: db.url,
    rpcUrl: chain.url,
    deployment: {
      chainId: chain.chainId,
      contracts: {
        AttestationRegistry: {
          address: chain.registry,
          abi: JSON.parse(JSON.stringify(chain.registryAbi)),
          blockNumber: 1,
        },
        QuotaRegistry: {
          address: quotaRegistry,
          abi: JSON.parse(JSON.stringify(quotaAbi)),
          blockNumber: quotaBlock,
        },
      },
    },
    finalityDepth: 1,
    pollIntervalMs: 200,
    logger: { info() {}, warn() {}, error() {}, debug() {} },
  });
  stopReconciler = startChainReconciler({ pool, events: api.events, intervalMs: 300 });
  // Demo data: last year's FINAL inventory (100 MWh of grid electricity) to report on.
  const inv = calculate(machineryPack(), activity([line('grid', 'electricity.purchased', '100', 'MWh')]));
  await api.dataSource.query(
    `INSERT INTO accounting_inventory (enterprise_id, period_kind, period_start, period_end, revision, state,
       standard_source, pack_ref, pack_hash, canonical_json, inventory_hash, activity_json, total_location, scope1, scope2_location, scope3)
     VALUES ($1, 'YEAR', $2, $3, 1, 'FINAL', 'CHAIN', 'cn-machinery-2015@1.0.0', $4, $5, $6, '{}', 57.03, 0, 57.03, 0)`,
    [
      DEMO_ENTERPRISE_ID,
      `${INVENTORY_YEAR}-01-01`,
      `${INVENTORY_YEAR}-12-31`,
      inv.pack.hash,
      inventoryToCanonicalJson(inv),
      inventoryHash(inv),
    ],
  );
  // A main electricity meter with a few readings, so the dashboard has real figures.
  adminToken = (
    await gql<{ login: { accessToken: string } }>(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: ADMIN, p: DEMO_PASSWORD },
    )
  ).login.accessToken;
  await gql(
    'mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }',
    {
      i: {
        enterpriseId: DEMO_ENTERPRISE_ID,
        code: 'E-MAIN',
        name: 'Main incomer',
        energyType: 'electricity',
        unit: 'kWh',
        kind: 'cumulative',
      },
    },
    adminToken,
  );
  await ingest(8);
  [portal, browser] = await Promise.all([
    startPortal(api.url, api.wsUrl, {
      OPENCEP_CHAIN_RPC_URL: chain.url,
      OPENCEP_QUOTA_REGISTRY: quotaRegistry,
    }),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
  ]);
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await portal?.stop();
  await worker?.stop();
  await stopReconciler();
  await indexer?.stop();
  await pool?.end();
  await api?.close();
  await db?.drop();
  await chain?.stop();
  configureReports({ chainId: 31337 });
});

async function axeCheck(p: Page): Promise<string[]> {
  await p.evaluate(AXE_SOURCE);
  // Strings, not functions: this file is type-checked without the DOM lib.
  const result = (await p.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as {
    violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} → ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function shot(p: Page, name: string): Promise<void> {
  // Never a picture of a loading fallback: the page's heading is there and nothing is streaming.
  await p.locator('h1').first().waitFor();
  await p.getByTestId('segment-loading').waitFor({ state: 'detached' });
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe('portal smoke', () => {
  it('redirects to login, rejects a bad password, signs the demo enterprise admin in', async () => {
    await page.goto(`${portal.url}/enterprise`);
    await page.waitForURL(/\/login/);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await axeCheck(page)).toEqual([]);
    await shot(page, '00-login');

    await page.fill('#email', ADMIN);
    await page.fill('#password', 'wrong-password');
    await page.getByTestId('login-form').locator('button[type=submit]').click();
    await page.locator('#login-error').waitFor();

    await page.fill('#password', DEMO_PASSWORD);
    await page.getByTestId('login-form').locator('button[type=submit]').click();
    await page.waitForURL(/\/enterprise$/);
    await page.getByRole('heading', { level: 1, name: '能源总览' }).waitFor();
    expect(await page.getByTestId('who').textContent()).toContain(ADMIN);

    const cookies = await context.cookies();
    const access = cookies.find((c) => c.name === 'opencep_at');
    expect(access?.httpOnly).toBe(true);
    expect(access?.sameSite).toBe('Lax');
  });

  it('switches language zh-CN ↔ en and remembers it', async () => {
    await page.getByTestId('lang-en').click();
    await page.getByRole('heading', { level: 1, name: 'Energy overview' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Energy overview' }).waitFor();
    await page.getByTestId('lang-zh-CN').click();
    await page.getByRole('heading', { level: 1, name: '能源总览' }).waitFor();
    await shot(page, '01-enterprise-energy-zh-CN');
    await page.getByTestId('lang-en').click();
    await page.getByRole('heading', { level: 1, name: 'Energy overview' }).waitFor();
  });

  it('shows real figures and updates the live load curve from a subscription event', async () => {
    await page.goto(`${portal.url}/enterprise`);
    const chart = page.getByTestId('live-chart');
    await chart.waitFor();
    await expect.poll(() => chart.getAttribute('data-live'), { timeout: 20_000 }).toBe('live');
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('panel-consumption').textContent()).toMatch(/kWh/);
    // Readings arriving now make the API publish meteringUpdated; the chart re-queries the curve.
    const deadline = Date.now() + 30_000;
    while (Number(await chart.getAttribute('data-updates')) === 0) {
      if (Date.now() > deadline) throw new Error('no live update within 30 s');
      await ingest(1);
      await page.waitForTimeout(1500);
    }
    expect(Number(await chart.getAttribute('data-updates'))).toBeGreaterThan(0);
  });

  it('records a manual reading with a photo', async () => {
    await page.goto(`${portal.url}/enterprise/data`);
    const form = page.getByTestId('manual-reading-form');
    await form.waitFor();
    expect(await page.locator('#mr-photo').getAttribute('capture')).toBe('environment');
    await page.fill('#mr-value', register(Date.now()));
    await page.setInputFiles('#mr-photo', { name: 'dial.png', mimeType: 'image/png', buffer: PHOTO });
    await form.locator('button[type=submit]').click();
    await form.locator('.success').waitFor();
  });

  it('acknowledges a raised alarm on the energy overview', async () => {
    // A distribution-room feeder above its 40 kW threshold, evaluated by the alarm evaluator.
    const meter = await gql<{ createMeter: { id: string } }>(
      'mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }',
      {
        i: {
          enterpriseId: DEMO_ENTERPRISE_ID,
          code: 'T-ROOM1',
          name: 'Distribution room 1 feeder load',
          energyType: 'electricity',
          unit: 'kW',
          kind: 'instantaneous',
        },
      },
      adminToken,
    );
    await gql(
      'mutation($e: ID!, $i: CreateAlarmRuleInput!) { createAlarmRule(enterpriseId: $e, input: $i) { id } }',
      {
        e: DEMO_ENTERPRISE_ID,
        i: {
          meterId: meter.createMeter.id,
          name: 'Room 1 feeder overload',
          severity: 'critical',
          spec: JSON.stringify({ kind: 'threshold', op: 'above', limit: '40' }),
        },
      },
      adminToken,
    );
    const now = Date.now();
    await gql(
      'mutation($e: ID!, $r: [ReadingInput!]!) { ingestReadings(enterpriseId: $e, readings: $r) { accepted } }',
      {
        e: DEMO_ENTERPRISE_ID,
        r: [3, 2, 1].map((m) => ({
          meterCode: 'T-ROOM1',
          ts: new Date(now - m * 60_000).toISOString(),
          value: String(44 + m),
          unit: 'kW',
        })),
      },
      adminToken,
    );
    expect((await new AlarmEvaluator(api.dataSource).runOnce(new Date())).raised).toBe(1);
    await page.goto(`${portal.url}/enterprise`);
    const status = page.locator('[data-testid^="alarm-status-"]').first();
    await status.waitFor();
    const id = ((await status.getAttribute('data-testid')) ?? '').replace('alarm-status-', '');
    await page.getByTestId(`ack-${id}`).locator('button[type=submit]').click();
    await expect
      .poll(() => page.getByTestId(`alarm-status-${id}`).textContent())
      .toMatch(/Acknowledged|已确认/);
  });

  it('drills down plant → site → workshop → line → equipment with last month alongside', async () => {
    const make = async (m: string, input: Record<string, unknown>) =>
      (
        await gql<Record<string, { id: string }>>(
          `mutation($i: Create${m}Input!) { r: create${m}(input: $i) { id } }`,
          { i: input },
          adminToken,
        )
      ).r?.id as string;
    const site = await make('Site', { enterpriseId: DEMO_ENTERPRISE_ID, name: 'Main plant' });
    const area = await make('Area', { siteId: site, name: 'Press shop' });
    const lineId = await make('Line', { areaId: area, name: 'Line A' });
    await make('Equipment', { lineId, code: 'PRESS-1', name: 'Press 1' });
    await page.goto(`${portal.url}/enterprise`);
    const panel = page.getByTestId('panel-drilldown');
    for (const name of ['Main plant', 'Press shop', 'Line A']) {
      await panel.getByRole('link', { name }).click();
      await expect.poll(() => page.getByTestId('drilldown-path').textContent()).toContain(name);
    }
    await expect.poll(() => panel.locator('tbody').textContent()).toContain('Press 1');
    expect(await panel.getByRole('link', { name: 'Press 1' }).count()).toBe(0);
    expect(page.url()).toContain(`path=${site},${area},${lineId}`);
    await shot(page, '07-enterprise-drilldown');
  });

  it('imports a readings CSV and lists its row errors', async () => {
    await page.goto(`${portal.url}/enterprise/data`);
    const form = page.getByTestId('csv-import-form');
    const ts = new Date(Date.now() - 60_000).toISOString();
    await form
      .locator('textarea')
      .fill(
        `meter_code,ts,value,unit\nE-MAIN,${ts},${register(Date.now() - 60_000)},kWh\nNO-SUCH,${ts},1,kWh\nE-MAIN,not-a-time,1,kWh\n`,
      );
    await form.locator('button[type=submit]').click();
    await form.locator('[data-import-status=ok]').waitFor();
    const errors = page.getByTestId('csv-errors');
    await errors.waitFor();
    expect(await errors.locator('tbody tr').count()).toBe(2);
    expect(await form.locator('[data-import-status=ok]').textContent()).toMatch(/1 \/ 3/);
  });

  const pages: [string, string][] = [
    ['01-enterprise-energy', '/enterprise'],
    ['02-enterprise-data', '/enterprise/data'],
    ['03-enterprise-accounting', '/enterprise/accounting'],
    ['04-enterprise-carbon-screen', '/enterprise/carbon'],
  ];
  it('renders the enterprise pages in both languages without serious accessibility violations', async () => {
    const problems: string[] = [];
    for (const lang of ['zh-CN', 'en'] as const) {
      await page.goto(`${portal.url}/enterprise`);
      await page.locator('h1').first().waitFor();
      await switchLang(page, lang);
      for (const [name, path] of pages) {
        await page.goto(`${portal.url}${path}`);
        await page.locator('h1').first().waitFor();
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        // Every panel is wired to an API operation: none may say "not available yet".
        expect(await page.getByTestId('not-available').count(), `${path} ${lang}`).toBe(0);
        expect(await page.locator('.state.error').count(), `${path} ${lang}: error panels`).toBe(0);
        const violations = await axeCheck(page);
        problems.push(...violations.map((v) => `${path} (${lang}): ${v}`));
        await shot(page, `${name}-${lang}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('fits the carbon big screen in 1920×1080 without scrolling', async () => {
    const big = await context.newPage();
    await big.setViewportSize({ width: 1920, height: 1080 });
    await big.goto(`${portal.url}/enterprise/carbon`);
    await big.getByTestId('bigscreen').waitFor();
    const size = (await big.evaluate(
      '({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight })',
    )) as { w: number; h: number };
    expect(size.w).toBeLessThanOrEqual(1920);
    expect(size.h).toBeLessThanOrEqual(1080);
    await big.screenshot({ path: join(SHOTS, '05-carbon-screen-1920x1080.png') });
    await big.close();
  });

  it('works on a phone viewport', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${portal.url}/enterprise/data`);
    await phone.locator('h1').first().waitFor();
    const overflow = (await phone.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    )) as number;
    expect(overflow).toBeLessThanOrEqual(1);
    await phone.screenshot({ path: join(SHOTS, '06-phone-data.png'), fullPage: true });
    await phone.close();
  });

  it('had no CSP violations or uncaught page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('refreshes an expired access token, and sends a dead session to login', async () => {
    const url = new URL(portal.url);
    const base = { domain: url.hostname, path: '/', httpOnly: true, sameSite: 'Lax' as const };
    // An unreadable access token counts as expired: the proxy rotates it with the refresh token.
    await context.addCookies([{ ...base, name: 'opencep_at', value: 'expired.token.x' }]);
    await page.goto(`${portal.url}/enterprise/data`);
    await page.getByTestId('manual-reading-form').waitFor();
    const fresh = (await context.cookies()).find((c) => c.name === 'opencep_at');
    expect(fresh?.value).not.toBe('expired.token.x');
    // Without a usable refresh token the session is over.
    await context.addCookies([
      { ...base, name: 'opencep_at', value: 'expired.token.x' },
      { ...base, name: 'opencep_rt', value: 'revoked' },
    ]);
    await page.goto(`${portal.url}/enterprise/data`);
    await page.waitForURL(/\/login\?expired=1/);
    await page.locator('.notice').waitFor();
    // Sign in again for the remaining steps.
    await page.fill('#email', ADMIN);
    await page.fill('#password', DEMO_PASSWORD);
    await page.getByTestId('login-form').locator('button[type=submit]').click();
    await page.waitForURL(/\/enterprise\/data$/);
  });

  it('signs out and guards the workspace again', async () => {
    await page.goto(`${portal.url}/enterprise`);
    await page.getByRole('button', { name: /Sign out|退出登录/ }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${portal.url}/enterprise`);
    await page.waitForURL(/\/login/);
  });
});

/** Clicks the language switch until the document says `lang` (a click racing hydration is retried). */
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

/** A fresh signed-in browser context for a demo user, optionally with a wallet holding `key`. */
async function signIn(email: string, path: string, key?: { address: string }) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  ctx.setDefaultTimeout(20_000);
  if (key) await ctx.addInitScript(injectedWalletScript(key.address, chain.url));
  const p = await ctx.newPage();
  p.on('pageerror', (err) => pageErrors.push(`${email}: ${err.message}`));
  p.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(`${email}: ${msg.text()}`);
  });
  await p.goto(`${portal.url}/login`);
  await p.fill('#email', email);
  await p.fill('#password', DEMO_PASSWORD);
  await p.getByTestId('login-form').locator('button[type=submit]').click();
  await p.waitForURL(new RegExp(`${path}$`));
  await p.locator('h1').first().waitFor();
  return { ctx, p };
}

describe('other role workspaces', () => {
  const roles: [string, string, string, number][] = [
    // [user, landing page, screenshot, panels allowed to say "not available yet"]
    ['park@changsha.demo', '/park', '10-park', 0],
    ['regulator@hunan.demo', '/regulator', '11-regulator', 0],
    ['member@cmia.demo', '/association', '12-association', 0],
    ['verifier@audit.demo', '/verifier', '13-verifier', 0],
    ['platform@opencep.demo', '/admin', '14-admin', 0],
  ];
  it.each(roles)('%s lands on %s, in both languages', async (email, path, name, unavailable) => {
    const { ctx, p } = await signIn(email, path);
    const problems: string[] = [];
    for (const lang of ['zh-CN', 'en'] as const) {
      await switchLang(p, lang);
      expect(await p.getByTestId('not-available').count()).toBe(unavailable);
      expect(await p.locator('.state.error').count(), `${path} ${lang}: error panels`).toBe(0);
      problems.push(...(await axeCheck(p)).map((v) => `${lang}: ${v}`));
      await shot(p, `${name}-${lang}`);
    }
    expect(problems).toEqual([]);
    // A role may not open another role's workspace.
    await p.goto(`${portal.url}/enterprise`);
    await p.waitForURL(/\?forbidden=1/);
    await ctx.close();
  });
});

describe('role main paths on the chain', () => {
  let reportId = '';

  it('enterprise: generates a report, signs it with the wallet, sees it anchored and downloads it', async () => {
    const { ctx, p } = await signIn(ADMIN, '/enterprise', enterpriseKey);
    await p.goto(`${portal.url}/enterprise/accounting`);
    const gen = p.getByTestId('generate-report-form');
    await gen.locator('#gr-language').selectOption('en');
    await gen.locator('button[type=submit]').click();
    await gen.locator('[data-status=ok]').waitFor();
    const state = p.locator('[data-testid^="report-state-"]').first();
    await state.waitFor();
    reportId = ((await state.getAttribute('data-testid')) ?? '').replace('report-state-', '');
    expect(reportId).toMatch(/^[0-9a-f-]{36}$/);
    await p
      .getByTestId('panel-reports')
      .getByRole('button', { name: /签名|Sign/ })
      .click();
    await p.locator('[data-sign-status=done]').waitFor({ timeout: 30_000 });
    // The anchoring worker writes the report root to the AttestationRegistry; the page shows it.
    const deadline = Date.now() + 45_000;
    for (;;) {
      await mine();
      await p.reload();
      const text = await p.getByTestId(`report-state-${reportId}`).textContent();
      if (text === '已锚定' || text === 'Anchored') break;
      if (Date.now() > deadline) throw new Error(`report not anchored: ${text}`);
      await p.waitForTimeout(1000);
    }
    await shot(p, '20-enterprise-report-anchored');
    for (const [fmt, magic] of [
      ['pdf', '%PDF'],
      ['xlsx', 'PK'],
      ['json', '{'],
    ] as const) {
      const res = await p.request.get(`${portal.url}/api/reports/${reportId}/${fmt}`);
      expect(res.status(), fmt).toBe(200);
      expect((await res.body()).subarray(0, magic.length).toString('latin1')).toBe(magic);
    }
    // Quota page: an adjustment lands in the history with its reason.
    const adjust = p.getByTestId('adjust-quota-form');
    await p.getByTestId('set-quota-form').locator('#sq-amount').fill('1000');
    await p.getByTestId('set-quota-form').locator('button[type=submit]').click();
    await p.getByTestId('set-quota-form').locator('[data-status=ok]').waitFor();
    await adjust.locator('#aq-delta').fill('-25.5');
    await adjust.locator('#aq-reason').fill('e2e capacity change');
    await adjust.locator('button[type=submit]').click();
    await adjust.locator('[data-status=ok]').waitFor();
    await expect.poll(() => p.getByTestId('panel-quotas').textContent()).toContain('e2e capacity change');
    await ctx.close();
  });

  it('regulator: issues a quota on chain with the wallet, in both languages', async () => {
    const { ctx, p } = await signIn('regulator@hunan.demo', '/regulator', regulatorKey);
    const year = new Date().getFullYear();
    const issue = async (amount: string, y: number) => {
      const form = p.getByTestId('issue-quota-form');
      await form.locator('input[name=year]').fill(String(y));
      await form.locator('input[name=amount]').fill(amount);
      await form.locator('input[name=reason]').fill('e2e allocation');
      await form.locator('button[type=submit]').click();
      await form.locator('[data-issue-status=done]').waitFor({ timeout: 30_000 });
    };
    await issue('120000.5', year);
    const q = await chain.publicClient.readContract({
      address: quotaRegistry,
      abi: QUOTA_ABI,
      functionName: 'quotaOf',
      args: [uuidToBytes32(DEMO_ENTERPRISE_ID) as Hex, year],
    });
    expect(q.amount).toBe(120_000_500_000n);
    expect(q.revision).toBe(1);
    await shot(p, '21-regulator-quota-issued-zh-CN');
    // A second issuance for the same year reverts on chain: the page says so.
    const form = p.getByTestId('issue-quota-form');
    await form.locator('button[type=submit]').click();
    await form.locator('[data-issue-status=failed]').waitFor({ timeout: 30_000 });
    await switchLang(p, 'en');
    await issue('99.25', year + 1);
    const next = await chain.publicClient.readContract({
      address: quotaRegistry,
      abi: QUOTA_ABI,
      functionName: 'quotaOf',
      args: [uuidToBytes32(DEMO_ENTERPRISE_ID) as Hex, year + 1],
    });
    expect(next.amount).toBe(99_250_000n);
    // The indexer mirrors both issuances; the regulator's list shows them (en: "120,000.5 t CO₂e").
    const listed = Date.now() + 30_000;
    for (;;) {
      await mine();
      await p.reload();
      const text = (await p.getByTestId('panel-reg-quotas').textContent()) ?? '';
      if (text.includes('120,000.5') && text.includes('99.25')) break;
      if (Date.now() > listed) throw new Error(`issued quotas not listed: ${text.slice(0, 300)}`);
      await p.waitForTimeout(1000);
    }
    await shot(p, '22-regulator-quota-issued-en');
    await ctx.close();
  });

  it('verifier: checks a reading proof in the browser against the chain, with distinct verdicts', async () => {
    // The batcher commits the plant's readings and the worker anchors the root.
    const now = Date.now();
    await commitReadingPeriod(pool, DEMO_ENTERPRISE_ID, new Date(now - 6 * 3600_000), new Date(now + 60_000));
    const [r] = (
      await pool.query(
        `SELECT meter_id, ts FROM metering_reading WHERE enterprise_id = $1 ORDER BY ts LIMIT 1`,
        [DEMO_ENTERPRISE_ID],
      )
    ).rows as { meter_id: string; ts: Date }[];
    let proofJson = '';
    const deadline = Date.now() + 45_000;
    for (;;) {
      const d = await gql<{ readingProof: { proofJson: string; anchorState: string | null } }>(
        'query($e: ID!, $m: ID!, $t: DateTime!) { readingProof(enterpriseId: $e, meterId: $m, ts: $t) { proofJson anchorState } }',
        { e: DEMO_ENTERPRISE_ID, m: r?.meter_id, t: r?.ts.toISOString() },
        adminToken,
      );
      if (d.readingProof.anchorState === 'confirmed') {
        proofJson = d.readingProof.proofJson;
        break;
      }
      if (Date.now() > deadline) throw new Error(`reading batch not anchored: ${d.readingProof.anchorState}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    // The enterprise grants the verifier the report of the first test (their engagement).
    const [v] = (await pool.query(`SELECT id FROM users WHERE email = 'verifier@audit.demo'`)).rows as {
      id: string;
    }[];
    await gql(
      'mutation($r: ID!, $v: ID!) { grantReportAccess(reportId: $r, verifierUserId: $v) { id } }',
      { r: reportId, v: v?.id },
      adminToken,
    );

    const { ctx, p } = await signIn('verifier@audit.demo', '/verifier');
    expect(await p.getByTestId('panel-engagements').textContent()).toContain('cn-machinery-2015');
    const box = p.getByTestId('proof-check');
    const check = async (text: string) => {
      await box.locator('textarea').fill(text);
      await box.getByRole('button', { name: /^(校验|Verify)$/ }).click();
      return box.getByTestId('verdict').getAttribute('data-verdict');
    };
    expect(await check(proofJson)).toBe('VALID');
    await expect.poll(() => box.getByTestId('verdict').textContent()).toContain(`chain ${chain.chainId}`);
    await shot(p, '23-verifier-proof-valid-zh-CN');
    const proof = JSON.parse(proofJson) as { leaf: { value: string } };
    const tampered = JSON.stringify({ ...proof, leaf: { ...proof.leaf, value: `${proof.leaf.value}1` } });
    expect(await check(tampered)).toBe('LEAF_MISMATCH');
    expect(await check('{"format":"opencep-proof/1"}')).toBe('MALFORMED');
    await switchLang(p, 'en');
    expect(await check(proofJson)).toBe('VALID');
    await shot(p, '24-verifier-proof-valid-en');
    // Statement on the granted report: the document hash is recorded, the engagement shows the opinion.
    const statement = p.getByTestId('statement-form');
    await statement.locator('input[name=documentHash]').fill(`0x${'ab'.repeat(32)}`);
    await statement.locator('button[type=submit]').click();
    await statement.locator('[data-status=ok]').waitFor();
    await expect.poll(() => p.getByTestId('panel-engagements').textContent()).toContain('POSITIVE');
    await ctx.close();
  });

  it('had no CSP violations or uncaught page errors on the role paths', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
