'use client';

import { useEffect, useId, useState } from 'react';
import { formatters, type Locale, translator } from '@/i18n';
import { PROPOSAL_CHANGED, type ProposalRow } from '@/lib/graphql/operations';
import { isConnected, liveClient } from '@/lib/live/ws-client';
import {
  ballotTypedData,
  createMyAccountKey,
  proposalAction,
  relaySignedVote,
  voteWithAccountKey,
} from './actions';

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
 * Voting: the member's browser wallet signs the EIP-712 Ballot (eth_signTypedData_v4) when one is
 * injected, and the portal only forwards the signature to relayVoteBySig; without a wallet the API
 * signs with the key it holds for the member's account (castVoteWithAccountKey). No private key ever
 * enters the page. Succeeded proposals can be queued and queued ones executed (Governor via the API);
 * finished proposals move to the history table.
 */
export function ProposalsLive({
  initial,
  wsUrl,
  locale,
  timeZone,
  canVote,
  accountKey,
}: {
  initial: ProposalRow[];
  wsUrl: string;
  locale: Locale;
  timeZone: string;
  canVote: boolean;
  /** Address of the key the platform holds for the member, or null. */
  accountKey: string | null;
}) {
  const t = translator(locale);
  const f = formatters(locale, timeZone);
  const [rows, setRows] = useState(initial);
  const [live, setLive] = useState<LiveState>('connecting');
  const [hasWallet, setHasWallet] = useState(false);
  const [heldKey, setHeldKey] = useState(accountKey);
  // Detected after hydration: the server cannot know whether the browser injects a wallet.
  useEffect(() => setHasWallet(injectedWallet() !== null), []);
  const open = rows.filter((r) => OPEN_STATES.has(r.state));
  const history = rows.filter((r) => !OPEN_STATES.has(r.state));
  const stateLabel = (state: string) =>
    STATES.has(state) ? t(`association.state.${state}` as Parameters<typeof t>[0]) : state;

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

  // Columns both tables share (open proposals and history): title, state and the live tallies.
  const tallyHead = (
    <>
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
    </>
  );
  const tallyCells = (r: ProposalRow) => (
    <>
      <td>
        <ProposalTitle r={r} />
      </td>
      <td>
        <span className="badge">{stateLabel(r.state)}</span>
      </td>
      <td className="num">{f.number(r.forVotes, 0)}</td>
      <td className="num">{f.number(r.againstVotes, 0)}</td>
      <td className="num">{f.number(r.abstainVotes, 0)}</td>
      <td className="num">{f.number(r.voteCount, 0)}</td>
    </>
  );
  return (
    <>
      <p className="live-indicator" data-state={live} aria-live="polite">
        {live === 'live' ? t('state.live') : live === 'offline' ? t('state.offline') : t('state.connecting')}
      </p>
      {canVote ? (
        <AccountKeyNotice
          locale={locale}
          hasWallet={hasWallet}
          address={heldKey}
          onCreated={(address) => setHeldKey(address)}
        />
      ) : null}
      {open.length === 0 ? (
        <p className="state" role="status">
          {t('state.empty')}
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('association.proposals')}</caption>
            <thead>
              <tr>
                {tallyHead}
                <th scope="col">{t('association.voteEnd')}</th>
                {canVote ? <th scope="col">{t('association.vote')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {open.map((r) => (
                <tr key={r.id} data-testid={`proposal-${r.id}`} data-state={r.state}>
                  {tallyCells(r)}
                  <td className="mono">{r.voteEnd ?? '—'}</td>
                  {canVote ? (
                    <td>
                      {r.state === 'active' ? (
                        <VoteControl
                          proposal={r}
                          locale={locale}
                          hasWallet={hasWallet}
                          hasAccountKey={heldKey !== null}
                        />
                      ) : r.state === 'succeeded' ? (
                        <ActionControl key="queue" proposal={r} action="queue" locale={locale} />
                      ) : r.state === 'queued' ? (
                        <ActionControl key="execute" proposal={r} action="execute" locale={locale} />
                      ) : (
                        '—'
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 id="proposal-history">{t('association.history')}</h3>
      {history.length === 0 ? (
        <p className="state" role="status">
          {t('state.empty')}
        </p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="proposal-history" data-testid="proposal-history">
            <thead>
              <tr>{tallyHead}</tr>
            </thead>
            <tbody>
              {history.map((r) => (
                <tr key={r.id} data-testid={`history-${r.id}`} data-state={r.state}>
                  {tallyCells(r)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** Governor states (OZ) still open for action; the rest are history. */
const OPEN_STATES = new Set(['pending', 'active', 'succeeded', 'queued']);
const STATES = new Set([
  'pending',
  'active',
  'succeeded',
  'queued',
  'executed',
  'defeated',
  'canceled',
  'expired',
]);

function ProposalTitle({ r }: { r: ProposalRow }) {
  return (
    <>
      {r.title ?? <span className="mono">{`${r.id.slice(0, 12)}…`}</span>}
      {r.standard ? (
        <div className="hint mono">{`${r.standard.code ?? ''} ${r.standard.version} · ${r.standard.contentHash.slice(0, 12)}…`}</div>
      ) : null}
    </>
  );
}

/** Without a wallet the member signs with the account-held key; offers to create it when missing. */
function AccountKeyNotice({
  locale,
  hasWallet,
  address,
  onCreated,
}: {
  locale: Locale;
  hasWallet: boolean;
  address: string | null;
  onCreated: (address: string) => void;
}) {
  const t = translator(locale);
  const [status, setStatus] = useState<{ kind: 'idle' | 'busy' } | { kind: 'failed'; reason: string }>({
    kind: 'idle',
  });
  if (hasWallet) return null;
  if (address)
    return (
      <p className="hint" data-testid="account-key">
        {t('association.accountKeyHint')} <span className="mono">{address}</span>
      </p>
    );
  async function create() {
    setStatus({ kind: 'busy' });
    const r = await createMyAccountKey();
    if (!r.ok) return setStatus({ kind: 'failed', reason: r.message });
    setStatus({ kind: 'idle' });
    onCreated(r.value.address);
  }
  return (
    <div className="field" data-testid="account-key">
      <p className="hint">{t('association.noAccountKey')}</p>
      <button type="button" onClick={() => void create()} disabled={status.kind === 'busy'}>
        {t('association.createAccountKey')}
      </button>
      <p className="hint" role="status" aria-live="polite">
        {status.kind === 'failed' ? t('association.voteFailed', { reason: status.reason }) : ''}
      </p>
    </div>
  );
}

type ActionStatus =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; block: number }
  | { kind: 'failed'; reason: string };

/** Queue (succeeded) or execute (queued) through the API; the governor decides whether it is due. */
function ActionControl({
  proposal,
  action,
  locale,
}: {
  proposal: ProposalRow;
  action: 'queue' | 'execute';
  locale: Locale;
}) {
  const t = translator(locale);
  const id = useId();
  const [status, setStatus] = useState<ActionStatus>({ kind: 'idle' });
  async function run() {
    setStatus({ kind: 'busy' });
    const r = await proposalAction(action, proposal.id);
    if (!r.ok) return setStatus({ kind: 'failed', reason: r.message });
    setStatus({ kind: 'done', block: r.value.blockNumber });
  }
  return (
    <div className="field">
      <button
        type="button"
        onClick={() => void run()}
        disabled={status.kind === 'busy' || status.kind === 'done'}
        aria-describedby={`${id}-status`}
      >
        {action === 'queue' ? t('association.queue') : t('association.execute')}
      </button>
      <p
        id={`${id}-status`}
        className="hint"
        role="status"
        aria-live="polite"
        data-action-status={status.kind}
      >
        {status.kind === 'busy'
          ? t('association.actionBusy')
          : status.kind === 'done'
            ? t('association.actionDone', { block: status.block })
            : status.kind === 'failed'
              ? t('association.actionFailed', { reason: status.reason })
              : ''}
      </p>
    </div>
  );
}

type VoteStatus =
  | { kind: 'idle' }
  | { kind: 'noWallet' }
  | { kind: 'signing' }
  | { kind: 'relaying' }
  | { kind: 'done'; block: number }
  | { kind: 'failed'; reason: string };

function VoteControl({
  proposal,
  locale,
  hasWallet,
  hasAccountKey,
}: {
  proposal: ProposalRow;
  locale: Locale;
  hasWallet: boolean;
  hasAccountKey: boolean;
}) {
  const t = translator(locale);
  const id = useId();
  const [support, setSupport] = useState(1);
  const [reason, setReason] = useState('');
  const [status, setStatus] = useState<VoteStatus>({ kind: 'idle' });
  const busy = status.kind === 'signing' || status.kind === 'relaying';

  async function vote() {
    const wallet = injectedWallet();
    if (!wallet) {
      if (!hasAccountKey) {
        setStatus({ kind: 'noWallet' });
        return;
      }
      // No browser wallet: the API signs with the key it holds for this member and relays the vote.
      setStatus({ kind: 'relaying' });
      const r = await voteWithAccountKey(proposal.id, support, reason.trim());
      if (!r.ok) {
        setStatus({
          kind: 'failed',
          reason: r.reason === 'RELAYER_NOT_CONFIGURED' ? t('association.relayerMissing') : r.message,
        });
        return;
      }
      setStatus({ kind: 'done', block: r.value.blockNumber });
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
      {hasWallet ? null : (
        <>
          <label htmlFor={`${id}-reason`}>{t('association.reason')}</label>
          <input
            id={`${id}-reason`}
            value={reason}
            maxLength={1000}
            onChange={(e) => setReason(e.target.value)}
            disabled={busy}
            autoComplete="off"
          />
        </>
      )}
      <button
        type="button"
        onClick={() => void vote()}
        disabled={busy || status.kind === 'done'}
        aria-describedby={`${id}-status`}
      >
        {hasWallet ? t('association.submitVote') : t('association.signWithAccountKey')}
      </button>
      <p id={`${id}-status`} className="hint" role="status" aria-live="polite" data-vote-status={status.kind}>
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
