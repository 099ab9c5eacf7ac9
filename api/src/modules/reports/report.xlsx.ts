import ExcelJS from 'exceljs';
import type { ReportDocument } from './report.content';

/** The working as a workbook: summary, sources/activity, factors, emissions. Figures stay strings (exact). */
export async function renderReportXlsx(doc: ReportDocument, jsonHash: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OpenCEP';
  wb.created = new Date(doc.report.generatedAt);
  wb.modified = new Date(doc.report.generatedAt);
  const summary = wb.addWorksheet('Summary');
  summary.columns = [
    { header: 'Field', key: 'k', width: 32 },
    { header: 'Value', key: 'v', width: 80 },
  ];
  const t = doc.scopeTotals;
  for (const [k, v] of [
    ['report', doc.report.id],
    ['version', String(doc.report.version)],
    ['language', doc.report.language],
    ['enterprise', doc.enterprise.name],
    ['period', `${doc.reportingPeriod.start} – ${doc.reportingPeriod.end}`],
    ['standard', doc.standard.ref],
    ['packHash', doc.standard.packHash],
    ['inventoryHash', doc.qualityManagement.inventoryHash],
    ['jsonHash', jsonHash],
    ['scope1 (tCO2e)', t.scope1],
    ['scope2 location (tCO2e)', t.scope2Location],
    ['scope2 market (tCO2e)', t.scope2Market ?? ''],
    ['scope3 (tCO2e)', t.scope3],
    ['total location (tCO2e)', t.totalLocation],
  ] as const)
    summary.addRow({ k, v });

  const act = wb.addWorksheet('Activity');
  act.columns = [
    { header: 'sourceId', key: 'sourceId', width: 28 },
    { header: 'sourceType', key: 'sourceType', width: 30 },
    { header: 'category', key: 'category', width: 24 },
    { header: 'value', key: 'value', width: 18 },
    { header: 'unit', key: 'unit', width: 12 },
    { header: 'evidence', key: 'evidence', width: 40 },
  ];
  for (const a of doc.activityData) {
    const s = doc.emissionSources.find((x) => x.sourceId === a.sourceId);
    act.addRow({
      ...a,
      sourceType: s?.sourceType,
      category: s?.category,
      evidence: JSON.stringify(a.evidence),
    });
  }

  const fac = wb.addWorksheet('Factors');
  fac.columns = [
    { header: 'sourceId', key: 'sourceId', width: 28 },
    { header: 'role', key: 'role', width: 18 },
    { header: 'value', key: 'value', width: 16 },
    { header: 'unit', key: 'unit', width: 14 },
    { header: 'source', key: 'source', width: 10 },
    { header: 'citation', key: 'citation', width: 80 },
  ];
  for (const f of doc.factors) fac.addRow({ ...f, citation: JSON.stringify(f.citation) });

  const em = wb.addWorksheet('Emissions');
  em.columns = [
    { header: 'sourceId', key: 'sourceId', width: 28 },
    { header: 'gas', key: 'gas', width: 10 },
    { header: 'gasMass (t)', key: 'gasMass', width: 20 },
    { header: 'co2e exact (t)', key: 'co2e', width: 20 },
    { header: 'co2e reported (t)', key: 'co2eReported', width: 20 },
  ];
  for (const e of doc.emissions.bySource) em.addRow(e);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
