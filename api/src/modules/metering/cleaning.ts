import Decimal from 'decimal.js';

/**
 * Pure cleaning of meter readings into a derived segment series. Raw readings are never changed:
 * every output segment points at the raw reading that ends it and carries quality flags.
 *
 * Rules (cumulative registers):
 * - spike: a reading that breaks monotonicity while its neighbours agree with each other
 *   (up-glitch v[i] > v[i+1] ≥ v[p], down-glitch v[i] < v[p] ≤ v[i+1]) is skipped: delta 0,
 *   flag `spike`; the next segment spans from the last good reading. A positive delta above
 *   `maxRatePerHour` is kept but flagged `spike`.
 * - rollover: a drop where the wrapped delta (R − prev + cur) is at most 10% of the rollover value R.
 * - reset (meter replaced or register cleared): any other drop. If the new value is near zero
 *   (≤ 10% of the previous one) the register restarted from zero, so delta = cur; otherwise the
 *   consumption across the change is unknown: delta 0, flags `reset`, `estimated`.
 * - gap: a segment longer than 1.5 × the meter interval is flagged `gap_filled`; its delta is
 *   apportioned linearly over the 15-minute slots it spans (see `apportion`).
 * - `late` and `duplicate` are passed in by the caller (it knows arrival order and sources).
 */
export type QualityFlag =
  | 'ok'
  | 'estimated'
  | 'rollover'
  | 'reset'
  | 'spike'
  | 'gap_filled'
  | 'duplicate'
  | 'late';
export const QUALITY_FLAGS: readonly QualityFlag[] = [
  'ok',
  'estimated',
  'rollover',
  'reset',
  'spike',
  'gap_filled',
  'duplicate',
  'late',
];

export type MeterKind = 'cumulative' | 'interval' | 'instantaneous' | 'status';

export interface CleaningPoint {
  /** epoch milliseconds, strictly increasing */
  ts: number;
  /** value in the meter's unit, before multiplier */
  value: Decimal;
  late?: boolean;
  duplicate?: boolean;
}

export interface CleaningSpec {
  kind: MeterKind;
  multiplier: Decimal;
  rolloverValue: Decimal | null;
  maxRatePerHour: Decimal | null;
  intervalSeconds: number;
}

export interface Segment {
  ts: number;
  /** start of the segment (the previous good reading) or null for a baseline/skipped reading */
  startTs: number | null;
  /** consumption in the meter unit, multiplier applied */
  delta: Decimal;
  flags: QualityFlag[];
}

/**
 * High-precision decimal for cleaning and rollup arithmetic: apportioned pieces are rounded to
 * PIECE_DP places and every sum stays exact, so rollups add up to the register delta to the digit.
 */
export const Dec = Decimal.clone({ precision: 60 });
export const PIECE_DP = 9;
const NEAR = new Dec('0.1');

function isSpikeAt(points: readonly CleaningPoint[], i: number, p: number): boolean {
  const next = points[i + 1];
  const cur = points[i];
  const prev = points[p];
  if (!next || !cur || !prev) return false;
  const up = cur.value.gt(next.value) && prev.value.lte(next.value);
  const down = cur.value.lt(prev.value) && next.value.gte(prev.value);
  return up || down;
}

/**
 * Cleans `points` (sorted by ts, unique ts). Segments are returned for indexes ≥ `emitFrom`;
 * points before it are context only (the caller passes already-processed readings there).
 */
export function cleanSeries(input: readonly CleaningPoint[], specIn: CleaningSpec, emitFrom = 0): Segment[] {
  const out: Segment[] = [];
  // every value as a 60-digit Dec (plain Decimals would round differences to 20 digits); the
  // pipeline passes Dec values already, so the copy is skipped there
  const points = input.every((p) => p.value instanceof Dec)
    ? input
    : input.map((p) => ({ ...p, value: new Dec(p.value) }));
  const spec: CleaningSpec = {
    ...specIn,
    multiplier: new Dec(specIn.multiplier),
    rolloverValue: specIn.rolloverValue ? new Dec(specIn.rolloverValue) : null,
    maxRatePerHour: specIn.maxRatePerHour ? new Dec(specIn.maxRatePerHour) : null,
  };
  const gapMs = spec.intervalSeconds * 1500;
  if (spec.kind === 'instantaneous' || spec.kind === 'status') return out;
  if (spec.kind === 'interval') {
    for (let i = emitFrom; i < points.length; i++) {
      const pt = points[i]!;
      const flags: QualityFlag[] = [];
      const delta = pt.value.times(spec.multiplier);
      if (spec.maxRatePerHour && delta.gt(spec.maxRatePerHour.times(spec.intervalSeconds / 3600)))
        flags.push('spike');
      finish(flags, pt);
      out.push({ ts: pt.ts, startTs: pt.ts - spec.intervalSeconds * 1000, delta, flags });
    }
    return out;
  }
  const unit = spec.multiplier.eq(1);
  const maxRate = spec.maxRatePerHour;
  let p = -1; // last good reading
  for (let i = 0; i < points.length; i++) {
    const pt = points[i]!;
    const emit = i >= emitFrom;
    if (p < 0) {
      p = i;
      if (emit) out.push({ ts: pt.ts, startTs: null, delta: new Dec(0), flags: finish([], pt) });
      continue;
    }
    if (isSpikeAt(points, i, p)) {
      if (emit) out.push({ ts: pt.ts, startTs: null, delta: new Dec(0), flags: finish(['spike'], pt) });
      continue;
    }
    const prev = points[p]!;
    const flags: QualityFlag[] = [];
    let raw = pt.value.minus(prev.value);
    if (raw.isNegative()) {
      const R = spec.rolloverValue;
      const wrapped = R ? R.minus(prev.value).plus(pt.value) : null;
      if (R && wrapped && !wrapped.isNegative() && wrapped.lte(R.times(NEAR))) {
        raw = wrapped;
        flags.push('rollover');
      } else if (pt.value.lte(prev.value.abs().times(NEAR)) && !pt.value.isNegative()) {
        raw = pt.value;
        flags.push('reset');
      } else {
        raw = new Dec(0);
        flags.push('reset', 'estimated');
      }
    }
    const delta = unit ? raw : raw.times(spec.multiplier);
    if (maxRate && delta.gt(maxRate.times((pt.ts - prev.ts) / 3_600_000))) flags.push('spike');
    if (pt.ts - prev.ts > gapMs) flags.push('gap_filled');
    if (emit) out.push({ ts: pt.ts, startTs: prev.ts, delta, flags: finish(flags, pt) });
    p = i;
  }
  return out;
}

function finish(flags: QualityFlag[], pt: CleaningPoint): QualityFlag[] {
  if (pt.late) flags.push('late');
  if (pt.duplicate) flags.push('duplicate');
  if (flags.length === 0) flags.push('ok');
  return flags;
}

export const SLOT_MS = 15 * 60 * 1000;

export interface SlotPiece {
  /** slot start (epoch ms); the slot covers (start, start + 15 min] — readings are interval-end */
  slot: number;
  value: Decimal;
  flagged: boolean;
}

/**
 * Linear apportioning of a segment's delta over the 15-minute slots it overlaps, proportional to
 * time. The last piece takes the remainder so the pieces add up to the delta exactly.
 */
export function apportion(seg: Segment): SlotPiece[] {
  const pieces: SlotPiece[] = [];
  forEachPiece(seg, (slot, value, flagged) => pieces.push({ slot, value, flagged }));
  return pieces;
}

/** `apportion` without the array: calls `fn` once per piece, in slot order (the ingest hot path). */
export function forEachPiece(
  seg: Segment,
  fn: (slot: number, value: Decimal, flagged: boolean) => void,
): void {
  const flagged = seg.flags.some((f) => f !== 'ok' && f !== 'late');
  const end = seg.ts;
  const delta = seg.delta instanceof Dec ? seg.delta : new Dec(seg.delta);
  if (seg.startTs === null || seg.startTs >= end) {
    if (delta.isZero()) return;
    fn(Math.ceil(end / SLOT_MS) * SLOT_MS - SLOT_MS, delta, flagged);
    return;
  }
  const start = seg.startTs;
  const first = Math.floor(start / SLOT_MS);
  const last = Math.ceil(end / SLOT_MS) - 1;
  if (first === last) {
    fn(first * SLOT_MS, delta, flagged);
    return;
  }
  const total = end - start;
  const gap = flagged || seg.flags.includes('gap_filled');
  let acc = new Dec(0);
  for (let k = first; k <= last; k++) {
    const lo = Math.max(start, k * SLOT_MS);
    const hi = Math.min(end, (k + 1) * SLOT_MS);
    let v: Decimal;
    if (k === last) v = delta.minus(acc);
    else {
      v = delta
        .times(hi - lo)
        .div(total)
        .toDecimalPlaces(PIECE_DP, Decimal.ROUND_HALF_EVEN);
      acc = acc.plus(v);
    }
    fn(k * SLOT_MS, v, gap);
  }
}

/** Sums pieces per slot (several readings can fall in one slot). */
export function sumBySlot(pieces: readonly SlotPiece[]): Map<number, { value: Decimal; flagged: Decimal }> {
  const m = new Map<number, { value: Decimal; flagged: Decimal }>();
  for (const p of pieces) {
    const cur = m.get(p.slot) ?? { value: new Dec(0), flagged: new Dec(0) };
    cur.value = cur.value.plus(p.value);
    if (p.flagged) cur.flagged = cur.flagged.plus(p.value);
    m.set(p.slot, cur);
  }
  return m;
}
