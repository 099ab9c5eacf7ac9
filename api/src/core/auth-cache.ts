import type { RoleGrant } from './context';

/** Bus topic published (transactionally) when a session is revoked: payload `{ sessionId }`. */
export const SESSION_REVOKED_TOPIC = 'auth.session.revoked';
/** Bus topic published when a user's grants or status change: payload `{ userId }`. */
export const USER_CHANGED_TOPIC = 'auth.user.changed';
/** Bus topic published when an API key is revoked or its grants change: payload `{ apiKeyId }`. */
export const API_KEY_CHANGED_TOPIC = 'auth.apikey.changed';

/** What a valid session resolves to; everything else in the identity comes from the verified JWT. */
export interface CachedSession {
  userId: string;
  email: string;
  grants: RoleGrant[];
}

/** A valid API key by prefix; the presented secret is still compared with `keyHash` on every request. */
export interface CachedApiKey {
  apiKeyId: string;
  keyHash: string;
  grants: RoleGrant[];
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * Per-process cache of session state (and of API keys by prefix), so an authenticated request needs no database round trip
 * once its session was seen in the last `ttlMs`. The JWT signature and expiry are still verified on
 * every request; only the session/user/grants lookup is cached.
 *
 * Revocation stays immediate: the revoking process drops the entry itself after its transaction
 * commits, and every API process drops it when the transactional NOTIFY (`SESSION_REVOKED_TOPIC`)
 * arrives on its event bus. While the bus's LISTEN connection is down the cache is disabled and
 * emptied (a missed NOTIFY must not keep a revoked session alive), so every request goes to the
 * database until the bus is back. Identities with PARK or JURISDICTION grants are not cached (what
 * they reach follows the org tables live); the TTL bounds staleness of anything not announced.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry<CachedSession>>();
  private readonly apiKeys = new Map<string, Entry<CachedApiKey>>();
  private enabled = false;
  /** Bumped by every invalidation; a lookup started before one may not store its (older) result. */
  private gen = 0;
  /** Revokers waiting for their own NOTIFY to come back (see `echo`). */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    readonly ttlMs = 5_000,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called by the event bus: true once LISTEN is established, false when the connection is lost. */
  setEnabled(on: boolean): void {
    this.enabled = on && this.ttlMs > 0;
    this.clear();
    if (!this.enabled) for (const set of [...this.waiters.values()]) for (const w of [...set]) w();
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  get size(): number {
    return this.entries.size + this.apiKeys.size;
  }

  /** Generation to hand back to `set`, taken before the database lookup starts. */
  get generation(): number {
    return this.gen;
  }

  get(sessionId: string): CachedSession | undefined {
    return this.read(this.entries, sessionId);
  }

  /** Stores a lookup result unless an invalidation happened since `generation` was read. */
  set(sessionId: string, value: CachedSession, generation: number): void {
    this.write(this.entries, sessionId, value, generation);
  }

  getApiKey(prefix: string): CachedApiKey | undefined {
    return this.read(this.apiKeys, prefix);
  }

  setApiKey(prefix: string, value: CachedApiKey, generation: number): void {
    this.write(this.apiKeys, prefix, value, generation);
  }

  private read<V>(map: Map<string, Entry<V>>, key: string): V | undefined {
    if (!this.enabled) return undefined;
    const e = map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return e.value;
  }

  private write<V>(map: Map<string, Entry<V>>, key: string, value: V, generation: number): void {
    if (!this.enabled || generation !== this.gen) return;
    if (map.size >= this.maxEntries) {
      const now = this.now();
      for (const [k, e] of map) if (e.expiresAt <= now) map.delete(k);
      if (map.size >= this.maxEntries) map.clear();
    }
    map.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  revokeSession(sessionId: string): void {
    this.gen++;
    this.entries.delete(sessionId);
  }

  invalidateUser(userId: string): void {
    this.gen++;
    for (const [k, e] of this.entries) if (e.value.userId === userId) this.entries.delete(k);
  }

  invalidateApiKey(apiKeyId: string): void {
    this.gen++;
    for (const [k, e] of this.apiKeys) if (e.value.apiKeyId === apiKeyId) this.apiKeys.delete(k);
  }

  clear(): void {
    this.gen++;
    this.entries.clear();
    this.apiKeys.clear();
  }

  /**
   * Resolves when this process's LISTEN connection delivers the auth event `topic` for `id` (or after
   * `timeoutMs`). Register before the revoking transaction commits and await it after: Postgres hands
   * a NOTIFY to every listening session at commit, so once the revoker's own copy has arrived the other
   * API processes have theirs on the wire too, and the caller's next request, wherever it lands, is
   * refused. Never rejects.
   */
  echo(topic: string, id: string, timeoutMs = 2_000): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    const key = `${topic}:${id}`;
    return new Promise<void>((resolve) => {
      const set = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (!set.size) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref?.();
      set.add(done);
    });
  }

  private wake(topic: string, id: unknown): void {
    if (typeof id !== 'string') return;
    for (const w of [...(this.waiters.get(`${topic}:${id}`) ?? [])]) w();
  }

  /** Applies a bus event; returns true when it was an auth event. */
  apply(topic: string, payload: unknown): boolean {
    const p = (payload ?? {}) as { sessionId?: unknown; userId?: unknown; apiKeyId?: unknown };
    this.wake(topic, p.sessionId ?? p.userId ?? p.apiKeyId);
    if (topic === SESSION_REVOKED_TOPIC) {
      if (typeof p.sessionId === 'string') this.revokeSession(p.sessionId);
      else this.clear();
      return true;
    }
    if (topic === USER_CHANGED_TOPIC) {
      if (typeof p.userId === 'string') this.invalidateUser(p.userId);
      else this.clear();
      return true;
    }
    if (topic === API_KEY_CHANGED_TOPIC) {
      if (typeof p.apiKeyId === 'string') this.invalidateApiKey(p.apiKeyId);
      else this.clear();
      return true;
    }
    return false;
  }
}
