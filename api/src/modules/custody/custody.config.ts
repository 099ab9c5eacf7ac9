import type { Hex } from 'viem';

/**
 * Run-time settings of the custody module (account-held keys). `main.ts` / scripts/platform.ts fill
 * them from KEY_ENCRYPTION_SECRET (dev default only on the embedded local chain); tests call
 * `configureCustody`. Without a secret every custody operation answers CUSTODY_NOT_CONFIGURED.
 * Chain access (RPC URL, governor, relayer) comes from the governance settings.
 */
export interface CustodySettings {
  /** Secret the AES-256-GCM key-encryption key is derived from (≥ 32 characters). */
  encryptionSecret?: string;
  /** QuotaRegistry address; default: the contract the indexer mirrored QuotaRegistry events from. */
  quotaRegistryAddress?: Hex;
}

/**
 * Secret used when KEY_ENCRYPTION_SECRET is unset on the embedded local demo chain only (its keys are
 * the public dev keys anyway). Never used with any other chain.
 */
export const DEV_KEY_ENCRYPTION_SECRET = 'opencep-local-demo-chain-only-key-encryption-secret';

let settings: CustodySettings = {};

export function configureCustody(next: CustodySettings): void {
  if (next.encryptionSecret !== undefined && next.encryptionSecret.length < 32)
    throw new Error('KEY_ENCRYPTION_SECRET must be at least 32 characters');
  settings = { ...next };
}

export function custodySettings(): CustodySettings {
  return settings;
}
