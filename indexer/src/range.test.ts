import { describe, expect, it } from 'vitest';
import { notificationPayloads } from './store';
import { AdaptiveRange, suggestedSpan } from './range';

describe('AdaptiveRange', () => {
  it('halves on errors down to one block, then gives up', () => {
    const r = new AdaptiveRange({ initial: 8, max: 100, targetLogs: 10 });
    expect(r.onError(8, new Error('boom'))).toBe(true);
    expect(r.size).toBe(4);
    r.onError(4, new Error('boom'));
    r.onError(2, new Error('boom'));
    expect(r.size).toBe(1);
    expect(r.onError(1, new Error('boom'))).toBe(false);
  });

  it("honours a provider's suggested range", () => {
    const r = new AdaptiveRange({ initial: 5000, max: 10000, targetLogs: 10 });
    r.onError(
      5000,
      new Error('query returned more than 10000 results. Try with this block range [0x10, 0x4f].'),
    );
    expect(r.size).toBe(64);
    expect(suggestedSpan(new Error('exceed maximum block range: 2000'))).toBe(2000);
  });

  it('grows while results are small and shrinks towards the target when large', () => {
    const r = new AdaptiveRange({ initial: 10, max: 35, targetLogs: 100 });
    r.onSuccess(10, 5);
    expect(r.size).toBe(20);
    r.onSuccess(20, 5);
    expect(r.size).toBe(35);
    r.onSuccess(35, 700);
    expect(r.size).toBe(5);
    r.onSuccess(5, 80);
    expect(r.size).toBe(5);
  });
});

describe('notificationPayloads', () => {
  const base = { chainId: 1, fromBlock: 10, toBlock: 12 };

  it('keeps every payload under the NOTIFY limit and splits ids over several', () => {
    const ids = Array.from({ length: 300 }, (_, i) => ({
      proposalId: String(10n ** 30n + BigInt(i)),
      voter: `0x${'a'.repeat(40)}`,
      block: 11,
    }));
    const payloads = notificationPayloads(base, 'vote_cast', ids);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    const parsed = payloads.map((p) => JSON.parse(p) as { ids: unknown[]; kind: string; more?: boolean });
    expect(parsed.flatMap((p) => p.ids)).toEqual(ids);
    expect(parsed.at(-1)?.more).toBeUndefined();
    expect(parsed[0]).toMatchObject({
      v: 1,
      kind: 'vote_cast',
      chainId: 1,
      fromBlock: 10,
      toBlock: 12,
      more: true,
    });
  });

  it('sends only a count for huge backfill batches', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => ({
      enterpriseId: `0x${'b'.repeat(64)}`,
      root: String(i),
    }));
    const [only, ...rest] = notificationPayloads(base, 'anchor_confirmed', ids);
    expect(rest).toHaveLength(0);
    expect(JSON.parse(only ?? '{}')).toMatchObject({
      kind: 'anchor_confirmed',
      count: 20_000,
      ids: [],
      truncated: true,
    });
  });
});
