import type { Metadata } from 'next';
import { ActionForm } from '@/components/action-form-client';
import { DataTable, Panel } from '@/components/panel';
import { LiveLineChart, type Point } from '@/components/live-line-chart-client';
import { EmptyState, LoadState } from '@/components/states';
import { config } from '@/config';
import type { MessageKey } from '@/i18n';
import { getViewer } from '@/lib/auth/session';
import { type Loaded, load } from '@/lib/graphql/load';
import {
  type AlarmRow,
  AREA_NAME,
  DAILY_TREND,
  ENERGY_COMPARE_LEVEL,
  ENERGY_DASHBOARD,
  LINE_NAME,
  SITE_NAME,
  type EnergyNodeTotalRow,
  EQUIPMENT_COMPARE,
  TRANSFORMERS,
  type TransformerRow,
  UNIT_CONSUMPTION,
  type UnitConsumptionRow,
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
import { childHref, levelOf, monthRanges, parsePath } from '@/lib/views/drilldown';
import { acknowledgeAlarmAction } from './alarm-actions';

const NAME_QUERIES = [SITE_NAME, AREA_NAME, LINE_NAME];

const GROUPS = ['LINE', 'SHIFT', 'TEAM'] as const;

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
export default async function EnergyOverviewPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const path = parsePath((await searchParams).path);
  const { t, f, locale } = await getI18n();
  const viewer = await getViewer();
  const enterpriseId = enterpriseIdOf(viewer);
  if (!enterpriseId) return <EmptyState message={t('auth.noRole')} />;
  const vars = { enterpriseId, node: enterpriseNode(enterpriseId) };
  const now = new Date();
  const monthStart = new Date(now.getFullYear(), now.getMonth(), 1).toISOString();
  const range = { enterpriseId, from: monthStart, to: now.toISOString() };
  const [enterprise, dash, alarms, transformers, compare, trend, unitConsumption] = await Promise.all([
    loadEnterprise(enterpriseId),
    load<{ energyDashboard: EnergyDashboard }>('energyDashboard', ENERGY_DASHBOARD, vars),
    load<{ alarmEvents: AlarmRow[] }>('alarmEvents', OPEN_ALARMS, { enterpriseId }),
    load<{ transformers: TransformerRow[] }>('transformers', TRANSFORMERS, { enterpriseId }),
    load<{ energyCompare: EnergyNodeTotalRow[] }>('energyCompare', EQUIPMENT_COMPARE, range),
    load<{ energyDailyTrend: { ts: string; value: string }[] }>('energyDailyTrend', DAILY_TREND, {
      ...vars,
      from: new Date(now.getTime() - 30 * 86_400_000).toISOString(),
      to: now.toISOString(),
    }),
    Promise.all(
      GROUPS.map(async (group) => ({
        group,
        result: (await load<{ unitConsumption: { rows: UnitConsumptionRow[] } }>(
          'unitConsumption',
          UNIT_CONSUMPTION,
          { ...range, groupBy: group },
        )) as Loaded<{ unitConsumption: { rows: UnitConsumptionRow[] } }>,
      })),
    ),
  ]);
  // Drill-down: this month vs the same span of last month, one level of the plant structure.
  const level = levelOf(path);
  const months = monthRanges(now);
  const levelVars = { enterpriseId, kind: level.kind, parentId: level.parentId };
  const [drillNow, drillPrev, crumbs] = await Promise.all([
    load<{ energyCompare: EnergyNodeTotalRow[] }>('energyCompare', ENERGY_COMPARE_LEVEL, {
      ...levelVars,
      ...months.current,
    }),
    load<{ energyCompare: EnergyNodeTotalRow[] }>('energyCompare', ENERGY_COMPARE_LEVEL, {
      ...levelVars,
      ...months.previous,
    }),
    Promise.all(
      path.map(async (id, i) => {
        const r = await load<{ node: { id: string; name: string } }>('node', NAME_QUERIES[i] ?? SITE_NAME, {
          id,
        });
        return { id, name: r.ok ? r.data.node.name : id.slice(0, 8) };
      }),
    ),
  ]);
  const previousOf = new Map(
    drillPrev.ok ? drillPrev.data.energyCompare.map((r) => [`${r.id}-${r.energyType}`, r.value]) : [],
  );
  const trendMax = trend.ok ? Math.max(0, ...trend.data.energyDailyTrend.map((p) => Number(p.value))) : 0;
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
        <Panel id="alarms" title={t('park.alarms')} wide>
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
                  header: t('energy.severity'),
                  render: (r) => <span className="badge">{`⚠ ${r.severity}`}</span>,
                },
                {
                  key: 'status',
                  header: t('table.status'),
                  render: (r) => (
                    <span data-testid={`alarm-status-${r.id}`}>
                      {r.status === 'acknowledged'
                        ? `✓ ${t('energy.acknowledged')}`
                        : `● ${t('energy.raised')}`}
                    </span>
                  ),
                },
                { key: 'msg', header: t('table.name'), render: (r) => `${r.subject}: ${r.message}` },
                { key: 'at', header: t('table.created'), render: (r) => f.dateTime(r.raisedAt) },
                {
                  key: 'ack',
                  header: t('table.actions'),
                  render: (r) =>
                    r.status === 'raised' ? (
                      <ActionForm
                        action={acknowledgeAlarmAction}
                        submit={t('energy.acknowledge')}
                        okText={t('energy.acknowledged')}
                        errorText={t('form.notSaved')}
                        testId={`ack-${r.id}`}
                      >
                        <input type="hidden" name="enterpriseId" value={enterpriseId} />
                        <input type="hidden" name="id" value={r.id} />
                      </ActionForm>
                    ) : (
                      '—'
                    ),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="transformers" title={t('energy.transformers')} wide>
          {!transformers.ok ? (
            <LoadState result={transformers} t={t} />
          ) : (
            <DataTable<TransformerRow>
              caption={t('energy.transformers')}
              rows={transformers.data.transformers}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                { key: 'n', header: t('table.name'), render: (r) => r.name },
                {
                  key: 'rated',
                  header: t('energy.rated'),
                  numeric: true,
                  render: (r) => f.quantity(r.ratedKva, 'kVA', 0),
                },
                {
                  key: 'p',
                  header: t('energy.activePower'),
                  numeric: true,
                  render: (r) => f.quantity(r.activeKw, 'kW', 1),
                },
                {
                  key: 'lr',
                  header: t('energy.loadRate'),
                  numeric: true,
                  render: (r) => (r.loadRate == null ? '—' : f.percent(Number(r.loadRate))),
                },
                {
                  key: 'pf',
                  header: t('energy.powerFactor'),
                  numeric: true,
                  render: (r) => f.number(r.powerFactor, 3),
                },
                {
                  key: 'loss',
                  header: t('energy.loss'),
                  numeric: true,
                  render: (r) => f.quantity(r.lossKw, 'kW', 2),
                },
                {
                  key: 's',
                  header: t('table.status'),
                  render: (r) =>
                    r.state == null ? (
                      '—'
                    ) : (
                      <span className="badge">{`${r.state === 'normal' ? '✓' : '⚠'} ${t(`energy.tx.${r.state}` as MessageKey) ?? r.state}`}</span>
                    ),
                },
                { key: 'at', header: t('energy.at'), render: (r) => f.dateTime(r.at) },
              ]}
            />
          )}
        </Panel>
        <Panel id="unit-consumption" title={t('energy.unitConsumption')} wide>
          {unitConsumption.map(({ group, result }) => (
            <div key={group}>
              <h3>{t(`energy.group.${group}` as MessageKey)}</h3>
              {!result.ok ? (
                <LoadState result={result} t={t} />
              ) : (
                <DataTable<UnitConsumptionRow>
                  caption={`${t('energy.unitConsumption')} · ${t(`energy.group.${group}` as MessageKey)}`}
                  rows={result.data.unitConsumption.rows}
                  rowKey={(r) => r.key}
                  empty={t('energy.noProduction')}
                  columns={[
                    { key: 'rank', header: '#', numeric: true, render: (r) => String(r.rank) },
                    { key: 'k', header: t('table.name'), render: (r) => r.key },
                    {
                      key: 'e',
                      header: t('energy.energy'),
                      numeric: true,
                      render: (r) => f.quantity(r.energy, 'kWh', 1),
                    },
                    {
                      key: 'q',
                      header: t('energy.output'),
                      numeric: true,
                      render: (r) => f.number(r.quantity, 2),
                    },
                    {
                      key: 'pu',
                      header: t('energy.perUnit'),
                      numeric: true,
                      render: (r) => f.quantity(r.perUnit, 'kWh', 3),
                    },
                  ]}
                />
              )}
            </div>
          ))}
        </Panel>
        <Panel id="drilldown" title={t('energy.drilldown')} wide>
          <nav aria-label={t('energy.drilldownPath')} className="links" data-testid="drilldown-path">
            <a href="/enterprise#drilldown" aria-current={path.length === 0 ? 'page' : undefined}>
              {enterprise.ok ? enterprise.data.name : t('energy.plant')}
            </a>
            {crumbs.map((c, i) => (
              <span key={c.id}>
                {'› '}
                <a
                  href={`/enterprise?path=${path.slice(0, i + 1).join(',')}#drilldown`}
                  aria-current={i === crumbs.length - 1 ? 'page' : undefined}
                >
                  {c.name}
                </a>
              </span>
            ))}
          </nav>
          <p className="hint">{t(`energy.level.${level.kind}` as MessageKey)}</p>
          {!drillNow.ok ? (
            <LoadState result={drillNow} t={t} />
          ) : (
            <DataTable<EnergyNodeTotalRow>
              caption={`${t('energy.drilldown')} · ${t(`energy.level.${level.kind}` as MessageKey)}`}
              rows={drillNow.data.energyCompare}
              rowKey={(r) => `${r.id}-${r.energyType}`}
              empty={t('state.empty')}
              columns={[
                {
                  key: 'n',
                  header: t('table.name'),
                  render: (r) => {
                    const href = childHref(path, r.id);
                    return href ? <a href={href}>{r.name}</a> : r.name;
                  },
                },
                {
                  key: 'now',
                  header: t('period.month'),
                  numeric: true,
                  render: (r) => f.quantity(r.value, r.unit || 'kWh', 1),
                },
                {
                  key: 'prev',
                  header: t('energy.previousMonth'),
                  numeric: true,
                  render: (r) => f.quantity(previousOf.get(`${r.id}-${r.energyType}`), r.unit || 'kWh', 1),
                },
                {
                  key: 'chg',
                  header: t('energy.change'),
                  numeric: true,
                  render: (r) => {
                    const prev = Number(previousOf.get(`${r.id}-${r.energyType}`) ?? '0');
                    return prev > 0 ? change(String((Number(r.value) - prev) / prev)) : '—';
                  },
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="equipment-compare" title={t('energy.equipmentCompare')}>
          {!compare.ok ? (
            <LoadState result={compare} t={t} />
          ) : (
            <DataTable<EnergyNodeTotalRow>
              caption={t('energy.equipmentCompare')}
              rows={compare.data.energyCompare}
              rowKey={(r) => `${r.id}-${r.energyType}`}
              empty={t('state.empty')}
              columns={[
                { key: 'n', header: t('table.name'), render: (r) => r.name },
                {
                  key: 't',
                  header: t('data.meter.energyType'),
                  render: (r) => energyTypeLabel(t, r.energyType),
                },
                {
                  key: 'v',
                  header: t('period.month'),
                  numeric: true,
                  render: (r) => f.quantity(r.value, r.unit, 1),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="daily-trend" title={t('energy.dailyTrend')}>
          {!trend.ok ? (
            <LoadState result={trend} t={t} />
          ) : (
            <DataTable<{ ts: string; value: string }>
              caption={t('energy.dailyTrend')}
              rows={[...trend.data.energyDailyTrend].reverse()}
              rowKey={(r) => r.ts}
              empty={t('state.empty')}
              columns={[
                { key: 'd', header: t('accounting.period'), render: (r) => f.date(r.ts) },
                {
                  key: 'v',
                  header: t('energy.energy'),
                  numeric: true,
                  render: (r) => f.quantity(r.value, 'kWh', 1),
                },
                {
                  key: 'bar',
                  header: '',
                  render: (r) => (
                    <span
                      className="bar"
                      aria-hidden="true"
                      style={{
                        width: `${trendMax > 0 ? ((Number(r.value) / trendMax) * 8).toFixed(2) : 0}rem`,
                      }}
                    />
                  ),
                },
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
