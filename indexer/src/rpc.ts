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

/** Largest JSON-RPC response accepted (eth_getLogs ranges are sized to stay under half of it). */
export const MAX_RESPONSE_BYTES = 10_485_760;

/** How the indexer learns of new blocks: pushed over a live WebSocket subscription, or by polling. */
export type HeadSource = 'websocket' | 'polling';

const isWs = (url: string) => /^wss?:/i.test(url);

/**
 * Thin JSON-RPC access. Raw requests (no viem formatting) keep the backfill cheap; viem supplies the
 * transports: HTTP with JSON-RPC batching (header fetches go out as one request), or WebSocket.
 */
export class Rpc {
  readonly client: PublicClient;

  /** Where new-head subscriptions go: `wsUrl`, or `url` itself when that is a WebSocket URL. */
  readonly wsUrl: string | undefined;
  readonly maxResponseBytes = MAX_RESPONSE_BYTES;

  constructor(
    readonly url: string,
    opts: { wsUrl?: string } = {},
  ) {
    const transport = isWs(url)
      ? webSocket(url, { retryCount: 0, timeout: 60_000 })
      : http(url, {
          batch: { batchSize: 200, wait: 0 },
          retryCount: 0,
          timeout: 60_000,
          maxResponseBodySize: MAX_RESPONSE_BYTES,
        });
    this.client = createPublicClient({ transport });
    this.wsUrl = opts.wsUrl ?? (isWs(url) ? url : undefined);
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

  /**
   * Calls `onHead` on every new head pushed over WebSocket (eth_subscribe newHeads) when a WebSocket
   * URL is configured; null otherwise (the caller polls).
   */
  watchHeads(
    onHead: () => void,
    onSource: (source: HeadSource, err?: unknown) => void,
  ): HeadSubscription | null {
    if (!this.wsUrl) return null;
    const sub = new HeadSubscription(this.wsUrl, onHead, onSource);
    sub.start();
    return sub;
  }

  async close(): Promise<void> {
    const t = this.client.transport as { getRpcClient?: () => Promise<{ close(): void }> };
    if (t.getRpcClient) (await t.getRpcClient()).close();
  }
}

/**
 * A newHeads subscription that survives the socket: while it is down (refused, closed, failing)
 * the source is 'polling' — the indexer keeps polling over HTTP at its interval, as it always
 * does — and the subscription is re-established with backoff (0.5 s doubling to 30 s).
 */
export class HeadSubscription {
  source: HeadSource = 'polling';
  private stopped = false;
  private client: PublicClient | null = null;
  private unsubscribe: (() => Promise<unknown>) | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = 500;
  private attempt = 0;
  private failureReported = false;

  constructor(
    readonly wsUrl: string,
    private readonly onHead: () => void,
    private readonly onSource: (source: HeadSource, err?: unknown) => void,
  ) {}

  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const attempt = ++this.attempt;
    // reconnect: false — this class owns reconnection (viem's gives up after 5 tries and keeps a
    // dead socket cached).
    const transport = webSocket(this.wsUrl, { retryCount: 0, timeout: 10_000, reconnect: false });
    const client = createPublicClient({ transport });
    this.client = client;
    try {
      const { unsubscribe } = await client.transport.subscribe({
        params: ['newHeads'],
        onData: () => {
          if (attempt === this.attempt) this.onHead();
        },
        onError: (err: unknown) => this.fail(attempt, err),
      });
      if (this.stopped || attempt !== this.attempt) {
        await unsubscribe().catch(() => {});
        return;
      }
      this.unsubscribe = unsubscribe;
      this.retryMs = 500;
      this.failureReported = false;
      this.setSource('websocket');
      // Blocks may have been mined while the socket was down.
      this.onHead();
    } catch (err) {
      this.fail(attempt, err);
    }
  }

  private fail(attempt: number, err: unknown): void {
    if (this.stopped || attempt !== this.attempt) return;
    this.attempt++; // ignore anything the dead socket still reports
    this.unsubscribe = null;
    void this.closeClient();
    this.setSource('polling', err);
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
  }

  /** Reports changes of source, and the first failure while never connected (not every retry). */
  private setSource(source: HeadSource, err?: unknown): void {
    const changed = source !== this.source;
    this.source = source;
    if (changed || (err && !this.failureReported)) this.onSource(source, err);
    if (err) this.failureReported = true;
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    const t = client.transport as { getRpcClient?: () => Promise<{ close(): void }> };
    // Closing also drops viem's cached socket client, so the next attempt opens a fresh socket.
    await t
      .getRpcClient?.()
      .then((c) => c.close())
      .catch(() => {});
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.unsubscribe?.().catch(() => {});
    await this.closeClient();
  }
}

/** Message of an Error or of a WebSocket error event. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'message' in err) return String(err.message);
  return String(err);
}
