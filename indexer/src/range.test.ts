import { describe, expect, it } from 'vitest';
import { notificationPayloads } from './store';
import { AdaptiveRange, approxLogBytes, isResponseTooLarge, suggestedSpan } from './range';

const MB = 1_048_576;

describe('AdaptiveRange', () => {
  it('halves on errors down to one block, then gives up', () => {
    const r = new AdaptiveRange({ initial: 8, max: 100, targetLogs: 10, maxResponseBytes: 10 * MB });
    expect(r.onError(8, new Error('boom'))).toBe(true);
    expect(r.size).toBe(4);
    r.onError(4, new Error('boom'));
    r.onError(2, new Error('boom'));
    expect(r.size).toBe(1);
    expect(r.onError(1, new Error('boom'))).toBe(false);
  });

  it("honours a provider's suggested range; shrinks 8-fold on a response-size error", () => {
    const r = new AdaptiveRange({ initial: 5000, max: 10000, targetLogs: 10, maxResponseBytes: 10 * MB });
    r.onError(
      5000,
      new Error('query returned more than 10000 results. Try with this block range [0x10, 0x4f].'),
    );
    expect(r.size).toBe(64);
    expect(suggestedSpan(new Error('exceed maximum block range: 2000'))).toBe(2000);
    const tooLarge = Object.assign(new Error('HTTP response body exceeded the size limit.'), {
      name: 'ResponseBodyTooLargeError',
    });
    expect(isResponseTooLarge(tooLarge)).toBe(true);
    expect(isResponseTooLarge(new Error('connection reset'))).toBe(false);
    r.onError(64, tooLarge);
    expect(r.size).toBe(8);
  });

  it('slow start: grows at most 4-fold while answers are small or empty', () => {
    const r = new AdaptiveRange({ initial: 1, max: 35, targetLogs: 100, maxResponseBytes: 10 * MB });
    expect(r.size).toBe(1);
    r.onSuccess(1, 0);
    expect(r.size).toBe(4);
    r.onSuccess(4, 1);
    expect(r.size).toBe(16);
    r.onSuccess(16, 0);
    expect(r.size).toBe(35); // capped by max
    // A short span (the range ended at the head) with few logs does not grow the size.
    r.onSuccess(3, 0);
    expect(r.size).toBe(35);
  });

  it('sizes the next span from the measured density: target logs per request', () => {
    const r = new AdaptiveRange({ initial: 4, max: 10000, targetLogs: 5000, maxResponseBytes: 10 * MB });
    r.onSuccess(4, 8000, 8000 * 500); // 2000 logs per block
    expect(r.size).toBe(2); // 2 blocks = 4000 logs <= 5000
    r.onSuccess(2, 40, 40 * 500); // density dropped to 20 per block: grow, but at most 4-fold
    expect(r.size).toBe(8);
    r.onSuccess(8, 160, 160 * 500);
    expect(r.size).toBe(32);
    r.onSuccess(3, 600, 600 * 500); // denser again (200 per block), even on a short span: shrink
    expect(r.size).toBe(25);
  });

  it('keeps responses under half the byte cap when logs are big', () => {
    // 1 MB cap, 5 kB per log (large data): at most ~104 logs per request, whatever the target.
    const r = new AdaptiveRange({ initial: 10, max: 1000, targetLogs: 5000, maxResponseBytes: MB });
    r.onSuccess(10, 100, 100 * 5000);
    expect(r.budgetLogs).toBe(104);
    expect(r.size).toBe(10);
    expect(approxLogBytes([{ topics: ['0x', '0x'], data: `0x${'00'.repeat(1000)}` }])).toBe(330 + 2002 + 138);
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
