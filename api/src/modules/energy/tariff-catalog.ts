import coal from './tariffs/coal-coefficients.json' with { type: 'json' };
import hubei from './tariffs/hubei-2026-01-industrial.json' with { type: 'json' };
import { parseClock, type TariffPlan, type TouPeriod } from './tou';

/** A plan as written in the seed files: clock times instead of minutes, one price row per voltage. */
export interface TariffDefinition {
  idPrefix: string;
  name: string;
  validFrom: string;
  validTo: string | null;
  utcOffsetMinutes: number;
  currency: string;
  seasons: { name: string; months: number[]; ranges: { start: string; end: string; period: string }[] }[];
  rows: ({ structure: string; voltage: string } & Record<TouPeriod, string>)[];
}

function asPeriod(p: string): TouPeriod {
  if (p === 'sharp' || p === 'peak' || p === 'flat' || p === 'valley') return p;
  throw new RangeError(`unknown TOU period ${p}`);
}

/** Expands a seed definition into one plan per price row (structure × voltage). */
export function plansFromDefinition(def: TariffDefinition): TariffPlan[] {
  const seasons = def.seasons.map((s) => ({
    name: s.name,
    months: s.months,
    schedules: [
      {
        ranges: s.ranges.map((r) => ({
          startMinute: parseClock(r.start),
          endMinute: parseClock(r.end) === 0 ? 1440 : parseClock(r.end),
          period: asPeriod(r.period),
        })),
      },
    ],
  }));
  return def.rows.map((row) => ({
    id: `${def.idPrefix}/${row.structure}/${row.voltage}`,
    name: `${def.name} ${row.structure} ${row.voltage}`,
    validFrom: def.validFrom,
    validTo: def.validTo,
    utcOffsetMinutes: def.utcOffsetMinutes,
    currency: def.currency,
    prices: { sharp: row.sharp, peak: row.peak, flat: row.flat, valley: row.valley },
    seasons,
  }));
}

/** Hubei 2026-01 agent-purchase industrial & commercial TOU tariff (鄂发改价管〔2024〕77号 periods). */
export function hubei202601Plans(): TariffPlan[] {
  return plansFromDefinition(hubei as TariffDefinition);
}

export interface CoalCoefficient {
  energyType: string;
  unit: string;
  kgcePerUnit?: string;
  kgcePerUnitMin?: string;
  kgcePerUnitMax?: string;
  basis: string;
  citation: string;
}

/** Standard-coal conversion coefficients, GB/T 2589-2020 Table A.1 (see the JSON for the citation). */
export const COAL_COEFFICIENTS: readonly CoalCoefficient[] = coal.coefficients;
export const COAL_SOURCE = coal._source;
