import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  toHex,
  type WalletClient,
} from 'viem';
import type { Deployment } from '../src/deployment';
import { compileEmitter } from './compile';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface HardhatNode {
  url: string;
  stop(): Promise<void>;
}

/** Starts `hardhat node` (test config under indexer/test/hardhat) as a child process on a free port. */
export async function startHardhatNode(fixedPort?: number): Promise<HardhatNode> {
  const port = fixedPort ?? (await freePort());
  const bin = join(repoRoot, 'node_modules', '.bin', 'hardhat');
  const child: ChildProcess = spawn(
    bin,
    ['--config', join(here, 'hardhat', 'hardhat.config.cjs'), 'node', '--port', String(port)],
    {
      cwd: join(here, 'hardhat'),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Never outlive the test process (a timed-out test may skip its afterAll).
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Started HTTP')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`hardhat node exited ${code}: ${out}`)));
  });
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The emitter deployed on a node, with helpers that produce OpenCEP-shaped history. */
export class TestChain {
  readonly pub: PublicClient;
  readonly wallet: WalletClient;
  account!: Address;
  address!: Address;
  abi!: Abi;
  deployment!: Deployment;
  private nonce = 0;

  constructor(readonly url: string) {
    this.pub = createPublicClient({ transport: http(url) });
    this.wallet = createWalletClient({ transport: http(url) });
  }

  static async deploy(url: string): Promise<TestChain> {
    const c = new TestChain(url);
    const [account] = await c.wallet.request({ method: 'eth_accounts' });
    if (!account) throw new Error('no unlocked account');
    c.account = account;
    const { abi, bytecode } = compileEmitter();
    c.abi = abi;
    const txHash = await c.wallet.deployContract({ abi, bytecode, account, chain: null });
    const receipt = await c.pub.waitForTransactionReceipt({ hash: txHash });
    if (!receipt.contractAddress) throw new Error('deploy failed');
    c.address = receipt.contractAddress;
    const genesis = await c.pub.getBlock({ blockNumber: 0n });
    c.deployment = {
      chainId: await c.pub.getChainId(),
      genesisHash: genesis.hash,
      deployedAt: new Date().toISOString(),
      contracts: {
        Emitter: {
          address: c.address,
          abi: abi as unknown as Deployment['contracts'][string]['abi'],
          blockNumber: Number(receipt.blockNumber),
          txHash,
        },
      },
    };
    c.nonce = await c.pub.getTransactionCount({ address: account });
    return c;
  }

  /** Sends one emitter call (automine: mined on return). */
  async call(functionName: string, args: unknown[]): Promise<Hex> {
    return this.wallet.writeContract({
      address: this.address,
      abi: this.abi,
      functionName,
      args,
      account: this.account,
      chain: null,
      nonce: this.nonce++,
      gas: 16_000_000n,
    });
  }

  async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    return (await this.pub.request({ method: method as 'eth_chainId', params: params as never })) as T;
  }

  /** Mines empty blocks one by one: hardhat_mine's lazily "reserved" blocks can report a zero parentHash. */
  async mine(blocks: number): Promise<void> {
    for (let i = 0; i < blocks; i++) await this.rpc('evm_mine');
  }

  async head(): Promise<number> {
    // Not getBlockNumber(): viem caches it for the polling interval.
    return Number(await this.rpc<string>('eth_blockNumber'));
  }

  async resyncNonce(): Promise<void> {
    this.nonce = await this.pub.getTransactionCount({ address: this.account, blockTag: 'pending' });
  }

  /** Every log of the emitter from the node, as comparable tuples. */
  async canonicalLogs(): Promise<string[]> {
    const logs = await this.rpc<
      {
        transactionHash: string;
        logIndex: string;
        blockNumber: string;
        blockHash: string;
        data: string;
        topics: string[];
      }[]
    >('eth_getLogs', [{ address: this.address, fromBlock: '0x0', toBlock: 'latest' }]);
    return logs.map((l) =>
      [l.transactionHash, Number(l.logIndex), Number(l.blockNumber), l.blockHash, l.data, ...l.topics]
        .join('|')
        .toLowerCase(),
    );
  }

  /**
   * A varied history: standards, a proposal lifecycle with votes, members, participants, quotas,
   * anchors (some in bulk), supersessions and statements, spread over blocks with empty gaps.
   */
  async history(seed: number, rounds: number, bulk = 20): Promise<void> {
    const sid = keccak256(toHex(`standard-${seed % 3}`));
    const ent = keccak256(toHex(`enterprise-${seed}`));
    for (let i = 0; i < rounds; i++) {
      const k = seed * 1000 + i;
      const proposalId = BigInt(k);
      const member = `0x${(k + 1).toString(16).padStart(40, '0')}` as Address;
      await this.call('publish', [
        sid,
        keccak256(toHex(`pack-${k}`)),
        BigInt(k),
        `1.${k}.0`,
        BigInt(1_700_000_000 + k * 10),
      ]);
      await this.call('propose', [proposalId, 10n, 20n, `proposal ${k}`]);
      await this.call('vote', [proposalId, member, 1, 3n]);
      await this.call('vote', [proposalId, this.account, (i % 3) as 0 | 1 | 2, 2n]);
      if (i % 2 === 0) await this.call('queue', [proposalId, 1_800_000_000n]);
      if (i % 4 === 0) await this.call('execute', [proposalId]);
      if (i % 4 === 1) await this.call('cancel', [proposalId]);
      await this.call('admit', [member]);
      if (i % 3 === 2) await this.call('remove', [member]);
      await this.call('participants', [ent, i + 1, this.account, member, i % 2 === 1]);
      const year = 2026 + (i % 2);
      if (i < 2) await this.call('issueQuota', [ent, year, 1_000_000_000n + BigInt(k)]);
      else await this.call('adjustQuota', [ent, year, 1n, 2_000_000_000n + BigInt(k), i]);
      const root = keccak256(toHex(`root-${k}`));
      await this.call('anchor', [ent, root, BigInt(1_700_000_000 + i), i % 3]);
      await this.call('supersede', [ent, root, keccak256(toHex(`root2-${k}`))]);
      await this.call('statement', [ent, root, i % 4]);
      await this.call('anchorMany', [ent, BigInt(bulk), BigInt(k)]);
      if (i % 5 === 0)
        await this.call('deprecate', [sid, keccak256(toHex(`pack-${k}`)), BigInt(k), `1.${k}.0`]);
      await this.mine(1 + (i % 3));
    }
  }
}

/** Mirror content that must not depend on how the run was cut into batches (or killed). */
export async function mirrorSnapshot(url: string): Promise<Record<string, unknown[]>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, unknown[]> = {};
    const tables = [
      'log',
      'standard_version',
      'standard_deprecation',
      'proposal_event',
      'vote',
      'member_event',
      'delegation',
      'delegate_votes',
      'participant_event',
      'role_event',
      'quota_event',
      'anchor',
      'anchor_supersession',
      'verifier_statement',
    ];
    for (const t of tables) {
      const { rows } = await c.query(`SELECT * FROM chain.${t} ORDER BY block_number, log_index`);
      out[t] = rows;
    }
    out.proposal = (await c.query(`SELECT * FROM chain.proposal ORDER BY proposal_id`)).rows;
    out.quota = (await c.query(`SELECT * FROM chain.quota ORDER BY enterprise_id, year`)).rows;
    out.blocksWithLogs = (
      await c.query(
        `SELECT block_number, block_hash, log_count FROM chain.block WHERE log_count > 0 ORDER BY 1`,
      )
    ).rows;
    return out;
  } finally {
    await c.end();
  }
}

export async function mirroredLogs(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT concat_ws('|', tx_hash, log_index, block_number, block_hash, data, topic0, topic1, topic2, topic3) AS k
       FROM chain.log ORDER BY block_number, log_index`,
    );
    return rows.map((r) => r.k as string);
  } finally {
    await c.end();
  }
}

export async function checkpointOf(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT block_number FROM chain.checkpoint`);
    return rows[0] ? Number(rows[0].block_number) : -1;
  } finally {
    await c.end();
  }
}

export async function waitFor(
  cond: () => Promise<boolean>,
  timeoutMs = 60_000,
  label = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${label}`);
}
