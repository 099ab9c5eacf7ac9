import ExcelJS from 'exceljs';
import { FIGURE_KEYS, type ParkExportDocument, RANKING_METRICS } from './park.export';

/**
 * The park export as a workbook, rendered from the same document as the JSON export so every figure is
 * identical: figures are written as text cells holding the exact decimal strings (never binary floats
 * rounded by the spreadsheet library). The sheet "Export" carries the JSON's SHA-256 and the sheet
 * "JSON" the canonical JSON itself (in ≤ 30 000-character chunks, column A, read top to bottom), so the
 * government can tie the workbook to the JSON and, through it, to the members' anchored inventory roots.
 */
export const PARK_XLSX_SHEETS = [
  'Export',
  'Totals by scope',
  'By energy type',
  'By industry',
  'Intensity',
  'Rankings',
  'Quota status',
  'Data freshness',
  'Members',
  'JSON',
] as const;

export const JSON_CHUNK = 30_000;

type Cell = string | number | boolean | null;

function sheet(wb: ExcelJS.Workbook, name: string, header: string[], rows: Cell[][]): void {
  const ws = wb.addWorksheet(name);
  ws.addRow(header).font = { bold: true };
  for (const r of rows) {
    const row = ws.addRow(r.map((v) => (v === null ? '' : v)));
    // Text format: spreadsheet programs must not reinterpret decimal strings as floats.
    row.eachCell((c) => {
      if (typeof c.value === 'string') c.numFmt = '@';
    });
  }
  ws.columns.forEach((c, i) => {
    c.width = Math.min(70, Math.max(12, (header[i] ?? '').length + 4));
  });
  ws.views = [{ state: 'frozen', ySplit: 1 }];
}

export async function renderParkExportXlsx(
  doc: ParkExportDocument,
  json: string,
  jsonSha256: string,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OpenCEP';
  const fixed = new Date(Date.UTC(doc.year + 1, 0, 1));
  wb.created = fixed;
  wb.modified = fixed;
  const name = new Map(doc.enterprises.map((e) => [e.enterpriseId, e.name]));

  sheet(
    wb,
    'Export',
    ['field', 'value'],
    [
      ['schema', doc.schema],
      ['park id', doc.park.id],
      ['park', doc.park.name],
      ['year', String(doc.year)],
      ['unit', doc.unit],
      ['json sha256', jsonSha256],
      ['enterprises', String(doc.enterprises.length)],
      ['method', doc.method],
      [
        'how to tie',
        'Concatenate column A of sheet "JSON" (rows 2…): its SHA-256 equals "json sha256"; each member row of "Members" names the inventory hash and the anchored Merkle root that verifyParkExport and the chain check.',
      ],
    ],
  );

  const figHeader = ['enterprise id', 'name', 'industry', ...FIGURE_KEYS.map((k) => `${k} (tCO2e)`)];
  sheet(wb, 'Totals by scope', figHeader, [
    ...doc.enterprises.map((e) => [
      e.enterpriseId,
      e.name,
      e.industry,
      ...FIGURE_KEYS.map((k) => e.figures[k]),
    ]),
    ['TOTAL', doc.park.name, '', ...FIGURE_KEYS.map((k) => doc.totals[k])],
  ]);

  sheet(
    wb,
    'By energy type',
    ['enterprise id', 'name', 'energy type', 'unit', 'value'],
    [
      ...doc.enterprises.flatMap((e) =>
        e.energy.map((x) => [e.enterpriseId, e.name, x.energyType, x.unit, x.value]),
      ),
      ...doc.energy.map((x) => ['TOTAL', doc.park.name, x.energyType, x.unit, x.value]),
    ],
  );

  sheet(
    wb,
    'By industry',
    ['industry', 'enterprises', ...FIGURE_KEYS.map((k) => `${k} (tCO2e)`)],
    doc.byIndustry.map((g) => [g.industry, String(g.enterprises), ...FIGURE_KEYS.map((k) => g.figures[k])]),
  );

  sheet(
    wb,
    'Intensity',
    [
      'enterprise id',
      'name',
      'totalMarket (tCO2e)',
      'revenue (10^4 CNY)',
      'per revenue (tCO2e/10^4 CNY)',
      'per output',
      'output unit',
    ],
    [
      ...doc.enterprises.map((e) => [
        e.enterpriseId,
        e.name,
        e.figures.totalMarket,
        e.intensity.revenue,
        e.intensity.perRevenue,
        e.intensity.perOutput,
        e.intensity.outputUnit,
      ]),
      ['TOTAL', doc.park.name, '', doc.intensity.revenue, doc.intensity.perRevenue, '', ''],
    ],
  );

  sheet(
    wb,
    'Rankings',
    ['metric', 'rank', 'enterprise id', 'name', 'value'],
    RANKING_METRICS.flatMap((m) =>
      doc.rankings[m].map((r) => [m, r.rank, r.enterpriseId, name.get(r.enterpriseId) ?? '', r.value]),
    ),
  );

  sheet(
    wb,
    'Quota status',
    [
      'enterprise id',
      'name',
      'quota (tCO2e)',
      'source',
      'totalLocation (tCO2e)',
      'forecast method',
      'forecast',
      'forecast low',
      'forecast high',
      'warning',
    ],
    [
      ...doc.enterprises.map((e) => [
        e.enterpriseId,
        e.name,
        e.quota.amount,
        e.quota.source,
        e.figures.totalLocation,
        e.quota.forecastMethod,
        e.quota.forecast,
        e.quota.forecastLow,
        e.quota.forecastHigh,
        e.quota.warning,
      ]),
      [
        'TOTAL',
        doc.park.name,
        doc.quota.total,
        '',
        doc.totals.totalLocation,
        '',
        '',
        '',
        '',
        `${doc.quota.enterprisesWithWarning} warning(s)`,
      ],
    ],
  );

  sheet(
    wb,
    'Data freshness',
    ['enterprise id', 'name', 'last reading at (UTC)'],
    doc.enterprises.map((e) => [e.enterpriseId, e.name, e.lastReadingAt]),
  );

  sheet(
    wb,
    'Members',
    ['enterprise id', 'name', 'inventory id', 'inventory hash', 'anchored root', 'anchor state', 'anchor tx'],
    doc.enterprises.map((e) => [
      e.enterpriseId,
      e.name,
      e.inventoryId,
      e.inventoryHash,
      e.anchoredRoot,
      e.anchorState,
      e.anchorTx,
    ]),
  );

  const chunks: Cell[][] = [];
  for (let i = 0; i < json.length; i += JSON_CHUNK) chunks.push([json.slice(i, i + JSON_CHUNK)]);
  sheet(wb, 'JSON', [`canonical JSON (RFC 8785), sha256 ${jsonSha256}`], chunks);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
