/**
 * Exact sum of decimal strings (API figures are decimal text, never binary floats): scaled to the
 * longest fraction with BigInt, returned as decimal text.
 */
export function sumDecimals(values: readonly string[]): string {
  const parts = values.map((v) => {
    const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(v.trim());
    if (!m) throw new Error(`not a decimal: ${v}`);
    return { neg: m[1] === '-', int: m[2] ?? '0', frac: m[3] ?? '' };
  });
  const scale = Math.max(0, ...parts.map((p) => p.frac.length));
  let total = 0n;
  for (const p of parts) {
    const n = BigInt(p.int + p.frac.padEnd(scale, '0'));
    total += p.neg ? -n : n;
  }
  const neg = total < 0n;
  const digits = (neg ? -total : total).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Compares two decimal strings exactly (-1, 0, 1). */
export function compareDecimals(a: string, b: string): number {
  const d = sumDecimals([a, b.startsWith('-') ? b.slice(1) : `-${b}`]);
  return d === '0' ? 0 : d.startsWith('-') ? -1 : 1;
}
