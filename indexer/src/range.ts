/**
 * Adaptive eth_getLogs block range. Nodes cap either the block span or the number of results or the
 * response size, and say so in different words; any failure halves the span (down to one block),
 * a provider's suggested range is honoured, and spans grow again while results stay small.
 */
export class AdaptiveRange {
  size: number;

  constructor(readonly opts: { initial: number; max: number; targetLogs: number }) {
    this.size = Math.max(1, Math.min(opts.initial, opts.max));
  }

  /** Called after a failed request over `span` blocks; returns false when it cannot shrink further. */
  onError(span: number, err: unknown): boolean {
    if (span <= 1) return false;
    const suggested = suggestedSpan(err);
    const next = suggested && suggested < span ? suggested : Math.floor(span / 2);
    this.size = Math.max(1, next);
    return true;
  }

  /** Called after a successful request over `span` blocks that returned `logs` logs. */
  onSuccess(span: number, logs: number): void {
    const { targetLogs, max } = this.opts;
    if (logs > targetLogs) {
      this.size = Math.max(1, Math.floor((span * targetLogs) / logs));
    } else if (logs < targetLogs / 2 && span >= this.size) {
      this.size = Math.min(max, this.size * 2);
    }
  }
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
