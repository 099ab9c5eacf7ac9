import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { CsvRowError } from './metering.errors';
import type { ReadingInput } from './metering.service';

/**
 * XLSX import: the same columns and pipeline as the CSV import (docs/metering.md). The sheet named
 * `readings` is read, else the first worksheet; row 1 is the header; rows are numbered as Excel shows
 * them, so an error's `{ sheet, row, column }` points at the cell.
 *
 * Cells: text, numbers (a number cell's value is the decimal Excel stores, e.g. 1234.5) and formula
 * results are accepted. A date-formatted `ts` cell is refused: Excel dates carry no time zone, and a
 * timestamp is never interpreted by guess — write it as RFC 3339 text with an offset.
 */

export const MAX_XLSX_BYTES = 8 * 1024 * 1024;

export interface XlsxReadings {
  sheet: string | null;
  readings: ReadingInput[];
  /** Excel row number of each reading */
  rows: number[];
  errors: CsvRowError[];
  /** content hash → batch id: importing the same file twice changes nothing */
  batchId: string;
}

type Cell = ExcelJS.CellValue;

/** A cell as text, or an error message when it cannot be one. */
function cellText(v: Cell, column: string): { text: string } | { error: string } {
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'string') return { text: v.trim() };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { error: 'not a finite number' };
    return { text: String(v) };
  }
  if (typeof v === 'boolean') return { error: 'a boolean cell' };
  if (v instanceof Date)
    return {
      error:
        column === 'ts'
          ? 'Excel date cells have no time zone: write ts as RFC 3339 text with an offset'
          : 'a date cell',
    };
  if (typeof v === 'object') {
    if ('richText' in v)
      return {
        text: v.richText
          .map((t) => t.text)
          .join('')
          .trim(),
      };
    if ('error' in v) return { error: `cell error ${String(v.error)}` };
    if ('result' in v || 'formula' in v || 'sharedFormula' in v) {
      const r = (v as { result?: Cell }).result;
      if (r === undefined) return { error: 'formula without a stored result' };
      return cellText(r, column);
    }
    if ('text' in v && typeof v.text === 'string') return { text: v.text.trim() };
  }
  return { error: 'unsupported cell' };
}

export function batchIdOf(bytes: Buffer | string): string {
  const h = createHash('sha256').update(bytes).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Reads a workbook into readings; structural problems come back by sheet, row and column. */
export async function xlsxToReadings(bytes: Buffer, maxRows: number): Promise<XlsxReadings> {
  const batchId = batchIdOf(bytes);
  const errors: CsvRowError[] = [];
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    errors.push({
      sheet: null,
      row: 0,
      column: null,
      code: 'BAD_XLSX',
      message: `not a readable XLSX workbook (${e instanceof Error ? e.message : String(e)})`,
    });
    return { sheet: null, readings: [], rows: [], errors, batchId };
  }
  const ws = wb.worksheets.find((w) => w.name.toLowerCase() === 'readings') ?? wb.worksheets[0];
  if (!ws) {
    errors.push({
      sheet: null,
      row: 0,
      column: null,
      code: 'BAD_XLSX',
      message: 'the workbook has no sheet',
    });
    return { sheet: null, readings: [], rows: [], errors, batchId };
  }
  const sheet = ws.name;
  const header = new Map<string, number>();
  ws.getRow(1).eachCell((cell, col) => {
    const t = cellText(cell.value, '');
    if ('text' in t && t.text) header.set(t.text.toLowerCase(), col);
  });
  if (
    (!header.has('meter_code') && !header.has('meter_id')) ||
    !header.has('ts') ||
    !header.has('value') ||
    !header.has('unit')
  ) {
    errors.push({
      sheet,
      row: 1,
      column: null,
      code: 'BAD_HEADER',
      message: `row 1 must name meter_code (or meter_id), ts, value, unit; got: ${[...header.keys()].join(',')}`,
    });
    return { sheet, readings: [], rows: [], errors, batchId };
  }
  if (ws.actualRowCount - 1 > maxRows) {
    errors.push({
      sheet,
      row: 0,
      column: null,
      code: 'TOO_MANY_ROWS',
      message: `at most ${maxRows} rows per import, got ${ws.actualRowCount - 1}`,
    });
    return { sheet, readings: [], rows: [], errors, batchId };
  }
  const readings: ReadingInput[] = [];
  const rows: number[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNo) => {
    if (rowNo === 1) return;
    const out: Record<string, string> = {};
    let bad = false;
    for (const [name, col] of header) {
      if (!['meter_code', 'meter_id', 'ts', 'value', 'unit'].includes(name)) continue;
      const t = cellText(row.getCell(col).value, name);
      if ('error' in t) {
        errors.push({ sheet, row: rowNo, column: name, code: 'BAD_CELL', message: t.error });
        bad = true;
      } else out[name] = t.text;
    }
    if (bad) return;
    if (Object.values(out).every((x) => x === '')) return; // formatted but empty row
    readings.push({
      meterCode: out.meter_code || null,
      meterId: out.meter_id || null,
      ts: out.ts ?? '',
      value: out.value ?? '',
      unit: out.unit ?? '',
    });
    rows.push(rowNo);
  });
  return { sheet, readings, rows, errors, batchId };
}
