import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTable, Panel } from '@/components/panel';
import { EmptyState, LoadState } from '@/components/states';
import { TopologyDiagramLive } from '@/components/topology-diagram-client';
import { config } from '@/config';
import type { MessageKey } from '@/i18n';
import { getViewer } from '@/lib/auth/session';
import { load } from '@/lib/graphql/load';
import {
  type DiagramSummary,
  type DiagramView,
  TOPOLOGY_DIAGRAM,
  TOPOLOGY_DIAGRAMS,
  TOPOLOGY_UNBALANCE,
  type UnbalanceRow,
} from '@/lib/graphql/operations-views';
import { getI18n } from '@/lib/i18n/server';
import { enterpriseIdOf } from '@/lib/views/enterprise';
import { topologyLabels } from './labels';

/** Tolerance of the parent-vs-children balance check, percent of the parent's consumption. */
const TOLERANCE_PERCENT = '5';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('topology.title') };
}

/**
 * Topology diagrams: single-line power diagrams, water/gas/steam/compressed-air networks and plant
 * layouts, drawn from stored node positions with live values and alarm states; plus today's
 * unbalance check (each parent meter against the sum of its children).
 */
export default async function TopologyPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { t, f, locale } = await getI18n();
  const viewer = await getViewer();
  const enterpriseId = enterpriseIdOf(viewer);
  if (!enterpriseId) return <EmptyState message={t('auth.noRole')} />;
  const requested = (await searchParams).id;
  const list = await load<{ topologyDiagrams: DiagramSummary[] }>('topologyDiagrams', TOPOLOGY_DIAGRAMS, {
    enterpriseId,
  });
  const diagrams = list.ok ? list.data.topologyDiagrams : [];
  const current =
    diagrams.find((d) => d.id === requested) ?? diagrams.find((d) => d.kind === 'power') ?? diagrams[0];
  const now = new Date();
  const dayStart = new Date(now.getTime() - 24 * 3600_000);
  const [diagram, unbalance] = current
    ? await Promise.all([
        load<{ topologyDiagram: DiagramView }>('topologyDiagram', TOPOLOGY_DIAGRAM, {
          enterpriseId,
          id: current.id,
        }),
        load<{ topologyUnbalance: UnbalanceRow[] }>('topologyUnbalance', TOPOLOGY_UNBALANCE, {
          enterpriseId,
          id: current.id,
          from: dayStart.toISOString(),
          to: now.toISOString(),
          tolerancePercent: TOLERANCE_PERCENT,
        }),
      ])
    : [null, null];
  const labelOf = new Map(diagram?.ok ? diagram.data.topologyDiagram.nodes.map((n) => [n.key, n.label]) : []);
  return (
    <>
      <h1>{t('topology.title')}</h1>
      <div className="grid">
        <Panel id="diagrams" title={t('topology.list')} wide>
          {!list.ok ? (
            <LoadState result={list} t={t} />
          ) : diagrams.length === 0 ? (
            <EmptyState message={t('topology.none')} />
          ) : (
            <nav aria-label={t('topology.list')}>
              <ul
                className="links"
                style={{
                  display: 'flex',
                  flexWrap: 'wrap',
                  gap: '0.5rem 1.25rem',
                  listStyle: 'none',
                  padding: 0,
                }}
              >
                {diagrams.map((d) => (
                  <li key={d.id}>
                    <Link
                      href={`/enterprise/topology?id=${d.id}`}
                      aria-current={d.id === current?.id ? 'page' : undefined}
                      data-testid={`diagram-link-${d.kind}`}
                    >
                      {`${d.name} · ${t(`topology.kind.${d.kind}` as MessageKey)}`}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          )}
        </Panel>
        {current && diagram ? (
          <Panel id="diagram" title={current.name} wide>
            {!diagram.ok ? (
              <LoadState result={diagram} t={t} />
            ) : (
              <TopologyDiagramLive
                key={diagram.data.topologyDiagram.id}
                initial={diagram.data.topologyDiagram}
                enterpriseId={enterpriseId}
                query={TOPOLOGY_DIAGRAM}
                wsUrl={config().apiWsUrl}
                locale={locale}
                timeZone={config().timeZone}
                labels={topologyLabels(t)}
              />
            )}
          </Panel>
        ) : null}
        {current && unbalance ? (
          <Panel id="unbalance" title={t('topology.unbalance', { pct: TOLERANCE_PERCENT })} wide>
            {!unbalance.ok ? (
              <LoadState result={unbalance} t={t} />
            ) : (
              <>
                <p className="hint">
                  {t('topology.unbalanceHint', { from: f.dateTime(dayStart), to: f.dateTime(now) })}
                </p>
                <DataTable<UnbalanceRow>
                  caption={t('topology.unbalance', { pct: TOLERANCE_PERCENT })}
                  rows={unbalance.data.topologyUnbalance}
                  rowKey={(r) => r.nodeKey}
                  empty={t('topology.noParents')}
                  columns={[
                    {
                      key: 'n',
                      header: t('topology.node'),
                      render: (r) => labelOf.get(r.nodeKey) ?? r.nodeKey,
                    },
                    {
                      key: 'p',
                      header: t('topology.parent'),
                      numeric: true,
                      render: (r) => f.number(r.parent, 3),
                    },
                    {
                      key: 'c',
                      header: t('topology.children'),
                      numeric: true,
                      render: (r) => f.number(r.childrenSum, 3),
                    },
                    {
                      key: 'd',
                      header: t('topology.difference'),
                      numeric: true,
                      render: (r) =>
                        `${f.number(r.difference, 3)}${r.percent === null ? '' : ` (${f.number(r.percent, 1)} %)`}`,
                    },
                    {
                      key: 's',
                      header: t('table.status'),
                      render: (r) =>
                        r.unbalanced ? `⚠ ${t('topology.unbalanced')}` : `✓ ${t('topology.balanced')}`,
                    },
                    {
                      key: 'm',
                      header: t('topology.missing'),
                      render: (r) =>
                        r.missingChildren.length
                          ? r.missingChildren.map((k) => labelOf.get(k) ?? k).join(', ')
                          : '—',
                    },
                  ]}
                />
              </>
            )}
          </Panel>
        ) : null}
      </div>
    </>
  );
}
