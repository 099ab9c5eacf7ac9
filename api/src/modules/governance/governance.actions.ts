import {
  type Account,
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  defineChain,
  type Hex,
  http,
  keccak256,
  parseAbi,
  stringToHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { RequestContext } from '../../core/context';
import { NotFoundError, UserInputError } from '../../core/errors';
import { governanceSettings } from './governance.config';
import { governanceError } from './governance.errors';
import { GovernanceService } from './governance.service';

type Queryable = Pick<RequestContext['db'], 'query'>;

/** Governor functions used by the account-key and proposal-action mutations. */
export const GOVERNOR_ACTION_ABI = parseAbi([
  'event ProposalCreated(uint256 proposalId, address proposer, address[] targets, uint256[] values, string[] signatures, bytes[] calldatas, uint256 voteStart, uint256 voteEnd, string description)',
  'function queue(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) returns (uint256)',
  'function execute(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) payable returns (uint256)',
  'function castVoteBySig(uint256 proposalId, uint8 support, address voter, bytes signature) returns (uint256)',
  'function castVoteWithReasonAndParamsBySig(uint256 proposalId, uint8 support, address voter, string reason, bytes params, bytes signature) returns (uint256)',
  'function nonces(address owner) view returns (uint256)',
]);

/** OZ Governor's ExtendedBallot (a Ballot with a reason and params), signed when a vote has a reason. */
export const EXTENDED_BALLOT_TYPES = {
  ExtendedBallot: [
    { name: 'proposalId', type: 'uint256' },
    { name: 'support', type: 'uint8' },
    { name: 'voter', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'reason', type: 'string' },
    { name: 'params', type: 'bytes' },
  ],
} as const;

/** What queue/execute need: the proposal's call list, recovered from its mirrored ProposalCreated log. */
export interface ProposalCall {
  proposalId: bigint;
  targets: Hex[];
  values: bigint[];
  calldatas: Hex[];
  descriptionHash: Hex;
}

/**
 * The proposal's targets, values, calldatas and description, decoded from the raw ProposalCreated
 * log the indexer stored in `chain.log` (`chain.proposal_event` keeps targets and calldatas but not
 * values, so the raw log is the mirrored source that has all of them).
 */
export async function proposalCall(db: Queryable, proposalId: string): Promise<ProposalCall> {
  if (!/^\d{1,78}$/.test(proposalId))
    throw new UserInputError('Invalid proposal id', { proposalId: ['must be a uint256 in decimal'] });
  const rows = (await db.query(
    `SELECT l.topic0, l.topic1, l.topic2, l.topic3, l.data
       FROM chain.proposal_event e
       JOIN chain.log l ON l.chain_id = e.chain_id AND l.tx_hash = e.tx_hash AND l.log_index = e.log_index
      WHERE e.proposal_id = $1::numeric AND e.kind = 'created'
      ORDER BY e.block_number, e.log_index LIMIT 1`,
    [proposalId],
  )) as {
    topic0: string | null;
    topic1: string | null;
    topic2: string | null;
    topic3: string | null;
    data: string;
  }[];
  const row = rows[0];
  if (!row?.topic0) throw new NotFoundError(`Proposal ${proposalId} not found`);
  const topics = [row.topic0, row.topic1, row.topic2, row.topic3].filter((t): t is string => !!t) as [
    Hex,
    ...Hex[],
  ];
  const decoded = decodeEventLog({ abi: GOVERNOR_ACTION_ABI, topics, data: row.data as Hex });
  if (decoded.eventName !== 'ProposalCreated') throw new NotFoundError(`Proposal ${proposalId} not found`);
  const a = decoded.args;
  return {
    proposalId: a.proposalId,
    targets: [...a.targets],
    values: [...a.values],
    calldatas: [...a.calldatas],
    descriptionHash: keccak256(stringToHex(a.description)),
  };
}

export function chainRpc(): string {
  const url = governanceSettings().rpcUrl;
  if (!url) throw governanceError('CHAIN_NOT_CONFIGURED');
  return url;
}

/** A viem wallet on the configured chain for `account` (a held key or the relayer). */
export function chainWallet(rpcUrl: string, chainId: number, account: Account) {
  const chain = defineChain({
    id: chainId,
    name: `opencep-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  return createWalletClient({ chain, transport: http(rpcUrl), account });
}

export function chainReader(rpcUrl: string) {
  return createPublicClient({ transport: http(rpcUrl), pollingInterval: 100 });
}

/** Revert reason for a client, never the raw error (which may carry request details). */
export function shortReason(err: unknown): string {
  const e = err as { shortMessage?: string };
  return e.shortMessage ?? 'reverted';
}

export type ProposalActionKind = 'queue' | 'execute';

/**
 * Sends Governor.queue / Governor.execute for a mirrored proposal from `account` and waits for the
 * receipt. The chain decides whether the proposal's state allows it (a refusal is PROPOSAL_ACTION_REJECTED).
 */
export async function sendProposalAction(
  ctx: RequestContext,
  action: ProposalActionKind,
  proposalId: string,
  account: Account,
): Promise<{ txHash: Hex; blockNumber: number }> {
  const rpcUrl = chainRpc();
  const call = await proposalCall(ctx.db, proposalId);
  const gov = await GovernanceService.governor(ctx.db);
  const wallet = chainWallet(rpcUrl, gov.chainId, account);
  let txHash: Hex;
  try {
    txHash = await wallet.writeContract({
      address: gov.address,
      abi: GOVERNOR_ACTION_ABI,
      functionName: action,
      args: [call.targets, call.values, call.calldatas, call.descriptionHash],
    });
  } catch (err) {
    ctx.log.info({ reason: shortReason(err), action, proposalId }, 'proposal action rejected');
    throw governanceError('PROPOSAL_ACTION_REJECTED', shortReason(err));
  }
  const receipt = await chainReader(rpcUrl).waitForTransactionReceipt({ hash: txHash, timeout: 60_000 });
  if (receipt.status !== 'success')
    throw governanceError('PROPOSAL_ACTION_REJECTED', `transaction ${txHash} reverted`);
  return { txHash, blockNumber: Number(receipt.blockNumber) };
}

/**
 * Relays a vote signed as an OZ ExtendedBallot (with a reason) through castVoteWithReasonAndParamsBySig
 * from the relayer key, the same relay path as relayVoteBySig. The governor checks the signature.
 */
export async function relayReasonedVote(
  ctx: RequestContext,
  vote: { proposalId: bigint; support: 0 | 1 | 2; voter: Hex; reason: string; signature: Hex },
): Promise<{ txHash: Hex; blockNumber: number }> {
  const relayerKey = governanceSettings().relayerKey;
  if (!relayerKey) throw governanceError('RELAYER_NOT_CONFIGURED');
  const rpcUrl = chainRpc();
  const gov = await GovernanceService.governor(ctx.db);
  const wallet = chainWallet(rpcUrl, gov.chainId, privateKeyToAccount(relayerKey));
  let txHash: Hex;
  try {
    txHash = await wallet.writeContract({
      address: gov.address,
      abi: GOVERNOR_ACTION_ABI,
      functionName: 'castVoteWithReasonAndParamsBySig',
      args: [vote.proposalId, vote.support, vote.voter, vote.reason, '0x', vote.signature],
    });
  } catch (err) {
    ctx.log.info({ reason: shortReason(err) }, 'castVoteWithReasonAndParamsBySig rejected');
    throw governanceError('VOTE_REJECTED', shortReason(err));
  }
  const receipt = await chainReader(rpcUrl).waitForTransactionReceipt({ hash: txHash, timeout: 60_000 });
  if (receipt.status !== 'success') throw governanceError('VOTE_REJECTED', `transaction ${txHash} reverted`);
  return { txHash, blockNumber: Number(receipt.blockNumber) };
}
