import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { LoadState } from '@/components/states';
import { config } from '@/config';
import { getViewer, viewerRoles } from '@/lib/auth/session';
import { type Loaded, load } from '@/lib/graphql/load';
import {
  type FactorDiffRow,
  PROPOSALS,
  type ProposalRow,
  STANDARD_VERSION_DIFF,
  STANDARDS,
  type StandardRow,
  type StandardVersionDiff,
  type StandardVersionRow,
} from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';
import { ProposalsLive } from './proposals-live-client';

const MY_ACCOUNT_KEY = 'query PortalMyAccountKey { myAccountKey { address } }';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('association.title') };
}

const HASH = /^0x[0-9a-fA-F]{64}$/;

/** The pair to compare: the query's `from`/`to` when both are shipped versions, else the latest two shipped. */
function diffPair(versions: StandardVersionRow[], from?: string, to?: string): [string, string] | null {
  const shipped = versions.filter((v) => v.shipped);
  const has = (h?: string) => !!h && HASH.test(h) && shipped.some((v) => v.contentHash === h.toLowerCase());
  if (from && to && has(from) && has(to)) return [from.toLowerCase(), to.toLowerCase()];
  const [a, b] = shipped.slice(-2);
  return a && b ? [a.contentHash, b.contentHash] : null;
}

/**
 * Association members: standards and versions on chain, factor changes between versions, proposals with
 * live tallies, voting (wallet or account-held key), queue/execute, and the history of finished proposals.
 */
export default async function AssociationPage({
  searchParams,
}: {
  searchParams: Promise<{ from?: string; to?: string }>;
}) {
  const { t, f, locale } = await getI18n();
  const { from, to } = await searchParams;
  const [standards, proposals, viewer] = await Promise.all([
    load<{ standards: StandardRow[] }>('standards', STANDARDS),
    load<{ proposals: ProposalRow[] }>('proposals', PROPOSALS),
    getViewer(),
  ]);
  const canVote = viewerRoles(viewer).includes('ASSOCIATION_MEMBER');
  // The key the platform holds for this member (used when the browser injects no wallet).
  const heldKey = canVote
    ? await load<{ myAccountKey: { address: string } | null }>('myAccountKey', MY_ACCOUNT_KEY)
    : null;
  const versions: StandardVersionRow[] = standards.ok
    ? standards.data.standards.flatMap((s) => s.versions)
    : [];
  const active = new Set(standards.ok ? standards.data.standards.map((s) => s.activeContentHash) : []);
  const pair = diffPair(versions, from, to);
  const diff: Loaded<{ standardVersionDiff: StandardVersionDiff }> | null = pair
    ? await load('standardVersionDiff', STANDARD_VERSION_DIFF, { from: pair[0], to: pair[1] })
    : null;
  const label = (v: StandardVersionRow) => `${v.code ?? `${v.standardId.slice(0, 10)}…`} ${v.version}`;
  const shipped = versions.filter((v) => v.shipped);

  return (
    <>
      <h1>{t('association.title')}</h1>
      <div className="grid">
        <Panel id="standards" title={t('association.standards')} wide>
          {!standards.ok ? (
            <LoadState result={standards} t={t} />
          ) : (
            <DataTable<StandardVersionRow>
              caption={t('association.standards')}
              rows={versions}
              rowKey={(r) => `${r.standardId}:${r.versionIndex}`}
              empty={t('state.empty')}
              columns={[
                {
                  key: 'code',
                  header: t('association.code'),
                  render: (r) => r.code ?? <span className="mono">{`${r.standardId.slice(0, 14)}…`}</span>,
                },
                { key: 'v', header: t('association.version'), render: (r) => r.version },
                {
                  key: 'status',
                  header: t('association.state'),
                  render: (r) => (
                    <span className="badge">
                      {r.deprecated
                        ? t('association.deprecated')
                        : active.has(r.contentHash)
                          ? t('association.active')
                          : t('association.superseded')}
                    </span>
                  ),
                },
                {
                  key: 'confirmed',
                  header: t('association.onChain'),
                  render: (r) =>
                    r.confirmed ? `✓ ${t('association.confirmed')}` : t('association.unconfirmed'),
                },
                {
                  key: 'eff',
                  header: t('association.effectiveFrom'),
                  render: (r) => f.date(r.effectiveFrom),
                },
                {
                  key: 'hash',
                  header: t('accounting.hash'),
                  render: (r) => (
                    <span className="mono" title={r.contentHash}>
                      {r.contentHash.slice(0, 14)}…
                    </span>
                  ),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="standard-diff" title={t('association.diff')} wide>
          {shipped.length >= 2 ? (
            <form method="get" className="page-header" aria-label={t('association.diff')}>
              <div className="field">
                <label htmlFor="diff-from">{t('association.diffFrom')}</label>
                <select id="diff-from" name="from" defaultValue={pair?.[0]}>
                  {shipped.map((v) => (
                    <option key={v.contentHash} value={v.contentHash}>
                      {label(v)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="diff-to">{t('association.diffTo')}</label>
                <select id="diff-to" name="to" defaultValue={pair?.[1]}>
                  {shipped.map((v) => (
                    <option key={v.contentHash} value={v.contentHash}>
                      {label(v)}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit">{t('association.diffShow')}</button>
            </form>
          ) : null}
          {!diff ? (
            <p className="state" role="status">
              {t('association.diffUnavailable')}
            </p>
          ) : !diff.ok ? (
            <LoadState result={diff} t={t} />
          ) : (
            <>
              <p className="hint">
                {t('association.diffBetween', {
                  from: diff.data.standardVersionDiff.fromRef,
                  to: diff.data.standardVersionDiff.toRef,
                })}
              </p>
              <DataTable<FactorDiffRow>
                caption={t('association.diff')}
                rows={diff.data.standardVersionDiff.parameters}
                rowKey={(r) => r.parameterId}
                empty={t('association.diffNone')}
                columns={[
                  {
                    key: 'p',
                    header: t('association.parameter'),
                    render: (r) => (locale === 'zh-CN' && r.nameZh ? r.nameZh : r.name),
                  },
                  {
                    key: 'c',
                    header: t('association.change'),
                    render: (r) => <span className="badge">{t(`association.change.${r.change}`)}</span>,
                  },
                  {
                    key: 'o',
                    header: t('association.oldValue'),
                    numeric: true,
                    render: (r) => (r.oldValue === null ? '—' : `${r.oldValue} ${r.oldUnit ?? ''}`),
                  },
                  {
                    key: 'n',
                    header: t('association.newValue'),
                    numeric: true,
                    render: (r) => (r.newValue === null ? '—' : `${r.newValue} ${r.newUnit ?? ''}`),
                  },
                ]}
              />
            </>
          )}
        </Panel>
        <Panel id="proposals" title={t('association.proposals')} wide>
          {!proposals.ok ? (
            <LoadState result={proposals} t={t} />
          ) : (
            <ProposalsLive
              initial={proposals.data.proposals}
              wsUrl={config().apiWsUrl}
              locale={locale}
              timeZone={config().timeZone}
              canVote={canVote}
              accountKey={heldKey?.ok ? (heldKey.data.myAccountKey?.address ?? null) : null}
            />
          )}
        </Panel>
      </div>
    </>
  );
}
