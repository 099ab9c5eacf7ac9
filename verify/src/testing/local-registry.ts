import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Abi,
  type Address,
  type Chain,
  type Hex,
  type PrivateKeyAccount,
  type PublicClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { bytesToHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { startLocalChain } from '../../../scripts/chain/local-chain';

/**
 * Test fixture (never shipped to verifiers): a fresh local Hardhat chain with ParticipantRegistry
 * and AttestationRegistry deployed from the compiled artifacts in contracts/artifacts, and one
 * registered enterprise per requested id (admin = a dev account).
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export function devAccount(index: number): PrivateKeyAccount {
  const key = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (!key) throw new Error('no dev key');
  return privateKeyToAccount(bytesToHex(key));
}

function artifact(name: string): { abi: Abi; bytecode: Hex } {
  const path = join(ROOT, 'contracts/artifacts/src', `${name}.sol`, `${name}.json`);
  if (!existsSync(path)) {
    // Clean checkout: artifacts are build output (`npm test` compiles them first via test:contracts).
    const r = spawnSync('npx', ['hardhat', 'compile', '--quiet'], {
      cwd: join(ROOT, 'contracts'),
      stdio: 'inherit',
    });
    if (r.status !== 0 || !existsSync(path))
      throw new Error(`contract artifact ${name} missing and hardhat compile failed`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as { abi: Abi; bytecode: Hex };
}

export interface LocalRegistry {
  url: string;
  chainId: number;
  chain: Chain;
  registry: Address;
  participants: Address;
  registryAbi: Abi;
  publicClient: PublicClient;
  /** Registers `enterpriseId` (bytes32) with `admin` as its admin. */
  registerEnterprise(enterpriseId: Hex, admin: Address): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opencep-trust-chain-'));
  const node = await startLocalChain({ dataDir, port: 0 });
  const chain = defineChain({
    id: node.chainId,
    name: 'local',
    nativeCurrency: { name: 'ETH', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [node.url] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(node.url) }) as PublicClient;
  const deployer = createWalletClient({ chain, transport: http(node.url), account: devAccount(0) });
  const pr = artifact('ParticipantRegistry');
  const ar = artifact('AttestationRegistry');
  const deploy = async (a: { abi: Abi; bytecode: Hex }, args: unknown[]): Promise<Address> => {
    const hash = await deployer.deployContract({ abi: a.abi, bytecode: a.bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress) throw new Error('deployment failed');
    return receipt.contractAddress;
  };
  const participants = await deploy(pr, [deployer.account.address]);
  const registry = await deploy(ar, [participants]);
  return {
    url: node.url,
    chainId: node.chainId,
    chain,
    registry,
    participants,
    registryAbi: ar.abi,
    publicClient,
    async registerEnterprise(enterpriseId, admin) {
      const hash = await deployer.writeContract({
        address: participants,
        abi: pr.abi,
        functionName: 'registerEnterprise',
        args: [enterpriseId, admin],
      });
      await publicClient.waitForTransactionReceipt({ hash });
    },
    async stop() {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
