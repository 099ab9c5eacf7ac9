'use server';

import { authedRequest } from '@/lib/auth/session';
import { GraphQLRequestError } from '@/lib/graphql/client';
import { RELAY_VOTE_BY_SIG, VOTE_TYPED_DATA, type VoteTypedDataResult } from '@/lib/graphql/operations';

/** Outcome of a governance call made for the vote button (never throws to the client). */
export type VoteStep<T> =
  | { ok: true; value: T }
  | { ok: false; code: string; reason?: string; message: string };

function failure(err: unknown): { ok: false; code: string; reason?: string; message: string } {
  if (err instanceof GraphQLRequestError) {
    const ext = err.errors[0]?.extensions as { reason?: string } | undefined;
    return { ok: false, code: err.code, reason: ext?.reason, message: err.message };
  }
  return { ok: false, code: 'UNKNOWN', message: 'unexpected error' };
}

const isAddress = (v: string) => /^0x[0-9a-fA-F]{40}$/.test(v);
const isSupport = (v: number) => v === 0 || v === 1 || v === 2;

/** EIP-712 Ballot for the connected wallet to sign (JSON for eth_signTypedData_v4). */
export async function ballotTypedData(
  proposalId: string,
  support: number,
  voter: string,
): Promise<VoteStep<VoteTypedDataResult>> {
  if (!/^\d+$/.test(proposalId) || !isSupport(support) || !isAddress(voter))
    return { ok: false, code: 'BAD_USER_INPUT', message: 'invalid ballot' };
  try {
    const data = await authedRequest<{ voteTypedData: VoteTypedDataResult }>(VOTE_TYPED_DATA, {
      proposalId,
      support,
      voter,
    });
    return { ok: true, value: data.voteTypedData };
  } catch (err) {
    return failure(err);
  }
}

/** Hands the wallet's signature to the API, which verifies it and relays castVoteBySig. */
export async function relaySignedVote(
  proposalId: string,
  support: number,
  voter: string,
  signature: string,
): Promise<VoteStep<{ txHash: string; blockNumber: number }>> {
  if (
    !/^\d+$/.test(proposalId) ||
    !isSupport(support) ||
    !isAddress(voter) ||
    !/^0x[0-9a-fA-F]+$/.test(signature)
  )
    return { ok: false, code: 'BAD_USER_INPUT', message: 'invalid vote' };
  try {
    const data = await authedRequest<{ relayVoteBySig: { txHash: string; blockNumber: number } }>(
      RELAY_VOTE_BY_SIG,
      { proposalId, support, voter, signature },
    );
    return { ok: true, value: data.relayVoteBySig };
  } catch (err) {
    return failure(err);
  }
}

// ---------- account-held key (no browser wallet) and proposal actions ----------

const CAST_VOTE_WITH_ACCOUNT_KEY = `mutation PortalCastVoteWithAccountKey($proposalId: String!, $support: Int!, $reason: String!) {
  castVoteWithAccountKey(proposalId: $proposalId, support: $support, reason: $reason) { txHash blockNumber voter }
}`;
const CREATE_ACCOUNT_KEY = `mutation PortalCreateAccountKey { createAccountKey { address } }`;
const QUEUE_PROPOSAL = `mutation PortalQueueProposal($id: String!) { queueProposal(id: $id) { txHash blockNumber sender } }`;
const EXECUTE_PROPOSAL = `mutation PortalExecuteProposal($id: String!) { executeProposal(id: $id) { txHash blockNumber sender } }`;

/** Signs the ballot with the key the platform holds for this member and relays it (no wallet needed). */
export async function voteWithAccountKey(
  proposalId: string,
  support: number,
  reason: string,
): Promise<VoteStep<{ txHash: string; blockNumber: number; voter: string }>> {
  if (!/^\d+$/.test(proposalId) || !isSupport(support) || reason.length > 1000)
    return { ok: false, code: 'BAD_USER_INPUT', message: 'invalid vote' };
  try {
    const data = await authedRequest<{
      castVoteWithAccountKey: { txHash: string; blockNumber: number; voter: string };
    }>(CAST_VOTE_WITH_ACCOUNT_KEY, { proposalId, support, reason });
    return { ok: true, value: data.castVoteWithAccountKey };
  } catch (err) {
    return failure(err);
  }
}

/** Creates the member's account-held signing key (the key stays on the server; only its address returns). */
export async function createMyAccountKey(): Promise<VoteStep<{ address: string }>> {
  try {
    const data = await authedRequest<{ createAccountKey: { address: string } }>(CREATE_ACCOUNT_KEY);
    return { ok: true, value: data.createAccountKey };
  } catch (err) {
    return failure(err);
  }
}

/** Governor.queue / Governor.execute through the API (sent from the member's held key or the relayer). */
export async function proposalAction(
  action: 'queue' | 'execute',
  id: string,
): Promise<VoteStep<{ txHash: string; blockNumber: number }>> {
  if (!/^\d+$/.test(id) || (action !== 'queue' && action !== 'execute'))
    return { ok: false, code: 'BAD_USER_INPUT', message: 'invalid proposal' };
  try {
    if (action === 'queue') {
      const data = await authedRequest<{ queueProposal: { txHash: string; blockNumber: number } }>(
        QUEUE_PROPOSAL,
        { id },
      );
      return { ok: true, value: data.queueProposal };
    }
    const data = await authedRequest<{ executeProposal: { txHash: string; blockNumber: number } }>(
      EXECUTE_PROPOSAL,
      { id },
    );
    return { ok: true, value: data.executeProposal };
  } catch (err) {
    return failure(err);
  }
}
