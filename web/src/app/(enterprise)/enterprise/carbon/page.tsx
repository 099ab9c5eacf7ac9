import type { Metadata } from 'next';
import Link from 'next/link';
import { LanguageSwitch } from '@/components/language-switch';
import { LiveLineChart, type Point } from '@/components/live-line-chart-client';
import { EmptyState, LoadState } from '@/components/states';
import { config } from '@/config';
import { getViewer } from '@/lib/auth/session';
import { compareDecimals, sumDecimals } from '@/lib/views/decimal';
import { load, nodes } from '@/lib/graphql/load';
import {
  EMISSIONS_UPDATED,
  ENERGY_LOAD_CURVE,
  enterpriseNode,
  INVENTORIES,
  INVENTORY_LINES,
  type InventoryLine,
  type InventoryRow,
  OFFSET_SUMMARY,
  type OffsetSummary,
  ENERGY_YEAR_TOTALS,
  type LoadPoint,
  METERING_UPDATED,
  MONTHLY_EMISSIONS,
  QUOTA_STATUS,
  type QuotaStatus,
} from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';
import { periodLabel, shortHash } from '@/lib/views/accounting';
import { enterpriseIdOf, loadEnterprise } from '@/lib/views/enterprise';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('carbon.title') };
}

type Conn<T> = { edges: { node: T }[] };

/**
 * Carbon big screen for a control-room display: fits 1920×1080 without scrolling (CSS grid in
 * viewport units, see .bigscreen in globals.css); stacks vertically on phones.
 */
export default async function CarbonScreenPage() {
  const { t, f, locale } = await getI18n();
  const viewer = await getViewer();
  const enterpriseId = enterpriseIdOf(viewer);
  if (!enterpriseId) return <EmptyState message={t('auth.noRole')} />;
  const curveVars = { enterpriseId, node: enterpriseNode(enterpriseId) };
  const year = new Date().getFullYear();
  const [enterprise, inventories, quotas, curve, offsets, energyYear] = await Promise.all([
    loadEnterprise(enterpriseId),
    load<{ inventories: Conn<InventoryRow> }>('inventories', INVENTORIES, { enterpriseId, year }),
    load<{ quotaStatus: QuotaStatus }>('quotaStatus', QUOTA_STATUS, { enterpriseId, year }),
    load<{ energyDashboard: { loadCurve: LoadPoint[] } }>('energyDashboard', ENERGY_LOAD_CURVE, curveVars),
    load<{ offsetSummary: OffsetSummary }>('offsetSummary', OFFSET_SUMMARY, { enterpriseId, year }),
    load<{
      energyDashboard: { totals: { period: string; energyType: string; unit: string; current: string }[] };
    }>('energyDashboard', ENERGY_YEAR_TOTALS, curveVars),
  ]);
  const tco2e = t('unit.tCO2e');
  const invRows = inventories.ok ? nodes(inventories.data.inventories) : [];
  // Newest period first (API order); a YEAR inventory wins for the headline figure.
  const latest = invRows.find((i) => i.periodKind === 'YEAR') ?? invRows[0] ?? null;
  const monthly = invRows
    .filter((i) => i.periodKind === 'MONTH')
    .sort((a, b) => a.periodStart.localeCompare(b.periodStart));
  const anchored = invRows.filter((i) => i.anchoredAt);
  // Top sources: the latest inventory's lines summed per source, largest first.
  const lines = latest
    ? await load<{ inventory: { lines: InventoryLine[] } }>('inventory', INVENTORY_LINES, { id: latest.id })
    : null;
  const bySource = new Map<string, { label: string; values: string[] }>();
  if (lines?.ok) {
    for (const l of lines.data.inventory.lines) {
      const cur = bySource.get(l.sourceId) ?? { label: `${l.sourceId} · ${l.sourceType}`, values: [] };
      cur.values.push(l.co2e);
      bySource.set(l.sourceId, cur);
    }
  }
  const topSources = [...bySource.values()]
    .map((x) => ({ label: x.label, co2e: sumDecimals(x.values) }))
    .sort((a, b) => compareDecimals(b.co2e, a.co2e))
    .slice(0, 5);
  // Green power share: retired green power (MWh) over this year's electricity (kWh → MWh).
  const electricityYear = energyYear.ok
    ? energyYear.data.energyDashboard.totals.find(
        (x) => x.period === 'year' && x.energyType === 'electricity',
      )
    : undefined;
  const electricityMwh = electricityYear
    ? Number(electricityYear.current) / (electricityYear.unit === 'MWh' ? 1 : 1000)
    : null;
  const greenMwh = offsets.ok ? Number(offsets.data.offsetSummary.greenPowerMwh) : null;
  const greenShare =
    greenMwh !== null && electricityMwh !== null && electricityMwh > 0 ? greenMwh / electricityMwh : null;
  const quota = quotas.ok ? quotas.data.quotaStatus : null;
  const quotaShare =
    quota?.quota && Number(quota.quota) > 0 ? Number(quota.used) / Number(quota.quota) : null;

  return (
    <div className="bigscreen" data-testid="bigscreen">
      <header>
        <h1>
          {t('carbon.title')}
          {enterprise.ok ? ` · ${enterprise.data.name}` : ''}
        </h1>
        <nav aria-label={t('a11y.mainNav')} style={{ display: 'flex', gap: '1rem', alignItems: 'center' }}>
          <Link href="/enterprise">← {t('nav.energy')}</Link>
          <LanguageSwitch />
        </nav>
      </header>
      <main id="main" className="body">
        <section className="tile" aria-labelledby="bs-total">
          <h2 id="bs-total">{t('carbon.total')}</h2>
          {!inventories.ok ? (
            <LoadState result={inventories} t={t} />
          ) : !latest ? (
            <EmptyState message={t('state.empty')} />
          ) : (
            <dl className="stats">
              <div className="stat">
                <dt>{t('carbon.period', { period: periodLabel(latest) })}</dt>
                <dd>{f.quantity(latest.totalReported, tco2e, 1)}</dd>
              </div>
              <div className="stat">
                <dt>{t('carbon.scope1')}</dt>
                <dd>{f.quantity(latest.scope1, tco2e, 1)}</dd>
              </div>
              <div className="stat">
                <dt>{t('carbon.scope2')}</dt>
                <dd>{f.quantity(latest.scope2Location, tco2e, 1)}</dd>
              </div>
            </dl>
          )}
        </section>
        <section className="tile center" aria-labelledby="bs-live">
          <h2 id="bs-live">{t('carbon.live')}</h2>
          {!curve.ok ? (
            <LoadState result={curve} t={t} />
          ) : (
            <LiveLineChart
              dark
              label={t('carbon.live')}
              unit={t('unit.kW')}
              locale={locale}
              timeZone={f.timeZone}
              wsUrl={config().apiWsUrl}
              initial={curve.data.energyDashboard.loadCurve.map((p): Point => [p.ts, p.value])}
              subscription={{
                query: METERING_UPDATED,
                refetch: {
                  query: ENERGY_LOAD_CURVE,
                  variables: curveVars,
                  points: { path: 'energyDashboard.loadCurve', tsField: 'ts', valueField: 'value' },
                },
              }}
            />
          )}
        </section>
        <section className="tile" aria-labelledby="bs-quota">
          <h2 id="bs-quota">{t('carbon.quota')}</h2>
          {!quotas.ok ? (
            <LoadState result={quotas} t={t} />
          ) : !quota ? (
            <EmptyState message={t('state.empty')} />
          ) : (
            <dl className="stats">
              <div className="stat">
                <dt>{t('accounting.allocated')}</dt>
                <dd>{f.quantity(quota.quota, tco2e, 0)}</dd>
              </div>
              <div className="stat">
                <dt>{t('accounting.used')}</dt>
                <dd>
                  {f.quantity(quota.used, tco2e, 0)} ({f.percent(quotaShare)})
                </dd>
              </div>
              <div className="stat">
                <dt>{t('accounting.forecast')}</dt>
                <dd>{f.quantity(quota.forecast.value, tco2e, 0)}</dd>
              </div>
            </dl>
          )}
        </section>
        <section className="tile" aria-labelledby="bs-trend">
          <h2 id="bs-trend">{t('carbon.trend')}</h2>
          {!inventories.ok ? (
            <LoadState result={inventories} t={t} />
          ) : monthly.length === 0 ? (
            <EmptyState message={t('state.empty')} />
          ) : (
            <LiveLineChart
              dark
              label={t('carbon.trend')}
              unit={tco2e}
              locale={locale}
              timeZone={f.timeZone}
              wsUrl={config().apiWsUrl}
              xAxis="month"
              initial={monthly.map((m): Point => [`${m.periodStart}T00:00:00Z`, m.totalReported])}
              subscription={{
                query: EMISSIONS_UPDATED,
                variables: { enterpriseId },
                refetch: {
                  query: MONTHLY_EMISSIONS,
                  variables: { enterpriseId, year },
                  points: {
                    path: 'inventories.edges',
                    tsField: 'node.periodStart',
                    valueField: 'node.totalReported',
                  },
                },
              }}
            />
          )}
        </section>
        <section className="tile" aria-labelledby="bs-anchors">
          <h2 id="bs-anchors">{t('carbon.anchors')}</h2>
          {!inventories.ok ? (
            <LoadState result={inventories} t={t} />
          ) : anchored.length === 0 ? (
            <EmptyState message={t('accounting.notAnchored')} />
          ) : (
            <ul className="anchor-list">
              {anchored.slice(0, 5).map((a) => (
                <li key={a.id}>
                  {periodLabel(a)} · {f.dateTime(a.anchoredAt)} ·{' '}
                  <span className="mono">{shortHash(a.anchorRef ?? a.inventoryHash)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="tile" aria-labelledby="bs-sources">
          <h2 id="bs-sources">{t('carbon.topSources')}</h2>
          {!latest ? (
            <EmptyState message={t('state.empty')} />
          ) : lines && !lines.ok ? (
            <LoadState result={lines} t={t} />
          ) : topSources.length === 0 ? (
            <EmptyState message={t('state.empty')} />
          ) : (
            <ol className="anchor-list" data-testid="top-sources">
              {topSources.map((x) => (
                <li key={x.label}>{`${x.label} · ${f.quantity(x.co2e, tco2e, 1)}`}</li>
              ))}
            </ol>
          )}
        </section>
        <section className="tile" aria-labelledby="bs-green">
          <h2 id="bs-green">{t('carbon.greenShare')}</h2>
          {!offsets.ok ? (
            <LoadState result={offsets} t={t} />
          ) : (
            <dl className="stats">
              <div className="stat">
                <dt>{t('carbon.greenShare')}</dt>
                <dd>{f.percent(greenShare)}</dd>
              </div>
              <div className="stat">
                <dt>{t('carbon.greenPower')}</dt>
                <dd>{f.quantity(offsets.data.offsetSummary.greenPowerMwh, 'MWh', 1)}</dd>
              </div>
            </dl>
          )}
        </section>
      </main>
    </div>
  );
}
