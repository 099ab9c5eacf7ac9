import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type ApiServer, startApiServer } from '@opencep/api/src/server';
import { DEMO_ENTERPRISE_ID, DEMO_PASSWORD, seedDemoIdentity } from '@opencep/api/src/seed/users';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, type Portal, startPortal } from './harness';

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

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  db = await createTestDatabase('e2e_portal');
  api = await startApiServer({
    databaseUrl: db.url,
    port: 0,
    host: '127.0.0.1',
    jwtSecret: 'e2e-secret-e2e-secret-e2e-secret-0123456',
    logLevel: 'silent',
    rateLimit: { capacity: 10_000, refillPerSecond: 1_000 },
  });
  await seedDemoIdentity(api.dataSource);
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
    startPortal(api.url, api.wsUrl),
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
  await api?.close();
  await db?.drop();
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

  const pages: [string, string][] = [
    ['01-enterprise-energy', '/enterprise'],
    ['02-enterprise-data', '/enterprise/data'],
    ['03-enterprise-accounting', '/enterprise/accounting'],
    ['04-enterprise-carbon-screen', '/enterprise/carbon'],
  ];
  it('renders the enterprise pages without serious accessibility violations', async () => {
    const problems: string[] = [];
    for (const [name, path] of pages) {
      await page.goto(`${portal.url}${path}`);
      await page.locator('h1').first().waitFor();
      const violations = await axeCheck(page);
      problems.push(...violations.map((v) => `${path}: ${v}`));
      await shot(page, name);
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

describe('other role workspaces', () => {
  const roles: [string, string, string][] = [
    ['park@changsha.demo', '/park', '10-park'],
    ['regulator@hunan.demo', '/regulator', '11-regulator'],
    ['member@cmia.demo', '/association', '12-association'],
    ['verifier@audit.demo', '/verifier', '13-verifier'],
    ['platform@opencep.demo', '/admin', '14-admin'],
  ];
  it.each(roles)('%s lands on %s', async (email, path, name) => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    ctx.setDefaultTimeout(20_000);
    const p = await ctx.newPage();
    await p.goto(`${portal.url}/login`);
    await p.fill('#email', email);
    await p.fill('#password', DEMO_PASSWORD);
    await p.getByTestId('login-form').locator('button[type=submit]').click();
    await p.waitForURL(new RegExp(`${path}$`));
    await p.locator('h1').first().waitFor();
    expect(await axeCheck(p)).toEqual([]);
    await shot(p, name);
    // A role may not open another role's workspace.
    await p.goto(`${portal.url}/enterprise`);
    await p.waitForURL(/\?forbidden=1/);
    await ctx.close();
  });
});
