import { ConflictError } from '../../core/errors';

/** Expected org failures; each maps to CONFLICT with a `reason` clients can switch on. */
export type OrgErrorReason = 'HAS_CHILDREN' | 'DUPLICATE';

const MESSAGES: Record<OrgErrorReason, string> = {
  HAS_CHILDREN: 'Delete or move its children first',
  DUPLICATE: 'An item with the same unique code already exists',
};

export function orgConflict(reason: OrgErrorReason, entity: string): ConflictError {
  return new ConflictError(`${entity}: ${MESSAGES[reason]}`, { reason });
}

/** Maps Postgres constraint violations raised by org writes to typed errors; rethrows the rest. */
export function mapOrgDbError(err: unknown, entity: string): never {
  const code =
    (err as { code?: string; driverError?: { code?: string } }).driverError?.code ??
    (err as { code?: string }).code;
  if (code === '23503') throw orgConflict('HAS_CHILDREN', entity);
  if (code === '23505') throw orgConflict('DUPLICATE', entity);
  throw err;
}
