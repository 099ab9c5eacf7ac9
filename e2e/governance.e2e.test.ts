import 'reflect-metadata';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { machineryPack, machineryPack11 } from '@opencep/api/src/modules/accounting/testing';
import { configureCustody, seedDemoAccountKeys } from '@opencep/api/src/modules/custody';
import { configureGovernance } from '@opencep/api/src/modules/governance';
import { type ApiServer, startApiServer } from '@opencep/api/src/server';
import { DEMO_ENTERPRISE_ID, DEMO_PASSWORD, seedDemoIdentity } from '@opencep/api/src/seed/users';
import {
  DEMO_ENTERPRISE_ID as CHAIN_DEMO_ENTERPRISE_ID,
  DEMO_SETTINGS,
  DEV_DEPLOYER_KEY,
  DEV_ROLES,
  standardIdOf,
  standardProposalDescription,
} from '@opencep/contracts';
import { type IndexerHandle, startIndexer } from '@opencep/indexer';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { uuidToBytes32 } from 'opencep-verify';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  parseAbi,
  stringToHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  type GovernanceChain,
  type Portal,
  startGovernanceChain,
  startPortal,
} from './harness';

// Issue 10 "vote on a proposal and see the new standard become active" and "issue a quota", in a real
// browser without any wallet: the member votes with the key the platform holds for their account,
// the proposal succeeds, is queued, the chain travels past the timelock, it is executed, and the
// association page shows cn-machinery-2015 1.1.0 (the real shipped pack) as the active version; the
// regulator issues a quota signed with its account key. Checked in zh-CN and en.

const SHOTS = join(import.meta.dirname, 'screenshots');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CODE = 'cn-machinery-2015';
const V10 = machineryPack();
const V11 = machineryPack11();
const QUOTA_YEAR = 2031;
const GOV_ABI = parseAbi([
  'function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) returns (uint256)',
  'function hashProposal(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) view returns (uint256)',
  'function state(uint256 proposalId) view returns (uint8)',
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function proposalEta(uint256 proposalId) view returns (uint256)',
]);
const REGISTRY_ABI = parseAbi([
  'function publishVersion(bytes32 standardId, string version, bytes32 contentHash, string uri, uint64 effectiveFrom)',
]);
const QUOTA_ABI = parseAbi([
  'function quotaOf(bytes32 enterpriseId, uint16 year) view returns ((uint128 amount, uint32 revision, uint64 updatedAt))',
]);
/** OpenZeppelin IGovernor.ProposalState */
const STATE = { Active: 1, Succeeded: 4, Queued: 5, Executed: 7 } as const;

let chain: GovernanceChain;
let db: TestDatabase;
let api: ApiServer;
let indexer: IndexerHandle;
let portal: Portal;
let browser: Browser;
let proposalId: bigint;
const pageErrors: string[] = [];

const pub = () => createPublicClient({ transport: http(chain.url), pollingInterval: 50 });
const mine = async (blocks: number) => {
  for (let i = 0; i < blocks; i++) await chain.rpc('evm_mine');
};
const governor = () => chain.deployment.contracts.StandardsGovernor.address;
const govState = () =>
  pub().readContract({ address: governor(), abi: GOV_ABI, functionName: 'state', args: [proposalId] });

async function sendGov(key: Hex, functionName: 'propose' | 'castVote', args: unknown[]): Promise<void> {
  const account = privateKeyToAccount(key);
  const wallet = createWalletClient({ account, transport: http(chain.url) });
  const hash = await wallet.writeContract({
    chain: null,
    address: governor(),
    abi: GOV_ABI,
    functionName,
    args: args as never,
  });
  const r = await pub().waitForTransactionReceipt({ hash });
  if (r.status !== 'success') throw new Error(`${functionName} reverted`);
}

/** Serious/critical axe-core violations on the page (strings: this file has no DOM lib). */
async function axeCheck(p: Page): Promise<string[]> {
  await p.evaluate(AXE_SOURCE);
  const result = (await p.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as {
    violations: { id: string; impact: string | null; help: string }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}`);
}

/** Reloads until `selector` is on the page (state changes without events reach the page on reload). */
async function reloadUntil(p: Page, selector: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if ((await p.locator(selector).count()) > 0) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${selector}`);
    await new Promise((r) => setTimeout(r, 500));
    await p.reload();
    await p.locator('h1').first().waitFor();
  }
}

/**
 * Clicks a proposal action button and waits until `outcome` is on the page — the live subscription moves
 * the row on (succeeded → queued → history) as soon as the indexer mirrors the transaction, which can be
 * before the button's own status renders. A refusal fails at once with the API's message.
 */
async function act(p: Page, row: string, name: string, outcome: string): Promise<void> {
  await p.locator(row).getByRole('button', { name }).click();
  const failed = p.locator(`${row} [data-action-status="failed"]`);
  const end = Date.now() + 30_000;
  for (;;) {
    if ((await failed.count()) > 0) throw new Error(`${name}: ${await failed.textContent()}`);
    if ((await p.locator(outcome).count()) > 0) return;
    if (Date.now() > end) throw new Error(`${name}: no outcome; row: ${await p.locator(row).textContent()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function signIn(email: string, path: string): Promise<Page> {
  // No addInitScript wallet: this browser has no window.ethereum, like a member without MetaMask.
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  ctx.setDefaultTimeout(20_000);
  const p = await ctx.newPage();
  p.on('pageerror', (err) => pageErrors.push(`${email}: ${err.message}`));
  await p.goto(`${portal.url}/login`);
  await p.fill('#email', email);
  await p.fill('#password', DEMO_PASSWORD);
  await p.getByTestId('login-form').locator('button[type=submit]').click();
  await p.waitForURL(new RegExp(`${path}$`));
  await p.locator('h1').first().waitFor();
  return p;
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

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [chain, db] = await Promise.all([
    startGovernanceChain({
      code: CODE,
      version: '1.0.0',
      contentHash: V10.hash as Hex,
      uri: `opencep://standards/${V10.ref}.json`,
      effectiveFrom: Date.UTC(2020, 0, 1) / 1000,
    }),
    createTestDatabase('e2e_governance'),
  ]);
  indexer = await startIndexer({
    databaseUrl: db.url,
    rpcUrl: chain.url,
    deploymentFile: chain.deploymentFile,
    finalityDepth: 1,
    pollIntervalMs: 100,
    logger: { info() {}, warn() {}, error() {}, debug() {} },
  });
  // The same wiring as scripts/platform.ts on the embedded chain.
  configureGovernance({
    rpcUrl: chain.url,
    relayerKey: DEV_DEPLOYER_KEY,
    governorAddress: governor(),
    onChainEnterpriseIds: (e) =>
      e === DEMO_ENTERPRISE_ID ? [CHAIN_DEMO_ENTERPRISE_ID] : [uuidToBytes32(e) as Hex],
  });
  configureCustody({
    encryptionSecret: 'e2e-governance-key-encryption-secret-0123',
    quotaRegistryAddress: chain.deployment.contracts.QuotaRegistry.address,
  });
  api = await startApiServer({
    databaseUrl: db.url,
    port: 0,
    host: '127.0.0.1',
    jwtSecret: 'e2e-secret-e2e-secret-e2e-secret-0123456',
    logLevel: 'silent',
    rateLimit: { capacity: 10_000, refillPerSecond: 1_000 },
  });
  await seedDemoIdentity(api.dataSource);
  expect(await seedDemoAccountKeys(api.dataSource)).toBe(2);

  // Member 1 proposes cn-machinery-2015 1.1.0 (the real shipped pack), effective 2026-06-01.
  const targets = [chain.deployment.contracts.StandardsRegistry.address];
  const uri = `opencep://standards/${V11.ref}.json`;
  const calldatas = [
    encodeFunctionData({
      abi: REGISTRY_ABI,
      functionName: 'publishVersion',
      args: [standardIdOf(CODE), '1.1.0', V11.hash as Hex, uri, BigInt(Date.UTC(2026, 5, 1) / 1000)],
    }),
  ];
  const description = standardProposalDescription(
    { code: CODE, version: '1.1.0', contentHash: V11.hash as Hex, uri },
    'Adds the appendix default NCVs of diesel, gasoline, fuel oil and kerosene.',
  );
  proposalId = await pub().readContract({
    address: governor(),
    abi: GOV_ABI,
    functionName: 'hashProposal',
    args: [targets, [0n], calldatas, keccak256(stringToHex(description))],
  });
  await sendGov(DEV_ROLES.members[0].privateKey, 'propose', [targets, [0n], calldatas, description]);
  await mine(DEMO_SETTINGS.votingDelay + 1);
  // One founder votes from its own wallet; quorum (40 % of 5 = 2) needs the portal member's vote too.
  await sendGov(DEV_ROLES.members[0].privateKey, 'castVote', [proposalId, 1]);
  expect(await govState()).toBe(STATE.Active);

  [portal, browser] = await Promise.all([
    startPortal(api.url, api.wsUrl),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
  ]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await api?.close();
  await indexer?.stop();
  configureGovernance({});
  configureCustody({});
  await db?.drop();
  await chain?.stop();
});

describe('governance in the portal with account-held keys (no wallet)', () => {
  it('member votes with the account key, queues, executes after the timelock; 1.1.0 becomes active', async () => {
    const p = await signIn('member@cmia.demo', '/association');
    const row = `[data-testid="proposal-${proposalId}"]`;
    await reloadUntil(p, `${row}[data-state="active"]`);
    await p.getByTestId('account-key').waitFor();
    expect(await p.getByTestId('account-key').textContent()).toContain(DEV_ROLES.members[2].address);
    // the vote control of an open proposal (choice, reason, account-key button) is accessible
    expect(await axeCheck(p)).toEqual([]);
    await p.locator(row).getByRole('button', { name: '用我的账户密钥签名' }).click();
    await p.locator(`${row} [data-vote-status="done"]`).waitFor({ timeout: 30_000 });
    await p.screenshot({ path: join(SHOTS, 'gov-01-voted-zh-CN.png'), fullPage: true });

    // voting period ends: 2 of 5 members voted For ⇒ quorum met, the proposal succeeded
    await mine(DEMO_SETTINGS.votingPeriod);
    expect(await govState()).toBe(STATE.Succeeded);
    await reloadUntil(p, `${row}[data-state="succeeded"]`);
    await act(p, row, '排队', `${row}[data-state="queued"], ${row} [data-action-status="done"]`);
    expect(await govState()).toBe(STATE.Queued);

    // time travel past the timelock ETA, then execute from the page
    const eta = await pub().readContract({
      address: governor(),
      abi: GOV_ABI,
      functionName: 'proposalEta',
      args: [proposalId],
    });
    const now = (await pub().getBlock()).timestamp;
    await chain.rpc('evm_increaseTime', [Number(eta - now) + 1]);
    await mine(1);
    await reloadUntil(p, `${row}[data-state="queued"]`);
    await act(p, row, '执行', `[data-testid="history-${proposalId}"], ${row} [data-action-status="done"]`);
    expect(await govState()).toBe(STATE.Executed);

    // the association page: the proposal is history, 1.1.0 is the active version (both languages)
    await reloadUntil(p, `[data-testid="history-${proposalId}"][data-state="executed"]`);
    const v11 = p.getByTestId('panel-standards').locator('tr', { hasText: '1.1.0' });
    const v10 = p.getByTestId('panel-standards').locator('tr', { hasText: '1.0.0' });
    await reloadUntil(p, '[data-testid="panel-standards"] tr:has-text("1.1.0")');
    expect(await v11.textContent()).toContain('现行');
    expect(await v10.textContent()).not.toContain('现行');
    expect(await p.getByTestId(`history-${proposalId}`).textContent()).toContain('已执行');
    await p.screenshot({ path: join(SHOTS, 'gov-02-active-zh-CN.png'), fullPage: true });
    await switchLang(p, 'en');
    await p.getByTestId(`history-${proposalId}`).waitFor();
    expect(await v11.textContent()).toContain('Active');
    expect(await p.getByTestId(`history-${proposalId}`).textContent()).toContain('Executed');
    await p.screenshot({ path: join(SHOTS, 'gov-03-active-en.png'), fullPage: true });
    expect(await axeCheck(p)).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('regulator issues a quota signed with the account key', async () => {
    const p = await signIn('regulator@hunan.demo', '/regulator');
    const form = p.getByTestId('issue-quota-form');
    const submit = form.getByRole('button', { name: '用我的账户密钥发放' });
    await submit.waitFor();
    expect(await axeCheck(p)).toEqual([]);
    await form.locator('input[name="year"]').fill(String(QUOTA_YEAR));
    await form.locator('input[name="amount"]').fill('1000.5');
    await form.locator('input[name="reason"]').fill('annual allocation');
    await submit.click();
    await form.locator('[data-issue-status="done"]').waitFor({ timeout: 30_000 });
    const q = await pub().readContract({
      address: chain.deployment.contracts.QuotaRegistry.address,
      abi: QUOTA_ABI,
      functionName: 'quotaOf',
      args: [CHAIN_DEMO_ENTERPRISE_ID, QUOTA_YEAR],
    });
    expect(q.amount).toBe(1_000_500_000n);
    await p.screenshot({ path: join(SHOTS, 'gov-04-quota-zh-CN.png'), fullPage: true });
    await switchLang(p, 'en');
    await p
      .getByTestId('issue-quota-form')
      .getByRole('button', { name: 'Issue with my account key' })
      .waitFor();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
