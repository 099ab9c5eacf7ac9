/**
 * Typed errors of the accounting module. Every failure the engine can report has a code here, so the API's
 * `formatError` can map `code` to `extensions.code` and a verifier's CLI can print the same message.
 */
export type AccountingErrorCode =
  | 'PACK_INVALID'
  | 'PACK_HASH_MISMATCH'
  | 'ACTIVITY_INVALID'
  | 'UNIT_UNKNOWN'
  | 'UNIT_INCOMPATIBLE'
  | 'SOURCE_TYPE_UNKNOWN'
  | 'PARAMETER_MISSING'
  | 'MEASURED_FACTOR_NOT_VALID'
  | 'GWP_MISSING'
  | 'DUPLICATE_SOURCE_ID';

export const accountingErrorMessages: Record<AccountingErrorCode, string> = {
  PACK_INVALID: 'The standard pack does not match the pack schema.',
  PACK_HASH_MISMATCH: 'The standard pack hash differs from the version registered on chain for the period.',
  ACTIVITY_INVALID: 'The activity data does not match the activity schema.',
  UNIT_UNKNOWN: 'A unit is not one the engine knows.',
  UNIT_INCOMPATIBLE: 'A quantity cannot be converted to the unit the method needs.',
  SOURCE_TYPE_UNKNOWN: 'An activity line names a source type the pack does not define.',
  PARAMETER_MISSING: 'No default or valid measured value exists for a parameter the method needs.',
  MEASURED_FACTOR_NOT_VALID:
    'A measured factor lacks evidence or a validity period covering the activity period.',
  GWP_MISSING: 'The pack GWP set has no value for a gas the method emits.',
  DUPLICATE_SOURCE_ID: 'Two activity lines use the same sourceId.',
};

export class AccountingError extends Error {
  override readonly name = 'AccountingError';
  constructor(
    readonly code: AccountingErrorCode,
    detail: string,
    readonly details?: Readonly<Record<string, string>>,
  ) {
    super(`${code}: ${accountingErrorMessages[code]} ${detail}`);
  }
}

export const isAccountingError = (e: unknown, code?: AccountingErrorCode): e is AccountingError =>
  e instanceof AccountingError && (code === undefined || e.code === code);
