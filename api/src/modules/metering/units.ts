import Decimal from 'decimal.js';

/**
 * Units a reading may carry. Conversion happens only between units of the same dimension and only
 * by the exact factors below; m3 and Nm3 (normal cubic metres) are different dimensions because
 * converting needs the gas temperature and pressure, which a reading does not carry.
 */
const UNITS = {
  // energy, base MJ (1 kWh = 3.6 MJ exactly)
  Wh: { dim: 'energy', factor: '0.0036' },
  kWh: { dim: 'energy', factor: '3.6' },
  MWh: { dim: 'energy', factor: '3600' },
  GWh: { dim: 'energy', factor: '3600000' },
  MJ: { dim: 'energy', factor: '1' },
  GJ: { dim: 'energy', factor: '1000' },
  // volume, base m3
  L: { dim: 'volume', factor: '0.001' },
  m3: { dim: 'volume', factor: '1' },
  // normal volume (gas at reference conditions), base Nm3
  Nm3: { dim: 'normal_volume', factor: '1' },
  kNm3: { dim: 'normal_volume', factor: '1000' },
  // mass, base kg
  kg: { dim: 'mass', factor: '1' },
  t: { dim: 'mass', factor: '1000' },
  // power, base kW
  W: { dim: 'power', factor: '0.001' },
  kW: { dim: 'power', factor: '1' },
  MW: { dim: 'power', factor: '1000' },
  // flows
  'm3/h': { dim: 'volume_flow', factor: '1' },
  'L/s': { dim: 'volume_flow', factor: '3.6' },
  'Nm3/h': { dim: 'normal_volume_flow', factor: '1' },
  'kg/h': { dim: 'mass_flow', factor: '1' },
  't/h': { dim: 'mass_flow', factor: '1000' },
  // dimensionless state of a status point (0/1, enumerations)
  state: { dim: 'state', factor: '1' },
} as const;

export type Unit = keyof typeof UNITS;
export const KNOWN_UNITS = Object.keys(UNITS) as Unit[];

export function isKnownUnit(u: string): u is Unit {
  return Object.hasOwn(UNITS, u);
}

export function unitDimension(u: string): string | null {
  return isKnownUnit(u) ? UNITS[u].dim : null;
}

/** Accumulating dimensions are the ones cumulative and interval meters may use. */
export function isQuantityUnit(u: string): boolean {
  const d = unitDimension(u);
  return d === 'energy' || d === 'volume' || d === 'normal_volume' || d === 'mass';
}

/**
 * Converts `value` from `from` to `to`, or returns null when they are not the same dimension
 * (the caller rejects the reading: a wrong unit is never converted by guess).
 */
export function convertUnit(value: Decimal, from: string, to: string): Decimal | null {
  if (from === to) return value;
  if (!isKnownUnit(from) || !isKnownUnit(to)) return null;
  const a = UNITS[from];
  const b = UNITS[to];
  if (a.dim !== b.dim) return null;
  return value.times(a.factor).div(b.factor);
}
