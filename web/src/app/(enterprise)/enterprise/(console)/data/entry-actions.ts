'use server';

import { revalidatePath } from 'next/cache';
import { type ActionResult, DECIMAL, failed, UUID } from '@/lib/actions/result';
import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from '@/lib/graphql/client';
import {
  type CsvRowError,
  IMPORT_PRODUCTION_CSV,
  IMPORT_READINGS_CSV,
  RECORD_ACTIVITY,
  RECORD_MEASURED_FACTOR,
} from '@/lib/graphql/operations';

const str = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SHA256 = /^(0x)?[0-9a-f]{64}$/i;
/** The API takes CSV text; 5 MB covers a month of 15-minute readings for a few hundred meters. */
const MAX_CSV_BYTES = 5 * 1024 * 1024;

export interface ImportState {
  status: 'idle' | 'ok' | 'invalid' | 'error';
  kind?: 'readings' | 'production';
  rows?: number;
  accepted?: number;
  duplicates?: number;
  inserted?: number;
  errors?: CsvRowError[];
  code?: string;
  message?: string;
}

async function csvOf(form: FormData): Promise<string | null> {
  const file = form.get('file');
  if (file instanceof File && file.size > 0) {
    if (file.size > MAX_CSV_BYTES) return null;
    return file.text();
  }
  const text = str(form, 'csv');
  return text === '' ? null : text;
}

/** CSV import of readings or production records; row errors come back per row and column. */
export async function importCsvAction(_prev: ImportState, form: FormData): Promise<ImportState> {
  const enterpriseId = str(form, 'enterpriseId');
  const kind = str(form, 'kind') === 'production' ? 'production' : 'readings';
  if (!UUID.test(enterpriseId)) return { status: 'invalid', code: 'enterpriseId' };
  const csv = await csvOf(form);
  if (csv === null) return { status: 'invalid', code: 'file', message: 'CSV ≤ 5 MB' };
  try {
    if (kind === 'production') {
      const r = await authedRequest<{ importProductionCsv: { inserted: number } }>(IMPORT_PRODUCTION_CSV, {
        enterpriseId,
        csv,
      });
      revalidatePath('/enterprise');
      return { status: 'ok', kind, inserted: r.importProductionCsv.inserted };
    }
    const r = await authedRequest<{
      importReadingsCsv: { rows: number; accepted: number; duplicates: number; errors: CsvRowError[] };
    }>(IMPORT_READINGS_CSV, { enterpriseId, csv });
    revalidatePath('/enterprise');
    return { status: 'ok', kind, ...r.importReadingsCsv };
  } catch (err) {
    if (err instanceof GraphQLRequestError) {
      return {
        status: err.code === 'BAD_USER_INPUT' ? 'invalid' : 'error',
        kind,
        code: err.code,
        message: err.message,
      };
    }
    throw err;
  }
}

/** Activity data from a purchase voucher / ERP record / lab report, with its evidence reference. */
export async function recordActivityAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const sourceId = str(form, 'sourceId');
  const quantity = str(form, 'quantity');
  const periodStart = str(form, 'periodStart');
  const periodEnd = str(form, 'periodEnd');
  const attachment = str(form, 'attachmentSha256');
  if (!UUID.test(sourceId)) return { status: 'invalid', code: 'sourceId' };
  if (!DECIMAL.test(quantity)) return { status: 'invalid', code: 'quantity' };
  if (!DATE.test(periodStart) || !DATE.test(periodEnd)) return { status: 'invalid', code: 'period' };
  if (attachment && !SHA256.test(attachment)) return { status: 'invalid', code: 'attachmentSha256' };
  try {
    const r = await authedRequest<{ recordActivity: { id: string } }>(RECORD_ACTIVITY, {
      input: {
        sourceId,
        quantity,
        unit: str(form, 'unit'),
        periodStart,
        periodEnd,
        evidenceKind: str(form, 'evidenceKind'),
        evidenceReference: str(form, 'evidenceReference'),
        attachmentSha256: attachment ? attachment.replace(/^0x/, '').toLowerCase() : null,
        note: str(form, 'note') || null,
      },
    });
    revalidatePath('/enterprise/data');
    return { status: 'ok', ref: r.recordActivity.id.slice(0, 8) };
  } catch (err) {
    return failed(err);
  }
}

/** A measured factor (lab NCV, carbon content, …) with its evidence. */
export async function recordMeasuredFactorAction(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const sourceId = str(form, 'sourceId');
  const value = str(form, 'value');
  const validFrom = str(form, 'validFrom');
  const validTo = str(form, 'validTo');
  const attachment = str(form, 'attachmentSha256');
  if (!UUID.test(sourceId)) return { status: 'invalid', code: 'sourceId' };
  if (!DECIMAL.test(value)) return { status: 'invalid', code: 'value' };
  if (!DATE.test(validFrom) || !DATE.test(validTo)) return { status: 'invalid', code: 'valid' };
  if (attachment && !SHA256.test(attachment)) return { status: 'invalid', code: 'attachmentSha256' };
  try {
    const r = await authedRequest<{ recordMeasuredFactor: { id: string } }>(RECORD_MEASURED_FACTOR, {
      input: {
        sourceId,
        value,
        role: str(form, 'role'),
        unit: str(form, 'unit'),
        validFrom,
        validTo,
        evidenceReference: str(form, 'evidenceReference'),
        attachmentSha256: attachment ? attachment.replace(/^0x/, '').toLowerCase() : null,
      },
    });
    revalidatePath('/enterprise/data');
    return { status: 'ok', ref: r.recordMeasuredFactor.id.slice(0, 8) };
  } catch (err) {
    return failed(err);
  }
}
