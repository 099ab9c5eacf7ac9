import type { Metadata } from 'next';
import { unscaleValue } from 'opencep-verify';
import { DataTable, Panel } from '@/components/panel';
import { LoadState } from '@/components/states';
import { config } from '@/config';
import { type Loaded, load, nodes } from '@/lib/graphql/load';
import {
  ENTERPRISES,
  type EnterpriseRow,
  type OnChainQuotaRow,
  QUOTA_STATUS,
  QUOTAS_ON_CHAIN,
  type QuotaStatus,
  REGULATOR_REPORTS,
  type ReportRow,
  TAMPER_ALARMS,
  type TamperAlarmRow,
} from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';
import { shortHash } from '@/lib/views/accounting';
import { compareDecimals } from '@/lib/views/decimal';
import { QuotaIssueForm } from './quota-issue-client';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('regulator.title') };
}

/** Loads one query per enterprise and merges the rows (first failure wins, so it is shown). */
async function perEnterprise<T, R>(
  ids: string[],
  run: (id: string) => Promise<Loaded<T>>,
  pick: (data: T, id: string) => R[],
): Promise<Loaded<R[]>> {
  const all = await Promise.all(ids.map(async (id) => ({ id, r: await run(id) })));
  const failed = all.find((x) => !x.r.ok);
  if (failed && !failed.r.ok) return failed.r;
  return { ok: true, data: all.flatMap((x) => (x.r.ok ? pick(x.r.data, x.id) : [])) };
}

/**
 * Regulator: enterprises in the jurisdiction with anomaly flags, anchored reports and their
 * verification state, quota issuance on chain (signed by the regulator's wallet), tamper alarms.
 */
export default async function RegulatorPage() {
  const { t, f } = await getI18n();
  const year = new Date().getFullYear();
  const tco2e = t('unit.tCO2e');
  const [enterprises, reports] = await Promise.all([
    load<{ enterprises: { edges: { node: EnterpriseRow }[] } }>('enterprises', ENTERPRISES, {}),
    load<{ regulatorReports: ReportRow[] }>('regulatorReports', REGULATOR_REPORTS),
  ]);
  const list = enterprises.ok ? nodes(enterprises.data.enterprises) : [];
  const ids = list.slice(0, 50).map((e) => e.id);
  const [tamper, quotas, onChain] = await Promise.all([
    perEnterprise(
      ids,
      (id) => load<{ tamperAlarms: TamperAlarmRow[] }>('tamperAlarms', TAMPER_ALARMS, { enterpriseId: id }),
      (d) => d.tamperAlarms,
    ),
    perEnterprise(
      ids,
      (id) => load<{ quotaStatus: QuotaStatus }>('quotaStatus', QUOTA_STATUS, { enterpriseId: id, year }),
      (d, id) => [{ ...d.quotaStatus, enterpriseId: id }],
    ),
    perEnterprise(
      ids,
      (id) =>
        load<{ quotasOnChain: OnChainQuotaRow[] }>('quotasOnChain', QUOTAS_ON_CHAIN, { enterpriseId: id }),
      (d, id) => d.quotasOnChain.map((q) => ({ ...q, enterpriseId: id })),
    ),
  ]);
  const nameOf = new Map(list.map((e) => [e.id, e.name]));
  const reportRows = reports.ok ? reports.data.regulatorReports : [];
  /** Anomaly flags from real data: open tamper alarms, forecast above quota, adverse opinions. */
  const flagsOf = (id: string): string[] => {
    const flags: string[] = [];
    const n = tamper.ok ? tamper.data.filter((a) => a.enterpriseId === id).length : 0;
    if (n > 0) flags.push(`⚠ ${t('regulator.flag.tamper', { n })}`);
    const q = quotas.ok ? quotas.data.find((x) => x.enterpriseId === id) : undefined;
    if (q?.quota && q.forecast.value && compareDecimals(q.forecast.value, q.quota) > 0)
      flags.push(`▲ ${t('regulator.flag.overQuota')}`);
    if (q && !q.quota) flags.push(`○ ${t('regulator.flag.noQuota')}`);
    if (
      reportRows.some(
        (r) => r.enterpriseId === id && r.verificationState && r.verificationState !== 'POSITIVE',
      )
    )
      flags.push(`✗ ${t('regulator.flag.adverse')}`);
    return flags;
  };
  const { quotaRegistry } = config();
  // The key the platform holds for this regulator (quota issuance without a browser wallet).
  const heldKey = await load<{ myAccountKey: { address: string } | null }>(
    'myAccountKey',
    'query PortalMyAccountKey { myAccountKey { address } }',
  );
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
                {
                  key: 'quota',
                  header: `${t('accounting.allocated')} ${year}`,
                  numeric: true,
                  render: (e) => {
                    const q = quotas.ok ? quotas.data.find((x) => x.enterpriseId === e.id) : undefined;
                    return q ? `${f.quantity(q.quota, tco2e, 1)} (${q.quotaSource})` : '—';
                  },
                },
                {
                  key: 'used',
                  header: t('accounting.used'),
                  numeric: true,
                  render: (e) => {
                    const q = quotas.ok ? quotas.data.find((x) => x.enterpriseId === e.id) : undefined;
                    return q ? f.quantity(q.used, tco2e, 1) : '—';
                  },
                },
                {
                  key: 'flags',
                  header: t('regulator.flags'),
                  render: (e) => {
                    const flags = flagsOf(e.id);
                    return flags.length === 0
                      ? `✓ ${t('regulator.flag.none')}`
                      : flags.map((x) => (
                          <span key={x} className="flag badge">
                            {x}
                          </span>
                        ));
                  },
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="reg-reports" title={t('regulator.reports')} wide>
          {!reports.ok ? (
            <LoadState result={reports} t={t} />
          ) : (
            <DataTable<ReportRow>
              caption={t('regulator.reports')}
              rows={reportRows}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                {
                  key: 'e',
                  header: t('energy.enterprise'),
                  render: (r) => nameOf.get(r.enterpriseId) ?? r.enterpriseId,
                },
                {
                  key: 'v',
                  header: t('accounting.standard'),
                  render: (r) => `${r.standardRef} · v${r.version} · ${r.language}`,
                },
                {
                  key: 's',
                  header: t('accounting.status'),
                  render: (r) => <span className="badge">{r.state}</span>,
                },
                {
                  key: 'anchor',
                  header: t('accounting.anchor'),
                  render: (r) =>
                    r.anchoredAt ? `✓ ${f.dateTime(r.anchoredAt)}` : `○ ${t('accounting.notAnchored')}`,
                },
                {
                  key: 'root',
                  header: t('accounting.root'),
                  render: (r) => <span className="mono">{shortHash(r.anchorRoot)}</span>,
                },
                {
                  key: 'ver',
                  header: t('accounting.verified'),
                  render: (r) =>
                    r.verificationState ? (
                      <span className="badge">{`${r.verificationState === 'POSITIVE' ? '✓' : '✗'} ${r.verificationState}`}</span>
                    ) : (
                      `○ ${t('regulator.unverified')}`
                    ),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="reg-quotas" title={t('regulator.quotas')} wide>
          <QuotaIssueForm
            enterprises={list.map((e) => ({ id: e.id, name: e.name }))}
            registry={quotaRegistry}
            hasAccountKey={heldKey.ok && heldKey.data.myAccountKey !== null}
            defaultYear={year}
            labels={{
              enterprise: t('energy.enterprise'),
              year: t('accounting.year'),
              amount: `${t('accounting.allocated')} (${tco2e})`,
              reason: t('accounting.reason'),
              submit: t('regulator.issue'),
              walletNeeded: t('regulator.walletNeeded'),
              notConfigured: t('regulator.notConfigured'),
              signing: t('association.signing'),
              mining: t('regulator.mining'),
              done: t('regulator.issued'),
              reverted: t('regulator.reverted'),
              failed: t('form.notSaved'),
              invalid: t('form.invalid'),
              issueWithAccountKey: t('regulator.issueWithAccountKey'),
              accountKeyHint: t('regulator.accountKeyHint'),
            }}
          />
          {!onChain.ok ? (
            <LoadState result={onChain} t={t} />
          ) : (
            <DataTable
              caption={t('regulator.quotas')}
              rows={onChain.data}
              rowKey={(q) => `${q.chainEnterpriseId}-${q.year}-${q.revision}`}
              empty={t('regulator.noChainQuota')}
              columns={[
                {
                  key: 'e',
                  header: t('energy.enterprise'),
                  render: (q) => nameOf.get(q.enterpriseId) ?? '—',
                },
                { key: 'y', header: t('accounting.year'), render: (q) => String(q.year) },
                {
                  key: 'a',
                  header: t('accounting.allocated'),
                  numeric: true,
                  render: (q) => f.quantity(unscaleValue(BigInt(q.amountGrams)), tco2e, 3),
                },
                {
                  key: 'r',
                  header: t('accounting.revision'),
                  numeric: true,
                  render: (q) => String(q.revision),
                },
                {
                  key: 'c',
                  header: t('table.status'),
                  render: (q) =>
                    q.confirmed ? `✓ ${t('regulator.confirmed')}` : `◔ ${t('regulator.pending')}`,
                },
                { key: 'at', header: t('table.created'), render: (q) => f.dateTime(q.issuedAt) },
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
