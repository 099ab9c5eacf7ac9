import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { xlsxToReadings } from './xlsx-import';

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('XLSX import (pure, real workbooks)', () => {
  it('reads the documented columns in any order, numbers, formulas and rich text', async () => {
    const bytes = await workbook((wb) => {
      wb.addWorksheet('notes').addRow(['ignored']);
      const ws = wb.addWorksheet('Readings');
      ws.addRow(['unit', 'ts', 'Meter_Code', 'value', 'comment']);
      ws.addRow(['kWh', '2026-03-01T00:15:00+08:00', 'E-MAIN', 1234.5, 'x']);
      ws.addRow([
        'm3',
        '2026-03-01T00:15:00+08:00',
        { richText: [{ text: 'W-' }, { text: 'MAIN' }] },
        '88.125',
      ]);
      ws.addRow([]);
      ws.addRow(['kWh', '2026-03-01T00:30:00+08:00', 1001, { formula: '1+1', result: 2 }]);
    });
    const r = await xlsxToReadings(bytes, 100);
    expect(r.sheet).toBe('Readings');
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([2, 3, 5]);
    expect(r.readings).toEqual([
      { meterCode: 'E-MAIN', meterId: null, ts: '2026-03-01T00:15:00+08:00', value: '1234.5', unit: 'kWh' },
      { meterCode: 'W-MAIN', meterId: null, ts: '2026-03-01T00:15:00+08:00', value: '88.125', unit: 'm3' },
      { meterCode: '1001', meterId: null, ts: '2026-03-01T00:30:00+08:00', value: '2', unit: 'kWh' },
    ]);
    expect((await xlsxToReadings(bytes, 100)).batchId).toBe(r.batchId);
  });

  it('reports bad cells by sheet, row and column; refuses zone-less date cells', async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet('Data');
      ws.addRow(['meter_code', 'ts', 'value', 'unit']);
      ws.addRow(['E-MAIN', new Date(Date.UTC(2026, 2, 1)), 1, 'kWh']);
      ws.addRow(['E-MAIN', '2026-03-01T00:15:00Z', { error: '#DIV/0!' }, 'kWh']);
      ws.addRow(['E-MAIN', '2026-03-01T00:30:00Z', true, 'kWh']);
      ws.addRow(['E-MAIN', '2026-03-01T00:45:00Z', '5', 'kWh']);
    });
    const r = await xlsxToReadings(bytes, 100);
    expect(r.errors.map((e) => [e.sheet, e.row, e.column, e.code])).toEqual([
      ['Data', 2, 'ts', 'BAD_CELL'],
      ['Data', 3, 'value', 'BAD_CELL'],
      ['Data', 4, 'value', 'BAD_CELL'],
    ]);
    expect(r.errors[0]!.message).toMatch(/time zone/);
    expect(r.rows).toEqual([5]);
  });

  it('rejects a missing header, too many rows and a file that is not a workbook', async () => {
    const noHeader = await workbook((wb) => wb.addWorksheet('S').addRow(['meter', 'when', 'value']));
    expect((await xlsxToReadings(noHeader, 100)).errors[0]).toMatchObject({
      sheet: 'S',
      row: 1,
      code: 'BAD_HEADER',
    });
    const many = await workbook((wb) => {
      const ws = wb.addWorksheet('S');
      ws.addRow(['meter_code', 'ts', 'value', 'unit']);
      for (let i = 0; i < 5; i++) ws.addRow(['E', '2026-03-01T00:00:00Z', i, 'kWh']);
    });
    expect((await xlsxToReadings(many, 4)).errors[0]).toMatchObject({ code: 'TOO_MANY_ROWS' });
    expect((await xlsxToReadings(many, 5)).readings).toHaveLength(5);
    expect((await xlsxToReadings(Buffer.from('meter_code,ts\n'), 5)).errors[0]).toMatchObject({
      code: 'BAD_XLSX',
      row: 0,
    });
  });
});
