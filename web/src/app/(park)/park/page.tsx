import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { EmptyState, LoadState } from '@/components/states';
import { getViewer, scopeIds } from '@/lib/auth/session';
import { type Loaded, load } from '@/lib/graphql/load';
import {
  OPEN_ALARMS,
  type AlarmRow,
  PARK,
  PARK_RANKING,
  type EnterpriseRow,
  type ParkRow,
  type RankingRow,
} from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('park.title') };
}

type ParkWithEnterprises = ParkRow & { enterprises: Omit<EnterpriseRow, 'park'>[] };

/** Park admin: member enterprises, intensity ranking and alarm roll-up (aggregates only). */
export default async function ParkPage() {
  const { t, f } = await getI18n();
  const viewer = await getViewer();
  const parkId = scopeIds(viewer, 'park')[0];
  if (!parkId) return <EmptyState message={t('auth.noRole')} />;
  const [park, ranking] = await Promise.all([
    load<{ park: ParkWithEnterprises }>('park', PARK, { id: parkId }),
    load<{ parkIntensityRanking: RankingRow[] }>('parkIntensityRanking', PARK_RANKING, { parkId }),
  ]);
  // Alarm roll-up: open alarms of every member enterprise (aggregates, no raw readings).
  const members = park.ok ? park.data.park.enterprises : [];
  const perEnterprise = await Promise.all(
    members
      .slice(0, 50)
      .map((e) => load<{ alarmEvents: AlarmRow[] }>('alarmEvents', OPEN_ALARMS, { enterpriseId: e.id })),
  );
  const failed = perEnterprise.find((r) => !r.ok);
  const alarms: Loaded<AlarmRow[]> =
    failed && !failed.ok
      ? failed
      : { ok: true, data: perEnterprise.flatMap((r) => (r.ok ? r.data.alarmEvents : [])) };
  const nameOf = new Map(members.map((e) => [e.id, e.name]));
  return (
    <>
      <div className="page-header">
        <h1>{t('park.title')}</h1>
        {park.ok ? <p className="hint">{`${park.data.park.name} · ${park.data.park.jurisdiction}`}</p> : null}
      </div>
      <div className="grid">
        <Panel id="park-enterprises" title={t('park.enterprises')} wide>
          {!park.ok ? (
            <LoadState result={park} t={t} />
          ) : (
            <DataTable
              caption={t('park.enterprises')}
              rows={park.data.park.enterprises}
              rowKey={(e) => e.id}
              empty={t('state.empty')}
              columns={[
                { key: 'name', header: t('park.name'), render: (e) => e.name },
                { key: 'industry', header: t('park.industry'), render: (e) => e.industry || '—' },
                {
                  key: 'code',
                  header: t('park.code'),
                  render: (e) => <span className="mono">{e.creditCode ?? '—'}</span>,
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="park-ranking" title={t('park.ranking')}>
          {!ranking.ok ? (
            <LoadState result={ranking} t={t} />
          ) : (
            <DataTable<RankingRow>
              caption={t('park.ranking')}
              rows={ranking.data.parkIntensityRanking}
              rowKey={(r) => r.enterpriseId}
              empty={t('state.empty')}
              columns={[
                { key: 'name', header: t('park.name'), render: (r) => r.enterpriseName },
                {
                  key: 'intensity',
                  header: t('carbon.intensity'),
                  numeric: true,
                  render: (r) => f.quantity(r.intensity, r.unit, 3),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="park-alarms" title={t('park.alarms')}>
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
