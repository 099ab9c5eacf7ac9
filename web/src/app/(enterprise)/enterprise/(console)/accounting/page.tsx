import type { Metadata } from 'next';
import { ActionForm } from '@/components/action-form-client';
import { DataTable, Panel } from '@/components/panel';
import { EmptyState, LoadState } from '@/components/states';
import { getViewer } from '@/lib/auth/session';
import { load, nodes } from '@/lib/graphql/load';
import type { MessageKey } from '@/i18n';
import {
  INVENTORIES,
  type InventoryRow,
  METERS,
  type MeterRow,
  QUOTA_STATUS,
  type QuotaStatus,
  REPORTS,
  type ReportRow,
  TAMPER_ALARMS,
  type TamperAlarmRow,
} from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';
import { periodLabel, shortHash } from '@/lib/views/accounting';
import { enterpriseIdOf } from '@/lib/views/enterprise';
import { adjustQuotaAction, generateReportAction, setQuotaAction } from './actions';
import { ReportSignButton } from './report-sign-client';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('accounting.title') };
}

type Conn<T> = { edges: { node: T }[] };

/** Inventories, quota status, reports and on-chain proofs of the enterprise. */
export default async function AccountingPage() {
  const { t, f, locale } = await getI18n();
  const viewer = await getViewer();
  const enterpriseId = enterpriseIdOf(viewer);
  if (!enterpriseId) return <EmptyState message={t('auth.noRole')} />;
  const year = new Date().getFullYear();
  const vars = { enterpriseId };
  const [inventories, quota, reports, tamper, meters] = await Promise.all([
    load<{ inventories: Conn<InventoryRow> }>('inventories', INVENTORIES, vars),
    load<{ quotaStatus: QuotaStatus }>('quotaStatus', QUOTA_STATUS, { enterpriseId, year }),
    load<{ reports: Conn<ReportRow> }>('reports', REPORTS, vars),
    load<{ tamperAlarms: TamperAlarmRow[] }>('tamperAlarms', TAMPER_ALARMS, vars),
    load<{ meters: MeterRow[] }>('meters', METERS, vars),
  ]);
  const tco2e = t('unit.tCO2e');
  const invRows = inventories.ok ? nodes(inventories.data.inventories) : [];
  const q = quota.ok ? quota.data.quotaStatus : null;
  const finals = invRows.filter((r) => r.state !== 'DRAFT');
  const periodOf = new Map(invRows.map((r) => [r.id, periodLabel(r)]));
  const yearField = <input type="hidden" name="year" value={String(year)} />;
  const idField = <input type="hidden" name="enterpriseId" value={enterpriseId} />;
  return (
    <>
      <h1>{t('accounting.title')}</h1>
      <div className="grid">
        <Panel id="inventories" title={t('accounting.inventories')} wide>
          {!inventories.ok ? (
            <LoadState result={inventories} t={t} />
          ) : (
            <DataTable<InventoryRow>
              caption={t('accounting.inventories')}
              rows={invRows}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                { key: 'period', header: t('accounting.period'), render: (r) => periodLabel(r) },
                {
                  key: 'standard',
                  header: t('accounting.standard'),
                  render: (r) => r.standardVersion ?? r.packRef,
                },
                {
                  key: 'state',
                  header: t('accounting.status'),
                  render: (r) => (
                    <span className="badge">{`${r.state} · ${t('accounting.revision')} ${r.revision}`}</span>
                  ),
                },
                {
                  key: 's1',
                  header: t('carbon.scope1'),
                  numeric: true,
                  render: (r) => f.quantity(r.scope1, tco2e, 3),
                },
                {
                  key: 's2',
                  header: t('carbon.scope2'),
                  numeric: true,
                  render: (r) => f.quantity(r.scope2Location, tco2e, 3),
                },
                {
                  key: 's3',
                  header: t('carbon.scope3'),
                  numeric: true,
                  render: (r) => f.quantity(r.scope3, tco2e, 3),
                },
                {
                  key: 'total',
                  header: t('accounting.total'),
                  numeric: true,
                  render: (r) => f.quantity(r.totalReported, tco2e, 3),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="quotas" title={`${t('accounting.quotas')} ${year}`} wide>
          {!quota.ok ? (
            <LoadState result={quota} t={t} />
          ) : !q ? null : (
            <>
              <dl className="stats">
                <div className="stat">
                  <dt>{t('accounting.allocated')}</dt>
                  <dd data-testid="quota-value">{f.quantity(q.quota, tco2e, 1)}</dd>
                </div>
                <div className="stat">
                  <dt>{t('accounting.used')}</dt>
                  <dd>{f.quantity(q.used, tco2e, 1)}</dd>
                </div>
                <div className="stat">
                  <dt>{t('accounting.remaining')}</dt>
                  <dd>{f.quantity(q.remaining, tco2e, 1)}</dd>
                </div>
                <div className="stat">
                  <dt>{t('accounting.forecast')}</dt>
                  <dd>{f.quantity(q.forecast.value, tco2e, 1)}</dd>
                </div>
              </dl>
              <p className="hint">
                {`${t('accounting.quotaSource')}: ${q.quotaSource} · ${t('accounting.chainQuota')}: ${f.quantity(q.chainQuota, tco2e, 1)}${q.chainRevision ? ` (${t('accounting.revision')} ${q.chainRevision})` : ''} · ${t('accounting.manualQuota')}: ${f.quantity(q.manualQuota, tco2e, 1)}`}
              </p>
              <p className="hint">
                {`${t('accounting.forecastRange')}: ${f.number(q.forecast.low, 1)} – ${f.number(q.forecast.high, 1)} ${tco2e} · ${q.forecast.method} · ${t('accounting.monthsObserved', { n: q.forecast.monthsObserved })}`}
              </p>
              <h3>{t('accounting.trueUp')}</h3>
              <DataTable
                caption={t('accounting.trueUp')}
                rows={q.trueUp}
                rowKey={(m) => String(m.month)}
                empty={t('state.empty')}
                columns={[
                  {
                    key: 'm',
                    header: t('accounting.month'),
                    render: (m) => `${year}-${String(m.month).padStart(2, '0')}`,
                  },
                  {
                    key: 'u',
                    header: t('accounting.used'),
                    numeric: true,
                    render: (m) => f.quantity(m.used, tco2e, 2),
                  },
                  {
                    key: 'c',
                    header: t('accounting.cumulative'),
                    numeric: true,
                    render: (m) => f.quantity(m.cumulativeUsed, tco2e, 2),
                  },
                  {
                    key: 'p',
                    header: t('accounting.proRata'),
                    numeric: true,
                    render: (m) => f.quantity(m.proRataQuota, tco2e, 2),
                  },
                  {
                    key: 'b',
                    header: t('accounting.balance'),
                    numeric: true,
                    render: (m) =>
                      m.balance == null
                        ? '—'
                        : `${m.balance.startsWith('-') ? '▼ ' : '▲ '}${f.quantity(m.balance, tco2e, 2)}`,
                  },
                ]}
              />
              <h3>{t('accounting.history')}</h3>
              <DataTable
                caption={t('accounting.history')}
                rows={q.history}
                rowKey={(h) => h.id}
                empty={t('state.empty')}
                columns={[
                  { key: 'kind', header: t('data.meter.kind'), render: (h) => h.kind },
                  {
                    key: 'delta',
                    header: t('accounting.delta'),
                    numeric: true,
                    render: (h) => f.quantity(h.delta, tco2e, 1),
                  },
                  {
                    key: 'amount',
                    header: t('accounting.allocated'),
                    numeric: true,
                    render: (h) => f.quantity(h.amount, tco2e, 1),
                  },
                  { key: 'reason', header: t('accounting.reason'), render: (h) => h.reason || '—' },
                  { key: 'at', header: t('table.created'), render: (h) => f.dateTime(h.createdAt) },
                ]}
              />
              <div className="form-row">
                <ActionForm
                  action={setQuotaAction}
                  submit={t('accounting.setQuota')}
                  okText={t('form.saved')}
                  errorText={t('form.notSaved')}
                  testId="set-quota-form"
                >
                  {idField}
                  {yearField}
                  <div className="field">
                    <label htmlFor="sq-amount">{`${t('accounting.allocated')} (${tco2e})`}</label>
                    <input id="sq-amount" name="amount" inputMode="decimal" required autoComplete="off" />
                  </div>
                  <div className="field">
                    <label htmlFor="sq-reason">{t('accounting.reason')}</label>
                    <input id="sq-reason" name="reason" autoComplete="off" />
                  </div>
                </ActionForm>
                <ActionForm
                  action={adjustQuotaAction}
                  submit={t('accounting.adjustQuota')}
                  okText={t('form.saved')}
                  errorText={t('form.notSaved')}
                  testId="adjust-quota-form"
                >
                  {idField}
                  {yearField}
                  <div className="field">
                    <label htmlFor="aq-delta">{`${t('accounting.delta')} (${tco2e})`}</label>
                    <input id="aq-delta" name="delta" inputMode="decimal" required autoComplete="off" />
                  </div>
                  <div className="field">
                    <label htmlFor="aq-reason">{t('accounting.reason')}</label>
                    <input id="aq-reason" name="reason" required autoComplete="off" />
                  </div>
                </ActionForm>
              </div>
            </>
          )}
        </Panel>
        <Panel id="reports" title={t('accounting.reports')} wide>
          <ActionForm
            action={generateReportAction}
            submit={t('accounting.generate')}
            okText={t('accounting.generated')}
            errorText={t('form.notSaved')}
            testId="generate-report-form"
          >
            <div className="form-row">
              <div className="field">
                <label htmlFor="gr-inventory">{t('accounting.finalInventory')}</label>
                <select id="gr-inventory" name="inventoryId" required>
                  {finals.map((r) => (
                    <option key={r.id} value={r.id}>
                      {`${periodLabel(r)} · ${r.state} · ${t('accounting.revision')} ${r.revision}`}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="gr-language">{t('lang.label')}</label>
                <select id="gr-language" name="language" defaultValue={locale}>
                  <option value="zh-CN">{t('lang.zh-CN')}</option>
                  <option value="en">{t('lang.en')}</option>
                </select>
              </div>
            </div>
          </ActionForm>
          {!reports.ok ? (
            <LoadState result={reports} t={t} />
          ) : (
            <DataTable<ReportRow>
              caption={t('accounting.reports')}
              rows={nodes(reports.data.reports)}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                {
                  key: 'period',
                  header: t('accounting.period'),
                  render: (r) => `${periodOf.get(r.inventoryId) ?? '—'} · v${r.version} · ${r.language}`,
                },
                {
                  key: 'status',
                  header: t('accounting.status'),
                  render: (r) => (
                    <span className="badge" data-testid={`report-state-${r.id}`}>
                      {t(`report.state.${r.state}` as MessageKey) ?? r.state}
                    </span>
                  ),
                },
                {
                  key: 'hash',
                  header: t('accounting.hash'),
                  render: (r) => <span className="mono">{shortHash(r.jsonHash)}</span>,
                },
                {
                  key: 'signer',
                  header: t('accounting.signer'),
                  render: (r) =>
                    r.signer ? (
                      <span className="mono">{shortHash(r.signer)}</span>
                    ) : r.state === 'generated' ? (
                      <ReportSignButton
                        reportId={r.id}
                        labels={{
                          sign: t('accounting.sign'),
                          walletNeeded: t('association.walletNeeded'),
                          signing: t('association.signing'),
                          sending: t('accounting.sending'),
                          signed: t('accounting.signed'),
                          failed: t('form.notSaved'),
                        }}
                      />
                    ) : (
                      '—'
                    ),
                },
                {
                  key: 'anchor',
                  header: t('accounting.anchor'),
                  render: (r) =>
                    r.anchoredAt ? (
                      <span title={r.anchorTxHash ?? ''}>{`✓ ${f.dateTime(r.anchoredAt)}`}</span>
                    ) : r.anchorRoot ? (
                      `◔ ${t('accounting.anchorQueued')}`
                    ) : (
                      `○ ${t('accounting.notAnchored')}`
                    ),
                },
                {
                  key: 'verified',
                  header: t('accounting.verified'),
                  render: (r) => r.verificationState ?? '—',
                },
                {
                  key: 'files',
                  header: t('accounting.download'),
                  render: (r) => (
                    <span className="links">
                      {(['pdf', 'json', 'xlsx'] as const).map((fmt) => (
                        <a
                          key={fmt}
                          href={`/api/reports/${r.id}/${fmt}`}
                          download
                          aria-label={`${t('accounting.download')} ${fmt.toUpperCase()} v${r.version}`}
                        >
                          {fmt.toUpperCase()}
                        </a>
                      ))}
                    </span>
                  ),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="proofs" title={t('accounting.proofs')} wide>
          {!inventories.ok ? (
            <LoadState result={inventories} t={t} />
          ) : (
            <DataTable<InventoryRow>
              caption={t('accounting.proofs')}
              rows={invRows}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                { key: 'period', header: t('accounting.period'), render: (r) => periodLabel(r) },
                {
                  key: 'hash',
                  header: t('accounting.hash'),
                  render: (r) => <span className="mono">{shortHash(r.inventoryHash)}</span>,
                },
                {
                  key: 'anchor',
                  header: t('accounting.anchor'),
                  render: (r) =>
                    r.anchoredAt ? `✓ ${f.dateTime(r.anchoredAt)}` : `○ ${t('accounting.notAnchored')}`,
                },
                {
                  key: 'ref',
                  header: t('accounting.root'),
                  render: (r) => <span className="mono">{shortHash(r.anchorRef)}</span>,
                },
                {
                  key: 'verified',
                  header: t('accounting.verified'),
                  render: (r) => (r.verifiedAt ? `✓ ${f.date(r.verifiedAt)}` : '—'),
                },
              ]}
            />
          )}
          <h3>{t('accounting.readingProof')}</h3>
          {!meters.ok ? (
            <LoadState result={meters} t={t} />
          ) : (
            <form
              method="get"
              action="/api/proofs/reading"
              className="form-row"
              data-testid="reading-proof-form"
            >
              <input type="hidden" name="enterpriseId" value={enterpriseId} />
              <div className="field">
                <label htmlFor="rp-meter">{t('data.meters')}</label>
                <select id="rp-meter" name="meterId" required>
                  {meters.data.meters.map((m) => (
                    <option key={m.id} value={m.id}>{`${m.code} · ${m.name}`}</option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="rp-ts">{t('accounting.readingTime')}</label>
                <input
                  id="rp-ts"
                  name="ts"
                  required
                  placeholder="2026-01-31T08:00:00.000Z"
                  autoComplete="off"
                />
              </div>
              <button type="submit">{t('accounting.downloadProof')}</button>
            </form>
          )}
        </Panel>
        <Panel id="tamper" title={t('accounting.tamper')} wide>
          {!tamper.ok ? (
            <LoadState result={tamper} t={t} />
          ) : (
            <DataTable<TamperAlarmRow>
              caption={t('accounting.tamper')}
              rows={tamper.data.tamperAlarms}
              rowKey={(r) => r.id}
              empty={t('accounting.tamperNone')}
              columns={[
                { key: 'kind', header: t('data.meter.kind'), render: (r) => `⚠ ${r.kind}` },
                {
                  key: 'batch',
                  header: t('accounting.batch'),
                  render: (r) => <span className="mono">{shortHash(r.batchId)}</span>,
                },
                {
                  key: 'leaf',
                  header: t('accounting.count'),
                  numeric: true,
                  render: (r) => f.number(r.leafIndex, 0),
                },
                { key: 'at', header: t('table.created'), render: (r) => f.dateTime(r.detectedAt) },
              ]}
            />
          )}
        </Panel>
      </div>
    </>
  );
}
