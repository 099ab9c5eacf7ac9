import { describe, expect, it } from 'vitest';
import { API_KEY_CHANGED_TOPIC, SESSION_REVOKED_TOPIC, SessionCache, USER_CHANGED_TOPIC } from './auth-cache';

const session = (userId: string) => ({ userId, email: `${userId}@x.test`, grants: [] });

describe('SessionCache', () => {
  it('is off until the bus reports its LISTEN connection, and emptied when it drops', () => {
    const c = new SessionCache(5_000);
    c.set('s1', session('u1'), c.generation);
    expect(c.get('s1')).toBeUndefined();
    c.setEnabled(true);
    c.set('s1', session('u1'), c.generation);
    expect(c.get('s1')?.userId).toBe('u1');
    c.setEnabled(false);
    expect(c.get('s1')).toBeUndefined();
    c.setEnabled(true);
    expect(c.get('s1')).toBeUndefined();
  });

  it('entries expire after the TTL', () => {
    let now = 1_000;
    const c = new SessionCache(5_000, 100, () => now);
    c.setEnabled(true);
    c.set('s1', session('u1'), c.generation);
    now += 4_999;
    expect(c.get('s1')).toBeDefined();
    now += 1;
    expect(c.get('s1')).toBeUndefined();
  });

  it('a lookup that started before a revocation cannot store its stale answer', () => {
    const c = new SessionCache(5_000);
    c.setEnabled(true);
    const gen = c.generation; // request starts its DB lookup …
    c.apply(SESSION_REVOKED_TOPIC, { sessionId: 's1' }); // … revocation lands meanwhile
    c.set('s1', session('u1'), gen);
    expect(c.get('s1')).toBeUndefined();
  });

  it('applies revocation, user and API key events; unknown topics are ignored', () => {
    const c = new SessionCache(5_000);
    c.setEnabled(true);
    c.set('s1', session('u1'), c.generation);
    c.set('s2', session('u1'), c.generation);
    c.set('s3', session('u2'), c.generation);
    c.setApiKey('ock_1', { apiKeyId: 'k1', keyHash: 'aa', grants: [] }, c.generation);
    expect(c.apply('org.changed', { sessionId: 's3' })).toBe(false);
    expect(c.get('s3')).toBeDefined();
    expect(c.apply(USER_CHANGED_TOPIC, { userId: 'u1' })).toBe(true);
    expect([c.get('s1'), c.get('s2'), c.get('s3')?.userId]).toEqual([undefined, undefined, 'u2']);
    expect(c.apply(SESSION_REVOKED_TOPIC, { sessionId: 's3' })).toBe(true);
    expect(c.get('s3')).toBeUndefined();
    expect(c.getApiKey('ock_1')).toBeDefined();
    c.apply(API_KEY_CHANGED_TOPIC, { apiKeyId: 'k1' });
    expect(c.getApiKey('ock_1')).toBeUndefined();
  });

  it('echo resolves when this process sees its own auth event, or at once when the bus is down', async () => {
    const c = new SessionCache(5_000);
    c.setEnabled(true);
    let seen = false;
    const echo = c.echo(SESSION_REVOKED_TOPIC, 's1', 60_000).then(() => {
      seen = true;
    });
    c.apply(SESSION_REVOKED_TOPIC, { sessionId: 's2' });
    await Promise.resolve();
    expect(seen).toBe(false);
    c.apply(SESSION_REVOKED_TOPIC, { sessionId: 's1' });
    await echo;
    expect(seen).toBe(true);
    const pending = c.echo(USER_CHANGED_TOPIC, 'u1', 60_000);
    c.setEnabled(false); // connection lost: nobody waits for an echo that cannot come
    await pending;
    await c.echo(USER_CHANGED_TOPIC, 'u1', 60_000);
  });

  it('a malformed auth event empties the whole cache rather than guessing', () => {
    const c = new SessionCache(5_000);
    c.setEnabled(true);
    c.set('s1', session('u1'), c.generation);
    c.apply(SESSION_REVOKED_TOPIC, { id: 42 });
    expect(c.size).toBe(0);
  });
});
