import { ConflictError } from '../../core/errors';

/** Expected custody failures; each maps to CONFLICT with a `reason` clients can switch on. */
export type CustodyErrorReason =
  | 'CUSTODY_NOT_CONFIGURED'
  | 'NO_ACCOUNT_KEY'
  | 'ACCOUNT_KEY_EXISTS'
  | 'ACCOUNT_KEY_UNREADABLE'
  | 'SIGNER_ROLE_REQUIRED'
  | 'QUOTA_REGISTRY_UNKNOWN'
  | 'QUOTA_REJECTED';

const MESSAGES: Record<CustodyErrorReason, string> = {
  CUSTODY_NOT_CONFIGURED: 'Account keys are not configured (KEY_ENCRYPTION_SECRET)',
  NO_ACCOUNT_KEY: 'This account holds no signing key; create one first',
  ACCOUNT_KEY_EXISTS: 'This account already holds a signing key',
  ACCOUNT_KEY_UNREADABLE: 'The stored signing key cannot be decrypted with the configured secret',
  SIGNER_ROLE_REQUIRED: 'Only association members and regulators hold signing keys',
  QUOTA_REGISTRY_UNKNOWN: 'The QuotaRegistry address is not known yet (indexer has not mirrored it)',
  QUOTA_REJECTED: 'The QuotaRegistry refused the issuance',
};

export function custodyError(reason: CustodyErrorReason, detail?: string): ConflictError {
  return new ConflictError(detail ? `${MESSAGES[reason]}: ${detail}` : MESSAGES[reason], { reason });
}
