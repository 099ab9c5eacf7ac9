import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONTRACTS_DIR,
  compileContracts,
  DEMO_ENTERPRISE_ID as CHAIN_DEMO_ENTERPRISE_ID,
  DEMO_SETTINGS,
  DEV_DEPLOYER_KEY,
  DEV_ROLES,
  type Deployment,
  deployAll,
  seedDemo,
  standardIdOf,
  standardProposalDescription,
} from '@opencep/contracts';
import { type IndexerHandle, startIndexer } from '@opencep/indexer';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { uuidToBytes32 } from 'opencep-verify';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  parseAbi,
  stringToHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalChain, startLocalChain } from '../../../../scripts/chain/local-chain';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID, demoId } from '../../seed/users';
import { machineryPack, machineryPack11 } from '../accounting/testing';
import { configureGovernance } from '../governance/governance.config';
import { configureCustody } from './custody.config';
import { openKey } from './custody.crypto';
import { seedDemoAccountKeys } from './custody.seed';

// Account-held keys against a real Hardhat node and the real indexer: a member without a wallet votes
// with the key the platform holds for them, anyone in the association queues and executes the passed
// proposal, the new standard version becomes active in the mirror; a regulator issues a quota from
// its held key. Callers without the role or outside their tenant are refused.

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const SECRET = 'custody-test-secret-custody-test-secret';
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
const STATE = { Active: 1, Succeeded: 4, Queued: 5, Executed: 7 } as const;
const CODE = 'cn-machinery-2015';
const V10 = machineryPack();
const V11 = machineryPack11();

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const errOf = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => ({
  code: r.errors?.[0]?.extensions?.code as string | undefined,
  reason: r.errors?.[0]?.extensions?.reason as string | undefined,
});

describe('account-held keys: vote, queue, execute and issue quotas (real chain + indexer)', () => {
  let dir: string;
  let chain: LocalChain;
  let db: TestDatabase;
  let api: TestApi;
  let indexer: IndexerHandle;
  let deployment: Deployment;
  let member: TestSession;
  let regulator: TestSession;
  let verifier: TestSession;
  let admin: TestSession;
  let platform: TestSession;
  const memberKey = DEV_ROLES.members[2];
  const logLines: string[] = [];
  /** Every GraphQL response body, checked for key material at the end. */
  const responses: string[] = [];

  const chainDef = () =>
    defineChain({
      id: deployment.chainId,
      name: 'local',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [chain.url] } },
    });
  const pub = () =>
    createPublicClient({ chain: chainDef(), transport: http(chain.url), pollingInterval: 50 });
  const rpc = (method: string, params: unknown[] = []) =>
    pub().request({ method: method as 'eth_chainId', params: params as never });
  const mine = async (blocks: number) => {
    for (let i = 0; i < blocks; i++) await rpc('evm_mine');
  };
  const send = async (key: Hex, functionName: 'propose' | 'castVote', args: unknown[]) => {
    const w = createWalletClient({
      chain: chainDef(),
      transport: http(chain.url),
      account: privateKeyToAccount(key),
    });
    const hash = await w.writeContract({
      address: deployment.contracts.StandardsGovernor.address,
      abi: GOV_ABI,
      functionName,
      args: args as never,
    });
    return pub().waitForTransactionReceipt({ hash });
  };

  beforeAll(async () => {
    if (!existsSync(join(CONTRACTS_DIR, 'artifacts', 'src', 'StandardsGovernor.sol')))
      await compileContracts();
    dir = mkdtempSync(join(tmpdir(), 'opencep-custody-'));
    [chain, db] = await Promise.all([
      startLocalChain({ dataDir: join(dir, 'chain'), port: 0 }),
      createTestDatabase('custody'),
    ]);
    deployment = await deployAll({
      rpcUrl: chain.url,
      deployerKey: DEV_DEPLOYER_KEY,
      outDir: dir,
      ...DEMO_SETTINGS,
    });
    await seedDemo({
      rpcUrl: chain.url,
      deployment,
      standard: {
        code: CODE,
        version: '1.0.0',
        contentHash: V10.hash as Hex,
        uri: `opencep://standards/${V10.ref}.json`,
        effectiveFrom: Date.UTC(2020, 0, 1) / 1000,
      },
    });
    indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: chain.url,
      deploymentFile: join(dir, `${deployment.chainId}.json`),
      finalityDepth: 1,
      pollIntervalMs: 50,
      logger: silent,
    });
    configureGovernance({
      rpcUrl: chain.url,
      relayerKey: DEV_DEPLOYER_KEY,
      onChainEnterpriseIds: (e) =>
        e === DEMO_ENTERPRISE_ID ? [CHAIN_DEMO_ENTERPRISE_ID] : [uuidToBytes32(e) as Hex],
    });
    configureCustody({ encryptionSecret: SECRET });
    // Every log line at debug level, kept to check that no key material is ever logged.
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
    api = await startTestApi(db.url, { logger });
    [member, regulator, verifier, admin, platform] = await Promise.all([
      api.loginAs('member@cmia.demo'),
      api.loginAs('regulator@hunan.demo'),
      api.loginAs('verifier@audit.demo'),
      api.loginAs('admin@plant18.demo'),
      api.loginAs('platform@opencep.demo'),
    ]);
    for (const session of [member, regulator, verifier, admin, platform]) {
      const gql = session.gql;
      session.gql = async <T>(q: string, v?: Record<string, unknown>) => {
        const r = await gql<T>(q, v);
        responses.push(JSON.stringify(r));
        return r;
      };
    }
  }, 180_000);

  afterAll(async () => {
    configureGovernance({});
    configureCustody({});
    await api?.close();
    await indexer?.stop();
    await chain?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('members create their own key, stored encrypted and bound to the user; other roles are refused', async () => {
    const create = 'mutation { createAccountKey { userId address createdAt } }';
    expect(errOf(await admin.gql(create)).reason).toBe('SIGNER_ROLE_REQUIRED');
    expect(errOf(await verifier.gql(create)).reason).toBe('SIGNER_ROLE_REQUIRED');
    const made = await member.gql<{ createAccountKey: { userId: string; address: string } }>(create);
    expect(made.errors).toBeUndefined();
    const address = made.data?.createAccountKey.address ?? '';
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(errOf(await member.gql(create)).reason).toBe('ACCOUNT_KEY_EXISTS');
    const mine = await member.gql<{ myAccountKey: { address: string } | null }>(
      '{ myAccountKey { address } }',
    );
    expect(mine.data?.myAccountKey?.address).toBe(address);
    expect(
      (await admin.gql<{ myAccountKey: null }>('{ myAccountKey { address } }')).data?.myAccountKey,
    ).toBeNull();

    // at rest: only the ciphertext; it opens with the secret and this user id, and with nothing else
    const userId = made.data?.createAccountKey.userId ?? '';
    const [row] = (await api.server.dataSource.query(
      'SELECT key_ciphertext, key_iv, key_tag FROM account_keys WHERE user_id = $1',
      [userId],
    )) as { key_ciphertext: Buffer; key_iv: Buffer; key_tag: Buffer }[];
    if (!row) throw new Error('no stored key');
    const sealed = { ciphertext: row.key_ciphertext, iv: row.key_iv, tag: row.key_tag };
    expect(privateKeyToAccount(openKey(sealed, SECRET, userId)).address).toBe(address);
    expect(() => openKey(sealed, `${SECRET}x`, userId)).toThrow();
    expect(() => openKey(sealed, SECRET, demoId('user:regulator@hunan.demo'))).toThrow();
    // the tenant role cannot read the table at all
    await expect(
      api.server.dataSource.transaction(async (em) => {
        await em.query('SET LOCAL ROLE opencep_app');
        return em.query('SELECT count(*) FROM account_keys');
      }),
    ).rejects.toThrow(/permission denied/);
    // the schema has no field that could carry key material
    const t = await member.gql<{ __type: { fields: { name: string }[] } }>(
      '{ __type(name: "AccountKey") { fields { name } } }',
    );
    expect(t.data?.__type.fields.map((f) => f.name).sort()).toEqual(['address', 'createdAt', 'userId']);
  });

  it('platform admins provision keys for members and regulators only; nobody else may', async () => {
    const provision = 'mutation($u: ID!) { provisionAccountKey(userId: $u) { address } }';
    const reg = demoId('user:regulator@hunan.demo');
    expect(errOf(await member.gql(provision, { u: reg })).code).toBe('FORBIDDEN');
    expect(errOf(await admin.gql(provision, { u: reg })).code).toBe('FORBIDDEN');
    expect(errOf(await platform.gql(provision, { u: demoId('user:verifier@audit.demo') })).reason).toBe(
      'SIGNER_ROLE_REQUIRED',
    );
    const r = await platform.gql<{ provisionAccountKey: { address: string } }>(provision, { u: reg });
    expect(r.errors).toBeUndefined();
    const mineR = await regulator.gql<{ myAccountKey: { address: string } }>('{ myAccountKey { address } }');
    expect(mineR.data?.myAccountKey.address).toBe(r.data?.provisionAccountKey.address);
    // the demo seed replaces nothing that exists; after clearing, it installs the dev keys
    expect(await seedDemoAccountKeys(api.server.dataSource)).toBe(0);
    await api.server.dataSource.query('DELETE FROM account_keys');
    expect(await seedDemoAccountKeys(api.server.dataSource)).toBe(2);
    const m = await member.gql<{ myAccountKey: { address: string } }>('{ myAccountKey { address } }');
    expect(m.data?.myAccountKey.address).toBe(memberKey.address);
    const g = await regulator.gql<{ myAccountKey: { address: string } }>('{ myAccountKey { address } }');
    expect(g.data?.myAccountKey.address).toBe(DEV_ROLES.regulator.address);
  });

  it('a member votes with the held key; members queue and execute; 1.1.0 becomes the active version', async () => {
    const governor = deployment.contracts.StandardsGovernor.address;
    const targets = [deployment.contracts.StandardsRegistry.address];
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
      'Adds cited default NCVs.',
    );
    const id = await pub().readContract({
      address: governor,
      abi: GOV_ABI,
      functionName: 'hashProposal',
      args: [targets, [0n], calldatas, keccak256(stringToHex(description))],
    });
    const state = () =>
      pub().readContract({ address: governor, abi: GOV_ABI, functionName: 'state', args: [id] });
    const [m0, m1] = DEV_ROLES.members;
    await send(m0.privateKey, 'propose', [targets, [0n], calldatas, description]);
    await mine(DEMO_SETTINGS.votingDelay + 1);
    expect(await state()).toBe(STATE.Active);

    const vote = `mutation($p: String!, $s: Int!, $r: String!) {
      castVoteWithAccountKey(proposalId: $p, support: $s, reason: $r) { txHash voter support reason blockNumber } }`;
    const vars = { p: id.toString(), s: 1, r: 'Cited NCVs, checked against the guideline appendix' };
    expect(errOf(await verifier.gql(vote, vars)).code).toBe('FORBIDDEN');
    expect(errOf(await regulator.gql(vote, vars)).code).toBe('FORBIDDEN');
    expect(errOf(await member.gql(vote, { ...vars, s: 7 })).code).toBe('BAD_USER_INPUT');
    const voted = await member.gql<{ castVoteWithAccountKey: { voter: string; reason: string } }>(vote, vars);
    expect(voted.errors).toBeUndefined();
    expect(voted.data?.castVoteWithAccountKey.voter).toBe(memberKey.address.toLowerCase());
    // a second vote from the same key is refused by the governor
    expect(errOf(await member.gql(vote, vars)).reason).toBe('VOTE_REJECTED');
    for (const m of [m0, m1]) await send(m.privateKey, 'castVote', [id, 1]);

    const votes = await until('held-key vote mirrored', async () => {
      const r = await member.gql<{ proposal: { votes: { voter: string; reason: string }[] } }>(
        'query($id: ID!) { proposal(id: $id) { votes { voter reason } } }',
        { id: id.toString() },
      );
      const v = r.data?.proposal.votes ?? [];
      return v.length === 3 ? v : undefined;
    });
    expect(votes).toContainEqual({ voter: memberKey.address.toLowerCase(), reason: vars.r });

    await mine(DEMO_SETTINGS.votingPeriod);
    expect(await state()).toBe(STATE.Succeeded);
    const queue = 'mutation($id: String!) { queueProposal(id: $id) { action txHash sender blockNumber } }';
    const execute =
      'mutation($id: String!) { executeProposal(id: $id) { action txHash sender blockNumber } }';
    expect(errOf(await verifier.gql(queue, { id: id.toString() })).code).toBe('FORBIDDEN');
    expect(errOf(await regulator.gql(execute, { id: id.toString() })).code).toBe('FORBIDDEN');
    expect(errOf(await member.gql(execute, { id: id.toString() })).reason).toBe('PROPOSAL_ACTION_REJECTED');
    expect(errOf(await member.gql(queue, { id: '12345' })).code).toBe('NOT_FOUND');
    const queued = await member.gql<{ queueProposal: { action: string; sender: string } }>(queue, {
      id: id.toString(),
    });
    expect(queued.errors).toBeUndefined();
    expect(queued.data?.queueProposal).toMatchObject({
      action: 'queue',
      sender: memberKey.address.toLowerCase(),
    });
    expect(await state()).toBe(STATE.Queued);

    const eta = await pub().readContract({
      address: governor,
      abi: GOV_ABI,
      functionName: 'proposalEta',
      args: [id],
    });
    const now = (await pub().getBlock()).timestamp;
    await rpc('evm_increaseTime', [Number(eta - now) + 1]);
    await mine(1);
    const executed = await member.gql<{ executeProposal: { action: string } }>(execute, {
      id: id.toString(),
    });
    expect(executed.errors).toBeUndefined();
    expect(await state()).toBe(STATE.Executed);

    const active = await until('1.1.0 active in the mirror', async () => {
      const r = await member.gql<{ standards: { code: string; activeContentHash: string }[] }>(
        '{ standards { code activeContentHash } }',
      );
      const s = r.data?.standards.find((x) => x.code === CODE);
      return s?.activeContentHash === V11.hash ? s : undefined;
    });
    expect(active.activeContentHash).toBe(V11.hash);
  }, 120_000);

  it('a regulator issues a quota from the held key, in its jurisdiction only', async () => {
    const issue = `mutation($e: ID!, $y: Int!, $a: String!) {
      issueQuotaWithAccountKey(enterpriseId: $e, year: $y, amount: $a, reason: "annual allocation") {
        chainEnterpriseId year amountGrams txHash regulator blockNumber } }`;
    const vars = { e: DEMO_ENTERPRISE_ID, y: 2031, a: '1000.5' };
    expect(errOf(await member.gql(issue, vars)).code).toBe('FORBIDDEN');
    expect(errOf(await admin.gql(issue, vars)).code).toBe('FORBIDDEN');
    expect(errOf(await regulator.gql(issue, { ...vars, e: demoId('enterprise:elsewhere') })).code).toBe(
      'FORBIDDEN',
    );
    expect(errOf(await regulator.gql(issue, { ...vars, a: '1.0000001' })).code).toBe('BAD_USER_INPUT');
    expect(errOf(await regulator.gql(issue, { ...vars, a: '-3' })).code).toBe('BAD_USER_INPUT');
    const r = await regulator.gql<{ issueQuotaWithAccountKey: { amountGrams: string; regulator: string } }>(
      issue,
      vars,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.issueQuotaWithAccountKey).toMatchObject({
      amountGrams: '1000500000',
      regulator: DEV_ROLES.regulator.address.toLowerCase(),
    });
    const q = await pub().readContract({
      address: deployment.contracts.QuotaRegistry.address,
      abi: QUOTA_ABI,
      functionName: 'quotaOf',
      args: [CHAIN_DEMO_ENTERPRISE_ID, 2031],
    });
    expect(q.amount).toBe(1_000_500_000n);
    const mirrored = await until('quota mirrored', async () => {
      const m = await regulator.gql<{ quotasOnChain: { year: number; amountGrams: string }[] }>(
        'query($e: ID!) { quotasOnChain(enterpriseId: $e) { year amountGrams } }',
        { e: DEMO_ENTERPRISE_ID },
      );
      return m.data?.quotasOnChain.find((x) => x.year === 2031);
    });
    expect(mirrored.amountGrams).toBe('1000500000');
    // issuing the same year again is refused by the contract
    expect(errOf(await regulator.gql(issue, vars)).reason).toBe('QUOTA_REJECTED');
  });

  it('no private key (held or dev) ever appears in a log line or a GraphQL response', async () => {
    const created = (await api.server.dataSource.query(
      'SELECT user_id, key_ciphertext, key_iv, key_tag FROM account_keys',
    )) as { user_id: string; key_ciphertext: Buffer; key_iv: Buffer; key_tag: Buffer }[];
    const keys = created.map((r) =>
      openKey({ ciphertext: r.key_ciphertext, iv: r.key_iv, tag: r.key_tag }, SECRET, r.user_id)
        .slice(2)
        .toLowerCase(),
    );
    expect(keys).toContain(memberKey.privateKey.slice(2).toLowerCase());
    // the capture works: the custody operations' own lines are in it
    const logs = logLines.join('');
    for (const msg of ['account key created', 'account key provisioned', 'quota issued with account key'])
      expect(logs).toContain(msg);
    expect(responses.length).toBeGreaterThan(30);
    const haystack = `${logLines.join('')}${responses.join('')}`.toLowerCase();
    for (const k of keys) expect(haystack.includes(k)).toBe(false);
  });

  it('without a relayer or an encryption secret the mutations answer typed conflicts', async () => {
    configureGovernance({ rpcUrl: chain.url });
    const vote = 'mutation { castVoteWithAccountKey(proposalId: "1", support: 1) { txHash } }';
    expect(errOf(await member.gql(vote)).reason).toBe('RELAYER_NOT_CONFIGURED');
    configureCustody({});
    expect(
      errOf(
        await regulator.gql(
          `mutation($e: ID!) { issueQuotaWithAccountKey(enterpriseId: $e, year: 2032, amount: "1") { txHash } }`,
          { e: DEMO_ENTERPRISE_ID },
        ),
      ).reason,
    ).toBe('CUSTODY_NOT_CONFIGURED');
    expect(errOf(await member.gql('mutation { createAccountKey { address } }')).reason).toBe(
      'CUSTODY_NOT_CONFIGURED',
    );
  });
});
