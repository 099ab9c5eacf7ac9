import { ConflictError, UserInputError } from '../../core/errors';

export type ReportConflictReason =
  | 'INVENTORY_NOT_FINAL'
  | 'REPORT_ALREADY_SIGNED'
  | 'REPORT_SUPERSEDED'
  | 'REPORT_NOT_SIGNED';

const messages: Record<ReportConflictReason, string> = {
  INVENTORY_NOT_FINAL: 'Reports are generated from FINAL (or later) inventories only.',
  REPORT_ALREADY_SIGNED: 'The report is already signed.',
  REPORT_SUPERSEDED: 'The report was superseded by a later report.',
  REPORT_NOT_SIGNED: 'The report must be signed first.',
};

export const reportConflict = (reason: ReportConflictReason): ConflictError =>
  new ConflictError(messages[reason], { reason });

export const badSignature = (): UserInputError =>
  new UserInputError('The signature does not verify for this signer and report', {
    signature: ['EIP-712 signature does not recover to signer'],
  });
