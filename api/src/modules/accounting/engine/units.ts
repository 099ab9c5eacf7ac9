import { AccountingError } from '../accounting.errors';
import { Dec } from './decimal';

/**
 * Explicit unit table. Each unit belongs to one dimension and has an exact factor to that dimension's base
 * unit. Conversions happen only inside a dimension; anything else is a typed error, never a guess.
 *
 * Volumes at actual conditions (`m3`) and at normal conditions (`Nm3`) are different dimensions on purpose:
 * turning one into the other needs the gas temperature and pressure, which a unit string does not carry.
 */
export type Dimension =
  | 'energy'
  | 'mass'
  | 'volume-normal'
  | 'volume'
  | 'carbon-mass'
  | 'co2-mass'
  | 'co2e-mass'
  | 'dimensionless'
  | 'currency-cny';

interface UnitDef {
  readonly dimension: Dimension;
  /** exact factor to the base unit of the dimension */
  readonly toBase: string;
}

const UNITS: Readonly<Record<string, UnitDef>> = {
  // energy, base GJ (1 kWh = 3.6 MJ exactly)
  MJ: { dimension: 'energy', toBase: '0.001' },
  GJ: { dimension: 'energy', toBase: '1' },
  TJ: { dimension: 'energy', toBase: '1000' },
  kWh: { dimension: 'energy', toBase: '0.0036' },
  MWh: { dimension: 'energy', toBase: '3.6' },
  GWh: { dimension: 'energy', toBase: '3600' },
  // mass, base t
  kg: { dimension: 'mass', toBase: '0.001' },
  t: { dimension: 'mass', toBase: '1' },
  // volume at normal conditions, base Nm3
  Nm3: { dimension: 'volume-normal', toBase: '1' },
  '10^4 Nm3': { dimension: 'volume-normal', toBase: '10000' },
  // volume at actual conditions, base m3
  m3: { dimension: 'volume', toBase: '1' },
  '10^4 m3': { dimension: 'volume', toBase: '10000' },
  // carbon, CO2 and CO2e masses are kept apart so a formula cannot mix them silently
  kgC: { dimension: 'carbon-mass', toBase: '0.001' },
  tC: { dimension: 'carbon-mass', toBase: '1' },
  kgCO2: { dimension: 'co2-mass', toBase: '0.001' },
  tCO2: { dimension: 'co2-mass', toBase: '1' },
  kgCO2e: { dimension: 'co2e-mass', toBase: '0.001' },
  tCO2e: { dimension: 'co2e-mass', toBase: '1' },
  '1': { dimension: 'dimensionless', toBase: '1' },
  '%': { dimension: 'dimensionless', toBase: '0.01' },
  CNY: { dimension: 'currency-cny', toBase: '1' },
  '10^4 CNY': { dimension: 'currency-cny', toBase: '10000' },
};

export const knownUnits = (): string[] => Object.keys(UNITS).sort();

export const unitDef = (unit: string): UnitDef => {
  const def = Object.hasOwn(UNITS, unit) ? UNITS[unit] : undefined;
  if (!def) throw new AccountingError('UNIT_UNKNOWN', `Unknown unit "${unit}".`, { unit });
  return def;
};

export const dimensionOf = (unit: string): Dimension => unitDef(unit).dimension;

const sameDimension = (from: string, to: string): [UnitDef, UnitDef] => {
  const a = unitDef(from);
  const b = unitDef(to);
  if (a.dimension !== b.dimension) {
    throw new AccountingError(
      'UNIT_INCOMPATIBLE',
      `Cannot convert "${from}" (${a.dimension}) to "${to}" (${b.dimension}).`,
      { from, to },
    );
  }
  return [a, b];
};

/** Factor f such that value[from] × f = value[to]; exact unless it is 1/3.6-like (e.g. GJ → kWh). */
export const conversionFactor = (from: string, to: string): Dec => {
  const [a, b] = sameDimension(from, to);
  return new Dec(a.toBase).div(b.toBase);
};

/**
 * Converts value[from] to value[to]. Multiplies before dividing, so any conversion whose result is a
 * terminating decimal (3600 GJ → 1000 MWh) is exact.
 */
export const convert = (value: Dec, from: string, to: string): Dec => {
  if (from === to) return value;
  const [a, b] = sameDimension(from, to);
  return value.mul(a.toBase).div(b.toBase);
};

/** A compound unit "num/den" (one slash) or a simple unit. */
export interface CompoundUnit {
  readonly num: string;
  readonly den?: string;
}

export const parseCompound = (unit: string): CompoundUnit => {
  const i = unit.indexOf('/');
  if (i < 0) {
    unitDef(unit);
    return { num: unit };
  }
  const num = unit.slice(0, i);
  const den = unit.slice(i + 1);
  unitDef(num);
  unitDef(den);
  return { num, den };
};

/** Converts a rate such as "MJ/kg" to "GJ/t"; both must have the same shape and dimensions. */
export const convertCompound = (value: Dec, from: string, to: string): Dec => {
  if (from === to) return value;
  const a = parseCompound(from);
  const b = parseCompound(to);
  if ((a.den === undefined) !== (b.den === undefined)) {
    throw new AccountingError('UNIT_INCOMPATIBLE', `Cannot convert "${from}" to "${to}".`, { from, to });
  }
  const [an, bn] = sameDimension(a.num, b.num);
  if (a.den === undefined || b.den === undefined) return value.mul(an.toBase).div(bn.toBase);
  const [ad, bd] = sameDimension(a.den, b.den);
  return value.mul(an.toBase).mul(bd.toBase).div(new Dec(bn.toBase).mul(ad.toBase));
};
