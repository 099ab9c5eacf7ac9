import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { PubSub } from 'type-graphql';
import type { RequestContext } from './context';
import { ForbiddenError, UnauthenticatedError } from './errors';
import type { Permission } from './permissions';

/** Postgres channel every API process LISTENs on. Other processes (indexer) may NOTIFY it directly. */
export const EVENTS_CHANNEL = 'opencep_events';
/** pg_notify payloads are limited to 8000 bytes; bigger events travel through `event_payloads`. */
const MAX_INLINE_BYTES = 7_500;

/** Wire format on the channel: `{ topic, enterpriseId, payload }` or `{ topic, enterpriseId, ref }`. */
export interface BusEvent<T = unknown> {
  topic: string;
  /** Tenant the event belongs to; null for platform-wide events (e.g. a new standard version). */
  enterpriseId: string | null;
  payload: T;
}

type Queryable = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

/**
 * Publishes an event to every API process. Pass the transaction's EntityManager so the event is
 * delivered only if the transaction commits (NOTIFY is transactional).
 */
export async function publish(
  db: Queryable,
  topic: string,
  payload: unknown,
  enterpriseId: string | null,
): Promise<void> {
  const body = JSON.stringify({ topic, enterpriseId, payload });
  if (Buffer.byteLength(body, 'utf8') <= MAX_INLINE_BYTES) {
    await db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, body]);
    return;
  }
  const id = randomUUID();
  await db.query('INSERT INTO event_payloads (id, topic, enterprise_id, body) VALUES ($1, $2, $3, $4)', [
    id,
    topic,
    enterpriseId,
    JSON.stringify(payload),
  ]);
  await db.query('SELECT pg_notify($1, $2)', [
    EVENTS_CHANNEL,
    JSON.stringify({ topic, enterpriseId, ref: id }),
  ]);
}

/** In-process observer of every bus event and of the LISTEN connection's state (e.g. SessionCache). */
export interface BusWatcher {
  event(e: BusEvent): void;
  /** true once LISTEN is established; false as soon as the connection is lost. */
  connection(up: boolean): void;
}

interface Subscriber {
  topic: string;
  accept: (e: BusEvent) => boolean;
  push: (e: BusEvent) => void;
}

/** Channel the indexer NOTIFYs inside each committed batch (indexer/README.md). */
export const CHAIN_CHANNEL = 'opencep_chain';
/** Bus topic under which every indexer notice (`{ kind, fromBlock, toBlock, … }`) is fanned out. */
export const CHAIN_NOTICE_TOPIC = 'chain.notice';

/**
 * Per-process fan-out: one LISTEN connection, many local GraphQL subscribers. It listens on the
 * API's own channel and on the indexer's, whose notices become platform-wide `chain.notice` events.
 */
export class EventBus {
  private client: pg.Client | null = null;
  private readonly subscribers = new Set<Subscriber>();
  private readonly watchers = new Set<BusWatcher>();
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly ds: DataSource,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: 'opencep-api-listen',
    });
    client.on('notification', (msg) => {
      if (!msg.payload) return;
      if (msg.channel === EVENTS_CHANNEL) void this.dispatch(msg.payload);
      else if (msg.channel === CHAIN_CHANNEL) this.dispatchChain(msg.payload);
    });
    let lost = false;
    let established = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      // Events may be missed from now on: watchers (the session cache) must stop trusting their state.
      for (const w of this.watchers) w.connection(false);
      if (this.client === client) this.client = null;
      // A connection that never came up is reported by start()'s rejection instead.
      if (this.stopped || !established) return;
      this.log.error({ err }, 'event bus connection lost; reconnecting');
      setTimeout(() => void this.start().catch((e) => onRetryFailed(e)), 1_000).unref();
    };
    const onRetryFailed = (err: unknown) => {
      this.log.error({ err }, 'event bus reconnect failed; retrying');
      if (!this.stopped) setTimeout(() => void this.start().catch(onRetryFailed), 1_000).unref();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      await client.query(`LISTEN ${CHAIN_CHANNEL}`);
    } catch (err) {
      lost = true;
      await client.end().catch(() => undefined);
      throw err;
    }
    established = true;
    this.client = client;
    for (const w of this.watchers) w.connection(true);
  }

  /** Registers an in-process watcher; it is told the current connection state at once. */
  watch(watcher: BusWatcher): () => void {
    this.watchers.add(watcher);
    watcher.connection(this.client !== null);
    return () => this.watchers.delete(watcher);
  }

  /** True while the LISTEN connection is up (events from other processes arrive). */
  get listening(): boolean {
    return this.client !== null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.subscribers) this.subscribers.delete(s);
    for (const w of this.watchers) w.connection(false);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Same as the module-level `publish`, on this bus's DataSource unless a transaction is given. */
  publish(topic: string, payload: unknown, enterpriseId: string | null, em?: EntityManager): Promise<void> {
    return publish(em ?? this.ds, topic, payload, enterpriseId);
  }

  private dispatchChain(raw: string): void {
    try {
      const event: BusEvent = { topic: CHAIN_NOTICE_TOPIC, enterpriseId: null, payload: JSON.parse(raw) };
      for (const s of this.subscribers) if (s.topic === event.topic && s.accept(event)) s.push(event);
    } catch (err) {
      this.log.error({ err }, 'bad chain notice');
    }
  }

  private async dispatch(raw: string): Promise<void> {
    try {
      const msg = JSON.parse(raw) as BusEvent & { ref?: string };
      let payload = msg.payload;
      if (msg.ref) {
        const rows = (await this.ds.query('SELECT body FROM event_payloads WHERE id = $1', [msg.ref])) as {
          body: unknown;
        }[];
        payload = rows[0]?.body;
      }
      const event: BusEvent = { topic: msg.topic, enterpriseId: msg.enterpriseId ?? null, payload };
      for (const w of this.watchers) w.event(event);
      for (const s of this.subscribers) if (s.topic === event.topic && s.accept(event)) s.push(event);
    } catch (err) {
      this.log.error({ err }, 'bad event on bus');
    }
  }

  /** Async iterator of payloads on `topic` accepted by `accept`; ends when the client unsubscribes. */
  subscribe<T = unknown>(topic: string, accept: (e: BusEvent) => boolean): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let wake: ((r: IteratorResult<T>) => void) | null = null;
    let done = false;
    const sub: Subscriber = {
      topic,
      accept,
      push: (e) => {
        if (wake) {
          const w = wake;
          wake = null;
          w({ value: e.payload as T, done: false });
        } else queue.push(e.payload as T);
      },
    };
    this.subscribers.add(sub);
    const finish = (): Promise<IteratorResult<T>> => {
      done = true;
      this.subscribers.delete(sub);
      if (wake) wake({ value: undefined, done: true });
      wake = null;
      return Promise.resolve({ value: undefined, done: true });
    };
    return {
      next: () => {
        if (queue.length) return Promise.resolve({ value: queue.shift() as T, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
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

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}

/**
 * `subscribe` function for `@Subscription`: checks the permission, then yields only events of tenants
 * on which the identity holds it (platform-wide events with enterpriseId null go to every holder).
 *
 *   @Can('org:read')
 *   @Subscription(() => OrgChange, { subscribe: tenantTopic('org.changed', 'org:read') })
 */
export function tenantTopic(topic: string, permission: Permission) {
  return ({ context }: { context: RequestContext }): AsyncIterable<unknown> => {
    if (!context.auth.authenticated) throw new UnauthenticatedError();
    if (!context.auth.has(permission)) throw new ForbiddenError(`Missing permission ${permission}`);
    const allowed = context.auth.enterpriseIdsFor(permission);
    return context.events.subscribe(
      topic,
      (e) => e.enterpriseId === null || allowed === '*' || allowed.includes(e.enterpriseId),
    );
  };
}

/** TypeGraphQL insists on a PubSub even when every subscription has its own `subscribe`. */
export const unusedPubSub: PubSub = {
  publish() {
    throw new Error('use EventBus.publish / publish() from core/events');
  },
  subscribe() {
    throw new Error('use tenantTopic() from core/events');
  },
};
