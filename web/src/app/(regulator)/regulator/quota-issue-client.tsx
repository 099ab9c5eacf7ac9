'use client';

import { useRouter } from 'next/navigation';
import { scaleValue, uuidToBytes32 } from 'opencep-verify';
import { useEffect, useId, useState } from 'react';
import { encodeFunctionData, parseAbi } from 'viem';
import { injectedWallet, waitForReceipt, walletAccount, walletError } from '@/lib/chain/wallet';
import { issueQuotaWithAccountKey } from './actions';

const QUOTA_ABI = parseAbi([
  'function issueQuota(bytes32 enterpriseId, uint16 year, uint128 amount, string reason)',
]);

type Status =
  | { kind: 'idle' }
  | { kind: 'invalid'; field: string }
  | { kind: 'noWallet' }
  | { kind: 'signing' }
  | { kind: 'mining'; hash: string }
  | { kind: 'done'; hash: string; block: number }
  | { kind: 'failed'; reason: string };

export interface QuotaIssueLabels {
  enterprise: string;
  year: string;
  amount: string;
  reason: string;
  submit: string;
  walletNeeded: string;
  notConfigured: string;
  signing: string;
  mining: string;
  done: string;
  reverted: string;
  failed: string;
  invalid: string;
  issueWithAccountKey: string;
  accountKeyHint: string;
}

/**
 * Quota issuance: the regulator's browser wallet signs and sends QuotaRegistry.issueQuota (the
 * contract checks REGULATOR_ROLE in the ParticipantRegistry). The amount is tCO2e with at most six
 * decimals, sent exactly as gCO2e (× 10^6, the contract's unit). The portal holds no key. Without an
 * injected wallet, a regulator whose account holds a signing key issues through the API
 * (issueQuotaWithAccountKey), which signs on the server with that key.
 */
export function QuotaIssueForm({
  enterprises,
  registry,
  defaultYear,
  labels,
  hasAccountKey = false,
}: {
  enterprises: { id: string; name: string }[];
  registry: `0x${string}` | null;
  defaultYear: number;
  labels: QuotaIssueLabels;
  /** The platform holds a signing key for this regulator (used when no wallet is injected). */
  hasAccountKey?: boolean;
}) {
  const router = useRouter();
  const id = useId();
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const busy = status.kind === 'signing' || status.kind === 'mining';
  const [hasWallet, setHasWallet] = useState(false);
  // Detected after hydration: the server cannot know whether the browser injects a wallet.
  useEffect(() => setHasWallet(injectedWallet() !== null), []);
  const useAccountKey = !hasWallet && hasAccountKey;

  async function issue(form: FormData) {
    const enterpriseId = String(form.get('enterpriseId') ?? '');
    const year = Number(form.get('year'));
    const amount = String(form.get('amount') ?? '').trim();
    const reason = String(form.get('reason') ?? '').trim();
    if (!Number.isInteger(year) || year < 2000 || year > 2200)
      return setStatus({ kind: 'invalid', field: labels.year });
    let grams: bigint;
    try {
      grams = scaleValue(amount);
    } catch {
      return setStatus({ kind: 'invalid', field: labels.amount });
    }
    if (grams <= 0n) return setStatus({ kind: 'invalid', field: labels.amount });
    const wallet = injectedWallet();
    if (!wallet && hasAccountKey) {
      setStatus({ kind: 'mining', hash: '' });
      const r = await issueQuotaWithAccountKey(enterpriseId, year, amount, reason);
      if (!r.ok) return setStatus({ kind: 'failed', reason: r.message });
      setStatus({ kind: 'done', hash: r.txHash, block: r.blockNumber });
      router.refresh();
      return;
    }
    if (!registry) return setStatus({ kind: 'failed', reason: labels.notConfigured });
    if (!wallet) return setStatus({ kind: 'noWallet' });
    try {
      setStatus({ kind: 'signing' });
      const from = await walletAccount(wallet);
      const data = encodeFunctionData({
        abi: QUOTA_ABI,
        functionName: 'issueQuota',
        args: [uuidToBytes32(enterpriseId), year, grams, reason],
      });
      const hash = (await wallet.request({
        method: 'eth_sendTransaction',
        params: [{ from, to: registry, data }],
      })) as string;
      setStatus({ kind: 'mining', hash });
      const receipt = await waitForReceipt(wallet, hash);
      if (!receipt.ok) return setStatus({ kind: 'failed', reason: `${labels.reverted} (${hash})` });
      setStatus({ kind: 'done', hash, block: receipt.blockNumber });
      router.refresh();
    } catch (err) {
      setStatus({ kind: 'failed', reason: walletError(err) });
    }
  }

  return (
    <form
      className="form"
      data-testid="issue-quota-form"
      onSubmit={(e) => {
        e.preventDefault();
        void issue(new FormData(e.currentTarget));
      }}
    >
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-e`}>{labels.enterprise}</label>
          <select id={`${id}-e`} name="enterpriseId" required>
            {enterprises.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-y`}>{labels.year}</label>
          <input id={`${id}-y`} name="year" inputMode="numeric" defaultValue={String(defaultYear)} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-a`}>{labels.amount}</label>
          <input id={`${id}-a`} name="amount" inputMode="decimal" required autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-r`}>{labels.reason}</label>
          <input id={`${id}-r`} name="reason" autoComplete="off" />
        </div>
        <button type="submit" disabled={busy}>
          {useAccountKey ? labels.issueWithAccountKey : labels.submit}
        </button>
      </div>
      {useAccountKey ? <p className="hint">{labels.accountKeyHint}</p> : null}
      <p
        role="status"
        aria-live="polite"
        data-issue-status={status.kind}
        className={status.kind === 'done' ? 'success' : 'hint'}
      >
        {status.kind === 'noWallet'
          ? labels.walletNeeded
          : status.kind === 'invalid'
            ? `✗ ${labels.invalid}: ${status.field}`
            : status.kind === 'signing'
              ? labels.signing
              : status.kind === 'mining'
                ? `${labels.mining} ${status.hash}`
                : status.kind === 'done'
                  ? `✓ ${labels.done.replace('{block}', String(status.block))} · ${status.hash}`
                  : status.kind === 'failed'
                    ? `✗ ${labels.failed}: ${status.reason}`
                    : ''}
      </p>
    </form>
  );
}
