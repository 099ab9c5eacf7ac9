import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { LiveLineChart, type Point } from '@/components/live-line-chart-client';
import { EmptyState, LoadState } from '@/components/states';
import { config } from '@/config';
import type { MessageKey } from '@/i18n';
import { getViewer } from '@/lib/auth/session';
import { load } from '@/lib/graphql/load';
import {
  type AlarmRow,
  ENERGY_DASHBOARD,
  ENERGY_LOAD_CURVE,
  type EnergyDashboard,
  enterpriseNode,
  METERING_UPDATED,
  OPEN_ALARMS,
  type PeriodComparison,
  type TouPeriodTotal,
} from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';
import { enterpriseIdOf, loadEnterprise } from '@/lib/views/enterprise';
import { energyTypeLabel, touLabel } from '@/lib/views/labels';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('energy.title') };
}

const PERIODS: { period: string; label: MessageKey }[] = [
  { period: 'today', label: 'period.today' },
  { period: 'yesterday', label: 'period.yesterday' },
  { period: 'month', label: 'period.month' },
  { period: 'year', label: 'period.year' },
];

/** energy type → period → comparison, in the API's order of energy types. */
function byType(totals: PeriodComparison[]): Map<string, Map<string, PeriodComparison>> {
  const out = new Map<string, Map<string, PeriodComparison>>();
  for (const row of totals) {
    const m = out.get(row.energyType) ?? new Map<string, PeriodComparison>();
    m.set(row.period, row);
    out.set(row.energyType, m);
  }
  return out;
}

/** Enterprise energy overview: consumption per energy type and period, TOU split, live load curve. */
export default async function EnergyOverviewPage() {
  const { t, f, locale } = await getI18n();
  const viewer = await getViewer();
  const enterpriseId = enterpriseIdOf(viewer);
  if (!enterpriseId) return <EmptyState message={t('auth.noRole')} />;
  const vars = { enterpriseId, node: enterpriseNode(enterpriseId) };
  const [enterprise, dash, alarms] = await Promise.all([
    loadEnterprise(enterpriseId),
    load<{ energyDashboard: EnergyDashboard }>('energyDashboard', ENERGY_DASHBOARD, vars),
    load<{ alarmEvents: AlarmRow[] }>('alarmEvents', OPEN_ALARMS, { enterpriseId }),
  ]);
  const change = (pop: string | null) => {
    if (pop === null) return null;
    const n = Number(pop);
    if (n === 0) return t('energy.same');
    return t(n > 0 ? 'energy.up' : 'energy.down', { pct: f.percent(Math.abs(n)) });
  };
  const types = dash.ok ? byType(dash.data.energyDashboard.totals) : new Map();
  const tou = dash.ok ? dash.data.energyDashboard.touMonth : null;
  return (
    <>
      <div className="page-header">
        <h1>{t('energy.title')}</h1>
        <p className="hint" data-testid="enterprise-name">
          {enterprise.ok ? `${t('energy.enterprise')}: ${enterprise.data.name}` : null}
        </p>
      </div>
      <div className="grid">
        <Panel id="consumption" title={t('energy.consumption')} wide>
          {!dash.ok ? (
            <LoadState result={dash} t={t} />
          ) : types.size === 0 ? (
            <EmptyState message={t('state.empty')} />
          ) : (
            [...types.entries()].map(([type, periods]) => (
              <div key={type} className="energy-type">
                <h3>{energyTypeLabel(t, type)}</h3>
                <dl className="stats">
                  {PERIODS.map(({ period, label }) => {
                    const row = periods.get(period);
                    return (
                      <div className="stat" key={period}>
                        <dt>{t(label)}</dt>
                        <dd>{row ? f.quantity(row.current, row.unit) : '—'}</dd>
                        {row && change(row.periodOverPeriod) ? (
                          <dd className="delta">{change(row.periodOverPeriod)}</dd>
                        ) : null}
                      </div>
                    );
                  })}
                </dl>
              </div>
            ))
          )}
        </Panel>
        <Panel id="load-curve" title={t('energy.loadCurve')} wide>
          <p className="hint">{t('energy.loadCurve.desc')}</p>
          {!dash.ok ? (
            <LoadState result={dash} t={t} />
          ) : (
            <LiveLineChart
              label={t('energy.loadCurve')}
              unit={t('unit.kW')}
              locale={locale}
              timeZone={f.timeZone}
              wsUrl={config().apiWsUrl}
              initial={dash.data.energyDashboard.loadCurve.map((p): Point => [p.ts, p.value])}
              subscription={{
                query: METERING_UPDATED,
                refetch: {
                  query: ENERGY_LOAD_CURVE,
                  variables: vars,
                  points: { path: 'energyDashboard.loadCurve', tsField: 'ts', valueField: 'value' },
                },
              }}
            />
          )}
        </Panel>
        <Panel id="tou" title={t('energy.tou')}>
          {!dash.ok || !tou ? (
            dash.ok ? null : (
              <LoadState result={dash} t={t} />
            )
          ) : (
            <DataTable<TouPeriodTotal>
              caption={t('energy.tou')}
              rows={tou.periods}
              rowKey={(r) => r.period}
              empty={t('state.empty')}
              columns={[
                { key: 'p', header: t('energy.tou.period'), render: (r) => touLabel(t, r.period) },
                {
                  key: 'e',
                  header: t('energy.tou.energy'),
                  numeric: true,
                  render: (r) => f.quantity(r.kwh, 'kWh', 1),
                },
                {
                  key: 'c',
                  header: t('energy.tou.cost'),
                  numeric: true,
                  render: (r) => f.quantity(r.cost, tou.currency),
                },
                {
                  key: 's',
                  header: t('energy.tou.share'),
                  numeric: true,
                  render: (r) => f.percent(Number(r.share)),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="alarms" title={t('park.alarms')}>
          {!alarms.ok ? (
            <LoadState result={alarms} t={t} />
          ) : (
            <DataTable<AlarmRow>
              caption={t('park.alarms')}
              rows={alarms.data.alarmEvents}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                {
                  key: 'sev',
                  header: t('table.status'),
                  render: (r) => <span className="badge">{`⚠ ${r.severity}`}</span>,
                },
                { key: 'msg', header: t('table.name'), render: (r) => `${r.subject}: ${r.message}` },
                { key: 'at', header: t('table.created'), render: (r) => f.dateTime(r.raisedAt) },
              ]}
            />
          )}
        </Panel>
        {enterprise.ok ? (
          <Panel id="sites" title={t('energy.sites')}>
            {enterprise.data.sites.length === 0 ? (
              <EmptyState message={t('state.empty')} />
            ) : (
              <ul>
                {enterprise.data.sites.map((s) => (
                  <li key={s.id}>{s.name}</li>
                ))}
              </ul>
            )}
          </Panel>
        ) : null}
      </div>
    </>
  );
}
