import type pg from 'pg';
import { contractsOf, type Deployment, deploymentBlock, loadDeployment } from './deployment';
import {
  ChainReplacedError,
  DeploymentMismatchError,
  IndexerError,
  InconsistentBatchError,
  isFatal,
} from './errors';
import { Decoder, type EventTable, type Row } from './events';
import { AdaptiveRange, approxLogBytes } from './range';
import {
  type BlockHeader,
  errorMessage,
  type HeadSource,
  type HeadSubscription,
  type Rpc,
  type RpcLog,
} from './rpc';
import { type Batch, type Checkpoint, type Meta, Store } from './store';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface IndexerSettings {
  deployment: string | Deployment;
  finalityDepth: number;
  pollIntervalMs: number;
  onChainReplaced: 'stop' | 'reindex';
  initialBlockRange: number;
  maxBlockRange: number;
  targetLogsPerBatch: number;
}

interface Fetched {
  logs: RpcLog[];
  to: number;
  headers: Map<number, BlockHeader | null>;
  /** Decoded ahead of time by the backfill pipeline. */
  batch?: Batch;
}

export type Phase = 'starting' | 'backfill' | 'following' | 'stopped' | 'failed';

export interface Status {
  chainId: number | null;
  phase: Phase;
  headBlock: number | null;
  checkpointBlock: number | null;
  finalityDepth: number;
  lagBlocks: number | null;
  lagSeconds: number | null;
  eventsTotal: number;
  eventsPerSecond: number;
  reorgsTotal: number;
  errorsTotal: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** 'websocket' while a newHeads subscription is live, else 'polling'. */
  headSource: HeadSource;
}

/**
 * Hardhat/EDR `hardhat_mine` reserves the blocks it mines in one call and reports them with an
 * all-zero parentHash until they are materialised. Such a link cannot be checked from the header;
 * the indexer then checks that its checkpoint is still canonical instead.
 */
const ZERO_HASH = `0x${'0'.repeat(64)}`;
const unknownParent = (h: BlockHeader) => h.parentHash === ZERO_HASH;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Follows one chain into the chain.* mirror. Each step either commits one block range (rows and
 * checkpoint in one transaction), rolls back a reorg to the common ancestor, or waits for new blocks.
 */
export class ChainIndexer {
  readonly store: Store;
  private decoder!: Decoder;
  private addresses: string[] = [];
  private chainId = 0;
  private meta!: Meta;
  private cursor!: Checkpoint;
  private range: AdaptiveRange;
  private head: BlockHeader | null = null;
  private readonly abort = new AbortController();
  private wake: (() => void) | null = null;
  private stats = { events: 0, reorgs: 0, errors: 0, rateWindow: [] as { t: number; n: number }[] };
  private lastError: { message: string; at: Date } | null = null;
  private phase: Phase = 'starting';
  private reprepare = false;
  private prefetched: { from: number; to: number; promise: Promise<Fetched> } | null = null;
  private heads: HeadSubscription | null = null;
  /** A head was pushed since the last step read the head: step again before sleeping. */
  private headPushed = false;
  private statusWrittenAt = 0;

  constructor(
    pool: pg.Pool,
    private readonly rpc: Rpc,
    private readonly settings: IndexerSettings,
    private readonly log: Logger,
  ) {
    this.store = new Store(pool);
    this.range = new AdaptiveRange({
      initial: settings.initialBlockRange,
      max: settings.maxBlockRange,
      targetLogs: settings.targetLogsPerBatch,
      maxResponseBytes: rpc.maxResponseBytes,
    });
  }

  /** Checks the node against the deployment and the mirror; creates meta/checkpoint on first run. */
  async prepare(): Promise<void> {
    const deployment = await loadDeployment(this.settings.deployment);
    const chainId = await this.rpc.chainId();
    const genesis = await this.rpc.header(0);
    if (!genesis) throw new DeploymentMismatchError('node returned no genesis block');
    if (deployment.chainId !== chainId) {
      throw new DeploymentMismatchError(
        `deployment is for chain ${deployment.chainId} but the node at ${this.rpc.url} serves chain ${chainId}`,
      );
    }
    if (deployment.genesisHash && deployment.genesisHash.toLowerCase() !== genesis.hash.toLowerCase()) {
      throw new DeploymentMismatchError(
        `deployment was made on genesis ${deployment.genesisHash} but the node serves genesis ${genesis.hash}`,
      );
    }
    const contracts = contractsOf(deployment);
    this.decoder = new Decoder(contracts);
    this.addresses = this.decoder.addresses;
    this.chainId = chainId;
    const start = deploymentBlock(deployment);
    const deployHeader = await this.rpc.header(start);
    if (!deployHeader) {
      throw new DeploymentMismatchError(
        `deployment block ${start} does not exist on the node (head is lower)`,
      );
    }

    const meta = await this.store.meta();
    if (meta) {
      const problem = await this.replacementProblem(meta, chainId, genesis.hash);
      if (problem) {
        await this.chainReplaced(meta, { chainId, genesisHash: genesis.hash }, problem);
        return this.prepare();
      }
      this.meta = meta;
    } else {
      const below = start > 0 ? await this.rpc.header(start - 1) : null;
      const startHeader = below ?? {
        number: -1,
        hash: '0x0000000000000000000000000000000000000000000000000000000000000000',
        parentHash: '0x',
        timestamp: deployHeader.timestamp,
      };
      this.meta = {
        chainId,
        genesisHash: genesis.hash,
        deploymentBlock: start,
        samples: [{ n: start, h: deployHeader.hash }],
      };
      await this.store.init(this.meta, startHeader, deployHeader);
      this.log.info({ chainId, genesis: genesis.hash, deploymentBlock: start }, 'mirror initialised');
    }
    const cp = await this.store.checkpoint();
    if (!cp) throw new Error('chain.checkpoint missing although chain.meta exists');
    this.cursor = cp;
    const { rows } = await this.store.pool.query(
      `SELECT events_total, reorgs_total FROM chain.indexer_status`,
    );
    this.stats.events = Number(rows[0]?.events_total ?? 0);
    this.stats.reorgs = Number(rows[0]?.reorgs_total ?? 0);
  }

  /** Why the node's chain is not the mirrored one, or undefined when it is the same chain. */
  private async replacementProblem(
    meta: Meta,
    chainId: number,
    genesis: string,
  ): Promise<string | undefined> {
    if (meta.chainId !== chainId) return `chain id ${meta.chainId} → ${chainId}`;
    if (meta.genesisHash.toLowerCase() !== genesis.toLowerCase()) return 'genesis hash differs';
    for (const s of meta.samples) {
      const h = await this.rpc.header(s.n);
      if (!h) return `block ${s.n} is missing (node head is below it)`;
      if (h.hash.toLowerCase() !== s.h.toLowerCase()) return `block ${s.n} hash ${s.h} → ${h.hash}`;
    }
    return undefined;
  }

  private async chainReplaced(
    meta: Meta,
    served: { chainId: number; genesisHash: string },
    detail: string,
  ): Promise<void> {
    const err = new ChainReplacedError(
      { chainId: meta.chainId, genesisHash: meta.genesisHash },
      served,
      detail,
    );
    if (this.settings.onChainReplaced === 'stop') throw err;
    this.log.warn(
      { detail, old: meta.genesisHash, new: served.genesisHash },
      'chain replaced: wiping mirror, re-indexing',
    );
    this.stats.events = 0;
    this.stats.reorgs = 0;
    this.prefetched = null;
    await this.store.wipe({
      oldChainId: meta.chainId,
      oldGenesis: meta.genesisHash,
      chainId: served.chainId,
      genesis: served.genesisHash,
    });
  }

  /** Runs until stop() or a fatal error (rethrown). */
  async run(): Promise<void> {
    let backoff = 250;
    this.heads = this.rpc.watchHeads(
      () => {
        this.headPushed = true;
        this.wake?.();
      },
      (source, err) => {
        if (source === 'websocket')
          this.log.info({ wsUrl: this.rpc.wsUrl }, 'new heads pushed over WebSocket');
        else
          this.log.warn(
            { wsUrl: this.rpc.wsUrl, err: errorMessage(err) },
            'WebSocket unavailable: polling for new heads',
          );
      },
    );
    try {
      while (!this.abort.signal.aborted) {
        try {
          const progressed = await this.step();
          backoff = 250;
          // During backfill the status row is refreshed once a second, not once per batch.
          const caughtUp = this.head !== null && this.cursor.blockNumber >= this.head.number;
          if (!progressed || caughtUp || Date.now() - this.statusWrittenAt >= 1000) await this.writeStatus();
          if (!progressed && !this.headPushed) {
            await new Promise<void>((resolve) => {
              this.wake = resolve;
              void sleep(this.settings.pollIntervalMs, this.abort.signal).then(resolve);
            });
            this.wake = null;
          }
        } catch (err) {
          if (this.abort.signal.aborted) break;
          this.stats.errors++;
          const message = err instanceof Error ? err.message : String(err);
          this.lastError = { message, at: new Date() };
          if (isFatal(err)) {
            this.phase = 'failed';
            this.log.error({ err }, 'indexer stopped on a fatal error');
            await this.writeStatus().catch(() => {});
            throw err;
          }
          this.log.warn({ err: message, retryInMs: backoff }, 'indexer step failed, retrying');
          await this.writeStatus().catch(() => {});
          await sleep(backoff, this.abort.signal);
          backoff = Math.min(backoff * 2, 10_000);
        }
      }
    } finally {
      await this.heads?.stop();
      if (this.phase !== 'failed') this.phase = 'stopped';
      await this.writeStatus().catch(() => {});
    }
  }

  stop(): void {
    this.abort.abort();
    this.wake?.();
  }

  /** One unit of work; returns false when there was nothing to do. */
  async step(): Promise<boolean> {
    if (this.reprepare) {
      // After a wipe (chain replaced, reindex mode) the deploy script may not have rewritten the
      // deployment file yet: a mismatch is then worth waiting for, not fatal.
      try {
        await this.prepare();
      } catch (err) {
        if (err instanceof DeploymentMismatchError) {
          throw new IndexerError(`waiting for a deployment of the new chain: ${err.message}`, false);
        }
        throw err;
      }
      this.reprepare = false;
    }
    this.headPushed = false;
    const head = await this.rpc.header('latest');
    if (!head) throw new InconsistentBatchError('node returned no latest block');
    this.head = head;
    const cp = this.cursor;
    if (cp.blockNumber >= head.number) {
      // Idle (or the chain got shorter): is our tip still canonical?
      const at = await this.rpc.header(Math.min(cp.blockNumber, head.number));
      if (cp.blockNumber > head.number || !at || at.hash !== cp.blockHash) {
        await this.handleReorg();
        return true;
      }
      this.phase = 'following';
      return false;
    }
    const safe = head.number - this.settings.finalityDepth;
    const from = cp.blockNumber + 1;
    let to = Math.min(head.number, cp.blockNumber + this.range.size);
    // Finalized and unfinalized ranges are committed apart: only the latter need every header.
    if (from <= safe && to > safe) to = safe;
    this.phase = head.number - cp.blockNumber > this.settings.maxBlockRange ? 'backfill' : 'following';

    const unfinalized = to > safe;
    const t0 = performance.now();
    const pre = this.prefetched;
    this.prefetched = null;
    let fetched: Fetched;
    if (pre && pre.from === from && pre.to <= to) {
      fetched = await pre.promise.catch(() => this.fetchRange(from, to, unfinalized));
    } else {
      fetched = await this.fetchRange(from, to, unfinalized);
    }
    to = fetched.to;
    const { headers } = fetched;

    const first = headers.get(from);
    if (!first) throw new InconsistentBatchError(`block ${from} vanished`);
    // A deployment at genesis starts from the sentinel checkpoint −1: block 0 has no parent to compare.
    const linked = unknownParent(first)
      ? cp.blockNumber < 0 || (await this.rpc.header(cp.blockNumber))?.hash === cp.blockHash
      : first.parentHash === cp.blockHash;
    if (!linked) {
      this.log.debug({ from, parent: first.parentHash, checkpoint: cp }, 'parent mismatch');
      await this.handleReorg();
      return true;
    }
    if (unfinalized) {
      for (let n = from + 1; n <= to; n++) {
        const h = headers.get(n);
        if (!h || (!unknownParent(h) && h.parentHash !== headers.get(n - 1)?.hash)) {
          throw new InconsistentBatchError(`blocks ${n - 1}..${n} do not link (reorg during fetch)`);
        }
      }
    }
    const last = headers.get(to);
    if (!last) throw new InconsistentBatchError(`block ${to} vanished`);

    const t1 = performance.now();
    const batch = fetched.batch ?? this.buildBatch(from, to, last, fetched.logs, headers, unfinalized, safe);
    const t2 = performance.now();
    // Backfill pipeline: fetch and decode the next finalized range while this one commits (the
    // commit mostly waits on Postgres). Linkage to the checkpoint is still checked when it is used.
    if (!unfinalized && to < safe) {
      const nextFrom = to + 1;
      const nextTo = Math.min(safe, to + this.range.size);
      const promise = this.fetchRange(nextFrom, nextTo, false).then((f) => {
        const end = f.headers.get(f.to);
        if (!end) throw new InconsistentBatchError(`block ${f.to} vanished`);
        return { ...f, batch: this.buildBatch(nextFrom, f.to, end, f.logs, f.headers, false, safe) };
      });
      promise.catch(() => {});
      this.prefetched = { from: nextFrom, to: nextTo, promise };
    }
    await this.store.commit(batch);
    this.cursor = { blockNumber: last.number, blockHash: last.hash, blockTimestamp: last.timestamp };
    this.stats.events += batch.logs.length;
    this.stats.rateWindow.push({ t: Date.now(), n: batch.logs.length });
    const ms = (a: number, b: number) => Math.round(b - a);
    this.log.debug(
      {
        from,
        to,
        logs: batch.logs.length,
        head: head.number,
        fetchMs: ms(t0, t1),
        decodeMs: ms(t1, t2),
        commitMs: ms(t2, performance.now()),
      },
      'batch committed',
    );
    return true;
  }

  private async fetchRange(from: number, to: number, unfinalized: boolean): Promise<Fetched> {
    const logs = await this.fetchLogs(from, to);
    const wanted = new Set<number>([from, logs.to]);
    for (const l of logs.logs) wanted.add(Number(l.blockNumber));
    if (unfinalized) for (let n = from; n <= logs.to; n++) wanted.add(n);
    const headers = await this.rpc.headers([...wanted]);
    return { logs: logs.logs, to: logs.to, headers };
  }

  private async fetchLogs(from: number, to: number): Promise<{ logs: RpcLog[]; to: number }> {
    let end = to;
    for (;;) {
      const span = end - from + 1;
      const started = Date.now();
      try {
        const logs = await this.rpc.getLogs(this.addresses, from, end);
        this.range.onSuccess(span, logs.length, approxLogBytes(logs));
        this.log.debug({ from, to: end, logs: logs.length, ms: Date.now() - started }, 'eth_getLogs');
        return { logs, to: end };
      } catch (err) {
        if (!this.range.onError(span, err)) throw err;
        this.log.debug({ from, to: end, err: String(err) }, 'eth_getLogs failed, shrinking range');
        end = from + this.range.size - 1;
      }
    }
  }

  private buildBatch(
    from: number,
    to: number,
    last: BlockHeader,
    logs: RpcLog[],
    headers: Map<number, BlockHeader | null>,
    unfinalized: boolean,
    safe: number,
  ): Batch {
    const typed = new Map<EventTable, Row[]>();
    const rawRows: Row[] = [];
    const logCount = new Map<number, number>();
    const batch: Batch = {
      chainId: this.chainId,
      fromBlock: from,
      toBlock: to,
      checkpoint: last,
      blocks: [],
      logs: rawRows,
      typed,
      proposals: new Set(),
      quotas: new Map(),
      notifications: new Map(),
      pruneBelow: safe,
      keepBlock: this.meta.deploymentBlock,
    };
    for (const l of logs) {
      if (l.removed) continue;
      const n = Number(l.blockNumber);
      const header = headers.get(n);
      if (!header || header.hash !== l.blockHash) {
        throw new InconsistentBatchError(
          `log ${l.transactionHash}:${l.logIndex} is from a block no longer canonical`,
        );
      }
      logCount.set(n, (logCount.get(n) ?? 0) + 1);
      const d = this.decoder.decode(this.chainId, l, header);
      rawRows.push(d.log);
      const t = d.typed;
      if (!t) continue;
      const rows = typed.get(t.table) ?? [];
      if (!rows.length) typed.set(t.table, rows);
      rows.push(t.row);
      if (t.proposal) batch.proposals.add(t.proposal);
      if (t.quota) batch.quotas.set(`${t.quota.enterpriseId}/${t.quota.year}`, t.quota);
      if (t.notify) {
        const ids = batch.notifications.get(t.notify.kind) ?? [];
        if (!ids.length) batch.notifications.set(t.notify.kind, ids);
        ids.push({ ...t.notify.id, block: n });
      }
    }
    for (const [n, h] of headers) {
      if (!h) continue;
      if (n < from || n > to) continue;
      const count = logCount.get(n) ?? 0;
      // Keep every header of the unfinalized window (reorg detection); below it only blocks with logs
      // and the checkpoint block.
      if (unfinalized || count > 0 || n === to) batch.blocks.push({ ...h, logCount: count });
    }
    if (!unfinalized) batch.sample = { n: last.number, h: last.hash };
    return batch;
  }

  /** Finds the newest stored block that is still canonical and rolls the mirror back to it. */
  private async handleReorg(): Promise<void> {
    this.prefetched = null;
    const old = this.cursor.blockNumber;
    let below = old;
    let ancestor: BlockHeader | null = null;
    while (!ancestor) {
      const stored = await this.store.storedBlocks(below, 100);
      if (!stored.length) break;
      const canonical = await this.rpc.headers(stored.map((s) => s.n));
      for (const s of stored) {
        const c = canonical.get(s.n);
        if (c && c.hash === s.h) {
          ancestor = c;
          break;
        }
      }
      below = (stored[stored.length - 1]?.n ?? 0) - 1;
      if (below < this.meta.deploymentBlock - 1) break;
    }
    if (!ancestor || ancestor.number < this.meta.deploymentBlock) {
      // Not even the deployment block survived: this is another chain, not a reorg.
      const chainId = await this.rpc.chainId();
      const genesis = await this.rpc.header(0);
      await this.chainReplaced(
        this.meta,
        { chainId, genesisHash: genesis?.hash ?? 'unknown' },
        `no common ancestor with the mirror at or above deployment block ${this.meta.deploymentBlock}`,
      );
      this.reprepare = true;
      return;
    }
    const depth = old - ancestor.number;
    if (depth === 0) {
      // Our tip is canonical yet the next block does not link to it: the node is serving an
      // inconsistent view (mid-reorg, or a dev node quirk). Retry with backoff, do not loop hot.
      throw new InconsistentBatchError(`block ${old + 1} does not link to canonical block ${old}`);
    }
    const r = await this.store.rollback(this.chainId, ancestor, old);
    this.cursor = {
      blockNumber: ancestor.number,
      blockHash: ancestor.hash,
      blockTimestamp: ancestor.timestamp,
    };
    this.stats.reorgs++;
    const level = depth > this.settings.finalityDepth ? 'warn' : 'info';
    this.log[level](
      {
        commonAncestor: ancestor.number,
        depth,
        removedLogs: r.removedLogs,
        finalityDepth: this.settings.finalityDepth,
      },
      depth > this.settings.finalityDepth
        ? 'reorg deeper than finalityDepth rolled back'
        : 'reorg rolled back',
    );
  }

  status(): Status {
    const head = this.head;
    const cp = this.cursor as Checkpoint | undefined;
    const lagBlocks = head && cp ? Math.max(0, head.number - cp.blockNumber) : null;
    const lagSeconds =
      head && cp && lagBlocks !== null
        ? lagBlocks === 0
          ? 0
          : Math.max(0, head.timestamp - (cp.blockTimestamp ?? head.timestamp))
        : null;
    const now = Date.now();
    this.stats.rateWindow = this.stats.rateWindow.filter((w) => now - w.t <= 10_000);
    const inWindow = this.stats.rateWindow.reduce((a, w) => a + w.n, 0);
    const oldest = this.stats.rateWindow[0]?.t ?? now;
    const seconds = Math.max(1, (now - oldest) / 1000);
    return {
      chainId: this.chainId || null,
      phase: this.phase,
      headBlock: head?.number ?? null,
      checkpointBlock: cp?.blockNumber ?? null,
      finalityDepth: this.settings.finalityDepth,
      lagBlocks,
      lagSeconds,
      eventsTotal: this.stats.events,
      eventsPerSecond: Math.round((inWindow / seconds) * 10) / 10,
      reorgsTotal: this.stats.reorgs,
      errorsTotal: this.stats.errors,
      lastError: this.lastError?.message ?? null,
      lastErrorAt: this.lastError?.at ?? null,
      headSource: this.heads?.source ?? 'polling',
    };
  }

  private async writeStatus(): Promise<void> {
    const s = this.status();
    this.statusWrittenAt = Date.now();
    await this.store.writeStatus({ ...s, headTimestamp: this.head?.timestamp ?? null });
  }
}
