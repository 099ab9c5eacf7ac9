import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { LoadState } from '@/components/states';
import { load, nodes } from '@/lib/graphql/load';
import { PROPOSALS, type ProposalRow, STANDARDS, type StandardRow } from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('association.title') };
}

/** Association members: standard versions on chain, proposals and their votes. */
export default async function AssociationPage() {
  const { t, f } = await getI18n();
  const [standards, proposals] = await Promise.all([
    load<{ standards: { edges: { node: StandardRow }[] } }>('standards', STANDARDS),
    load<{ proposals: { edges: { node: ProposalRow }[] } }>('proposals', PROPOSALS),
  ]);
  return (
    <>
      <h1>{t('association.title')}</h1>
      <div className="grid">
        <Panel id="standards" title={t('association.standards')} wide>
          {!standards.ok ? (
            <LoadState result={standards} t={t} />
          ) : (
            <DataTable<StandardRow>
              caption={t('association.standards')}
              rows={nodes(standards.data.standards)}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                { key: 'id', header: t('table.name'), render: (r) => r.standardId },
                { key: 'v', header: t('association.version'), render: (r) => r.version },
                {
                  key: 'status',
                  header: t('association.state'),
                  render: (r) => <span className="badge">{r.status}</span>,
                },
                {
                  key: 'eff',
                  header: t('association.effectiveFrom'),
                  render: (r) => f.date(r.effectiveFrom),
                },
                {
                  key: 'hash',
                  header: t('accounting.hash'),
                  render: (r) => <span className="mono">{r.contentHash.slice(0, 14)}…</span>,
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="proposals" title={t('association.proposals')} wide>
          {!proposals.ok ? (
            <LoadState result={proposals} t={t} />
          ) : (
            <DataTable<ProposalRow>
              caption={t('association.proposals')}
              rows={nodes(proposals.data.proposals)}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                { key: 'd', header: t('table.name'), render: (r) => r.description },
                {
                  key: 's',
                  header: t('association.state'),
                  render: (r) => <span className="badge">{r.state}</span>,
                },
                {
                  key: 'for',
                  header: t('association.voteFor'),
                  numeric: true,
                  render: (r) => f.number(r.forVotes, 0),
                },
                {
                  key: 'ag',
                  header: t('association.voteAgainst'),
                  numeric: true,
                  render: (r) => f.number(r.againstVotes, 0),
                },
                {
                  key: 'ab',
                  header: t('association.voteAbstain'),
                  numeric: true,
                  render: (r) => f.number(r.abstainVotes, 0),
                },
                { key: 'dl', header: t('table.status'), render: (r) => f.dateTime(r.deadline) },
              ]}
            />
          )}
        </Panel>
      </div>
    </>
  );
}
