import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Proposal, StandardVersion } from './governance.entity';
import { GovernanceService } from './governance.service';

/** Channel the indexer NOTIFYs inside each committed batch (indexer/README.md). */
export const CHAIN_CHANNEL = 'opencep_chain';

interface ChainNotice {
  kind: string;
  fromBlock?: number;
  toBlock?: number;
}

type Feed = 'proposal' | 'standardVersion';
interface Sink {
  feed: Feed;
  push(value: Proposal | StandardVersion): void;
}

/**
 * Bridge from the indexer's `opencep_chain` NOTIFYs to GraphQL subscriptions. The core EventBus
 * listens only on `opencep_events` (topic/tenant envelopes), so this module keeps its own LISTEN
 * connection per DataSource, opened on the first subscriber and closed with the last one. Each
 * notice is turned into current rows of the mirror (proposals / versions touched in its block range).
 */
class ChainListener {
  private client: pg.Client | null = null;
  private starting: Promise<void> | null = null;
  private readonly sinks = new Set<Sink>();

  constructor(private readonly ds: DataSource) {}

  private url(): string {
    const url = (this.ds.options as { url?: string }).url;
    if (!url) throw new Error('governance listener: DataSource has no url');
    return url;
  }

  private async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url(),
      application_name: 'opencep-api-chain-listen',
    });
    client.on('notification', (msg) => {
      if (msg.channel === CHAIN_CHANNEL && msg.payload) void this.dispatch(msg.payload);
    });
    client.on('error', () => {
      this.client = null;
      this.starting = null;
      if (this.sinks.size > 0) setTimeout(() => void this.ensure().catch(() => undefined), 1_000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHAIN_CHANNEL}`);
    this.client = client;
  }

  ensure(): Promise<void> {
    this.starting ??= this.start();
    return this.starting;
  }

  private async dispatch(raw: string): Promise<void> {
    try {
      const n = JSON.parse(raw) as ChainNotice;
      if (n.fromBlock == null || n.toBlock == null) return;
      const wantsProposals =
        n.kind === 'proposal_state_changed' || n.kind === 'vote_cast' || n.kind === 'reorg';
      const wantsVersions = n.kind === 'standard_version_published';
      const proposals =
        wantsProposals && this.has('proposal')
          ? await GovernanceService.proposalsInBlocks(this.ds, n.fromBlock, n.toBlock)
          : [];
      const versions =
        wantsVersions && this.has('standardVersion')
          ? await GovernanceService.versionsInBlocks(this.ds, n.fromBlock, n.toBlock)
          : [];
      for (const s of this.sinks) {
        for (const v of s.feed === 'proposal' ? proposals : versions) s.push(v);
      }
    } catch {
      // A malformed notice or a failed read must not end the subscriptions.
    }
  }

  private has(feed: Feed): boolean {
    for (const s of this.sinks) if (s.feed === feed) return true;
    return false;
  }

  subscribe<T extends Proposal | StandardVersion>(feed: Feed): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let wake: ((r: IteratorResult<T>) => void) | null = null;
    let done = false;
    const sink: Sink = {
      feed,
      push: (value) => {
        if (wake) {
          const w = wake;
          wake = null;
          w({ value: value as T, done: false });
        } else queue.push(value as T);
      },
    };
    this.sinks.add(sink);
    const ready = this.ensure();
    const finish = async (): Promise<IteratorResult<T>> => {
      done = true;
      this.sinks.delete(sink);
      if (wake) wake({ value: undefined, done: true });
      wake = null;
      if (this.sinks.size === 0 && this.client) {
        const c = this.client;
        this.client = null;
        this.starting = null;
        await c.end().catch(() => undefined);
      }
      return { value: undefined, done: true };
    };
    return {
      next: async () => {
        await ready;
        if (queue.length) return { value: queue.shift() as T, done: false };
        if (done) return { value: undefined, done: true };
        return new Promise((resolve) => {
          wake = resolve;
        });
      },
      return: finish,
      throw: finish,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

const listeners = new WeakMap<DataSource, ChainListener>();

export function chainFeed<T extends Proposal | StandardVersion>(
  ds: DataSource,
  feed: Feed,
): AsyncIterableIterator<T> {
  let l = listeners.get(ds);
  if (!l) {
    l = new ChainListener(ds);
    listeners.set(ds, l);
  }
  return l.subscribe<T>(feed);
}
