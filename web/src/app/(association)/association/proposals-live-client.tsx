'use client';

import { useEffect, useId, useState } from 'react';
import { formatters, type Locale, translator } from '@/i18n';
import { PROPOSAL_CHANGED, type ProposalRow } from '@/lib/graphql/operations';
import { isConnected, liveClient } from '@/lib/live/ws-client';
import { ballotTypedData, relaySignedVote } from './actions';

/** EIP-1193 provider injected by a browser wallet (MetaMask & co.). */
interface InjectedWallet {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

function injectedWallet(): InjectedWallet | null {
  const w = (globalThis as { ethereum?: InjectedWallet }).ethereum;
  return w && typeof w.request === 'function' ? w : null;
}

type LiveState = 'connecting' | 'live' | 'offline';

/**
 * Proposals with live tallies: server-rendered rows, then `proposalChanged` over the shared
 * graphql-ws socket replaces a row whenever the indexer mirrors a vote or a state change.
 * Voting: the member's browser wallet signs the EIP-712 Ballot (eth_signTypedData_v4); the portal
 * only forwards the signature to relayVoteBySig. No private key ever enters the page.
 */
export function ProposalsLive({
  initial,
  wsUrl,
  locale,
  timeZone,
  canVote,
}: {
  initial: ProposalRow[];
  wsUrl: string;
  locale: Locale;
  timeZone: string;
  canVote: boolean;
}) {
  const t = translator(locale);
  const f = formatters(locale, timeZone);
  const [rows, setRows] = useState(initial);
  const [live, setLive] = useState<LiveState>('connecting');

  useEffect(() => {
    const client = liveClient(wsUrl);
    if (isConnected()) setLive('live');
    const off = client.on('connected', () => setLive('live'));
    const offClosed = client.on('closed', () => setLive('offline'));
    const unsubscribe = client.subscribe<{ proposalChanged: ProposalRow }>(
      { query: PROPOSAL_CHANGED },
      {
        next: (msg) => {
          const p = msg.data?.proposalChanged;
          if (!p) return;
          setRows((prev) =>
            prev.some((r) => r.id === p.id) ? prev.map((r) => (r.id === p.id ? p : r)) : [p, ...prev],
          );
        },
        error: () => setLive('offline'),
        complete: () => undefined,
      },
    );
    return () => {
      unsubscribe();
      off();
      offClosed();
    };
  }, [wsUrl]);

  return (
    <>
      <p className="live-indicator" data-state={live} aria-live="polite">
        {live === 'live' ? t('state.live') : live === 'offline' ? t('state.offline') : t('state.connecting')}
      </p>
      {rows.length === 0 ? (
        <p className="state" role="status">
          {t('state.empty')}
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('association.proposals')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('table.name')}</th>
                <th scope="col">{t('association.state')}</th>
                <th scope="col" className="num">
                  {t('association.voteFor')}
                </th>
                <th scope="col" className="num">
                  {t('association.voteAgainst')}
                </th>
                <th scope="col" className="num">
                  {t('association.voteAbstain')}
                </th>
                <th scope="col" className="num">
                  {t('association.voteCount')}
                </th>
                <th scope="col">{t('association.voteEnd')}</th>
                {canVote ? <th scope="col">{t('association.vote')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid={`proposal-${r.id}`}>
                  <td>
                    {r.title ?? <span className="mono">{`${r.id.slice(0, 12)}…`}</span>}
                    {r.standard ? (
                      <div className="hint mono">{`${r.standard.code ?? ''} ${r.standard.version} · ${r.standard.contentHash.slice(0, 12)}…`}</div>
                    ) : null}
                  </td>
                  <td>
                    <span className="badge">{r.state}</span>
                  </td>
                  <td className="num">{f.number(r.forVotes, 0)}</td>
                  <td className="num">{f.number(r.againstVotes, 0)}</td>
                  <td className="num">{f.number(r.abstainVotes, 0)}</td>
                  <td className="num">{f.number(r.voteCount, 0)}</td>
                  <td className="mono">{r.voteEnd ?? '—'}</td>
                  {canVote ? (
                    <td>{r.state === 'pending' ? <VoteControl proposal={r} locale={locale} /> : '—'}</td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

type VoteStatus =
  | { kind: 'idle' }
  | { kind: 'noWallet' }
  | { kind: 'signing' }
  | { kind: 'relaying' }
  | { kind: 'done'; block: number }
  | { kind: 'failed'; reason: string };

function VoteControl({ proposal, locale }: { proposal: ProposalRow; locale: Locale }) {
  const t = translator(locale);
  const id = useId();
  const [support, setSupport] = useState(1);
  const [status, setStatus] = useState<VoteStatus>({ kind: 'idle' });
  const busy = status.kind === 'signing' || status.kind === 'relaying';

  async function vote() {
    const wallet = injectedWallet();
    if (!wallet) {
      setStatus({ kind: 'noWallet' });
      return;
    }
    try {
      setStatus({ kind: 'signing' });
      const accounts = (await wallet.request({ method: 'eth_requestAccounts' })) as string[];
      const voter = accounts[0];
      if (!voter) throw new Error('no account');
      const typed = await ballotTypedData(proposal.id, support, voter);
      if (!typed.ok) {
        setStatus({
          kind: 'failed',
          reason: typed.reason === 'RELAYER_NOT_CONFIGURED' ? t('association.relayerMissing') : typed.message,
        });
        return;
      }
      const signature = (await wallet.request({
        method: 'eth_signTypedData_v4',
        params: [voter, typed.value.json],
      })) as string;
      setStatus({ kind: 'relaying' });
      const relayed = await relaySignedVote(proposal.id, support, voter, signature);
      if (!relayed.ok) {
        setStatus({
          kind: 'failed',
          reason:
            relayed.reason === 'RELAYER_NOT_CONFIGURED' ? t('association.relayerMissing') : relayed.message,
        });
        return;
      }
      setStatus({ kind: 'done', block: relayed.value.blockNumber });
    } catch (err) {
      setStatus({ kind: 'failed', reason: (err as { message?: string }).message ?? String(err) });
    }
  }

  return (
    <div className="field">
      <label htmlFor={`${id}-support`}>{t('association.choice')}</label>
      <select
        id={`${id}-support`}
        value={support}
        onChange={(e) => setSupport(Number(e.target.value))}
        disabled={busy}
      >
        <option value={1}>{t('association.voteFor')}</option>
        <option value={0}>{t('association.voteAgainst')}</option>
        <option value={2}>{t('association.voteAbstain')}</option>
      </select>
      <button type="button" onClick={() => void vote()} disabled={busy} aria-describedby={`${id}-status`}>
        {t('association.submitVote')}
      </button>
      <p id={`${id}-status`} className="hint" role="status" aria-live="polite">
        {status.kind === 'noWallet'
          ? t('association.walletNeeded')
          : status.kind === 'signing'
            ? t('association.signing')
            : status.kind === 'relaying'
              ? t('association.relaying')
              : status.kind === 'done'
                ? t('association.relayed', { block: status.block })
                : status.kind === 'failed'
                  ? t('association.voteFailed', { reason: status.reason })
                  : ''}
      </p>
    </div>
  );
}
