import { createPublicClient, http, type PublicClient, webSocket } from 'viem';

/** A log as the node returns it (hex quantities); decoding happens in events.ts. */
export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logIndex: string;
  removed?: boolean;
}

export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
}

interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
}

const toHex = (n: number) => `0x${n.toString(16)}` as const;

/**
 * Thin JSON-RPC access. Raw requests (no viem formatting) keep the backfill cheap; viem supplies the
 * transports: HTTP with JSON-RPC batching (header fetches go out as one request), or WebSocket.
 */
export class Rpc {
  readonly client: PublicClient;

  constructor(readonly url: string) {
    const transport = /^wss?:/i.test(url)
      ? webSocket(url, { retryCount: 0, timeout: 60_000 })
      : http(url, { batch: { batchSize: 200, wait: 0 }, retryCount: 0, timeout: 60_000 });
    this.client = createPublicClient({ transport });
  }

  async chainId(): Promise<number> {
    return Number(await this.client.request({ method: 'eth_chainId' }));
  }

  async header(n: number | 'latest'): Promise<BlockHeader | null> {
    const b = (await this.client.request({
      method: 'eth_getBlockByNumber',
      params: [n === 'latest' ? 'latest' : toHex(n), false],
    })) as RpcBlock | null;
    if (!b) return null;
    return {
      number: Number(b.number),
      hash: b.hash,
      parentHash: b.parentHash,
      timestamp: Number(b.timestamp),
    };
  }

  /** Headers of `numbers`, fetched concurrently (one batched HTTP request per 200). */
  async headers(numbers: number[]): Promise<Map<number, BlockHeader | null>> {
    const out = new Map<number, BlockHeader | null>();
    const list = [...new Set(numbers)];
    const chunk = 500;
    for (let i = 0; i < list.length; i += chunk) {
      const part = list.slice(i, i + chunk);
      const hs = await Promise.all(part.map((n) => this.header(n)));
      for (const [j, n] of part.entries()) out.set(n, hs[j] ?? null);
    }
    return out;
  }

  async getLogs(addresses: string[], from: number, to: number): Promise<RpcLog[]> {
    return (await this.client.request({
      method: 'eth_getLogs',
      params: [{ address: addresses as `0x${string}`[], fromBlock: toHex(from), toBlock: toHex(to) }],
    })) as unknown as RpcLog[];
  }

  /** Calls `onBlock` on every new head when the transport pushes them (WebSocket); else a no-op. */
  watchHeads(onBlock: () => void): () => void {
    if (!/^wss?:/i.test(this.url)) return () => {};
    // viem subscribes (eth_subscribe newHeads) on WebSocket transports when polling is not forced.
    return this.client.watchBlockNumber({ onBlockNumber: onBlock, emitOnBegin: false });
  }

  async close(): Promise<void> {
    const t = this.client.transport as { getRpcClient?: () => Promise<{ close(): void }> };
    if (t.getRpcClient) (await t.getRpcClient()).close();
  }
}
