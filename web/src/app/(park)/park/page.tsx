import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { EmptyState, LoadState } from '@/components/states';
import { getViewer, scopeIds } from '@/lib/auth/session';
import { type Loaded, load } from '@/lib/graphql/load';
import {
  type AlarmRow,
  OPEN_ALARMS,
  PARK_OVERVIEW,
  PARK_RANKING,
  type ParkMemberRow,
  type ParkOverview,
  type RankingRow,
} from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';
import { PARK_LAYOUT, type ParkLayoutData, ParkLayoutView } from './park-layout';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('park.title') };
}

/** A reading older than this marks a member's data as stale. */
const STALE_MS = 24 * 3600_000;

/**
 * Park admin: aggregates of consenting member enterprises (no raw readings) — totals, quota
 * status, intensity rankings, data freshness, the alarm roll-up, the park layout with each member's
 * status and the export for the government.
 */
export default async function ParkPage() {
  const { t, f } = await getI18n();
  const viewer = await getViewer();
  const parkId = scopeIds(viewer, 'park')[0];
  if (!parkId) return <EmptyState message={t('auth.noRole')} />;
  const year = new Date().getFullYear();
  const [overview, byTotal, byRevenue, layout] = await Promise.all([
    load<{ parkOverview: ParkOverview }>('parkOverview', PARK_OVERVIEW, { parkId, year }),
    load<{ parkRanking: RankingRow[] }>('parkRanking', PARK_RANKING, { parkId, year, by: 'TOTAL' }),
    load<{ parkRanking: RankingRow[] }>('parkRanking', PARK_RANKING, {
      parkId,
      year,
      by: 'INTENSITY_REVENUE',
    }),
    load<{ parkLayout: ParkLayoutData }>('parkLayout', PARK_LAYOUT, { parkId, year }),
  ]);
  const members = overview.ok ? overview.data.parkOverview.enterprises : [];
  const perEnterprise = await Promise.all(
    members
      .slice(0, 50)
      .map((e) =>
        load<{ alarmEvents: AlarmRow[] }>('alarmEvents', OPEN_ALARMS, { enterpriseId: e.enterpriseId }),
      ),
  );
  const failed = perEnterprise.find((r) => !r.ok);
  const alarms: Loaded<AlarmRow[]> =
    failed && !failed.ok
      ? failed
      : { ok: true, data: perEnterprise.flatMap((r) => (r.ok ? r.data.alarmEvents : [])) };
  const nameOf = new Map(members.map((e) => [e.enterpriseId, e.name]));
  const tco2e = t('unit.tCO2e');
  const now = Date.now();
  const o = overview.ok ? overview.data.parkOverview : null;
  const ranking = (id: string, title: string, r: Loaded<{ parkRanking: RankingRow[] }>, unit: string) => (
    <Panel id={id} title={title}>
      {!r.ok ? (
        <LoadState result={r} t={t} />
      ) : (
        <DataTable<RankingRow>
          caption={title}
          rows={r.data.parkRanking}
          rowKey={(x) => x.enterpriseId}
          empty={t('park.noSharing')}
          columns={[
            { key: 'rank', header: '#', numeric: true, render: (x) => String(x.rank) },
            { key: 'name', header: t('park.name'), render: (x) => x.name },
            { key: 'v', header: title, numeric: true, render: (x) => f.quantity(x.value, unit, 3) },
          ]}
        />
      )}
    </Panel>
  );
  return (
    <>
      <div className="page-header">
        <h1>{t('park.title')}</h1>
        {o ? <p className="hint">{`${o.parkName} · ${year}`}</p> : null}
      </div>
      <div className="grid">
        <Panel
          id="park-totals"
          title={t('park.totals')}
          wide
          actions={
            <span className="links">
              <a href={`/api/park/${parkId}/export?year=${year}&format=json`} download>
                {t('park.exportJson')}
              </a>
              <a href={`/api/park/${parkId}/export?year=${year}&format=csv`} download>
                {t('park.exportCsv')}
              </a>
            </span>
          }
        >
          {!overview.ok ? (
            <LoadState result={overview} t={t} />
          ) : o ? (
            <dl className="stats">
              <div className="stat">
                <dt>{t('park.members')}</dt>
                <dd>{`${o.sharingCount} / ${o.enterpriseCount}`}</dd>
              </div>
              <div className="stat">
                <dt>{t('park.reporting')}</dt>
                <dd>{String(o.reportingCount)}</dd>
              </div>
              <div className="stat">
                <dt>{t('carbon.total')}</dt>
                <dd>{f.quantity(o.totals.totalMarket, tco2e, 1)}</dd>
              </div>
              <div className="stat">
                <dt>{t('carbon.scope1')}</dt>
                <dd>{f.quantity(o.totals.scope1, tco2e, 1)}</dd>
              </div>
              <div className="stat">
                <dt>{t('carbon.scope2')}</dt>
                <dd>{f.quantity(o.totals.scope2Market, tco2e, 1)}</dd>
              </div>
              <div className="stat">
                <dt>{t('park.quotaTotal')}</dt>
                <dd>{f.quantity(o.quotaTotal, tco2e, 1)}</dd>
              </div>
              <div className="stat">
                <dt>{t('park.quotaWarnings')}</dt>
                <dd>{`${o.enterprisesWithQuotaWarning > 0 ? '⚠ ' : '✓ '}${o.enterprisesWithQuotaWarning}`}</dd>
              </div>
              {o.energy.map((e) => (
                <div className="stat" key={e.energyType}>
                  <dt>{e.energyType}</dt>
                  <dd>{f.quantity(e.value, e.unit, 0)}</dd>
                </div>
              ))}
            </dl>
          ) : null}
        </Panel>
        <Panel id="park-layout" title={t('park.layout.title')} wide>
          {!layout.ok ? (
            <LoadState result={layout} t={t} />
          ) : (
            <ParkLayoutView layout={layout.data.parkLayout} t={t} f={f} />
          )}
        </Panel>
        <Panel id="park-enterprises" title={t('park.enterprises')} wide>
          {!overview.ok ? (
            <LoadState result={overview} t={t} />
          ) : (
            <DataTable<ParkMemberRow>
              caption={t('park.enterprises')}
              rows={members}
              rowKey={(e) => e.enterpriseId}
              empty={t('park.noSharing')}
              columns={[
                { key: 'name', header: t('park.name'), render: (e) => e.name },
                {
                  key: 'total',
                  header: t('carbon.total'),
                  numeric: true,
                  render: (e) => f.quantity(e.totals?.totalMarket, tco2e, 1),
                },
                {
                  key: 'quota',
                  header: t('accounting.allocated'),
                  numeric: true,
                  render: (e) => `${f.quantity(e.quota, tco2e, 1)} (${e.quotaSource})`,
                },
                {
                  key: 'qs',
                  header: t('park.quotaStatus'),
                  render: (e) =>
                    e.quotaWarning ? (
                      <span className="badge">{`⚠ ${t('park.quotaWarning')}`}</span>
                    ) : (
                      `✓ ${t('park.quotaOk')}`
                    ),
                },
                {
                  key: 'inv',
                  header: t('accounting.inventories'),
                  render: (e) => `${e.inventoryState ?? '—'}${e.anchorState ? ` · ${e.anchorState}` : ''}`,
                },
                {
                  key: 'fresh',
                  header: t('park.freshness'),
                  render: (e) =>
                    !e.lastReadingAt
                      ? `○ ${t('park.noData')}`
                      : now - new Date(e.lastReadingAt).getTime() > STALE_MS
                        ? `⚠ ${t('park.stale')} · ${f.dateTime(e.lastReadingAt)}`
                        : `✓ ${f.dateTime(e.lastReadingAt)}`,
                },
              ]}
            />
          )}
        </Panel>
        {ranking('park-ranking', t('park.ranking.total'), byTotal, tco2e)}
        {ranking('park-ranking-revenue', t('park.ranking'), byRevenue, t('park.unit.perRevenue'))}
        <Panel id="park-alarms" title={t('park.alarms')} wide>
          {!alarms.ok ? (
            <LoadState result={alarms} t={t} />
          ) : (
            <DataTable<AlarmRow>
              caption={t('park.alarms')}
              rows={[...alarms.data].sort((x, y) => y.raisedAt.localeCompare(x.raisedAt))}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                {
                  key: 'sev',
                  header: t('table.status'),
                  render: (r) => <span className="badge">{`⚠ ${r.severity} · ${r.status}`}</span>,
                },
                {
                  key: 'ent',
                  header: t('energy.enterprise'),
                  render: (r) => nameOf.get(r.enterpriseId) ?? '—',
                },
                { key: 'msg', header: t('table.name'), render: (r) => `${r.subject}: ${r.message}` },
                { key: 'at', header: t('table.created'), render: (r) => f.dateTime(r.raisedAt) },
              ]}
            />
          )}
        </Panel>
      </div>
    </>
  );
}
