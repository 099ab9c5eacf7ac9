'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { injectedWallet, walletAccount, walletError } from '@/lib/chain/wallet';
import { reportTypedDataAction, signReportAction } from './actions';

type Status =
  | { kind: 'idle' }
  | { kind: 'noWallet' }
  | { kind: 'signing' }
  | { kind: 'sending' }
  | { kind: 'done'; state: string }
  | { kind: 'failed'; reason: string };

/**
 * Signs a generated report with the enterprise's key in the browser wallet (EIP-712,
 * eth_signTypedData_v4); the API verifies the signature and queues the report anchor, which the
 * anchoring worker writes to the AttestationRegistry. No key enters the page.
 */
export function ReportSignButton({
  reportId,
  labels,
}: {
  reportId: string;
  labels: {
    sign: string;
    walletNeeded: string;
    signing: string;
    sending: string;
    signed: string;
    failed: string;
  };
}) {
  const router = useRouter();
  const id = useId();
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const busy = status.kind === 'signing' || status.kind === 'sending';

  async function sign() {
    const wallet = injectedWallet();
    if (!wallet) return setStatus({ kind: 'noWallet' });
    try {
      setStatus({ kind: 'signing' });
      const signer = await walletAccount(wallet);
      const typed = await reportTypedDataAction(reportId);
      if (!typed.ok) return setStatus({ kind: 'failed', reason: `${typed.code} ${typed.message}` });
      const signature = (await wallet.request({
        method: 'eth_signTypedData_v4',
        params: [signer, typed.json],
      })) as string;
      setStatus({ kind: 'sending' });
      const r = await signReportAction(reportId, signature, signer);
      if (!r.ok) return setStatus({ kind: 'failed', reason: `${r.code} ${r.message}` });
      setStatus({ kind: 'done', state: r.state });
      router.refresh();
    } catch (err) {
      setStatus({ kind: 'failed', reason: walletError(err) });
    }
  }

  return (
    <span className="inline-action">
      <button type="button" onClick={() => void sign()} disabled={busy} aria-describedby={`${id}-s`}>
        {labels.sign}
      </button>
      <span id={`${id}-s`} role="status" aria-live="polite" className="hint" data-sign-status={status.kind}>
        {status.kind === 'noWallet'
          ? labels.walletNeeded
          : status.kind === 'signing'
            ? labels.signing
            : status.kind === 'sending'
              ? labels.sending
              : status.kind === 'done'
                ? `✓ ${labels.signed} (${status.state})`
                : status.kind === 'failed'
                  ? `✗ ${labels.failed}: ${status.reason}`
                  : ''}
      </span>
    </span>
  );
}
