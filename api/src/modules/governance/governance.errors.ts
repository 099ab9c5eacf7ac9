import { ConflictError } from '../../core/errors';

/** Expected governance failures; each maps to CONFLICT with a `reason` clients can switch on. */
export type GovernanceErrorReason =
  | 'RELAYER_NOT_CONFIGURED'
  | 'CHAIN_NOT_CONFIGURED'
  | 'GOVERNOR_UNKNOWN'
  | 'VOTE_REJECTED'
  | 'PROPOSAL_ACTION_REJECTED';

const MESSAGES: Record<GovernanceErrorReason, string> = {
  RELAYER_NOT_CONFIGURED: 'No relayer key is configured (OPENCEP_RELAYER_KEY); votes cannot be relayed',
  CHAIN_NOT_CONFIGURED: 'No chain RPC URL is configured (OPENCEP_CHAIN_RPC_URL)',
  GOVERNOR_UNKNOWN: 'The governor address is not known yet (indexer has not mirrored it)',
  VOTE_REJECTED: 'The governor rejected the vote',
  PROPOSAL_ACTION_REJECTED: 'The governor refused to queue or execute the proposal',
};

export function governanceError(reason: GovernanceErrorReason, detail?: string): ConflictError {
  return new ConflictError(detail ? `${MESSAGES[reason]}: ${detail}` : MESSAGES[reason], { reason });
}
