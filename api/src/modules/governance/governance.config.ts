import type { Hex } from 'viem';

/**
 * Run-time settings of the governance module. `main.ts` fills them from the environment
 * (`OPENCEP_RELAYER_KEY`, `OPENCEP_CHAIN_RPC_URL`, `OPENCEP_GOVERNOR_ADDRESS`, see api/src/config.ts);
 * tests call `configureGovernance` directly. Queries never touch the chain: they read the indexer's
 * `chain.*` mirror. The chain is used only to relay signed votes and to read a voter's EIP-712 nonce.
 */
export interface GovernanceSettings {
  /** JSON-RPC endpoint used by relayVoteBySig and voteTypedData (nonce). */
  rpcUrl?: string;
  /** Private key paying for relayed castVoteBySig transactions. Absent ⇒ RELAYER_NOT_CONFIGURED. */
  relayerKey?: Hex;
  /** StandardsGovernor address; default: the address the indexer mirrored Governor events from. */
  governorAddress?: Hex;
  /** On-chain enterprise id(s) of a platform enterprise; default `uuidToBytes32(enterpriseId)`. */
  onChainEnterpriseIds?: (enterpriseId: string) => Hex[];
}

let settings: GovernanceSettings = {};

export function configureGovernance(next: GovernanceSettings): void {
  settings = { ...next };
}

export function governanceSettings(): GovernanceSettings {
  return settings;
}
