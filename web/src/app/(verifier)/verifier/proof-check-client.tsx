'use client';

import { type VerifyResult, verifyProof } from 'opencep-verify';
import { useId, useState } from 'react';

export interface ProofCheckLabels {
  proof: string;
  file: string;
  check: string;
  checking: string;
  rpc: string;
  rpcMissing: string;
  computedLeaf: string;
  anchoredAt: string;
  /** Verdict code → localized headline. */
  verdicts: Record<VerifyResult['code'], string>;
}

/**
 * In-browser proof check: the verifier pastes or loads an opencep-proof/1 file; the browser
 * recomputes the leaf from the disclosed data and salt, walks the Merkle proof to the root and
 * reads the anchor from the chain RPC itself (eth_call: anchorOf + verify on the
 * AttestationRegistry) — the portal server is not trusted for any of it. Uses the pure functions
 * of the standalone verifier (verify/), so the verdicts are exactly the CLI's.
 */
export function ProofCheck({
  rpcUrl,
  labels,
  formatTime,
}: {
  rpcUrl: string | null;
  labels: ProofCheckLabels;
  formatTime: { locale: string; timeZone: string };
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<VerifyResult | null>(null);

  async function check() {
    setBusy(true);
    setResult(null);
    try {
      setResult(await verifyProof(text, rpcUrl ? { rpcUrl } : {}));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div data-testid="proof-check">
      <div className="field">
        <label htmlFor={`${id}-file`}>{labels.file}</label>
        <input
          id={`${id}-file`}
          type="file"
          accept="application/json,.json"
          onChange={async (e) => {
            const file = e.currentTarget.files?.[0];
            if (file) setText(await file.text());
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-json`}>{labels.proof}</label>
        <textarea
          id={`${id}-json`}
          value={text}
          spellCheck={false}
          onChange={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <p className="hint">{rpcUrl ? `${labels.rpc}: ${rpcUrl}` : labels.rpcMissing}</p>
      <button type="button" onClick={() => void check()} disabled={busy || text.trim() === ''}>
        {busy ? labels.checking : labels.check}
      </button>
      <div role="status" aria-live="polite">
        {result ? (
          <div className="verdict" data-verdict={result.code} data-testid="verdict">
            <strong>{`${result.ok ? '✓' : '✗'} ${result.code} — ${labels.verdicts[result.code]}`}</strong>
            <p className="mono">{result.detail}</p>
            {result.computedLeaf ? (
              <p className="hint mono">{`${labels.computedLeaf}: ${result.computedLeaf}`}</p>
            ) : null}
            {result.anchoredAt ? (
              <p className="hint">
                {`${labels.anchoredAt}: ${new Intl.DateTimeFormat(formatTime.locale, {
                  dateStyle: 'medium',
                  timeStyle: 'medium',
                  timeZone: formatTime.timeZone,
                }).format(new Date(result.anchoredAt * 1000))}`}
              </p>
            ) : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}
