import { Decimal as DecimalBase } from 'decimal.js';

/**
 * The engine's own Decimal constructor: 50 significant digits, half-up, and no exponent notation in the
 * ranges we print. A clone keeps these settings from leaking into (or being changed by) other modules.
 * Only divisions (44/12, intensities) can be inexact; everything else is exact at this precision.
 */
export const Dec = DecimalBase.clone({
  precision: 50,
  rounding: DecimalBase.ROUND_HALF_UP,
  toExpNeg: -60,
  toExpPos: 60,
});
export type Dec = InstanceType<typeof Dec>;

/** Plain decimal string, no exponent, no trailing zeros: the wire form of every figure. */
export const str = (d: Dec): string => {
  const s = d.toFixed();
  return s === '-0' ? '0' : s;
};

export const ZERO = new Dec(0);

const DECIMAL_RE = /^-?(0|[1-9]\d*)(\.\d+)?$/;
export const isDecimalString = (s: string): boolean => DECIMAL_RE.test(s);

export const roundingModes = {
  ROUND_HALF_UP: DecimalBase.ROUND_HALF_UP,
  ROUND_HALF_EVEN: DecimalBase.ROUND_HALF_EVEN,
  ROUND_DOWN: DecimalBase.ROUND_DOWN,
  ROUND_UP: DecimalBase.ROUND_UP,
} as const;
export type RoundingModeName = keyof typeof roundingModes;
