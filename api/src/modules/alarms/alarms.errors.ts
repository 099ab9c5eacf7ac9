/** Expected alarm outcomes; resolvers map them to typed errors from core/errors.ts. */
export type AlarmErrorCode = 'ALARM_RULE_INVALID' | 'ALARM_EVENT_NOT_FOUND' | 'ALARM_TRANSITION_NOT_ALLOWED';

export const ALARM_ERROR_MESSAGES: Record<AlarmErrorCode, string> = {
  ALARM_RULE_INVALID: 'The alarm rule specification is invalid for its kind',
  ALARM_EVENT_NOT_FOUND: 'Alarm event not found',
  ALARM_TRANSITION_NOT_ALLOWED: 'The alarm event cannot make this transition from its current status',
};

export class AlarmError extends Error {
  constructor(
    readonly code: AlarmErrorCode,
    detail?: string,
  ) {
    super(detail ? `${ALARM_ERROR_MESSAGES[code]}: ${detail}` : ALARM_ERROR_MESSAGES[code]);
  }
}
