import { Decimal } from 'decimal.js';
import { UserInputError } from '../../core/errors';

const MAX_UINT128 = (1n << 128n) - 1n;

/** Parses tCO2e (≤ 6 decimals, > 0) into the contract's gCO2e integer. */
export function quotaGrams(amount: string): bigint {
  let d: Decimal;
  try {
    d = new Decimal(amount.trim());
  } catch {
    throw new UserInputError('Invalid amount', { amount: ['a decimal number of tCO2e'] });
  }
  if (!d.isFinite() || d.lte(0) || d.decimalPlaces() > 6)
    throw new UserInputError('Invalid amount', { amount: ['positive tCO2e with at most 6 decimals'] });
  const grams = BigInt(d.times(1_000_000).toFixed(0));
  if (grams > MAX_UINT128) throw new UserInputError('Invalid amount', { amount: ['too large'] });
  return grams;
}
