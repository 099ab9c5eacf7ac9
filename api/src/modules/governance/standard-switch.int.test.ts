import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONTRACTS_DIR,
  compileContracts,
  DEMO_SETTINGS,
  DEV_DEPLOYER_KEY,
  DEV_ROLES,
  type Deployment,
  deployAll,
  runGovernanceRound,
  type StandardVersionInput,
  seedDemo,
  standardIdOf,
  standardProposalDescription,
} from '@opencep/contracts';
import { type IndexerHandle, startIndexer } from '@opencep/indexer';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalChain, startLocalChain } from '../../../../scripts/chain/local-chain';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { loadPack } from '../accounting/packs/pack';
import { machineryPack, machineryPack11, packJson } from '../accounting/testing';
import { configureGovernance } from './governance.config';

// End to end: an accounting-standard change (cn-machinery-2015 1.0.0 → 1.1.0, which adds the diesel
// NCV default) goes through the real OpenZeppelin Governor on a local Hardhat chain — proposed, voted,
// queued, time-travelled past the timelock, executed — is mirrored by the real indexer, and the
// accounting API then uses 1.1.0 for periods from its effective date and 1.0.0 before it. A version
// whose content hash matches no shipped pack is refused.

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const GOV_ABI = parseAbi([
  'function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) returns (uint256)',
  'function hashProposal(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) view returns (uint256)',
  'function state(uint256 proposalId) view returns (uint8)',
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function queue(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) returns (uint256)',
  'function execute(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) payable returns (uint256)',
  'function proposalEta(uint256 proposalId) view returns (uint256)',
]);
const REGISTRY_ABI = parseAbi([
  'function publishVersion(bytes32 standardId, string version, bytes32 contentHash, string uri, uint64 effectiveFrom)',
]);
/** OpenZeppelin IGovernor.ProposalState */
const STATE = { Pending: 0, Active: 1, Succeeded: 4, Queued: 5, Executed: 7 } as const;

const CODE = 'cn-machinery-2015';
const V10 = machineryPack();
const V11 = machineryPack11();
/** 1.1.0 becomes effective on 2026-06-01 00:00 UTC: May 2026 stays on 1.0.0, June 2026 uses 1.1.0. */
const EFFECTIVE_11 = Date.UTC(2026, 5, 1) / 1000;
/** A third version, effective 2026-09-01, whose content is NOT shipped with the code. */
const EFFECTIVE_12 = Date.UTC(2026, 8, 1) / 1000;
// A pack with an updated grid factor that the code does not ship (the figure is a test fixture, not a
// cited value): its hash can be registered on chain but no shipped pack has it.
const UNSHIPPED = loadPack({
  ...(packJson('cn-machinery-2015@1.1.0') as Record<string, unknown>),
  version: '1.2.0',
  parameters: V11.document.parameters.map((p) =>
    p.id === 'grid.mee-2023-43' ? { ...p, value: '0.5999' } : p,
  ),
});

const E = DEMO_ENTERPRISE_ID;

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Inv = {
  id: string;
  revision: number;
  state: string;
  standardSource: string;
  packRef: string;
  inventoryHash: string;
  totalLocation: string;
  lines: { sourceId: string; co2e: string }[];
};
const INV = 'id revision state standardSource packRef inventoryHash totalLocation lines { sourceId co2e }';

describe('accounting-standard switch voted through governance (real chain + indexer)', () => {
  let dir: string;
  let chain: LocalChain;
  let db: TestDatabase;
  let api: TestApi;
  let indexer: IndexerHandle;
  let deployment: Deployment;
  let admin: TestSession;
  let member: TestSession;
  const sourceIds: Record<string, string> = {};

  const chainDef = () =>
    defineChain({
      id: deployment.chainId,
      name: 'local',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [chain.url] } },
    });
  const pub = () =>
    createPublicClient({ chain: chainDef(), transport: http(chain.url), pollingInterval: 50 });
  const wallet = (key: Hex) =>
    createWalletClient({
      chain: chainDef(),
      transport: http(chain.url),
      account: privateKeyToAccount(key),
      pollingInterval: 50,
    });
  const rpc = (method: string, params: unknown[] = []) =>
    pub().request({ method: method as 'eth_chainId', params: params as never });
  const mine = async (blocks: number) => {
    // one evm_mine per block (hardhat_mine's lazily reserved blocks confuse block-hash followers)
    for (let i = 0; i < blocks; i++) await rpc('evm_mine');
  };

  const calc = async (period: string, extra = '') => {
    const r = await admin.gql<{ calculateInventory: Inv }>(
      `mutation($e: ID!, $p: String!) { calculateInventory(enterpriseId: $e, period: $p ${extra}) { ${INV} } }`,
      { e: E, p: period },
    );
    const err = r.errors?.[0];
    return {
      inv: r.data?.calculateInventory,
      code: err?.extensions?.code as string | undefined,
      reason: err?.extensions?.reason as string | undefined,
      message: err?.message,
    };
  };
  const record = async (source: string, start: string, end: string, quantity: string, unit: string) => {
    const r = await admin.gql(`mutation($i: RecordActivityInput!) { recordActivity(input: $i) { id } }`, {
      i: {
        sourceId: sourceIds[source],
        periodStart: start,
        periodEnd: end,
        quantity,
        unit,
        evidenceKind: 'voucher',
        evidenceReference: `${source}-${start}`,
      },
    });
    expect(r.errors).toBeUndefined();
  };
  const mirroredVersions = async () => {
    const r = await member.gql<{ standards: { code: string | null; versions: { version: string }[] }[] }>(
      '{ standards { code versions { version contentHash shipped } } }',
    );
    return r.data?.standards.find((s) => s.code === CODE)?.versions.map((v) => v.version) ?? [];
  };

  beforeAll(async () => {
    if (!existsSync(join(CONTRACTS_DIR, 'artifacts', 'src', 'StandardsGovernor.sol')))
      await compileContracts();
    dir = mkdtempSync(join(tmpdir(), 'opencep-switch-'));
    [chain, db] = await Promise.all([
      startLocalChain({ dataDir: join(dir, 'chain'), port: 0 }),
      createTestDatabase('gov_switch'),
    ]);
    deployment = await deployAll({
      rpcUrl: chain.url,
      deployerKey: DEV_DEPLOYER_KEY,
      outDir: dir,
      ...DEMO_SETTINGS,
    });
    // The demo round registers the real machinery pack 1.0.0 (effective 2020-01-01) through governance.
    const v10: StandardVersionInput = {
      code: CODE,
      version: '1.0.0',
      contentHash: V10.hash as Hex,
      uri: `opencep://standards/${V10.ref}.json`,
      effectiveFrom: Date.UTC(2020, 0, 1) / 1000,
    };
    await seedDemo({ rpcUrl: chain.url, deployment, standard: v10 });
    indexer = await startIndexer({
      databaseUrl: db.url,
      rpcUrl: chain.url,
      deploymentFile: join(dir, `${deployment.chainId}.json`),
      finalityDepth: 2,
      pollIntervalMs: 50,
      logger: silent,
    });
    configureGovernance({ rpcUrl: chain.url, relayerKey: DEV_DEPLOYER_KEY });
    api = await startTestApi(db.url);
    [admin, member] = await Promise.all([api.loginAs('admin@plant18.demo'), api.loginAs('member@cmia.demo')]);
    for (const [code, sourceType, unit] of [
      ['grid', 'electricity.purchased', 'MWh'],
      ['forklifts', 'combustion.diesel', 't'],
    ] as const) {
      const r = await admin.gql<{ createEmissionSource: { id: string } }>(
        `mutation($i: CreateEmissionSourceInput!) { createEmissionSource(input: $i) { id } }`,
        { i: { enterpriseId: E, code, name: code, sourceType, unit } },
      );
      expect(r.errors).toBeUndefined();
      sourceIds[code] = r.data?.createEmissionSource.id ?? '';
    }
    // April: diesel only; May: electricity only; June: electricity and diesel.
    await record('forklifts', '2026-04-01', '2026-04-30', '30', 't');
    await record('grid', '2026-05-01', '2026-05-31', '100', 'MWh');
    await record('grid', '2026-06-01', '2026-06-30', '100', 'MWh');
    await record('forklifts', '2026-06-01', '2026-06-30', '30000', 'kg');
    await until('1.0.0 mirrored', async () => ((await mirroredVersions()).length ? true : undefined));
  }, 180_000);

  afterAll(async () => {
    configureGovernance({});
    await api?.close();
    await indexer?.stop();
    await chain?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let may: Inv | undefined;

  it('before the vote every period uses 1.0.0, which has no diesel NCV default', async () => {
    expect(await mirroredVersions()).toEqual(['1.0.0']);
    const m = await calc('2026-05');
    expect(m.code).toBeUndefined();
    // 100 MWh × 0.5703 tCO2/MWh = 57.03 t
    expect(m.inv).toMatchObject({ packRef: 'cn-machinery-2015@1.0.0', standardSource: 'CHAIN' });
    expect(m.inv?.totalLocation).toBe('57.03');
    const fin = await admin.gql<{ finalizeInventory: { state: string } }>(
      `mutation($id: ID!) { finalizeInventory(id: $id) { state } }`,
      { id: m.inv?.id },
    );
    expect(fin.data?.finalizeInventory.state).toBe('FINAL');
    may = { ...(m.inv as Inv), state: 'FINAL' };
    for (const period of ['2026-04', '2026-06']) {
      const r = await calc(period);
      expect(r.code, period).toBe('CONFLICT');
      expect(r.reason, period).toBe('PARAMETER_MISSING');
    }
  });

  it('proposes, votes, queues and executes 1.1.0 through the Governor; the indexer mirrors it', async () => {
    const p = pub();
    const governor = deployment.contracts.StandardsGovernor.address;
    const targets = [deployment.contracts.StandardsRegistry.address];
    const values = [0n];
    const calldatas = [
      encodeFunctionData({
        abi: REGISTRY_ABI,
        functionName: 'publishVersion',
        args: [
          standardIdOf(CODE),
          '1.1.0',
          V11.hash as Hex,
          `opencep://standards/${V11.ref}.json`,
          BigInt(EFFECTIVE_11),
        ],
      }),
    ];
    const description = standardProposalDescription(
      {
        code: CODE,
        version: '1.1.0',
        contentHash: V11.hash as Hex,
        uri: `opencep://standards/${V11.ref}.json`,
      },
      'Adds the appendix default NCVs of diesel, gasoline, fuel oil and kerosene; effective 2026-06-01.',
    );
    const descriptionHash = keccak256(stringToHex(description));
    const id = await p.readContract({
      address: governor,
      abi: GOV_ABI,
      functionName: 'hashProposal',
      args: [targets, values, calldatas, descriptionHash],
    });
    const state = () =>
      p.readContract({ address: governor, abi: GOV_ABI, functionName: 'state', args: [id] });
    const send = async (
      key: Hex,
      functionName: 'propose' | 'castVote' | 'queue' | 'execute',
      args: unknown[],
    ) =>
      p.waitForTransactionReceipt({
        hash: await wallet(key).writeContract({
          address: governor,
          abi: GOV_ABI,
          functionName,
          args: args as never,
        }),
      });
    const [m0, m1, m2] = DEV_ROLES.members;
    if (!m0 || !m1 || !m2) throw new Error('dev members missing');

    await send(m0.privateKey, 'propose', [targets, values, calldatas, description]);
    expect(await state()).toBe(STATE.Pending);
    await mine(DEMO_SETTINGS.votingDelay + 1);
    expect(await state()).toBe(STATE.Active);
    for (const m of [m0, m1, m2]) await send(m.privateKey, 'castVote', [id, 1]);
    await mine(DEMO_SETTINGS.votingPeriod);
    expect(await state()).toBe(STATE.Succeeded);
    await send(DEV_DEPLOYER_KEY, 'queue', [targets, values, calldatas, descriptionHash]);
    expect(await state()).toBe(STATE.Queued);
    // Timelock: travel past the ETA (evm_increaseTime), mine, then execute.
    const eta = await p.readContract({
      address: governor,
      abi: GOV_ABI,
      functionName: 'proposalEta',
      args: [id],
    });
    const now = (await p.getBlock()).timestamp;
    await rpc('evm_increaseTime', [Number(eta - now) + 1]);
    await mine(1);
    await send(DEV_DEPLOYER_KEY, 'execute', [targets, values, calldatas, descriptionHash]);
    expect(await state()).toBe(STATE.Executed);

    const mirrored = await until('proposal executed in the mirror', async () => {
      const r = await member.gql<{ proposal: { state: string; voteCount: number } | null }>(
        `query($id: ID!) { proposal(id: $id) { state voteCount } }`,
        { id: id.toString() },
      );
      return r.data?.proposal?.state === 'executed' ? r.data.proposal : undefined;
    });
    expect(mirrored.voteCount).toBe(3);
    await until('1.1.0 mirrored', async () =>
      (await mirroredVersions()).includes('1.1.0') ? true : undefined,
    );
    expect(await mirroredVersions()).toEqual(['1.0.0', '1.1.0']);
  }, 120_000);

  it('after the vote: June uses 1.1.0 (diesel default NCV), May is unchanged on 1.0.0, April still refuses', async () => {
    const june = await calc('2026-06');
    expect(june.code).toBeUndefined();
    expect(june.inv).toMatchObject({ packRef: 'cn-machinery-2015@1.1.0', standardSource: 'CHAIN' });
    // grid 100 MWh × 0.5703 = 57.03
    // diesel 30 000 kg = 30 t × 42.652 GJ/t = 1279.56 GJ = 1.27956 TJ; × 20.2 tC/TJ = 25.847112 tC;
    //   × 0.98 = 25.33016976 tC; × 44 / 12 = 92.87728912 tCO2
    // total = 57.03 + 92.87728912 = 149.90728912
    expect(Object.fromEntries(june.inv?.lines.map((l) => [l.sourceId, l.co2e]) ?? [])).toEqual({
      forklifts: '92.87728912',
      grid: '57.03',
    });
    expect(june.inv?.totalLocation).toBe('149.90728912');

    // the month before the effective date: same inventory, same revision, still 1.0.0
    const m = await calc('2026-05');
    expect(m.inv).toMatchObject({
      id: may?.id,
      revision: 1,
      state: 'FINAL',
      packRef: 'cn-machinery-2015@1.0.0',
      inventoryHash: may?.inventoryHash,
      totalLocation: '57.03',
    });
    const april = await calc('2026-04');
    expect(april.reason).toBe('PARAMETER_MISSING');

    // naming the old pack for a period the chain assigns to 1.1.0 is refused
    const explicit = await calc('2026-06', 'explicitPack: "cn-machinery-2015@1.0.0"');
    expect(explicit.reason).toBe('PACK_HASH_MISMATCH');
    expect(explicit.message).toContain(V10.hash);
    expect(explicit.message).toContain('version 1.1.0');
  });

  it('a version whose content hash matches no shipped pack is refused with PACK_HASH_MISMATCH', async () => {
    expect(UNSHIPPED.hash).not.toBe(V11.hash);
    const uri = 'opencep://standards/cn-machinery-2015@1.2.0.json';
    const targets = [deployment.contracts.StandardsRegistry.address];
    const calldatas = [
      encodeFunctionData({
        abi: REGISTRY_ABI,
        functionName: 'publishVersion',
        args: [standardIdOf(CODE), '1.2.0', UNSHIPPED.hash as Hex, uri, BigInt(EFFECTIVE_12)],
      }),
    ];
    await runGovernanceRound({
      publicClient: pub(),
      wallet,
      deployment,
      keys: {
        deployer: DEV_DEPLOYER_KEY,
        members: DEV_ROLES.members.map((m) => m.privateKey),
        regulator: DEV_ROLES.regulator.privateKey,
        verifier: DEV_ROLES.verifier.privateKey,
        enterpriseAdmin: DEV_ROLES.enterpriseAdmin.privateKey,
        device: DEV_ROLES.device.privateKey,
      },
      targets,
      calldatas,
      description: standardProposalDescription(
        { code: CODE, version: '1.2.0', contentHash: UNSHIPPED.hash as Hex, uri },
        'A grid-factor update whose pack was never shipped.',
      ),
    });
    await until('1.2.0 mirrored', async () =>
      (await mirroredVersions()).includes('1.2.0') ? true : undefined,
    );
    const listed = await member.gql<{
      standards: { code: string | null; versions: { version: string; shipped: boolean }[] }[];
    }>('{ standards { code versions { version shipped } } }');
    expect(listed.data?.standards.find((s) => s.code === CODE)?.versions).toEqual([
      { version: '1.0.0', shipped: true },
      { version: '1.1.0', shipped: true },
      { version: '1.2.0', shipped: false },
    ]);
    await record('grid', '2026-09-01', '2026-09-30', '100', 'MWh');
    const sept = await calc('2026-09');
    expect(sept.inv).toBeUndefined();
    expect(sept.code).toBe('CONFLICT');
    expect(sept.reason).toBe('PACK_HASH_MISMATCH');
    expect(sept.message).toContain('version 1.2.0');
    expect(sept.message).toContain(UNSHIPPED.hash);
    expect(sept.message).toContain('no shipped pack');
    // periods before 1.2.0's effective date keep their version
    const june = await calc('2026-06');
    expect(june.inv?.packRef).toBe('cn-machinery-2015@1.1.0');
    expect(june.inv?.totalLocation).toBe('149.90728912');
  }, 120_000);
});
