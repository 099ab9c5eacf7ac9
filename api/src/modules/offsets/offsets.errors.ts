import { ConflictError } from '../../core/errors';

export type OffsetConflictReason =
  | 'SERIALS_ALREADY_RETIRED'
  | 'SERIALS_ALREADY_PURCHASED'
  | 'SERIALS_OUTSIDE_PURCHASE'
  | 'VOLUME_EXCEEDED'
  | 'PERIOD_OUTSIDE_CONTRACT';

const MESSAGES: Record<OffsetConflictReason, string> = {
  SERIALS_ALREADY_RETIRED:
    'Certificate serials overlap a range that is already retired (double counting refused).',
  SERIALS_ALREADY_PURCHASED: 'Certificate serials overlap a range already recorded in this registry.',
  SERIALS_OUTSIDE_PURCHASE: 'Serials to retire lie outside the purchased range.',
  VOLUME_EXCEEDED: 'Retirement exceeds the purchased volume still available (double counting refused).',
  PERIOD_OUTSIDE_CONTRACT: 'Retirement period lies outside the contract period.',
};

export const offsetConflict = (reason: OffsetConflictReason, detail?: string): ConflictError =>
  new ConflictError(detail ? `${MESSAGES[reason]} ${detail}` : MESSAGES[reason], { reason });
