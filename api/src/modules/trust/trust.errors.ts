import { AppError } from '../../core/errors';

/** Trust module error codes → one message each (mapped onto API error codes). */
export const TRUST_ERRORS = {
  NOT_COMMITTED: 'This row is not committed to a batch yet (batches close after their period ends)',
  AMBIGUOUS_SOURCE: 'Several readings share this meter and time: pass the source',
} as const;
export type TrustErrorCode = keyof typeof TRUST_ERRORS;

export class TrustError extends AppError {
  constructor(code: TrustErrorCode) {
    super(code === 'AMBIGUOUS_SOURCE' ? 'BAD_USER_INPUT' : 'NOT_FOUND', TRUST_ERRORS[code], { reason: code });
  }
}
