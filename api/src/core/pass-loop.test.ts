import { describe, expect, it } from 'vitest';
import { startPassLoop } from './pass-loop';

/** A notice source the test pushes into, shaped like an event-bus subscription. */
function noticeSource() {
  const waiting: ((r: IteratorResult<unknown>) => void)[] = [];
  let closed = false;
  const it: AsyncIterator<unknown> = {
    next: () =>
      closed
        ? Promise.resolve({ done: true, value: undefined })
        : new Promise((resolve) => waiting.push(resolve)),
    return: async () => {
      closed = true;
      for (const w of waiting.splice(0)) w({ done: true, value: undefined });
      return { done: true, value: undefined };
    },
  };
  return { it, push: () => waiting.shift()?.({ done: false, value: 1 }) };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('startPassLoop', () => {
  it('runs at start, never overlaps, and coalesces notices during a pass into one more pass', async () => {
    const src = noticeSource();
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    let release: (() => void) | null = null;
    const stop = startPassLoop({
      intervalMs: 60_000,
      notices: src.it,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        passes++;
        if (passes === 2) await new Promise<void>((r) => (release = r));
        active--;
      },
    });
    await tick(20);
    expect(passes).toBe(1); // the start pass
    src.push();
    await tick(20);
    expect(passes).toBe(2); // woken by a notice; now blocked
    for (let i = 0; i < 5; i++) {
      src.push();
      await tick(2);
    }
    (release as (() => void) | null)?.();
    await tick(20);
    expect(passes).toBe(3); // five notices during the pass → exactly one more
    expect(maxActive).toBe(1);
    await stop();
  });

  it('keeps going after a failed pass and reports the error', async () => {
    const errors: string[] = [];
    let passes = 0;
    const stop = startPassLoop({
      intervalMs: 5,
      run: async () => {
        passes++;
        if (passes === 1) throw new Error('boom');
      },
      onError: (e) => errors.push(e.message),
    });
    await tick(60);
    await stop();
    expect(errors).toEqual(['boom']);
    expect(passes).toBeGreaterThan(2);
    const after = passes;
    await tick(30);
    expect(passes).toBe(after); // stopped: no more passes
  });
});
