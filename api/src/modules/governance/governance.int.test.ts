import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileContracts,
  DEMO_ENTERPRISE_ID,
  DEMO_QUOTA_GRAMS,
  DEMO_SETTINGS,
  DEMO_STANDARD,
  DEV_DEPLOYER_KEY,
  DEV_ROLES,
  type Deployment,
  deployAll,
  runGovernanceRound,
  seedDemo,
  standardIdOf,
  standardProposalDescription,
  CONTRACTS_DIR,
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
import { DEMO_ENTERPRISE_ID as API_DEMO_ENTERPRISE_ID } from '../../seed/users';
import { configureGovernance } from './governance.config';
import { BALLOT_TYPES, GOVERNOR_DOMAIN } from './governance.service';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const GOV_ABI = parseAbi([
  'function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) returns (uint256)',
  'function hashProposal(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) view returns (uint256)',
  'function state(uint256 proposalId) view returns (uint8)',
  'function nonces(address owner) view returns (uint256)',
]);
const REGISTRY_ABI = parseAbi([
  'function publishVersion(bytes32 standardId, string version, bytes32 contentHash, string uri, uint64 effectiveFrom)',
]);

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('governance module against a real chain and indexer', () => {
  let dir: string;
  let chain: LocalChain;
  let db: TestDatabase;
  let api: TestApi;
  let indexer: IndexerHandle;
  let deployment: Deployment;
  let member: TestSession;
  let proposalId: string;
  let round: { targets: Hex[]; calldatas: Hex[]; description: string; contentHash: Hex } | undefined;

  beforeAll(async () => {
    if (!existsSync(join(CONTRACTS_DIR, 'artifacts', 'src', 'StandardsGovernor.sol')))
      await compileContracts();
    dir = mkdtempSync(join(tmpdir(), 'opencep-gov-'));
    [chain, db] = await Promise.all([
      startLocalChain({ dataDir: join(dir, 'chain'), port: 0 }),
      createTestDatabase('governance'),
    ]);
    deployment = await deployAll({
      rpcUrl: chain.url,
      deployerKey: DEV_DEPLOYER_KEY,
      outDir: dir,
      ...DEMO_SETTINGS,
    });
    await seedDemo({ rpcUrl: chain.url, deployment });
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
    member = await api.loginAs('member@cmia.demo');
  }, 120_000);

  afterAll(async () => {
    configureGovernance({});
    await api?.close();
    await indexer?.stop();
    await chain?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the seeded standard version from the mirror', async () => {
    const r = await until('seeded standard mirrored', async () => {
      const q = await member.gql<{
        standards: {
          id: string;
          code: string | null;
          activeContentHash: string | null;
          versions: { version: string; contentHash: string; deprecated: boolean; shipped: boolean }[];
        }[];
      }>(
        `{ standards { id code activeContentHash versions { version contentHash deprecated confirmed shipped } } }`,
      );
      return q.data?.standards.length ? q : undefined;
    });
    expect(r.errors).toBeUndefined();
    const s = r.data?.standards[0];
    expect(s?.id).toBe(standardIdOf(DEMO_STANDARD.code).toLowerCase());
    expect(s?.code).toBe(DEMO_STANDARD.code);
    expect(s?.activeContentHash).toBe(DEMO_STANDARD.contentHash.toLowerCase());
    expect(s?.versions).toEqual([
      {
        version: '1.0.0',
        contentHash: DEMO_STANDARD.contentHash.toLowerCase(),
        deprecated: false,
        confirmed: expect.any(Boolean),
        shipped: false,
      },
    ]);
    const p = await member.gql<{
      proposals: { state: string; voteCount: number; standard: { version: string } | null }[];
    }>(`{ proposals { state voteCount standard { version code } } }`);
    expect(p.data?.proposals).toEqual([
      { state: 'executed', voteCount: 3, standard: { version: '1.0.0', code: DEMO_STANDARD.code } },
    ]);
  });

  it('relays an EIP-712 vote signed by a member; the mirrored tally shows it; a wrong signer is rejected', async () => {
    const chainDef = defineChain({
      id: deployment.chainId,
      name: 'local',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [chain.url] } },
    });
    const pub = createPublicClient({ chain: chainDef, transport: http(chain.url), pollingInterval: 50 });
    const wallet = (key: Hex) =>
      createWalletClient({ chain: chainDef, transport: http(chain.url), account: privateKeyToAccount(key) });
    const governor = deployment.contracts.StandardsGovernor.address;
    const next = {
      ...DEMO_STANDARD,
      version: '1.1.0',
      contentHash: keccak256(stringToHex('opencep-demo@1.1.0')),
      uri: 'opencep://standards/opencep-demo@1.1.0.json',
    };
    const targets = [deployment.contracts.StandardsRegistry.address];
    const calldatas = [
      encodeFunctionData({
        abi: REGISTRY_ABI,
        functionName: 'publishVersion',
        args: [standardIdOf(next.code), next.version, next.contentHash, next.uri, BigInt(next.effectiveFrom)],
      }),
    ];
    const description = standardProposalDescription(next, 'Integration test: publish 1.1.0.');
    round = { targets, calldatas, description, contentHash: next.contentHash };
    const [proposer, signerMember, otherMember] = DEV_ROLES.members;
    if (!proposer || !signerMember || !otherMember) throw new Error('dev members missing');
    const id = await pub.readContract({
      address: governor,
      abi: GOV_ABI,
      functionName: 'hashProposal',
      args: [targets, [0n], calldatas, keccak256(stringToHex(description))],
    });
    proposalId = id.toString();
    await pub.waitForTransactionReceipt({
      hash: await wallet(proposer.privateKey).writeContract({
        address: governor,
        abi: GOV_ABI,
        functionName: 'propose',
        args: [targets, [0n], calldatas, description],
      }),
    });
    // votingDelay 1: advance blocks until Active (1).
    const deployer = wallet(DEV_DEPLOYER_KEY);
    while (
      (await pub.readContract({ address: governor, abi: GOV_ABI, functionName: 'state', args: [id] })) !== 1
    ) {
      await pub.waitForTransactionReceipt({
        hash: await deployer.sendTransaction({ to: deployer.account.address, value: 0n }),
      });
    }

    const created = await until('proposal mirrored', async () => {
      const r = await member.gql<{
        proposal: { state: string; standard: { version: string; contentHash: string } };
      }>(
        `query($id: ID!) { proposal(id: $id) { state forVotes standard { version contentHash } votes { voter } } }`,
        { id: proposalId },
      );
      return r.data?.proposal ? r : undefined;
    });
    expect(created.data?.proposal.standard).toEqual({ version: '1.1.0', contentHash: next.contentHash });

    // Typed data from the API, signed by the member's dev key (what the portal does with eth_signTypedData_v4).
    const td = await member.gql<{ voteTypedData: { json: string; nonce: string; chainId: number } }>(
      `query($p: String!, $v: String!) { voteTypedData(proposalId: $p, support: 1, voter: $v) { json nonce chainId verifyingContract } }`,
      { p: proposalId, v: signerMember.address },
    );
    expect(td.errors).toBeUndefined();
    const typed = JSON.parse(td.data?.voteTypedData.json ?? '{}') as {
      domain: { name: string; chainId: number };
      message: { nonce: string };
    };
    expect(typed.domain).toMatchObject({ name: GOVERNOR_DOMAIN.name, chainId: deployment.chainId });
    const nonce = BigInt(typed.message.nonce);
    const sign = (key: Hex, voter: Hex, support: number) =>
      privateKeyToAccount(key).signTypedData({
        domain: { ...GOVERNOR_DOMAIN, chainId: deployment.chainId, verifyingContract: governor },
        types: BALLOT_TYPES,
        primaryType: 'Ballot',
        message: { proposalId: id, support, voter, nonce },
      });
    const relay = (voter: Hex, support: number, signature: Hex) =>
      member.gql<{ relayVoteBySig: { txHash: string; voter: string } }>(
        `mutation($p: String!, $s: Int!, $v: String!, $sig: String!) { relayVoteBySig(proposalId: $p, support: $s, voter: $v, signature: $sig) { txHash voter support blockNumber } }`,
        { p: proposalId, s: support, v: voter, sig: signature },
      );

    // Wrong signer: another member signs a ballot naming signerMember as the voter.
    const forged = await relay(
      signerMember.address,
      1,
      await sign(otherMember.privateKey, signerMember.address, 1),
    );
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // Tampered support (signed "for", submitted "against").
    const tampered = await relay(
      signerMember.address,
      0,
      await sign(signerMember.privateKey, signerMember.address, 1),
    );
    expect(tampered.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    // Live: subscribe to proposalChanged before relaying.
    const ws = api.ws(member.accessToken);
    const changed: { id: string; forVotes: string; voteCount: number }[] = [];
    const unsubscribe = ws.subscribe<{
      proposalChanged: { id: string; forVotes: string; voteCount: number };
    }>(
      { query: 'subscription { proposalChanged { id forVotes voteCount } }' },
      {
        next: (m) => m.data && changed.push(m.data.proposalChanged),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await new Promise((r) => setTimeout(r, 300));

    const ok = await relay(
      signerMember.address,
      1,
      await sign(signerMember.privateKey, signerMember.address, 1),
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.relayVoteBySig.voter).toBe(signerMember.address.toLowerCase());

    const tallied = await until('vote mirrored', async () => {
      const r = await member.gql<{
        proposal: { forVotes: string; voteCount: number; votes: { voter: string; support: number }[] };
      }>(`query($id: ID!) { proposal(id: $id) { forVotes voteCount votes { voter support } } }`, {
        id: proposalId,
      });
      return r.data?.proposal.voteCount === 1 ? r.data.proposal : undefined;
    });
    expect(tallied.forVotes).toBe('1');
    expect(tallied.votes).toEqual([{ voter: signerMember.address.toLowerCase(), support: 1 }]);
    await until(
      'proposalChanged pushed',
      async () => (changed.some((c) => c.id === proposalId && c.voteCount === 1) ? true : undefined),
      10_000,
    );
    unsubscribe();

    // Replaying the same signature fails on chain (nonce used, already voted).
    const replay = await relay(
      signerMember.address,
      1,
      await sign(signerMember.privateKey, signerMember.address, 1),
    );
    expect(replay.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pushes standardVersionActivated when the proposal executes and lists the new version', async () => {
    if (!round) throw new Error('previous test did not create the proposal');
    const ws = api.ws(member.accessToken);
    const seen: { version: string; contentHash: string }[] = [];
    const unsubscribe = ws.subscribe<{ standardVersionActivated: { version: string; contentHash: string } }>(
      { query: 'subscription { standardVersionActivated { version contentHash code confirmed } }' },
      {
        next: (m) => m.data && seen.push(m.data.standardVersionActivated),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    const chainDef = defineChain({
      id: deployment.chainId,
      name: 'local',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [chain.url] } },
    });
    await runGovernanceRound({
      publicClient: createPublicClient({ chain: chainDef, transport: http(chain.url), pollingInterval: 50 }),
      wallet: (key: Hex) =>
        createWalletClient({
          chain: chainDef,
          transport: http(chain.url),
          account: privateKeyToAccount(key),
          pollingInterval: 50,
        }),
      deployment,
      keys: {
        deployer: DEV_DEPLOYER_KEY,
        members: DEV_ROLES.members.map((m) => m.privateKey),
        regulator: DEV_ROLES.regulator.privateKey,
        verifier: DEV_ROLES.verifier.privateKey,
        enterpriseAdmin: DEV_ROLES.enterpriseAdmin.privateKey,
        device: DEV_ROLES.device.privateKey,
      },
      targets: round.targets,
      calldatas: round.calldatas,
      description: round.description,
    });
    const contentHash = round.contentHash;
    await until('version pushed', async () => (seen.some((v) => v.version === '1.1.0') ? true : undefined));
    unsubscribe();
    expect(seen).toContainEqual(expect.objectContaining({ version: '1.1.0', contentHash }));
    const r = await member.gql<{ standards: { versions: { version: string }[] }[] }>(
      '{ standards { versions { version } } }',
    );
    expect(r.data?.standards[0]?.versions.map((v) => v.version)).toEqual(['1.0.0', '1.1.0']);
  });

  it('serves indexer health to platform admins only, and on-chain quotas', async () => {
    const admin = await api.loginAs('platform@opencep.demo');
    const h = await admin.gql<{
      indexerHealth: { running: boolean; chainId: number; lagBlocks: number | null };
    }>(
      `{ indexerHealth { running chainId phase headBlock checkpointBlock lagBlocks lagSeconds eventsPerSecond lastError } }`,
    );
    expect(h.errors).toBeUndefined();
    expect(h.data?.indexerHealth).toMatchObject({ running: true, chainId: deployment.chainId });
    const denied = await member.gql(`{ indexerHealth { running } }`);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const diffMissing = await member.gql(
      `{ standardVersionDiff(fromHash: "0x01", toHash: "0x02") { fromRef } }`,
    );
    expect(diffMissing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('reads on-chain quotas of an enterprise through the configured id mapping', async () => {
    configureGovernance({
      rpcUrl: chain.url,
      relayerKey: DEV_DEPLOYER_KEY,
      onChainEnterpriseIds: (id) => (id === API_DEMO_ENTERPRISE_ID ? [DEMO_ENTERPRISE_ID] : []),
    });
    const regulator = await api.loginAs('regulator@hunan.demo');
    const r = await regulator.gql<{ quotasOnChain: { amountGrams: string; revision: number }[] }>(
      `query($e: ID!) { quotasOnChain(enterpriseId: $e) { chainEnterpriseId year amountGrams revision issuedAt confirmed } }`,
      { e: API_DEMO_ENTERPRISE_ID },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.quotasOnChain).toEqual([
      expect.objectContaining({ amountGrams: String(DEMO_QUOTA_GRAMS), revision: 1 }),
    ]);
    configureGovernance({ rpcUrl: chain.url, relayerKey: DEV_DEPLOYER_KEY });
  });

  it('answers RELAYER_NOT_CONFIGURED without a relayer key', async () => {
    configureGovernance({ rpcUrl: chain.url });
    try {
      const r = await member.gql(
        `mutation { relayVoteBySig(proposalId: "1", support: 1, voter: "0x0000000000000000000000000000000000000001", signature: "0x00") { txHash } }`,
      );
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'RELAYER_NOT_CONFIGURED' });
    } finally {
      configureGovernance({ rpcUrl: chain.url, relayerKey: DEV_DEPLOYER_KEY });
    }
  });
});
