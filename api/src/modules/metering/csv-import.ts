import { createHash } from 'node:crypto';
import type { CsvRowError } from './metering.errors';
import type { IngestResult, ReadingInput } from './metering.service';

/** RFC 4180 CSV (quotes, doubled quotes, CRLF or LF). Returns rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < s.length) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export const CSV_COLUMNS = ['meter_code', 'meter_id', 'ts', 'value', 'unit'] as const;

export interface CsvReadings {
  readings: ReadingInput[];
  /** CSV row number (1-based, header = 1) of each reading */
  rows: number[];
  errors: CsvRowError[];
  /** content hash → batch id, so importing the same file twice changes nothing */
  batchId: string;
}

/** Turns a CSV document into readings; structural problems are reported by row and column. */
export function csvToReadings(text: string): CsvReadings {
  const h = createHash('sha256').update(text).digest('hex');
  const batchId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  const table = parseCsv(text);
  const errors: CsvRowError[] = [];
  const header = (table[0] ?? []).map((x) => x.trim().toLowerCase());
  const col = (n: string) => header.indexOf(n);
  if (
    !table.length ||
    (col('meter_code') < 0 && col('meter_id') < 0) ||
    col('ts') < 0 ||
    col('value') < 0 ||
    col('unit') < 0
  ) {
    errors.push({
      row: 1,
      column: null,
      code: 'BAD_HEADER',
      message: `header must name meter_code (or meter_id), ts, value, unit; got: ${header.join(',')}`,
    });
    return { readings: [], rows: [], errors, batchId };
  }
  const readings: ReadingInput[] = [];
  const rows: number[] = [];
  table.slice(1).forEach((r, k) => {
    const rowNo = k + 2;
    if (r.length !== header.length) {
      errors.push({
        row: rowNo,
        column: null,
        code: 'BAD_CSV',
        message: `expected ${header.length} fields, got ${r.length}`,
      });
      return;
    }
    const get = (n: string) => (col(n) >= 0 ? (r[col(n)] ?? '').trim() : '');
    readings.push({
      meterCode: get('meter_code') || null,
      meterId: get('meter_id') || null,
      ts: get('ts'),
      value: get('value'),
      unit: get('unit'),
    });
    rows.push(rowNo);
  });
  return { readings, rows, errors, batchId };
}

const COLUMN_OF: Record<string, string | null> = {
  MALFORMED: null,
  UNKNOWN_METER: 'meter_code',
  VIRTUAL_METER: 'meter_code',
  WRONG_UNIT: 'unit',
  NOT_FINITE: 'value',
  NEGATIVE_REGISTER: 'value',
  FUTURE_TIMESTAMP: 'ts',
  TIMESTAMP_OUT_OF_RANGE: 'ts',
  DUPLICATE_IN_BATCH: 'ts',
};

/** Maps per-item ingest rejections back to CSV rows and columns. */
export function csvErrorsFrom(result: IngestResult, rows: number[]): CsvRowError[] {
  return result.items
    .filter((i) => i.status === 'REJECTED' && i.code)
    .map((i) => {
      let column = COLUMN_OF[i.code!] ?? null;
      if (i.code === 'MALFORMED' && i.message) {
        const m = /: (meterId or meterCode|unit|value|ts)/.exec(i.message);
        if (m) column = m[1] === 'meterId or meterCode' ? 'meter_code' : m[1]!;
      }
      return { row: rows[i.index]!, column, code: i.code!, message: i.message ?? i.code! };
    });
}
