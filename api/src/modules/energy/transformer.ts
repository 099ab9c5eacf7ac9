import Decimal from 'decimal.js';

export interface TransformerSpec {
  /** Rated apparent power, kVA. */
  ratedKva: Decimal.Value;
  /** No-load (iron) loss P0, kW. */
  noLoadLossKw: Decimal.Value;
  /** Load (copper) loss at rated load Pk, kW. */
  loadLossKw: Decimal.Value;
  /** Load rate above which the transformer is overloaded (default 1.0). */
  overloadRate?: Decimal.Value;
  /** Load rate below which it is under-used (default 0.3). */
  lowLoadRate?: Decimal.Value;
}

export type LoadState = 'overload' | 'low' | 'normal';

export interface TransformerLoad {
  apparentKva: Decimal;
  /** β = S / Sn */
  loadRate: Decimal;
  /** P / S; 1 when S = 0 (no load, nothing reactive). */
  powerFactor: Decimal;
  state: LoadState;
  /** P0 + Pk·β², kW */
  lossKw: Decimal;
}

/** Load rate, power factor, state and losses of a transformer from active (kW) and reactive (kvar) power. */
export function transformerLoad(
  spec: TransformerSpec,
  activeKw: Decimal.Value,
  reactiveKvar: Decimal.Value,
): TransformerLoad {
  const p = new Decimal(activeKw);
  const q = new Decimal(reactiveKvar);
  const rated = new Decimal(spec.ratedKva);
  if (rated.lte(0)) throw new RangeError('rated capacity must be positive');
  const s = p.pow(2).plus(q.pow(2)).sqrt();
  const beta = s.div(rated);
  const pf = s.isZero() ? new Decimal(1) : p.abs().div(s);
  const over = new Decimal(spec.overloadRate ?? 1);
  const low = new Decimal(spec.lowLoadRate ?? '0.3');
  const state: LoadState = beta.gt(over) ? 'overload' : beta.lt(low) ? 'low' : 'normal';
  const lossKw = new Decimal(spec.noLoadLossKw).plus(new Decimal(spec.loadLossKw).times(beta.pow(2)));
  return { apparentKva: s, loadRate: beta, powerFactor: pf, state, lossKw };
}

/**
 * Energy lost over a series of equal-length samples: Σ (P0 + Pk·β²)·Δt, kWh. Δt in hours.
 */
export function transformerLossKwh(
  spec: TransformerSpec,
  samples: readonly { activeKw: Decimal.Value; reactiveKvar: Decimal.Value }[],
  hoursPerSample: Decimal.Value,
): Decimal {
  const dt = new Decimal(hoursPerSample);
  return samples.reduce(
    (acc, x) => acc.plus(transformerLoad(spec, x.activeKw, x.reactiveKvar).lossKw.times(dt)),
    new Decimal(0),
  );
}
