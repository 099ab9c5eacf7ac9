import type { DataSource } from 'typeorm';
import { CHAIN_NOTICE_TOPIC, type EventBus } from '../../core/events';
import type { Proposal, StandardVersion } from './governance.entity';
import { GovernanceService } from './governance.service';

interface ChainNotice {
  kind: string;
  fromBlock?: number;
  toBlock?: number;
}

type Feed = 'proposal' | 'standardVersion';

const KINDS: Record<Feed, readonly string[]> = {
  proposal: ['proposal_state_changed', 'vote_cast', 'reorg'],
  standardVersion: ['standard_version_published'],
};

/**
 * Turns the indexer's notices (delivered by the core EventBus under `chain.notice`) into the
 * current mirror rows they touched: proposals or standard versions in the notice's block range.
 * Written as an explicit iterator so that an unsubscribe ends the bus subscription at once, even
 * while waiting for the next notice.
 */
export function chainFeed<T extends Proposal | StandardVersion>(
  events: EventBus,
  ds: DataSource,
  feed: Feed,
): AsyncIterableIterator<T> {
  const notices = events.subscribe<ChainNotice>(CHAIN_NOTICE_TOPIC, (e) => {
    const n = e.payload as ChainNotice;
    return KINDS[feed].includes(n.kind) && n.fromBlock != null && n.toBlock != null;
  });
  const ready: T[] = [];
  const rowsOf = async (n: ChainNotice): Promise<T[]> => {
    const from = n.fromBlock as number;
    const to = n.toBlock as number;
    try {
      const rows =
        feed === 'proposal'
          ? await GovernanceService.proposalsInBlocks(ds, from, to)
          : await GovernanceService.versionsInBlocks(ds, from, to);
      return rows as T[];
    } catch {
      return []; // a failed read must not end the subscription
    }
  };
  return {
    async next(): Promise<IteratorResult<T>> {
      while (!ready.length) {
        const n = await notices.next();
        if (n.done) return { value: undefined, done: true };
        ready.push(...(await rowsOf(n.value)));
      }
      return { value: ready.shift() as T, done: false };
    },
    return: async () => {
      await notices.return?.();
      return { value: undefined, done: true };
    },
    throw: async () => {
      await notices.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
