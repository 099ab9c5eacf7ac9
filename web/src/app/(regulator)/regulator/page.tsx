import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { LoadState } from '@/components/states';
import { type Loaded, load, nodes } from '@/lib/graphql/load';
import { shortHash } from '@/lib/views/accounting';
import {
  ENTERPRISES,
  type EnterpriseRow,
  TAMPER_ALARMS,
  type TamperAlarmRow,
} from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('regulator.title') };
}

/** Regulator: enterprises in the jurisdiction, anchored data and tamper checks. */
export default async function RegulatorPage() {
  const { t, f } = await getI18n();
  const enterprises = await load<{ enterprises: { edges: { node: EnterpriseRow }[] } }>(
    'enterprises',
    ENTERPRISES,
    {},
  );
  const list = enterprises.ok ? nodes(enterprises.data.enterprises) : [];
  // Tamper detection runs per enterprise: stored rows re-hashed against their anchored roots.
  const perEnterprise = await Promise.all(
    list
      .slice(0, 50)
      .map((e) =>
        load<{ tamperAlarms: TamperAlarmRow[] }>('tamperAlarms', TAMPER_ALARMS, { enterpriseId: e.id }),
      ),
  );
  const failed = perEnterprise.find((r) => !r.ok);
  const tamper: Loaded<TamperAlarmRow[]> =
    failed && !failed.ok
      ? failed
      : { ok: true, data: perEnterprise.flatMap((r) => (r.ok ? r.data.tamperAlarms : [])) };
  const nameOf = new Map(list.map((e) => [e.id, e.name]));
  return (
    <>
      <h1>{t('regulator.title')}</h1>
      <div className="grid">
        <Panel id="reg-enterprises" title={t('regulator.enterprises')} wide>
          {!enterprises.ok ? (
            <LoadState result={enterprises} t={t} />
          ) : (
            <DataTable<EnterpriseRow>
              caption={t('regulator.enterprises')}
              rows={list}
              rowKey={(e) => e.id}
              empty={t('state.empty')}
              columns={[
                { key: 'name', header: t('park.name'), render: (e) => e.name },
                { key: 'park', header: t('nav.park'), render: (e) => e.park?.name ?? '—' },
                {
                  key: 'code',
                  header: t('park.code'),
                  render: (e) => <span className="mono">{e.creditCode ?? '—'}</span>,
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="reg-tamper" title={t('regulator.tamper')} wide>
          {!tamper.ok ? (
            <LoadState result={tamper} t={t} />
          ) : (
            <DataTable<TamperAlarmRow>
              caption={t('regulator.tamper')}
              rows={tamper.data}
              rowKey={(r) => r.id}
              empty={t('accounting.tamperNone')}
              columns={[
                {
                  key: 'ent',
                  header: t('energy.enterprise'),
                  render: (r) => nameOf.get(r.enterpriseId) ?? r.enterpriseId,
                },
                { key: 'kind', header: t('data.meter.kind'), render: (r) => `⚠ ${r.kind}` },
                {
                  key: 'batch',
                  header: t('accounting.batch'),
                  render: (r) => <span className="mono">{shortHash(r.batchId)}</span>,
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
