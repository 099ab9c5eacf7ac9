import type { MarketInstrument } from '../accounting/engine/activity';
import { Decimal } from '../../core/scalars';

/** Pure helpers for offsets: serial ranges, instruments for the accounting engine, net emissions. */
export type OffsetKind = 'GREEN_POWER' | 'CERTIFICATE' | 'CARBON_CREDIT';

export interface RetirementRow {
  id: string;
  kind: OffsetKind;
  registry: string | null;
  serialStart: string | null;
  serialEnd: string | null;
  quantity: string;
  periodStart: string;
  periodEnd: string;
  evidenceReference: string;
}

/** Inclusive serial range [start, end] → count; throws RangeError when malformed. */
export function serialCount(start: string, end: string): bigint {
  if (!/^\d{1,18}$/.test(start) || !/^\d{1,18}$/.test(end))
    throw new RangeError('serials are 1–18 digit integers');
  const s = BigInt(start);
  const e = BigInt(end);
  if (e < s) throw new RangeError('serialEnd before serialStart');
  return e - s + 1n;
}

/** Inclusive ranges [a1,a2] and [b1,b2] overlap. */
export const rangesOverlap = (a: [bigint, bigint], b: [bigint, bigint]): boolean =>
  a[0] <= b[1] && b[0] <= a[1];

/** Postgres int8range literal (half-open) for an inclusive range. */
export const int8range = (start: string, end: string): string => `[${BigInt(start)},${BigInt(end) + 1n})`;

/**
 * Retirements → `marketInstruments` of the accounting activity input (engine/activity.ts): green power
 * and certificates only, those whose period lies inside the activity period. Carbon credits are not a
 * scope 2 instrument; they reduce net emissions (`netEmissions`).
 */
export function retirementsToInstruments(
  rows: RetirementRow[],
  period: { start: string; end: string },
): MarketInstrument[] {
  return rows
    .filter((r) => r.kind !== 'CARBON_CREDIT' && r.periodStart >= period.start && r.periodEnd <= period.end)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((r) => ({
      id: `offset-retirement-${r.id}`,
      kind: r.kind === 'GREEN_POWER' ? ('green-power-contract' as const) : ('certificate' as const),
      quantity: new Decimal(r.quantity).toFixed(),
      unit: 'MWh',
      period: { start: r.periodStart, end: r.periodEnd },
      evidence: {
        kind: r.kind === 'GREEN_POWER' ? ('contract' as const) : ('certificate-registry' as const),
        reference:
          r.kind === 'CERTIFICATE'
            ? `${r.registry} ${r.serialStart}-${r.serialEnd}: ${r.evidenceReference}`
            : r.evidenceReference,
      },
    }));
}

/** Net emissions = gross (market-based where available) − carbon credits retired for the period, ≥ 0 not enforced. */
export function netEmissions(
  gross: Decimal.Value,
  rows: RetirementRow[],
  period: { start: string; end: string },
): { gross: Decimal; credits: Decimal; net: Decimal } {
  const credits = rows
    .filter((r) => r.kind === 'CARBON_CREDIT' && r.periodStart >= period.start && r.periodEnd <= period.end)
    .reduce((a, r) => a.add(r.quantity), new Decimal(0));
  const g = new Decimal(gross);
  return { gross: g, credits, net: g.sub(credits) };
}
