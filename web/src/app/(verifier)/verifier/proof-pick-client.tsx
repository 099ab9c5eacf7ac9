'use client';

import { type VerifyResult, verifyProof } from 'opencep-verify';
import { useState } from 'react';
import { fetchLineProofAction } from './proof-actions';

export interface PickRow {
  key: string;
  report: string;
  enterpriseId: string;
  inventoryId: string;
  line: string;
}

export interface ProofPickLabels {
  caption: string;
  report: string;
  line: string;
  action: string;
  result: string;
  check: string;
  checking: string;
  notCommitted: string;
  failed: string;
  verdicts: Record<VerifyResult['code'], string>;
}

type RowState = { busy: true } | { busy: false; result: VerifyResult } | { busy: false; error: string };

/**
 * The committed lines of each granted report's inventory, each with "check proof": the portal
 * server fetches the proof over GraphQL as the verifier, the browser verifies it with the
 * standalone verifier's pure functions (and the chain RPC when configured).
 */
export function ProofPick({
  rows,
  rpcUrl,
  labels,
}: {
  rows: PickRow[];
  rpcUrl: string | null;
  labels: ProofPickLabels;
}) {
  const [state, setState] = useState<Record<string, RowState>>({});
  async function check(row: PickRow) {
    setState((s) => ({ ...s, [row.key]: { busy: true } }));
    const answer = await fetchLineProofAction(row.enterpriseId, row.inventoryId, row.line);
    if (!answer.ok) {
      const text =
        answer.code === 'NOT_FOUND' || /not committed/i.test(answer.message ?? '')
          ? labels.notCommitted
          : `${labels.failed}: ${answer.code}`;
      setState((s) => ({ ...s, [row.key]: { busy: false, error: text } }));
      return;
    }
    const result = await verifyProof(answer.proofJson, rpcUrl ? { rpcUrl } : {});
    setState((s) => ({ ...s, [row.key]: { busy: false, result } }));
  }
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard reachable
    <section className="table-wrap" tabIndex={0} aria-label={labels.caption} data-testid="proof-pick">
      <table>
        <caption className="visually-hidden">{labels.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{labels.report}</th>
            <th scope="col">{labels.line}</th>
            <th scope="col">{labels.action}</th>
            <th scope="col">{labels.result}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const st = state[row.key];
            return (
              <tr key={row.key} data-testid={`pick-${row.line}`}>
                <td>{row.report}</td>
                <td
                  className="mono"
                  style={{ wordBreak: 'break-all', whiteSpace: 'normal', maxWidth: '22rem' }}
                >
                  {row.line}
                </td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    disabled={st?.busy === true}
                    onClick={() => void check(row)}
                    aria-label={`${labels.check}: ${row.line}`}
                  >
                    {st?.busy ? labels.checking : labels.check}
                  </button>
                </td>
                <td aria-live="polite" style={{ whiteSpace: 'normal', minWidth: '14rem' }}>
                  {st && !st.busy && 'result' in st ? (
                    <span data-testid="pick-verdict" data-verdict={st.result.code} title={st.result.detail}>
                      {`${st.result.ok ? '✓' : '✗'} ${st.result.code} — ${labels.verdicts[st.result.code]}`}
                    </span>
                  ) : st && !st.busy && 'error' in st ? (
                    <span data-testid="pick-verdict" data-verdict="ERROR">{`✗ ${st.error}`}</span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
