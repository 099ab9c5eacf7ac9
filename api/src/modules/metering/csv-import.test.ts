import { describe, expect, it } from 'vitest';
import { csvErrorsFrom, csvToReadings, parseCsv } from './csv-import';

describe('CSV import (pure)', () => {
  it('parses quotes, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa,b\r\n"x,1","he said ""hi"""\n')).toEqual([
      ['a', 'b'],
      ['x,1', 'he said "hi"'],
    ]);
  });
  it('reports header and row shape errors by row', () => {
    expect(csvToReadings('meter,when\nA,1\n').errors[0]).toMatchObject({ row: 1, code: 'BAD_HEADER' });
    const r = csvToReadings('meter_code,ts,value,unit\nE-1,2026-01-01T00:00:00Z,1,kWh\nE-1,oops\n');
    expect(r.readings).toHaveLength(1);
    expect(r.errors).toEqual([
      { row: 3, column: null, code: 'BAD_CSV', message: 'expected 4 fields, got 2' },
    ]);
  });
  it('maps ingest rejections to row and column; same file → same batch id', () => {
    const text = 'meter_code,ts,value,unit\nE-1,2026-01-01T00:00:00Z,1,m3\nE-1,2026-01-01T00:15:00Z,x,kWh\n';
    const r = csvToReadings(text);
    expect(csvToReadings(text).batchId).toBe(r.batchId);
    const errs = csvErrorsFrom(
      {
        batchId: r.batchId,
        accepted: 0,
        duplicates: 0,
        rejected: 2,
        items: [
          { index: 0, status: 'REJECTED', code: 'WRONG_UNIT', message: 'wrong' },
          { index: 1, status: 'REJECTED', code: 'MALFORMED', message: 'The reading…: value' },
        ],
      },
      r.rows,
    );
    expect(errs.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, 'unit', 'WRONG_UNIT'],
      [3, 'value', 'MALFORMED'],
    ]);
  });
});
