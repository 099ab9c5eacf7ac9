import Decimal from 'decimal.js';
import { countsTowardNodes, refreshNodesAfterHierarchyChange } from '../energy/node-refresh';
import type { Sql } from './metering.service';
import type { MeterKind } from './cleaning';
import { isKnownUnit, isQuantityUnit, unitDimension } from './units';

export const ENERGY_TYPES = [
  'electricity',
  'water',
  'natural_gas',
  'steam',
  'compressed_air',
  'diesel',
  'gasoline',
  'coal',
  'heat',
  'lpg',
  'other',
] as const;
export type EnergyType = (typeof ENERGY_TYPES)[number];
export const METER_KINDS: readonly MeterKind[] = ['cumulative', 'interval', 'instantaneous', 'status'];
export const ROLLUP_GRAINS = ['15m', '1h', '1d', '1mo'] as const;
export type RollupGrain = (typeof ROLLUP_GRAINS)[number];

export interface MeterSpec {
  code: string;
  name: string;
  energyType: EnergyType;
  unit: string;
  kind: MeterKind;
  multiplier?: string;
  rolloverValue?: string | null;
  maxRatePerHour?: string | null;
  intervalSeconds?: number;
  parentMeterId?: string | null;
  equipmentId?: string | null;
  areaId?: string | null;
  /** virtual meter: e.g. `{MAIN} - {SUB1} - {SUB2}` or `0.5*{A} + {B}` */
  formula?: string | null;
  timeZone?: string;
}

export interface Meter extends Required<Omit<MeterSpec, 'formula'>> {
  id: string;
  enterpriseId: string;
  formula: string | null;
}

export class MeterSpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface FormulaTerm {
  coef: Decimal;
  code: string;
}

/** Parses `{A} - {B} + 0.5*{C}` into signed terms. Codes are braced so they may contain '-'. */
export function parseFormula(formula: string): FormulaTerm[] {
  const terms: FormulaTerm[] = [];
  const re = /\s*([+-])?\s*(?:(\d+(?:\.\d+)?)\s*\*\s*)?\{([^{}]+)\}\s*/gy;
  let m: RegExpExecArray | null = re.exec(formula);
  let pos = 0;
  while (m) {
    if (m.index !== pos || (terms.length > 0 && !m[1])) break;
    const coef = new Decimal(m[2] ?? 1).times(m[1] === '-' ? -1 : 1);
    terms.push({ coef, code: m[3]!.trim() });
    pos = re.lastIndex;
    m = re.exec(formula);
  }
  if (pos !== formula.length || !terms.length)
    throw new MeterSpecError('formula', `cannot parse formula at ${pos}`);
  return terms;
}

export function validateMeterSpec(s: MeterSpec): void {
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(s.code))
    throw new MeterSpecError('code', 'code: 1-64 of A-Z a-z 0-9 _ . : -');
  if (!ENERGY_TYPES.includes(s.energyType)) throw new MeterSpecError('energyType', 'unknown energy type');
  if (!METER_KINDS.includes(s.kind)) throw new MeterSpecError('kind', 'unknown kind');
  if (!isKnownUnit(s.unit)) throw new MeterSpecError('unit', `unknown unit ${s.unit}`);
  if ((s.kind === 'cumulative' || s.kind === 'interval') && !isQuantityUnit(s.unit))
    throw new MeterSpecError('unit', `${s.kind} meters need an energy, volume or mass unit`);
  if (s.kind === 'status' && unitDimension(s.unit) !== 'state')
    throw new MeterSpecError('unit', 'status meters use state');
  if (s.formula) parseFormula(s.formula);
  if (s.rolloverValue && s.kind !== 'cumulative')
    throw new MeterSpecError('rolloverValue', 'only registers roll over');
}

interface MeterRowDb {
  id: string;
  enterprise_id: string;
  code: string;
  name: string;
  energy_type: EnergyType;
  unit: string;
  kind: MeterKind;
  multiplier: string;
  rollover_value: string | null;
  max_rate_per_hour: string | null;
  interval_seconds: number;
  parent_meter_id: string | null;
  equipment_id: string | null;
  area_id: string | null;
  formula: string | null;
  time_zone: string;
}

const COLS = `id, enterprise_id, code, name, energy_type, unit, kind, multiplier::text, rollover_value::text,
  max_rate_per_hour::text, interval_seconds, parent_meter_id, equipment_id, area_id, formula, time_zone`;

function toMeter(r: MeterRowDb): Meter {
  return {
    id: r.id,
    enterpriseId: r.enterprise_id,
    code: r.code,
    name: r.name,
    energyType: r.energy_type,
    unit: r.unit,
    kind: r.kind,
    multiplier: r.multiplier,
    rolloverValue: r.rollover_value,
    maxRatePerHour: r.max_rate_per_hour,
    intervalSeconds: r.interval_seconds,
    parentMeterId: r.parent_meter_id,
    equipmentId: r.equipment_id,
    areaId: r.area_id,
    formula: r.formula,
    timeZone: r.time_zone,
  };
}

/**
 * Creates a meter (caller holds a tenant transaction). Virtual meter terms must already exist. A
 * meter that counts toward hierarchy nodes brings the enterprise's node rollups in line in the same
 * transaction (energy/node-refresh.ts), so nodes never go stale because of a new meter.
 */
export async function createMeter(db: Sql, enterpriseId: string, s: MeterSpec): Promise<Meter> {
  validateMeterSpec(s);
  if (s.formula) {
    const codes = parseFormula(s.formula).map((t) => t.code);
    const found = await db.query<{ code: string }[]>(
      'SELECT code FROM metering_meter WHERE enterprise_id = $1 AND code = ANY($2::text[])',
      [enterpriseId, codes],
    );
    const missing = codes.filter((c) => !found.some((f) => f.code === c));
    if (missing.length) throw new MeterSpecError('formula', `unknown meters: ${missing.join(', ')}`);
  }
  const rows = await db.query<MeterRowDb[]>(
    `INSERT INTO metering_meter (enterprise_id, code, name, energy_type, unit, kind, multiplier, rollover_value,
       max_rate_per_hour, interval_seconds, parent_meter_id, equipment_id, area_id, formula, time_zone)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING ${COLS}`,
    [
      enterpriseId,
      s.code,
      s.name,
      s.energyType,
      s.unit,
      s.kind,
      s.multiplier ?? '1',
      s.rolloverValue ?? null,
      s.maxRatePerHour ?? null,
      s.intervalSeconds ?? 900,
      s.parentMeterId ?? null,
      s.equipmentId ?? null,
      s.areaId ?? null,
      s.formula ?? null,
      s.timeZone ?? 'UTC',
    ],
  );
  const meter = toMeter(rows[0]!);
  if (countsTowardNodes(meter)) await refreshNodesAfterHierarchyChange(db, enterpriseId);
  return meter;
}

export async function listMeters(db: Sql, enterpriseId: string): Promise<Meter[]> {
  const rows = await db.query<MeterRowDb[]>(
    `SELECT ${COLS} FROM metering_meter WHERE enterprise_id = $1 ORDER BY code`,
    [enterpriseId],
  );
  return rows.map(toMeter);
}

export async function getMeter(db: Sql, enterpriseId: string, idOrCode: string): Promise<Meter | null> {
  const isUuid = /^[0-9a-f-]{36}$/i.test(idOrCode);
  const rows = await db.query<MeterRowDb[]>(
    `SELECT ${COLS} FROM metering_meter WHERE enterprise_id = $1 AND ${isUuid ? 'id = $2::uuid' : 'code = $2'}`,
    [enterpriseId, idOrCode],
  );
  return rows[0] ? toMeter(rows[0]) : null;
}

export interface RollupPoint {
  bucketStart: Date;
  touPeriod: string;
  value: string;
  flagged: string;
}

/**
 * Rollups of one meter over [from, to). A virtual meter is evaluated from its terms' rollups
 * (e.g. losses = main − Σ sub-meters), bucket by bucket.
 */
export async function meterRollups(
  db: Sql,
  enterpriseId: string,
  meter: Meter,
  grain: RollupGrain,
  from: Date,
  to: Date,
): Promise<RollupPoint[]> {
  if (!meter.formula) {
    const rows = await db.query<{ b: Date; tou: string; v: string; f: string }[]>(
      `SELECT bucket_start AS b, tou_period AS tou, value::text AS v, flagged::text AS f FROM metering_rollup
       WHERE enterprise_id = $1 AND meter_id = $2 AND grain = $3 AND bucket_start >= $4 AND bucket_start < $5
       ORDER BY bucket_start, tou_period`,
      [enterpriseId, meter.id, grain, from, to],
    );
    return rows.map((r) => ({ bucketStart: r.b, touPeriod: r.tou, value: r.v, flagged: r.f }));
  }
  const terms = parseFormula(meter.formula);
  const rows = await db.query<{ b: Date; tou: string; v: string; f: string }[]>(
    `SELECT r.bucket_start AS b, r.tou_period AS tou, sum(t.coef * r.value)::text AS v,
            sum(abs(t.coef) * r.flagged)::text AS f
     FROM unnest($2::text[], $3::numeric[]) AS t(code, coef)
     JOIN metering_meter m ON m.enterprise_id = $1 AND m.code = t.code
     JOIN metering_rollup r ON r.enterprise_id = $1 AND r.meter_id = m.id
     WHERE r.grain = $4 AND r.bucket_start >= $5 AND r.bucket_start < $6
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [enterpriseId, terms.map((t) => t.code), terms.map((t) => t.coef.toString()), grain, from, to],
  );
  return rows.map((r) => ({ bucketStart: r.b, touPeriod: r.tou, value: r.v, flagged: r.f }));
}
