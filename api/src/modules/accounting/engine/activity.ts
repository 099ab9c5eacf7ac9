import { z } from 'zod';
import { AccountingError } from '../accounting.errors';

const decimal = z.string().regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'non-negative decimal string, e.g. "1234.5"');
const positiveDecimal = decimal.refine((s) => /[1-9]/.test(s), 'must be greater than zero');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'not a calendar date');

const period = z
  .object({ start: isoDate, end: isoDate })
  .strict()
  .refine((p) => p.start <= p.end, 'period.start must not be after period.end');

export const evidenceSchema = z
  .object({
    kind: z.enum([
      'meter-rollup',
      'voucher',
      'erp',
      'lab-report',
      'contract',
      'certificate-registry',
      'manual',
    ]),
    reference: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();

/**
 * A measured (site-specific) factor. Evidence and validity are optional in the schema on purpose: the
 * engine decides what happens to a factor without them (see `CalculateOptions.invalidMeasuredFactor`).
 */
export const measuredFactorSchema = z
  .object({
    role: z.enum(['ncv', 'carbonContent', 'oxidationRate', 'gasMassFraction', 'emissionFactor']),
    value: decimal,
    unit: z.string().min(1),
    evidence: z.object({ reference: z.string(), kind: z.string().optional() }).strict().optional(),
    validFrom: isoDate.optional(),
    validTo: isoDate.optional(),
  })
  .strict();

export const activityLineSchema = z
  .object({
    sourceId: z.string().min(1),
    sourceType: z.string().min(1),
    description: z.string().optional(),
    quantity: decimal,
    unit: z.string().min(1),
    evidence: evidenceSchema,
    measuredFactors: z.array(measuredFactorSchema).optional(),
  })
  .strict();

export const marketInstrumentSchema = z
  .object({
    id: z.string().min(1),
    kind: z.enum(['green-power-contract', 'certificate']),
    quantity: decimal,
    unit: z.string().min(1),
    period,
    evidence: evidenceSchema,
  })
  .strict();

export const activitySchema = z
  .object({
    period,
    enterprise: z.object({ id: z.string().min(1), name: z.string().optional() }).strict(),
    lines: z.array(activityLineSchema),
    output: z
      .object({ quantity: positiveDecimal, unit: z.string().min(1), description: z.string().optional() })
      .strict()
      .optional(),
    revenue: z
      .object({ amount: positiveDecimal, unit: z.enum(['CNY', '10^4 CNY']) })
      .strict()
      .optional(),
    marketInstruments: z.array(marketInstrumentSchema).optional(),
  })
  .strict();

export type Activity = z.infer<typeof activitySchema>;
export type ActivityLine = z.infer<typeof activityLineSchema>;
export type MeasuredFactor = z.infer<typeof measuredFactorSchema>;
export type MarketInstrument = z.infer<typeof marketInstrumentSchema>;
export type Evidence = z.infer<typeof evidenceSchema>;

/** Parses activity JSON (text or value). Throws `ACTIVITY_INVALID` listing every issue with its path. */
export const parseActivity = (input: unknown): Activity => {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new AccountingError('ACTIVITY_INVALID', `Not JSON: ${(e as Error).message}`);
    }
  }
  const r = activitySchema.safeParse(value);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join('.') || '/'}: ${i.message}`).join('; ');
    throw new AccountingError('ACTIVITY_INVALID', detail);
  }
  return r.data;
};
