import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { EmptyState, LoadState } from '@/components/states';
import { getViewer } from '@/lib/auth/session';
import { load, nodes } from '@/lib/graphql/load';
import {
  INVENTORIES,
  type InventoryRow,
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

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('accounting.title') };
}

type Conn<T> = { edges: { node: T }[] };

/** Inventories, quota status, reports and on-chain proofs of the enterprise. */
export default async function AccountingPage() {
  const { t, f } = await getI18n();
  const viewer = await getViewer();
  const enterpriseId = enterpriseIdOf(viewer);
  if (!enterpriseId) return <EmptyState message={t('auth.noRole')} />;
  const year = new Date().getFullYear();
  const vars = { enterpriseId };
  const [inventories, quota, reports, tamper] = await Promise.all([
    load<{ inventories: Conn<InventoryRow> }>('inventories', INVENTORIES, vars),
    load<{ quotaStatus: QuotaStatus }>('quotaStatus', QUOTA_STATUS, { enterpriseId, year }),
    load<{ reports: Conn<ReportRow> }>('reports', REPORTS, vars),
    load<{ tamperAlarms: TamperAlarmRow[] }>('tamperAlarms', TAMPER_ALARMS, vars),
  ]);
  const tco2e = t('unit.tCO2e');
  const invRows = inventories.ok ? nodes(inventories.data.inventories) : [];
  const q = quota.ok ? quota.data.quotaStatus : null;
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
        <Panel id="quotas" title={`${t('accounting.quotas')} ${year}`}>
          {!quota.ok ? (
            <LoadState result={quota} t={t} />
          ) : !q ? null : (
            <>
              <dl className="stats">
                <div className="stat">
                  <dt>{t('accounting.allocated')}</dt>
                  <dd>{f.quantity(q.quota, tco2e, 1)}</dd>
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
                {t('accounting.quotaSource')}: {q.quotaSource}
              </p>
              <DataTable
                caption={t('accounting.history')}
                rows={q.history}
                rowKey={(h) => h.id}
                empty={t('state.empty')}
                columns={[
                  { key: 'kind', header: t('data.meter.kind'), render: (h) => h.kind },
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
            </>
          )}
        </Panel>
        <Panel id="reports" title={t('accounting.reports')}>
          {!reports.ok ? (
            <LoadState result={reports} t={t} />
          ) : (
            <DataTable<ReportRow>
              caption={t('accounting.reports')}
              rows={nodes(reports.data.reports)}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                { key: 'period', header: t('accounting.period'), render: (r) => r.period },
                {
                  key: 'status',
                  header: t('accounting.status'),
                  render: (r) => <span className="badge">{r.status}</span>,
                },
                {
                  key: 'hash',
                  header: t('accounting.hash'),
                  render: (r) => <span className="mono">{shortHash(r.contentHash)}</span>,
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
