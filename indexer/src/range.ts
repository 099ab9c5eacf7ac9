/**
 * Adaptive eth_getLogs block range, sized so that a range is fetched once.
 *
 * Nodes cap the block span, the number of results or the response size, and say so in different
 * words; the transport itself refuses responses over `maxResponseBytes`. A failed request is work
 * thrown away (the node built the whole response), so the span is sized ahead instead of by trial:
 * - slow start: the first request covers `initial` blocks (default 1) and an uninformative answer
 *   (few or no logs) lets the span grow at most `GROWTH`-fold per request;
 * - every answer measures the log density (logs per block) and the bytes per log; the next span is
 *   the one that, at that density, returns `targetLogs` logs and stays under half of
 *   `maxResponseBytes`;
 * - on an error the span shrinks anyway: to a provider's suggested range, by 8 on a response-size
 *   error (the density jumped), else by half, down to one block.
 */
export interface RangeOptions {
  initial: number;
  max: number;
  targetLogs: number;
  /** Largest response the transport accepts (requests aim at half of it). */
  maxResponseBytes: number;
}

/** Largest growth factor of the span from one request to the next. */
export const GROWTH = 4;

export class AdaptiveRange {
  size: number;
  /** Measured bytes per log of the node's eth_getLogs JSON; conservative until measured. */
  bytesPerLog = 1000;

  constructor(readonly opts: RangeOptions) {
    this.size = Math.max(1, Math.min(opts.initial, opts.max));
  }

  /** Logs one request may return: the target, or fewer when that many would not fit the byte budget. */
  get budgetLogs(): number {
    const byBytes = Math.floor(this.opts.maxResponseBytes / 2 / this.bytesPerLog);
    return Math.max(1, Math.min(this.opts.targetLogs, byBytes));
  }

  /** Called after a failed request over `span` blocks; returns false when it cannot shrink further. */
  onError(span: number, err: unknown): boolean {
    if (span <= 1) return false;
    const suggested = suggestedSpan(err);
    const next =
      suggested && suggested < span
        ? suggested
        : isResponseTooLarge(err)
          ? Math.floor(span / 8)
          : Math.floor(span / 2);
    this.size = Math.max(1, next);
    return true;
  }

  /**
   * Called after a successful request over `span` blocks that returned `logs` logs in about
   * `bytes` bytes of JSON.
   */
  onSuccess(span: number, logs: number, bytes = 0): void {
    if (logs > 0 && bytes > 0) this.bytesPerLog = Math.max(100, bytes / logs);
    const ideal = logs > 0 ? Math.floor((span * this.budgetLogs) / logs) : Number.POSITIVE_INFINITY;
    let next = this.size;
    if (ideal < this.size) next = ideal;
    else if (span >= this.size) next = Math.min(ideal, span * GROWTH);
    this.size = Math.max(1, Math.min(this.opts.max, next));
  }
}

/** Approximate size of the node's JSON for these logs (fixed fields, topics, data). */
export function approxLogBytes(logs: { topics: string[]; data: string }[]): number {
  let n = 0;
  for (const l of logs) n += 330 + l.data.length + 69 * l.topics.length;
  return n;
}

/** The transport or the node refused a response for its size. */
export function isResponseTooLarge(err: unknown): boolean {
  if (err instanceof Error && err.name === 'ResponseBodyTooLargeError') return true;
  return /response (body )?(size|too large|exceeded)|body exceeded|payload too large/i.test(errorText(err));
}

/** Block span suggested by common providers' "too many results" errors (Infura, Alchemy, QuickNode). */
export function suggestedSpan(err: unknown): number | undefined {
  const text = errorText(err);
  const m = text.match(/\[\s*(0x[0-9a-f]+)\s*,\s*(0x[0-9a-f]+)\s*\]/i);
  if (m?.[1] && m[2]) {
    const span = Number(BigInt(m[2]) - BigInt(m[1])) + 1;
    if (span > 0) return span;
  }
  const limit = text.match(/(?:block range|range)[^0-9]{0,40}(\d{2,7})/i);
  if (limit?.[1]) return Number(limit[1]);
  return undefined;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const details = (err as Error & { details?: string }).details ?? '';
    return `${err.message} ${details} ${err.cause instanceof Error ? err.cause.message : ''}`;
  }
  return String(err);
}
