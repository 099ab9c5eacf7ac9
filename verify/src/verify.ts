import { type Hex, createPublicClient, http } from 'viem';
import { ATTESTATION_VERIFY_ABI } from './abi';
import { inventoryLineLeaf, readingLeaf } from './encoding';
import { verifyMerkleProof } from './merkle';
import {
  MalformedProofError,
  type ProofFile,
  inventoryLineLeafDataOf,
  parseProofFile,
  readingLeafDataOf,
} from './proof-file';

/** Every verdict, with its CLI exit code and a fixed headline. */
export const VERDICTS = {
  VALID: { exitCode: 0, headline: 'VALID' },
  MALFORMED: { exitCode: 2, headline: 'INVALID: malformed proof file' },
  LEAF_MISMATCH: {
    exitCode: 3,
    headline: 'INVALID: leaf mismatch — the disclosed data and salt do not hash to the committed leaf',
  },
  PROOF_INVALID: { exitCode: 4, headline: 'INVALID: Merkle proof does not lead to the root' },
  WRONG_CHAIN: {
    exitCode: 5,
    headline: 'INVALID: wrong chain — the RPC endpoint serves a different chain than the proof names',
  },
  NOT_ANCHORED: { exitCode: 6, headline: 'INVALID: root not anchored on the AttestationRegistry' },
  RPC_ERROR: { exitCode: 7, headline: 'ERROR: could not check the chain' },
} as const;
export type VerdictCode = keyof typeof VERDICTS;

export interface VerifyResult {
  ok: boolean;
  code: VerdictCode;
  exitCode: number;
  /** One line, stable per code: what the CLI prints first. */
  headline: string;
  /** Details (which field, which values). */
  detail: string;
  /** Leaf recomputed from the disclosed data and salt (null when the file was malformed). */
  computedLeaf: Hex | null;
  /** True when the chain was checked (rpcUrl given and proof anchored). */
  checkedOnChain: boolean;
  /** anchoredAt from the chain, Unix seconds. */
  anchoredAt: number | null;
}

export interface VerifyOptions {
  /** JSON-RPC endpoint; without it only the off-chain checks run. */
  rpcUrl?: string;
  /** Expected chain id (defaults to the proof's anchor.chainId). */
  chainId?: number;
}

function result(code: VerdictCode, detail: string, extra: Partial<VerifyResult> = {}): VerifyResult {
  const v = VERDICTS[code];
  return {
    ok: code === 'VALID',
    code,
    exitCode: v.exitCode,
    headline: v.headline,
    detail,
    computedLeaf: null,
    checkedOnChain: false,
    anchoredAt: null,
    ...extra,
  };
}

/** Recomputes the leaf hash from the disclosed data + salt. */
export function computeLeaf(p: ProofFile): Hex {
  return p.kind === 'reading'
    ? readingLeaf(readingLeafDataOf(p.leaf))
    : inventoryLineLeaf(inventoryLineLeafDataOf(p.leaf));
}

/**
 * Verifies a disclosed reading or inventory line (proof JSON as text or parsed value): recomputes
 * the leaf from data + salt, checks the Merkle proof against the root, and with `rpcUrl` checks on
 * chain (eth_call, no signing) that the root is anchored and `AttestationRegistry.verify` agrees.
 * Pure viem + fetch: runs in browsers and Node alike. Never throws; the verdict is in the result.
 */
export async function verifyProof(proofJson: unknown, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let p: ProofFile;
  try {
    p = parseProofFile(typeof proofJson === 'string' ? JSON.parse(proofJson) : proofJson);
  } catch (e) {
    if (e instanceof SyntaxError) return result('MALFORMED', `not JSON: ${e.message}`);
    if (e instanceof MalformedProofError) return result('MALFORMED', e.message);
    throw e;
  }
  const computedLeaf = computeLeaf(p);
  if (computedLeaf.toLowerCase() !== p.leafHash.toLowerCase()) {
    return result('LEAF_MISMATCH', `recomputed leaf ${computedLeaf} ≠ committed leafHash ${p.leafHash}`, {
      computedLeaf,
    });
  }
  if (!verifyMerkleProof(p.root, computedLeaf, p.proof)) {
    return result(
      'PROOF_INVALID',
      `leaf ${computedLeaf} with ${p.proof.length} proof nodes does not hash to root ${p.root}`,
      {
        computedLeaf,
      },
    );
  }
  if (!opts.rpcUrl) {
    return result(
      'VALID',
      `leaf and proof match root ${p.root} (off-chain only: pass --rpc to check the anchor)`,
      { computedLeaf },
    );
  }
  if (!p.anchor) {
    return result('NOT_ANCHORED', `the proof file names no anchor (batch not anchored yet); root ${p.root}`, {
      computedLeaf,
    });
  }
  const client = createPublicClient({ transport: http(opts.rpcUrl, { retryCount: 1, timeout: 15_000 }) });
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (e) {
    return result(
      'RPC_ERROR',
      `eth_chainId failed at ${opts.rpcUrl}: ${(e as Error).message.split('\n')[0]}`,
      { computedLeaf },
    );
  }
  const expected = opts.chainId ?? p.anchor.chainId;
  if (chainId !== expected || chainId !== p.anchor.chainId) {
    return result(
      'WRONG_CHAIN',
      `the proof is anchored on chain ${p.anchor.chainId}, the RPC serves chain ${chainId}`,
      { computedLeaf },
    );
  }
  try {
    const code = await client.getCode({ address: p.anchor.registry });
    if (!code || code === '0x') {
      return result('NOT_ANCHORED', `no contract at ${p.anchor.registry} on chain ${chainId}`, {
        computedLeaf,
        checkedOnChain: true,
      });
    }
    const [record, onChain] = await Promise.all([
      client.readContract({
        address: p.anchor.registry,
        abi: ATTESTATION_VERIFY_ABI,
        functionName: 'anchorOf',
        args: [p.root],
      }),
      client.readContract({
        address: p.anchor.registry,
        abi: ATTESTATION_VERIFY_ABI,
        functionName: 'verify',
        args: [p.root, p.proof, computedLeaf],
      }),
    ]);
    if (record.anchoredAt === 0) {
      return result(
        'NOT_ANCHORED',
        `root ${p.root} is not anchored on ${p.anchor.registry} (chain ${chainId})`,
        {
          computedLeaf,
          checkedOnChain: true,
        },
      );
    }
    if (!onChain) {
      return result('PROOF_INVALID', `AttestationRegistry.verify returned false for root ${p.root}`, {
        computedLeaf,
        checkedOnChain: true,
      });
    }
    return result(
      'VALID',
      `leaf and proof match root ${p.root}, anchored on chain ${chainId} at ${new Date(record.anchoredAt * 1000).toISOString()} ` +
        `(registry ${p.anchor.registry}, ${record.leafCount} leaves)`,
      { computedLeaf, checkedOnChain: true, anchoredAt: record.anchoredAt },
    );
  } catch (e) {
    return result(
      'RPC_ERROR',
      `eth_call to ${p.anchor.registry} failed: ${(e as Error).message.split('\n')[0]}`,
      { computedLeaf },
    );
  }
}
