import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { ReportDocument, ReportLanguage } from './report.content';

/** Debian fonts-noto-cjk; the TTC face is chosen by PostScript name (Simplified Chinese). */
export const CJK_FONT_PATH = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
export const CJK_FONT_FACE = 'NotoSansCJKsc-Regular';

const LABELS = {
  'zh-CN': {
    title: '温室气体排放报告',
    subtitle: '依据《机械设备制造企业温室气体排放核算方法与报告指南（试行）》',
    entity: '一、报告主体基本信息',
    name: '企业名称',
    creditCode: '统一社会信用代码',
    industry: '行业',
    period: '报告期',
    boundary: '二、核算边界',
    sources: '三、排放源',
    activity: '四、活动水平数据及来源',
    factors: '五、排放因子及来源',
    emissions: '六、温室气体排放量',
    chart: '各排放源排放量（tCO2e）',
    byGas: '按气体',
    totals: '七、排放总量',
    scope1: '直接排放（范围一）',
    scope2: '外购电力与热力（范围二，基于位置）',
    scope2m: '范围二（基于市场）',
    scope3: '范围三',
    total: '排放总量',
    quality: '八、数据质量管理',
    warnings: '说明',
    signatures: '九、签字与声明',
    sigText: '本报告由企业负责人以 EIP-712 电子签名签署；签名覆盖报告 JSON 哈希与 PDF 哈希。',
    version: '版本',
    jsonHash: '报告 JSON 哈希',
    inventoryHash: '核算清单哈希',
    standard: '核算标准',
    supersedes: '替代报告',
    reason: '原因',
  },
  en: {
    title: 'Greenhouse Gas Emission Report',
    subtitle: 'Prepared under the GHG accounting guideline for machinery manufacturers (NDRC 2015)',
    entity: '1. Reporting entity',
    name: 'Enterprise',
    creditCode: 'Unified social credit code',
    industry: 'Industry',
    period: 'Reporting period',
    boundary: '2. Boundary',
    sources: '3. Emission sources',
    activity: '4. Activity data and sources',
    factors: '5. Emission factors and sources',
    emissions: '6. GHG emissions',
    chart: 'Emissions by source (tCO2e)',
    byGas: 'By gas',
    totals: '7. Totals',
    scope1: 'Direct emissions (scope 1)',
    scope2: 'Purchased electricity and heat (scope 2, location-based)',
    scope2m: 'Scope 2 (market-based)',
    scope3: 'Scope 3',
    total: 'Total emissions',
    quality: '8. Data quality management',
    warnings: 'Notes',
    signatures: '9. Signatures and declaration',
    sigText:
      'This report is signed by the responsible person with an EIP-712 signature covering the report JSON hash and the PDF hash.',
    version: 'Version',
    jsonHash: 'Report JSON hash',
    inventoryHash: 'Inventory hash',
    standard: 'Standard',
    supersedes: 'Supersedes report',
    reason: 'Reason',
  },
} as const satisfies Record<ReportLanguage, Record<string, string>>;

/** Renders the report PDF (A4, embedded Noto Sans CJK, vector bar chart). Deterministic for a document. */
export function renderReportPdf(doc: ReportDocument, jsonHash: string): Promise<Buffer> {
  const L = LABELS[doc.report.language];
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `${L.title} — ${doc.enterprise.name}`,
      Author: 'OpenCEP',
      Subject: `report ${doc.report.id} v${doc.report.version}`,
      CreationDate: new Date(doc.report.generatedAt),
      ModDate: new Date(doc.report.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  if (existsSync(CJK_FONT_PATH)) {
    pdf.registerFont('body', CJK_FONT_PATH, CJK_FONT_FACE);
    pdf.font('body');
  } else if (doc.report.language === 'zh-CN') {
    throw new Error(`CJK font missing: ${CJK_FONT_PATH}`);
  }

  const h = (text: string) =>
    pdf.moveDown(0.6).fontSize(13).fillColor('#1a4d2e').text(text).fillColor('black').fontSize(9.5);
  const kv = (k: string, v: string) => pdf.text(`${k}: ${v}`);

  pdf.fontSize(20).text(L.title, { align: 'center' });
  pdf.fontSize(10).text(L.subtitle, { align: 'center' });
  pdf
    .moveDown(0.3)
    .fontSize(9)
    .text(
      `${doc.enterprise.name} · ${doc.reportingPeriod.start} – ${doc.reportingPeriod.end} · ${L.version} ${doc.report.version}`,
      { align: 'center' },
    );
  pdf.fontSize(9.5);

  h(L.entity);
  kv(L.name, doc.enterprise.name);
  kv(L.creditCode, doc.enterprise.creditCode ?? '—');
  kv(L.industry, doc.enterprise.industry || '—');
  kv(L.period, `${doc.reportingPeriod.start} – ${doc.reportingPeriod.end} (${doc.reportingPeriod.kind})`);
  kv(L.standard, `${doc.standard.ref} (${doc.standard.gwpSet})`);
  if (doc.report.supersedes) {
    kv(L.supersedes, doc.report.supersedes.reportId);
    kv(L.reason, doc.report.supersedes.reason);
  }

  h(L.boundary);
  pdf.text(
    `${doc.boundary.organisational}; ${doc.boundary.scopes.join(', ')}; ${doc.boundary.categories.join(', ')}`,
  );

  h(L.sources);
  for (const s of doc.emissionSources) {
    pdf.text(`• ${s.sourceId} — ${s.sourceType} (${s.category}, ${s.gas}) · ${s.formula}`);
  }

  h(L.activity);
  for (const a of doc.activityData) {
    const ev = a.evidence as { reference?: string; kind?: string } | null;
    pdf.text(`• ${a.sourceId}: ${a.value} ${a.unit}  [${ev?.kind ?? ''} ${ev?.reference ?? ''}]`);
  }

  h(L.factors);
  for (const f of doc.factors) {
    const c = f.citation as { documentTitle?: string; locator?: string } | null;
    pdf.text(
      `• ${f.sourceId} ${f.role} = ${f.value} ${f.unit} (${f.source}${c ? `; ${c.documentTitle ?? ''} ${c.locator ?? ''}` : ''})`,
    );
  }

  h(L.emissions);
  drawBarChart(
    pdf,
    L.chart,
    doc.emissions.bySource.map((s) => ({ label: s.sourceId, value: Number(s.co2eReported) })),
  );
  pdf.text(`${L.byGas}: ${doc.emissions.byGas.map((g) => `${g.gas} ${g.co2e}`).join('; ')}`);

  h(L.totals);
  kv(L.scope1, `${doc.scopeTotals.scope1} tCO2e`);
  kv(L.scope2, `${doc.scopeTotals.scope2Location} tCO2e`);
  if (doc.scopeTotals.scope2Market !== null) kv(L.scope2m, `${doc.scopeTotals.scope2Market} tCO2e`);
  kv(L.scope3, `${doc.scopeTotals.scope3} tCO2e`);
  kv(L.total, `${doc.scopeTotals.totalLocation} tCO2e`);

  h(L.quality);
  kv(L.inventoryHash, doc.qualityManagement.inventoryHash);
  pdf.text(doc.qualityManagement.calculation);
  if (doc.qualityManagement.warnings.length) kv(L.warnings, doc.qualityManagement.warnings.join('; '));

  h(L.signatures);
  pdf.text(L.sigText);
  kv(L.jsonHash, jsonHash);
  pdf.end();
  return done;
}

/** Horizontal bar chart with pdfkit vector graphics (rectangles, lines, labels). */
function drawBarChart(
  pdf: PDFKit.PDFDocument,
  title: string,
  bars: { label: string; value: number }[],
): void {
  const left = pdf.page.margins.left;
  const width = pdf.page.width - left - pdf.page.margins.right;
  const labelW = 140;
  const barH = 14;
  const height = 24 + bars.length * (barH + 6);
  if (pdf.y + height > pdf.page.height - pdf.page.margins.bottom) pdf.addPage();
  const top = pdf.y + 4;
  pdf.fontSize(10).text(title, left, top);
  const chartTop = top + 18;
  const max = Math.max(1e-9, ...bars.map((b) => Math.abs(b.value)));
  const plotW = width - labelW - 70;
  pdf.save().lineWidth(0.5).strokeColor('#888888');
  pdf
    .moveTo(left + labelW, chartTop - 2)
    .lineTo(left + labelW, chartTop + bars.length * (barH + 6))
    .stroke();
  pdf.restore();
  bars.forEach((b, i) => {
    const y = chartTop + i * (barH + 6);
    const w = Math.max(1, (Math.abs(b.value) / max) * plotW);
    pdf
      .fontSize(8)
      .fillColor('black')
      .text(b.label, left, y + 3, { width: labelW - 6, align: 'right', lineBreak: false });
    pdf.rect(left + labelW, y, w, barH).fill(b.value < 0 ? '#c0504d' : '#4f81bd');
    pdf.fillColor('black').text(String(b.value), left + labelW + w + 4, y + 3, { lineBreak: false });
  });
  pdf.fillColor('black').fontSize(9.5);
  pdf.x = left;
  pdf.y = chartTop + bars.length * (barH + 6) + 6;
}
