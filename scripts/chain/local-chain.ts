import { EventEmitter } from 'node:events';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  fsyncSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { defaultHardhatNetworkParams } from 'hardhat/internal/core/config/default-config';
import { createHardhatNetworkProvider } from 'hardhat/internal/hardhat-network/provider/provider';
import { JsonRpcServer } from 'hardhat/internal/hardhat-network/jsonrpc/server';
import type { EIP1193Provider, RequestArguments } from 'hardhat/types';
import { bytesToHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';

/** The well-known Hardhat development mnemonic: these keys are public, for local chains only. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
export const LOCAL_CHAIN_ID = 31337;

/**
 * Methods that change chain state. Each successful call is appended to the journal so that a
 * restarted node, which the Hardhat network always starts empty, can be rebuilt block for block.
 */
const STATE_METHODS = new Set([
  'eth_sendRawTransaction',
  'eth_sendTransaction',
  'evm_mine',
  'hardhat_mine',
  'evm_increaseTime',
  'evm_setNextBlockTimestamp',
  'evm_snapshot',
  'evm_revert',
  'evm_setAutomine',
  'hardhat_setBalance',
  'hardhat_setCode',
  'hardhat_setStorageAt',
  'hardhat_setNonce',
]);

interface JournalEntry {
  method: string;
  params: unknown[];
  /** Number and timestamp of the latest block after the call. */
  block: number;
  timestamp: number;
  hash: string;
}

interface Genesis {
  chainId: number;
  initialDate: string;
  hardfork: string;
}

function hexToNumber(h: unknown): number {
  return Number.parseInt(String(h), 16);
}

/** Wraps the EDR provider: journals state-changing calls and forwards subscription events. */
class JournalingProvider extends EventEmitter implements EIP1193Provider {
  replaying = false;
  constructor(
    private readonly inner: EIP1193Provider & EventEmitter,
    private readonly journalPath: string,
  ) {
    super();
    inner.on('message', (m: unknown) => this.emit('message', m));
    inner.on('notification', (m: unknown) => this.emit('notification', m));
  }

  async request(args: RequestArguments): Promise<unknown> {
    const result = await this.inner.request(args);
    if (!this.replaying && STATE_METHODS.has(args.method)) {
      const latest = (await this.inner.request({
        method: 'eth_getBlockByNumber',
        params: ['latest', false],
      })) as {
        number: string;
        timestamp: string;
        hash: string;
      };
      const entry: JournalEntry = {
        method: args.method,
        params: (args.params as unknown[]) ?? [],
        block: hexToNumber(latest.number),
        timestamp: hexToNumber(latest.timestamp),
        hash: latest.hash,
      };
      // fsync per entry: an acknowledged transaction must survive a crash of the platform.
      const fd = openSync(this.journalPath, 'a');
      try {
        appendFileSync(fd, `${JSON.stringify(entry)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return result;
  }
}

export interface LocalChain {
  url: string;
  wsUrl: string;
  chainId: number;
  /** Journal entries replayed at start. */
  replayed: number;
  /** True when the replayed chain's head hash equals the recorded one (same history). */
  consistent: boolean;
  provider: EIP1193Provider;
  stop(): Promise<void>;
}

/**
 * Starts an in-process Hardhat (EDR) JSON-RPC node on `port` whose state survives restarts:
 * genesis parameters are fixed in `<dataDir>/genesis.json`, and every state-changing call is
 * journaled to `<dataDir>/journal.jsonl` and replayed into the fresh node at the next start with
 * the recorded block timestamps, which reproduces identical block hashes.
 */
export async function startLocalChain(opts: {
  dataDir: string;
  port: number;
  host?: string;
}): Promise<LocalChain> {
  mkdirSync(opts.dataDir, { recursive: true });
  const genesisPath = join(opts.dataDir, 'genesis.json');
  const journalPath = join(opts.dataDir, 'journal.jsonl');
  let genesis: Genesis;
  if (existsSync(genesisPath)) {
    genesis = JSON.parse(readFileSync(genesisPath, 'utf8')) as Genesis;
  } else {
    const start = new Date();
    start.setUTCMilliseconds(0);
    genesis = { chainId: LOCAL_CHAIN_ID, initialDate: start.toISOString(), hardfork: 'prague' };
    writeFileSync(genesisPath, JSON.stringify(genesis, null, 2));
  }
  const genesisAccounts = Array.from({ length: 20 }, (_, i) => {
    const key = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }).getHdKey().privateKey;
    if (!key) throw new Error('could not derive dev key');
    return { privateKey: bytesToHex(key), balance: 10_000n * 10n ** 18n };
  });
  const inner = (await createHardhatNetworkProvider(
    {
      hardfork: genesis.hardfork,
      chainId: genesis.chainId,
      networkId: genesis.chainId,
      blockGasLimit: 60_000_000,
      minGasPrice: 0n,
      automine: true,
      intervalMining: 0,
      mempoolOrder: 'priority',
      chains: defaultHardhatNetworkParams.chains,
      genesisAccounts,
      allowUnlimitedContractSize: false,
      throwOnTransactionFailures: true,
      throwOnCallFailures: true,
      allowBlocksWithSameTimestamp: false,
      initialDate: new Date(genesis.initialDate),
      enableTransientStorage: false,
      enableRip7212: false,
    },
    { enabled: false },
  )) as EIP1193Provider & EventEmitter;
  const provider = new JournalingProvider(inner, journalPath);

  let replayed = 0;
  let consistent = true;
  if (existsSync(journalPath)) {
    const lines = readFileSync(journalPath, 'utf8').split('\n').filter(Boolean);
    provider.replaying = true;
    let lastHash = '';
    for (const line of lines) {
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        break; // a torn final line from a crash mid-write: the call was never acknowledged
      }
      const head = hexToNumber(await inner.request({ method: 'eth_blockNumber' }));
      if (
        entry.block > head &&
        entry.method !== 'evm_setNextBlockTimestamp' &&
        entry.method !== 'evm_increaseTime'
      ) {
        await inner.request({
          method: 'evm_setNextBlockTimestamp',
          params: [entry.timestamp - (entry.block - head - 1)],
        });
      }
      if (entry.method === 'evm_setNextBlockTimestamp' || entry.method === 'evm_increaseTime') {
        // Superseded by the explicit timestamp set before the block they affected.
        replayed++;
        continue;
      }
      await inner.request({ method: entry.method, params: entry.params });
      lastHash = entry.hash;
      replayed++;
    }
    provider.replaying = false;
    if (lastHash) {
      const latest = (await inner.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as {
        hash: string;
      };
      consistent = latest.hash === lastHash;
    }
  }

  const server = new JsonRpcServer({ hostname: opts.host ?? '127.0.0.1', port: opts.port, provider });
  const { address, port } = await server.listen();
  return {
    url: `http://${address}:${port}`,
    wsUrl: `ws://${address}:${port}`,
    chainId: genesis.chainId,
    replayed,
    consistent,
    provider,
    async stop() {
      await server.close();
    },
  };
}
