import { ConflictError, UserInputError } from '../../core/errors';
import { type AccountingError, accountingErrorMessages, isAccountingError } from './accounting.errors';

/** Expected failures of the accounting API; each maps to CONFLICT with a `reason` clients switch on. */
export type InventoryErrorReason =
  | 'DUPLICATE'
  | 'INVENTORY_LOCKED'
  | 'INVALID_TRANSITION'
  | 'NO_ACTIVE_STANDARD'
  | 'NO_CHAIN_STANDARD'
  | 'PACK_HASH_MISMATCH'
  | 'NO_QUOTA';

const MESSAGES: Record<InventoryErrorReason, string> = {
  DUPLICATE: 'An item with the same unique code already exists',
  INVENTORY_LOCKED: 'The inventory is final (locked); recalculate to create a new revision',
  INVALID_TRANSITION: 'That state transition is not allowed',
  NO_ACTIVE_STANDARD:
    'No standard version is active on chain for the period; pass explicitPack to compute a DRAFT',
  NO_CHAIN_STANDARD: 'Only inventories computed with the on-chain standard version can be finalised',
  PACK_HASH_MISMATCH: accountingErrorMessages.PACK_HASH_MISMATCH,
  NO_QUOTA: 'No quota has been set for that year',
};

export function accountingConflict(reason: InventoryErrorReason, detail?: string): ConflictError {
  return new ConflictError(detail ? `${MESSAGES[reason]}: ${detail}` : MESSAGES[reason], { reason });
}

/** Engine errors become CONFLICT with the engine's code as `reason` (never an internal error). */
export function mapEngineError(err: unknown): never {
  if (isAccountingError(err)) {
    const e = err as AccountingError;
    throw new ConflictError(e.message, { reason: e.code, details: e.details ?? null });
  }
  throw err;
}

/** Postgres constraint/privilege errors of accounting writes → typed errors; rethrows the rest. */
export function mapAccountingDbError(err: unknown, entity: string): never {
  const code =
    (err as { driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
  if (code === '23505') throw accountingConflict('DUPLICATE', entity);
  if (code === '23503') throw new UserInputError(`${entity}: a referenced row does not exist`);
  if (code === '42501') throw accountingConflict('INVENTORY_LOCKED', entity);
  throw err;
}
