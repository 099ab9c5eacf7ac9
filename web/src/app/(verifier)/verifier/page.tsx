import type { Metadata } from 'next';
import { ActionForm } from '@/components/action-form-client';
import { FileHashField } from '@/components/file-hash-field-client';
import { DataTable, Panel } from '@/components/panel';
import { LoadState } from '@/components/states';
import { config } from '@/config';
import { getViewer, scopeIds } from '@/lib/auth/session';
import { load, nodes } from '@/lib/graphql/load';
import { GRANTED_REPORTS, INVENTORIES, type InventoryRow, type ReportRow } from '@/lib/graphql/operations';
import { INVENTORY_HASH } from '@/lib/graphql/operations-views';
import { getI18n } from '@/lib/i18n/server';
import { periodLabel, shortHash } from '@/lib/views/accounting';
import { loadEnterprise } from '@/lib/views/enterprise';
import { recordStatementAction } from './actions';
import { ProofCheck } from './proof-check-client';
import { type PickRow, ProofPick } from './proof-pick-client';

/**
 * Lines of an inventory's commitment that every inventory has (api offsets.commitment.ts
 * `inventoryCommitLines`): the inventory hash line, the scope totals and the net total. Retirement
 * lines name purchases the verifier cannot list here; those are checked from a proof file.
 */
const COMMIT_TOTAL_LINES = [
  'totals/scope1',
  'totals/scope2/location',
  'totals/scope2/market',
  'totals/scope3',
  'totals/location',
  'totals/market',
  'totals/net',
];

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getI18n()).t('verifier.title') };
}

/**
 * Verifiers: the reports granted to them (their engagements) with downloads, the in-browser proof
 * check against the chain, statements on granted reports, and the inventories of the enterprises
 * that gave them a VERIFIER grant.
 */
export default async function VerifierPage() {
  const { t, f, locale } = await getI18n();
  const viewer = await getViewer();
  const enterpriseIds = scopeIds(viewer, 'verifier');
  const [granted, inventoriesByEnterprise] = await Promise.all([
    load<{ grantedReports: ReportRow[] }>('grantedReports', GRANTED_REPORTS),
    Promise.all(
      enterpriseIds.slice(0, 20).map(async (id) => ({
        enterprise: await loadEnterprise(id),
        inventories: await load<{ inventories: { edges: { node: InventoryRow }[] } }>(
          'inventories',
          INVENTORIES,
          { enterpriseId: id },
        ),
      })),
    ),
  ]);
  const tco2e = t('unit.tCO2e');
  const reports = granted.ok ? granted.data.grantedReports : [];
  // One row per committed line of each granted report's inventory (first 10 reports).
  const picked = reports.slice(0, 10);
  const hashes = await Promise.all(
    picked.map((r) =>
      load<{ inventory: { id: string; inventoryHash: string } }>('inventory', INVENTORY_HASH, {
        id: r.inventoryId,
      }),
    ),
  );
  const pickRows: PickRow[] = picked.flatMap((r, i) => {
    const inv = hashes[i];
    const report = `${r.standardRef} · v${r.version} · ${r.language}`;
    const lines = [
      ...(inv?.ok ? [`inventory/sha256/${inv.data.inventory.inventoryHash}`] : []),
      ...COMMIT_TOTAL_LINES,
    ];
    return lines.map((line) => ({
      key: `${r.id}:${line}`,
      report,
      enterpriseId: r.enterpriseId,
      inventoryId: r.inventoryId,
      line,
    }));
  });
  const verdicts = {
    VALID: t('verdict.VALID'),
    MALFORMED: t('verdict.MALFORMED'),
    LEAF_MISMATCH: t('verdict.LEAF_MISMATCH'),
    PROOF_INVALID: t('verdict.PROOF_INVALID'),
    WRONG_CHAIN: t('verdict.WRONG_CHAIN'),
    NOT_ANCHORED: t('verdict.NOT_ANCHORED'),
    RPC_ERROR: t('verdict.RPC_ERROR'),
  };
  const { chainRpcUrl, timeZone } = config();
  return (
    <>
      <h1>{t('verifier.title')}</h1>
      <div className="grid">
        <Panel id="engagements" title={t('verifier.engagements')} wide>
          {!granted.ok ? (
            <LoadState result={granted} t={t} />
          ) : (
            <DataTable<ReportRow>
              caption={t('verifier.engagements')}
              rows={reports}
              rowKey={(r) => r.id}
              empty={t('verifier.noEngagements')}
              columns={[
                {
                  key: 'ref',
                  header: t('accounting.standard'),
                  render: (r) => `${r.standardRef} · v${r.version} · ${r.language}`,
                },
                {
                  key: 's',
                  header: t('accounting.status'),
                  render: (r) => <span className="badge">{r.state}</span>,
                },
                {
                  key: 'h',
                  header: t('accounting.hash'),
                  render: (r) => <span className="mono">{shortHash(r.jsonHash)}</span>,
                },
                {
                  key: 'a',
                  header: t('accounting.anchor'),
                  render: (r) =>
                    r.anchoredAt ? `✓ ${f.dateTime(r.anchoredAt)}` : `○ ${t('accounting.notAnchored')}`,
                },
                { key: 'v', header: t('accounting.verified'), render: (r) => r.verificationState ?? '—' },
                {
                  key: 'files',
                  header: t('accounting.download'),
                  render: (r) => (
                    <span className="links">
                      {(['pdf', 'json', 'xlsx'] as const).map((fmt) => (
                        <a
                          key={fmt}
                          href={`/api/reports/${r.id}/${fmt}`}
                          download
                          aria-label={`${t('accounting.download')} ${fmt.toUpperCase()} v${r.version}`}
                        >
                          {fmt.toUpperCase()}
                        </a>
                      ))}
                    </span>
                  ),
                },
              ]}
            />
          )}
        </Panel>
        <Panel id="proof-pick" title={t('verifier.pickTitle')} wide>
          {pickRows.length === 0 ? (
            <p className="state" role="status">
              {t('verifier.noEngagements')}
            </p>
          ) : (
            <>
              <p className="hint">
                {chainRpcUrl ? `${t('verifier.rpc')}: ${chainRpcUrl}` : t('verifier.rpcMissing')}
              </p>
              <ProofPick
                rows={pickRows}
                rpcUrl={chainRpcUrl}
                labels={{
                  caption: t('verifier.pickTitle'),
                  report: t('accounting.reports'),
                  line: t('verifier.pickLine'),
                  action: t('table.actions'),
                  result: t('verifier.pickResult'),
                  check: t('verifier.pickCheck'),
                  checking: t('verifier.checking'),
                  notCommitted: t('verifier.pickNotCommitted'),
                  failed: t('verifier.pickFailed'),
                  verdicts,
                }}
              />
            </>
          )}
        </Panel>
        <Panel id="proof-check" title={t('verifier.proofCheck')} wide>
          <ProofCheck
            rpcUrl={chainRpcUrl}
            formatTime={{ locale, timeZone }}
            labels={{
              proof: t('verifier.proofJson'),
              file: t('verifier.proofFile'),
              check: t('verifier.check'),
              checking: t('verifier.checking'),
              rpc: t('verifier.rpc'),
              rpcMissing: t('verifier.rpcMissing'),
              computedLeaf: t('verifier.computedLeaf'),
              anchoredAt: t('accounting.anchoredAt'),
              verdicts,
            }}
          />
        </Panel>
        <Panel id="statements" title={t('verifier.statements')} wide>
          {reports.length === 0 ? (
            <p className="state" role="status">
              {t('verifier.noEngagements')}
            </p>
          ) : (
            <ActionForm
              action={recordStatementAction}
              submit={t('verifier.record')}
              okText={t('verifier.recorded')}
              errorText={t('form.notSaved')}
              testId="statement-form"
            >
              <div className="form-row">
                <div className="field">
                  <label htmlFor="st-report">{t('accounting.reports')}</label>
                  <select id="st-report" name="reportId">
                    {reports.map((r) => (
                      <option
                        key={r.id}
                        value={r.id}
                      >{`${r.standardRef} · v${r.version} · ${r.language} · ${shortHash(r.jsonHash)}`}</option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="st-opinion">{t('verifier.opinion')}</label>
                  <select id="st-opinion" name="opinion">
                    <option value="POSITIVE">{t('verifier.opinion.POSITIVE')}</option>
                    <option value="QUALIFIED">{t('verifier.opinion.QUALIFIED')}</option>
                    <option value="NEGATIVE">{t('verifier.opinion.NEGATIVE')}</option>
                  </select>
                </div>
              </div>
              <FileHashField label={t('verifier.document')} hashLabel={t('verifier.documentHash')} />
            </ActionForm>
          )}
        </Panel>
        {inventoriesByEnterprise.map(({ enterprise, inventories }, i) => (
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
      </div>
    </>
  );
}
