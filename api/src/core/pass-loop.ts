/**
 * A background job made of passes: one pass at start, one every `intervalMs` after the previous pass
 * ends, and one whenever a notice arrives. Passes never overlap; notices during a pass schedule exactly
 * one more. Used by the chain reconciler and the inventory committer.
 */
export interface PassLoopOptions {
  /** One pass. A thrown error goes to `onError`; the loop goes on. */
  run: () => Promise<void>;
  /** Pause between the end of a pass and the next scheduled one. */
  intervalMs: number;
  /** Wake-ups (e.g. an event-bus subscription); each value triggers a pass. Closed on stop. */
  notices?: AsyncIterator<unknown>;
  onError?: (error: Error) => void;
}

/** Starts the loop; the returned function stops it and resolves once the running pass has ended. */
export function startPassLoop(o: PassLoopOptions): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  const pass = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await o.run();
        } catch (e) {
          o.onError?.(e as Error);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void pass().then(schedule), o.intervalMs);
  };
  timer = setTimeout(() => void pass().then(schedule), 0);
  const notices = o.notices;
  const listening = notices
    ? (async () => {
        for (;;) {
          const n = await notices.next();
          if (n.done || stopped) return;
          void pass();
        }
      })()
    : Promise.resolve();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await notices?.return?.();
    await listening;
    await running;
  };
}
