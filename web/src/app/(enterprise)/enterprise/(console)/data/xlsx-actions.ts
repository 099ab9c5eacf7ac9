'use server';

import { revalidatePath } from 'next/cache';
import { UUID } from '@/lib/actions/result';
import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from '@/lib/graphql/client';
import { IMPORT_READINGS_XLSX } from '@/lib/graphql/operations-views';

export interface XlsxRowError {
  row: number;
  column: string | null;
  code: string;
  message: string;
  sheet: string | null;
}

export interface XlsxImportState {
  status: 'idle' | 'ok' | 'invalid' | 'error';
  rows?: number;
  accepted?: number;
  duplicates?: number;
  sheet?: string | null;
  errors?: XlsxRowError[];
  code?: string;
  message?: string;
}

/** The API takes workbooks ≤ 8 MB (base64 in the mutation). */
const MAX_XLSX_BYTES = 8 * 1024 * 1024;
const XLSX_TYPES = new Set([
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
  '',
]);

/** XLSX import of meter readings (same columns as CSV); row errors come back by sheet, row and column. */
export async function importXlsxAction(_prev: XlsxImportState, form: FormData): Promise<XlsxImportState> {
  const enterpriseId = String(form.get('enterpriseId') ?? '');
  if (!UUID.test(enterpriseId)) return { status: 'invalid', code: 'enterpriseId' };
  const file = form.get('file');
  if (!(file instanceof File) || file.size === 0)
    return { status: 'invalid', code: 'file', message: '.xlsx' };
  if (file.size > MAX_XLSX_BYTES || !XLSX_TYPES.has(file.type))
    return { status: 'invalid', code: 'file', message: '.xlsx ≤ 8 MB' };
  const xlsxBase64 = Buffer.from(await file.arrayBuffer()).toString('base64');
  try {
    const r = await authedRequest<{
      importReadingsXlsx: {
        rows: number;
        accepted: number;
        duplicates: number;
        sheet: string | null;
        errors: XlsxRowError[];
      };
    }>(IMPORT_READINGS_XLSX, { enterpriseId, xlsxBase64 });
    revalidatePath('/enterprise');
    return { status: 'ok', ...r.importReadingsXlsx };
  } catch (err) {
    if (err instanceof GraphQLRequestError) {
      return {
        status: err.code === 'BAD_USER_INPUT' ? 'invalid' : 'error',
        code: err.code,
        message: err.message,
      };
    }
    throw err;
  }
}
