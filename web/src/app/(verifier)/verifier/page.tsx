import type { Metadata } from 'next';
import { DataTable, Panel } from '@/components/panel';
import { LoadState } from '@/components/states';
import { getViewer, scopeIds } from '@/lib/auth/session';
import { load, nodes } from '@/lib/graphql/load';
import { ENGAGEMENTS, type EngagementRow, INVENTORIES, type InventoryRow } from '@/lib/graphql/operations';
import { getI18n } from '@/lib/i18n/server';
import { periodLabel, shortHash } from '@/lib/views/accounting';
import { loadEnterprise } from '@/lib/views/enterprise';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('verifier.title') };
}

/**
 * Verifiers: the enterprises that granted them an engagement (their VERIFIER grants) and those
 * enterprises' inventories with hashes and anchors to check; engagement records are not in the API yet.
 */
export default async function VerifierPage() {
  const { t, f } = await getI18n();
  const viewer = await getViewer();
  const enterpriseIds = scopeIds(viewer, 'verifier');
  const [engagements, granted] = await Promise.all([
    load<{ engagements: { edges: { node: EngagementRow }[] } }>('engagements', ENGAGEMENTS),
    Promise.all(
      enterpriseIds.slice(0, 20).map(async (id) => ({
        enterprise: await loadEnterprise(id),
        inventories: await load<{ inventories: { edges: { node: InventoryRow }[] } }>(
          'inventories',
          INVENTORIES,
          {
            enterpriseId: id,
          },
        ),
      })),
    ),
  ]);
  const tco2e = t('unit.tCO2e');
  return (
    <>
      <h1>{t('verifier.title')}</h1>
      <div className="grid">
        {granted.map(({ enterprise, inventories }, i) => (
          <Panel
            key={enterpriseIds[i]}
            id={`verify-${i}`}
            title={t('verifier.inventories', {
              name: enterprise.ok ? enterprise.data.name : (enterpriseIds[i] ?? ''),
            })}
            wide
          >
            {!inventories.ok ? (
              <LoadState result={inventories} t={t} />
            ) : (
              <DataTable<InventoryRow>
                caption={t('accounting.inventories')}
                rows={nodes(inventories.data.inventories)}
                rowKey={(r) => r.id}
                empty={t('state.empty')}
                columns={[
                  { key: 'p', header: t('accounting.period'), render: (r) => periodLabel(r) },
                  {
                    key: 's',
                    header: t('accounting.status'),
                    render: (r) => <span className="badge">{r.state}</span>,
                  },
                  {
                    key: 'total',
                    header: t('accounting.total'),
                    numeric: true,
                    render: (r) => f.quantity(r.totalReported, tco2e, 3),
                  },
                  {
                    key: 'hash',
                    header: t('accounting.hash'),
                    render: (r) => <span className="mono">{shortHash(r.inventoryHash)}</span>,
                  },
                  {
                    key: 'anchor',
                    header: t('accounting.anchor'),
                    render: (r) =>
                      r.anchoredAt ? `✓ ${f.dateTime(r.anchoredAt)}` : `○ ${t('accounting.notAnchored')}`,
                  },
                ]}
              />
            )}
          </Panel>
        ))}
        <Panel id="engagements" title={t('verifier.engagements')} wide>
          {!engagements.ok ? (
            <LoadState result={engagements} t={t} />
          ) : (
            <DataTable<EngagementRow>
              caption={t('verifier.engagements')}
              rows={nodes(engagements.data.engagements)}
              rowKey={(r) => r.id}
              empty={t('state.empty')}
              columns={[
                { key: 'e', header: t('energy.enterprise'), render: (r) => r.enterprise?.name ?? '—' },
                { key: 'p', header: t('accounting.period'), render: (r) => r.period },
                {
                  key: 's',
                  header: t('table.status'),
                  render: (r) => <span className="badge">{r.status}</span>,
                },
              ]}
            />
          )}
        </Panel>
      </div>
    </>
  );
}
