import Decimal from 'decimal.js';
import { COAL_COEFFICIENTS, type CoalCoefficient } from './tariff-catalog';

export interface TceResult {
  energyType: string;
  quantity: Decimal;
  /** Tonnes of standard coal; equal to `tceHigh` when a single coefficient applies. */
  tceLow: Decimal;
  tceHigh: Decimal;
  /** Coefficient actually used (kgce per unit) or null when only the standard's range was available. */
  kgcePerUnit: Decimal | null;
  citation: string;
}

export type TceErrorCode = 'TCE_NO_COEFFICIENT' | 'TCE_COEFFICIENT_OUT_OF_RANGE';

export class TceError extends Error {
  constructor(
    readonly code: TceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Converts a quantity to tonnes of standard coal equivalent (tce). `override` is an
 * enterprise-measured coefficient (kgce/unit); it must lie inside the standard's range when the
 * standard gives one. Without an override a ranged coefficient yields [low, high].
 */
export function toTce(
  energyType: string,
  quantity: Decimal.Value,
  override?: Decimal.Value,
  table: readonly CoalCoefficient[] = COAL_COEFFICIENTS,
): TceResult {
  const c = table.find((x) => x.energyType === energyType);
  if (!c) throw new TceError('TCE_NO_COEFFICIENT', `no standard-coal coefficient for ${energyType}`);
  const q = new Decimal(quantity);
  let k: Decimal | null = c.kgcePerUnit ? new Decimal(c.kgcePerUnit) : null;
  if (override !== undefined) {
    const o = new Decimal(override);
    if (c.kgcePerUnitMin && c.kgcePerUnitMax && (o.lt(c.kgcePerUnitMin) || o.gt(c.kgcePerUnitMax))) {
      throw new TceError(
        'TCE_COEFFICIENT_OUT_OF_RANGE',
        `${energyType} coefficient ${o} outside ${c.kgcePerUnitMin}..${c.kgcePerUnitMax} (${c.citation})`,
      );
    }
    k = o;
  }
  if (k) {
    const t = q.times(k).div(1000);
    return { energyType, quantity: q, tceLow: t, tceHigh: t, kgcePerUnit: k, citation: c.citation };
  }
  return {
    energyType,
    quantity: q,
    tceLow: q.times(c.kgcePerUnitMin ?? 0).div(1000),
    tceHigh: q.times(c.kgcePerUnitMax ?? 0).div(1000),
    kgcePerUnit: null,
    citation: c.citation,
  };
}
