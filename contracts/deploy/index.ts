/**
 * Deployment library for the OpenCEP contracts, built on viem so that the platform orchestrator (ESM,
 * tsx) can call it against any JSON-RPC URL. Every transaction is signed locally and sent with
 * eth_sendRawTransaction (the platform journals raw transactions to replay chain state).
 *
 * Requires compiled Hardhat artifacts (`compileContracts()` or `npx hardhat compile` in contracts/).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  getAddress,
  type Hash,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  stringToHex,
  type Transport,
  type WalletClient,
  zeroHash,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  participantRegistryAbi,
  quotaRegistryAbi,
  standardsGovernorAbi,
  standardsRegistryAbi,
  timelockAbi,
} from '../abi';
import { DEV_ROLES } from './dev-accounts';

export { DEV_ACCOUNTS, DEV_DEPLOYER_KEY, DEV_MNEMONIC, DEV_ROLES } from './dev-accounts';

/**
 * contracts/ (where artifacts/ and deployments/ live). Resolved through `require` rather than
 * `__dirname`, which is not reliable when an ESM caller loads this CommonJS file through tsx.
 */
export const CONTRACTS_DIR = path.dirname(require.resolve('../package.json'));

export const CONTRACT_NAMES = [
  'Timelock',
  'AssociationMembership',
  'StandardsGovernor',
  'StandardsRegistry',
  'ParticipantRegistry',
  'QuotaRegistry',
  'AttestationRegistry',
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export interface DeployedContract {
  address: Address;
  abi: Abi;
  blockNumber: number;
  txHash: Hash;
}

/** Shape of contracts/deployments/<chainId>.json. */
export interface Deployment {
  chainId: number;
  /** Hash of block 0: tells a restarted dev chain (same chainId, new genesis) from the deployed one. */
  genesisHash: Hash;
  /** Block of the first deployment transaction. */
  deployedAtBlock: number;
  /** ISO-8601 timestamp of that block. */
  deployedAt: string;
  deployer: Address;
  settings: { votingDelay: number; votingPeriod: number; timelockDelay: number; founders: Address[] };
  contracts: Record<ContractName, DeployedContract>;
}

export interface DeployOptions {
  rpcUrl: string;
  deployerKey: Hex;
  /** Where <chainId>.json is written; default contracts/deployments. */
  outDir?: string;
  /** Blocks between proposal and voting start; default 1. */
  votingDelay?: number;
  /** Blocks the vote stays open; default 10. */
  votingPeriod?: number;
  /** Seconds between queue and execute; default 1. */
  timelockDelay?: number;
  /** Founding members (one vote each); default dev accounts 1–5. */
  founders?: Address[];
  /** Hardhat artifacts dir; default contracts/artifacts. */
  artifactsDir?: string;
}

/** Defaults sized for local demos (seconds, not days). */
export const DEMO_SETTINGS = { votingDelay: 1, votingPeriod: 10, timelockDelay: 1 } as const;

/** Runs `npx hardhat compile` in contracts/ (offline solc-js, see hardhat.config.ts). */
export function compileContracts(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['hardhat', 'compile', '--quiet'], { cwd: CONTRACTS_DIR, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`hardhat compile exited with code ${code}`)),
    );
  });
}

interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

function readArtifact(artifactsDir: string, name: ContractName): Artifact {
  const file = path.join(artifactsDir, 'src', `${name}.sol`, `${name}.json`);
  if (!existsSync(file)) throw new Error(`missing artifact ${file}: run compileContracts() first`);
  return JSON.parse(readFileSync(file, 'utf8')) as Artifact;
}

function chainFor(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `opencep-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

interface Clients {
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  wallet(key: Hex): WalletClient<Transport, Chain, Account>;
}

async function connect(rpcUrl: string): Promise<Clients> {
  const probe = createPublicClient({ transport: http(rpcUrl) });
  const chain = chainFor(await probe.getChainId(), rpcUrl);
  const transport = http(rpcUrl);
  // Short polling: receipts on a local dev chain arrive in milliseconds (viem's default is 4 s).
  const pollingInterval = 100;
  const publicClient = createPublicClient({ chain, transport, pollingInterval });
  return {
    chain,
    publicClient,
    wallet: (key) =>
      createWalletClient({ chain, transport, pollingInterval, account: privateKeyToAccount(key) }),
  };
}

async function confirm(publicClient: PublicClient<Transport, Chain>, hash: Hash) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

/** Path of the deployment file for a chain. */
export function deploymentPath(chainId: number, outDir = path.join(CONTRACTS_DIR, 'deployments')): string {
  return path.join(outDir, `${chainId}.json`);
}

/** Reads deployments/<chainId>.json, or undefined if absent. */
export function readDeployment(chainId: number, outDir?: string): Deployment | undefined {
  const file = deploymentPath(chainId, outDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Deployment) : undefined;
}

async function isLive(
  publicClient: PublicClient<Transport, Chain>,
  deployment: Deployment,
): Promise<boolean> {
  const genesis = await publicClient.getBlock({ blockNumber: 0n });
  if (genesis.hash !== deployment.genesisHash) return false;
  for (const name of CONTRACT_NAMES) {
    const contract = deployment.contracts[name];
    if (!contract) return false;
    const code = await publicClient.getCode({ address: contract.address });
    if (!code || code === '0x') return false;
  }
  return true;
}

/**
 * Deploys the whole system unless deployments/<chainId>.json exists and code exists at every address
 * on the same genesis (then returns it). Hands every admin role to the timelock, revokes the
 * deployer's, and writes deployments/<chainId>.json.
 */
export async function deployAll(opts: DeployOptions): Promise<Deployment> {
  const { publicClient, chain, wallet } = await connect(opts.rpcUrl);
  const existing = readDeployment(chain.id, opts.outDir);
  if (existing && (await isLive(publicClient, existing))) return existing;

  const artifactsDir = opts.artifactsDir ?? path.join(CONTRACTS_DIR, 'artifacts');
  const votingDelay = opts.votingDelay ?? DEMO_SETTINGS.votingDelay;
  const votingPeriod = opts.votingPeriod ?? DEMO_SETTINGS.votingPeriod;
  const timelockDelay = opts.timelockDelay ?? DEMO_SETTINGS.timelockDelay;
  const founders = opts.founders ?? DEV_ROLES.members.map((m) => m.address);
  const deployer = wallet(opts.deployerKey);
  const deployerAddress = deployer.account.address;
  const contracts: Partial<Record<ContractName, DeployedContract>> = {};

  const deploy = async (name: ContractName, args: readonly unknown[]): Promise<Address> => {
    const { abi, bytecode } = readArtifact(artifactsDir, name);
    const hash = await deployer.deployContract({ abi, bytecode, args });
    const receipt = await confirm(publicClient, hash);
    if (!receipt.contractAddress) throw new Error(`${name}: no contract address in ${hash}`);
    contracts[name] = {
      address: getAddress(receipt.contractAddress),
      abi,
      blockNumber: Number(receipt.blockNumber),
      txHash: hash,
    };
    return getAddress(receipt.contractAddress);
  };

  // 1. Timelock with the deployer as temporary admin (renounced below).
  const timelock = await deploy('Timelock', [BigInt(timelockDelay), [], [], deployerAddress]);
  // 2. Membership owned by the timelock from the start; founders minted (and self-delegated) in the constructor.
  const membership = await deploy('AssociationMembership', [timelock, founders]);
  const governor = await deploy('StandardsGovernor', [membership, timelock, votingDelay, votingPeriod]);
  // 3. Registries: owner / every admin role = timelock.
  await deploy('StandardsRegistry', [timelock]);
  const participants = await deploy('ParticipantRegistry', [timelock]);
  await deploy('QuotaRegistry', [participants]);
  await deploy('AttestationRegistry', [participants]);

  // 4. Governor is the only proposer, canceller and executor; the deployer renounces timelock admin.
  const roleId = (name: string) => keccak256(stringToHex(name));
  const [proposerRole, cancellerRole, executorRole] = [
    roleId('PROPOSER_ROLE'),
    roleId('CANCELLER_ROLE'),
    roleId('EXECUTOR_ROLE'),
  ];
  const adminRole = zeroHash; // DEFAULT_ADMIN_ROLE
  for (const role of [proposerRole, cancellerRole, executorRole]) {
    await confirm(
      publicClient,
      await deployer.writeContract({
        address: timelock,
        abi: timelockAbi,
        functionName: 'grantRole',
        args: [role, governor],
      }),
    );
  }
  await confirm(
    publicClient,
    await deployer.writeContract({
      address: timelock,
      abi: timelockAbi,
      functionName: 'renounceRole',
      args: [adminRole, deployerAddress],
    }),
  );

  const genesis = await publicClient.getBlock({ blockNumber: 0n });
  const first = contracts.Timelock!;
  const firstBlock = await publicClient.getBlock({ blockNumber: BigInt(first.blockNumber) });
  const deployment: Deployment = {
    chainId: chain.id,
    genesisHash: genesis.hash,
    deployedAtBlock: first.blockNumber,
    deployedAt: new Date(Number(firstBlock.timestamp) * 1000).toISOString(),
    deployer: deployerAddress,
    settings: { votingDelay, votingPeriod, timelockDelay, founders },
    contracts: contracts as Record<ContractName, DeployedContract>,
  };
  const file = deploymentPath(chain.id, opts.outDir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return deployment;
}

// ---------------------------------------------------------------------------------------------------
// Standards and proposal descriptions

/** On-chain standard id: keccak256 of the UTF-8 standard code (the pack's `id`, e.g. "cn-machinery-2015"). */
export function standardIdOf(code: string): Hex {
  return keccak256(stringToHex(code));
}

export interface StandardVersionInput {
  /** Standard code, the pack's `id` (e.g. "cn-machinery-2015"); standardId = keccak256(code). */
  code: string;
  /** Semantic version, e.g. "1.0.0". */
  version: string;
  /** SHA-256 of the RFC 8785 canonical JSON pack, 0x-prefixed. */
  contentHash: Hex;
  uri: string;
  /** Unix seconds from which the version applies. */
  effectiveFrom: number;
}

/**
 * Description of a publishVersion proposal, in the format documented on StandardsGovernor:
 * "# Publish standard <code> version <version>" then `key: value` lines for standardId, version,
 * contentHash and uri, then optionally a blank line and free text.
 */
export function standardProposalDescription(
  s: Pick<StandardVersionInput, 'code' | 'version' | 'contentHash' | 'uri'>,
  body?: string,
): string {
  const lines = [
    `# Publish standard ${s.code} version ${s.version}`,
    `standardId: ${standardIdOf(s.code)}`,
    `version: ${s.version}`,
    `contentHash: ${s.contentHash}`,
    `uri: ${s.uri}`,
  ];
  if (body) lines.push('', body);
  return lines.join('\n');
}

/** Parses a description built by standardProposalDescription (undefined if it is not one). */
export function parseStandardProposalDescription(
  description: string,
): { standardId: Hex; version: string; contentHash: Hex; uri: string } | undefined {
  const field = (key: string) => new RegExp(`^${key}: (.+)$`, 'm').exec(description)?.[1];
  const standardId = field('standardId');
  const version = field('version');
  const contentHash = field('contentHash');
  const uri = field('uri');
  if (!description.startsWith('# Publish standard ') || !standardId || !version || !contentHash || !uri) {
    return undefined;
  }
  return { standardId: standardId as Hex, version, contentHash: contentHash as Hex, uri };
}

// ---------------------------------------------------------------------------------------------------
// Demo seed

/** The demo enterprise: id = keccak256(utf8("plant-18")). */
export const DEMO_ENTERPRISE_CODE = 'plant-18';
export const DEMO_ENTERPRISE_ID: Hex = keccak256(stringToHex(DEMO_ENTERPRISE_CODE));

/**
 * Default demo standard. Its content hash is the SHA-256 of the canonical JSON
 * `{"id":"opencep-demo","version":"1.0.0"}`; the orchestrator should pass the real pack
 * (code, version, canonical hash) instead.
 */
export const DEMO_STANDARD: StandardVersionInput = {
  code: 'opencep-demo',
  version: '1.0.0',
  contentHash: `0x${createHash('sha256').update('{"id":"opencep-demo","version":"1.0.0"}').digest('hex')}`,
  uri: 'opencep://standards/opencep-demo@1.0.0.json',
  effectiveFrom: 1_577_836_800, // 2020-01-01T00:00:00Z
};

/** Demo annual quota of plant-18 in gCO2e (tCO2e × 10^6): 120,000 tCO2e. */
export const DEMO_QUOTA_GRAMS = 120_000n * 1_000_000n;

export interface SeedKeys {
  /** Pays for relayed votes and the filler transactions that advance blocks. */
  deployer: Hex;
  /** At least three members: [0] proposes and votes, [1] votes by EIP-712 signature, [2] votes. */
  members: Hex[];
  regulator: Hex;
  verifier: Hex;
  enterpriseAdmin: Hex;
  device: Hex;
}

export interface SeedOptions {
  rpcUrl: string;
  deployment: Deployment;
  /** Defaults to the dev accounts (see dev-accounts.ts). */
  keys?: Partial<SeedKeys>;
  /** Defaults to DEMO_STANDARD. */
  standard?: StandardVersionInput;
}

export interface SeedResult {
  /** False when everything was already seeded. */
  seeded: boolean;
  proposalId?: bigint;
  enterpriseId: Hex;
  standardId: Hex;
}

const REGULATOR_ROLE = keccak256(stringToHex('REGULATOR_ROLE'));
const VERIFIER_ROLE = keccak256(stringToHex('VERIFIER_ROLE'));
const SUPPORT_FOR = 1;
enum ProposalState {
  Pending = 0,
  Active = 1,
  Canceled = 2,
  Defeated = 3,
  Succeeded = 4,
  Queued = 5,
  Expired = 6,
  Executed = 7,
}

function defaultKeys(keys: Partial<SeedKeys> = {}): SeedKeys {
  return {
    deployer: keys.deployer ?? DEV_ROLES.deployer.privateKey,
    members: keys.members ?? DEV_ROLES.members.map((m) => m.privateKey),
    regulator: keys.regulator ?? DEV_ROLES.regulator.privateKey,
    verifier: keys.verifier ?? DEV_ROLES.verifier.privateKey,
    enterpriseAdmin: keys.enterpriseAdmin ?? DEV_ROLES.enterpriseAdmin.privateKey,
    device: keys.device ?? DEV_ROLES.device.privateKey,
  };
}

/**
 * Seeds the demo: one governance round (propose → vote, one vote by EIP-712 signature → queue →
 * execute) that registers plant-18 with its admin, grants the regulator and verifier roles and
 * publishes the first standard version; then the admin registers the device and the regulator issues
 * the current year's quota. Idempotent and resumable: every step checks chain state first.
 *
 * Blocks are advanced with locally signed zero-value self-transfers from the deployer (so a replay of
 * the journaled raw transactions reproduces the governance timeline); the timelock delay is waited
 * out with evm_increaseTime when the node supports it.
 */
export async function seedDemo(opts: SeedOptions): Promise<SeedResult> {
  const keys = defaultKeys(opts.keys);
  const standard = opts.standard ?? DEMO_STANDARD;
  const standardId = standardIdOf(standard.code);
  const { publicClient, wallet } = await connect(opts.rpcUrl);
  const c = opts.deployment.contracts;
  const participants = c.ParticipantRegistry.address;
  const standards = c.StandardsRegistry.address;
  const accounts = {
    admin: privateKeyToAccount(keys.enterpriseAdmin).address,
    device: privateKeyToAccount(keys.device).address,
    regulator: privateKeyToAccount(keys.regulator).address,
    verifier: privateKeyToAccount(keys.verifier).address,
  };
  const read = {
    isEnterprise: () =>
      publicClient.readContract({
        address: participants,
        abi: participantRegistryAbi,
        functionName: 'isEnterprise',
        args: [DEMO_ENTERPRISE_ID],
      }),
    hasRole: (role: Hex, account: Address) =>
      publicClient.readContract({
        address: participants,
        abi: participantRegistryAbi,
        functionName: 'hasRole',
        args: [role, account],
      }),
    versionCount: () =>
      publicClient.readContract({
        address: standards,
        abi: standardsRegistryAbi,
        functionName: 'versionCount',
        args: [standardId],
      }),
  };

  // Governance actions still missing (so that a partially seeded chain is completed, not re-seeded).
  const calls: { target: Address; data: Hex }[] = [];
  if (!(await read.isEnterprise())) {
    calls.push({
      target: participants,
      data: encodeFunctionData({
        abi: participantRegistryAbi,
        functionName: 'registerEnterprise',
        args: [DEMO_ENTERPRISE_ID, accounts.admin],
      }),
    });
  }
  for (const [role, account] of [
    [REGULATOR_ROLE, accounts.regulator],
    [VERIFIER_ROLE, accounts.verifier],
  ] as const) {
    if (!(await read.hasRole(role, account))) {
      calls.push({
        target: participants,
        data: encodeFunctionData({
          abi: participantRegistryAbi,
          functionName: 'grantRole',
          args: [role, account],
        }),
      });
    }
  }
  if ((await read.versionCount()) === 0n) {
    calls.push({
      target: standards,
      data: encodeFunctionData({
        abi: standardsRegistryAbi,
        functionName: 'publishVersion',
        args: [
          standardId,
          standard.version,
          standard.contentHash,
          standard.uri,
          BigInt(standard.effectiveFrom),
        ],
      }),
    });
  }

  let proposalId: bigint | undefined;
  let seeded = false;
  if (calls.length > 0) {
    proposalId = await runGovernanceRound({
      publicClient,
      wallet,
      deployment: opts.deployment,
      keys,
      targets: calls.map((x) => x.target),
      calldatas: calls.map((x) => x.data),
      description: standardProposalDescription(
        standard,
        'OpenCEP demo bootstrap: plant-18, regulator, verifier.',
      ),
    });
    seeded = true;
  }

  const isDevice = await publicClient.readContract({
    address: participants,
    abi: participantRegistryAbi,
    functionName: 'isDevice',
    args: [DEMO_ENTERPRISE_ID, accounts.device],
  });
  if (!isDevice) {
    await confirm(
      publicClient,
      await wallet(keys.enterpriseAdmin).writeContract({
        address: participants,
        abi: participantRegistryAbi,
        functionName: 'registerDevice',
        args: [DEMO_ENTERPRISE_ID, accounts.device],
      }),
    );
    seeded = true;
  }

  const latest = await publicClient.getBlock();
  const year = new Date(Number(latest.timestamp) * 1000).getUTCFullYear();
  const quota = await publicClient.readContract({
    address: c.QuotaRegistry.address,
    abi: quotaRegistryAbi,
    functionName: 'quotaOf',
    args: [DEMO_ENTERPRISE_ID, year],
  });
  if (quota.revision === 0) {
    await confirm(
      publicClient,
      await wallet(keys.regulator).writeContract({
        address: c.QuotaRegistry.address,
        abi: quotaRegistryAbi,
        functionName: 'issueQuota',
        args: [DEMO_ENTERPRISE_ID, year, DEMO_QUOTA_GRAMS, 'demo allocation'],
      }),
    );
    seeded = true;
  }
  return { seeded, proposalId, enterpriseId: DEMO_ENTERPRISE_ID, standardId };
}

interface RoundInput {
  publicClient: PublicClient<Transport, Chain>;
  wallet(key: Hex): WalletClient<Transport, Chain, Account>;
  deployment: Deployment;
  keys: SeedKeys;
  targets: Address[];
  calldatas: Hex[];
  description: string;
}

/** Drives one proposal from wherever it is to Executed. Returns the proposal id. */
export async function runGovernanceRound(input: RoundInput): Promise<bigint> {
  const { publicClient, wallet, keys, targets, calldatas, description } = input;
  const governor = input.deployment.contracts.StandardsGovernor.address;
  const deployer = wallet(keys.deployer);
  const values = targets.map(() => 0n);
  const descriptionHash = keccak256(stringToHex(description));
  const [proposerKey, sigVoterKey, thirdVoterKey] = keys.members;
  if (!proposerKey || !sigVoterKey || !thirdVoterKey)
    throw new Error('seedDemo needs at least three member keys');
  const send = async (hash: Promise<Hash>) => confirm(publicClient, await hash);
  const gov = { address: governor, abi: standardsGovernorAbi } as const;

  const proposalId = await publicClient.readContract({
    ...gov,
    functionName: 'hashProposal',
    args: [targets, values, calldatas, descriptionHash],
  });
  const exists =
    (await publicClient.readContract({ ...gov, functionName: 'proposalSnapshot', args: [proposalId] })) > 0n;
  if (!exists) {
    await send(
      wallet(proposerKey).writeContract({
        ...gov,
        functionName: 'propose',
        args: [targets, values, calldatas, description],
      }),
    );
  }

  const advanceBlocks = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await send(deployer.sendTransaction({ to: deployer.account.address, value: 0n }));
    }
  };

  for (let guard = 0; guard < 10_000; guard++) {
    const state = (await publicClient.readContract({
      ...gov,
      functionName: 'state',
      args: [proposalId],
    })) as ProposalState;
    switch (state) {
      case ProposalState.Pending:
        await advanceBlocks(1);
        break;
      case ProposalState.Active: {
        const voted = (key: Hex) =>
          publicClient.readContract({
            ...gov,
            functionName: 'hasVoted',
            args: [proposalId, privateKeyToAccount(key).address],
          });
        if (!(await voted(proposerKey))) {
          await send(
            wallet(proposerKey).writeContract({
              ...gov,
              functionName: 'castVote',
              args: [proposalId, SUPPORT_FOR],
            }),
          );
        } else if (!(await voted(sigVoterKey))) {
          // Gasless vote: the member signs an EIP-712 Ballot, the deployer relays it.
          const voter = privateKeyToAccount(sigVoterKey);
          const nonce = await publicClient.readContract({
            ...gov,
            functionName: 'nonces',
            args: [voter.address],
          });
          const signature = await voter.signTypedData({
            domain: {
              name: await publicClient.readContract({ ...gov, functionName: 'name' }),
              version: await publicClient.readContract({ ...gov, functionName: 'version' }),
              chainId: await publicClient.getChainId(),
              verifyingContract: governor,
            },
            types: {
              Ballot: [
                { name: 'proposalId', type: 'uint256' },
                { name: 'support', type: 'uint8' },
                { name: 'voter', type: 'address' },
                { name: 'nonce', type: 'uint256' },
              ],
            },
            primaryType: 'Ballot',
            message: { proposalId, support: SUPPORT_FOR, voter: voter.address, nonce },
          });
          await send(
            deployer.writeContract({
              ...gov,
              functionName: 'castVoteBySig',
              args: [proposalId, SUPPORT_FOR, voter.address, signature],
            }),
          );
        } else if (!(await voted(thirdVoterKey))) {
          await send(
            wallet(thirdVoterKey).writeContract({
              ...gov,
              functionName: 'castVote',
              args: [proposalId, SUPPORT_FOR],
            }),
          );
        } else {
          await advanceBlocks(1);
        }
        break;
      }
      case ProposalState.Succeeded:
        await send(
          deployer.writeContract({
            ...gov,
            functionName: 'queue',
            args: [targets, values, calldatas, descriptionHash],
          }),
        );
        break;
      case ProposalState.Queued: {
        const eta = await publicClient.readContract({
          ...gov,
          functionName: 'proposalEta',
          args: [proposalId],
        });
        const now = (await publicClient.getBlock()).timestamp;
        if (now < eta) {
          await increaseTime(publicClient, Number(eta - now));
          await advanceBlocks(1);
        } else {
          await send(
            deployer.writeContract({
              ...gov,
              functionName: 'execute',
              args: [targets, values, calldatas, descriptionHash],
            }),
          );
        }
        break;
      }
      case ProposalState.Executed:
        return proposalId;
      default:
        throw new Error(`proposal ${proposalId} is ${ProposalState[state]}; cannot complete the round`);
    }
  }
  throw new Error(`proposal ${proposalId} did not complete`);
}

/** evm_increaseTime when the node supports it (Hardhat, Anvil); otherwise wait in real time. */
async function increaseTime(publicClient: PublicClient<Transport, Chain>, seconds: number): Promise<void> {
  try {
    await publicClient.request({ method: 'evm_increaseTime', params: [seconds] } as never);
  } catch {
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}
