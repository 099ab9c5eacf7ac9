import { uuidToBytes32 } from 'opencep-verify';
import {
  type Account,
  type Chain,
  createWalletClient,
  encodeAbiParameters,
  type Hex,
  http,
  keccak256,
  verifyTypedData,
} from 'viem';

/** Event-bus topic of report changes seen on chain (published by the trust chain reconciler). */
export const REPORT_CHANGED = 'report.changed';

/** EIP-712 domain and types of a report signature (docs/reports.md). */
export const REPORT_DOMAIN_NAME = 'OpenCEP Report';
export const REPORT_DOMAIN_VERSION = '1';
export const REPORT_TYPES = {
  Report: [
    { name: 'reportJsonHash', type: 'bytes32' },
    { name: 'pdfHash', type: 'bytes32' },
    { name: 'inventoryHash', type: 'bytes32' },
    { name: 'standardRef', type: 'string' },
    { name: 'enterprise', type: 'bytes32' },
  ],
} as const;

export interface ReportHashes {
  enterpriseId: string;
  jsonHash: string;
  pdfHash: string;
  inventoryHash: string;
  standardRef: string;
}

/** Chain settings for reports: the EIP-712 chainId and, optionally, an on-chain statement sender. */
export interface ReportsChainConfig {
  chainId: number;
  /** When set, verification statements are also sent to AttestationRegistry.recordStatement. */
  statements?: {
    rpcUrl: string;
    registry: Hex;
    chain?: Chain;
    verifierAccount: (userId: string) => Promise<Account | null>;
  };
}

let config: ReportsChainConfig = { chainId: 31337 };
/** Set by the process that knows the chain (main/jobs); tests may set it too. */
export function configureReports(c: ReportsChainConfig): void {
  config = c;
}
export const reportsConfig = (): ReportsChainConfig => config;

const b32 = (h: string): Hex => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(h)) throw new Error(`not a 32-byte hex value: ${h}`);
  return h.toLowerCase() as Hex;
};

/** Typed data the responsible person signs (eth_signTypedData_v4 / viem signTypedData). */
export function reportTypedData(r: ReportHashes, chainId = config.chainId) {
  return {
    domain: { name: REPORT_DOMAIN_NAME, version: REPORT_DOMAIN_VERSION, chainId },
    types: REPORT_TYPES,
    primaryType: 'Report' as const,
    message: {
      reportJsonHash: b32(r.jsonHash),
      pdfHash: b32(r.pdfHash),
      inventoryHash: b32(r.inventoryHash),
      standardRef: r.standardRef,
      enterprise: uuidToBytes32(r.enterpriseId) as Hex,
    },
  };
}

/** True iff `signature` is `signer`'s EIP-712 signature over the report's typed data. */
export async function verifyReportSignature(r: ReportHashes, signer: Hex, signature: Hex): Promise<boolean> {
  try {
    return await verifyTypedData({ address: signer, signature, ...reportTypedData(r) });
  } catch {
    return false;
  }
}

/** Anchor root of a signed report: keccak256(abi.encode(jsonHash, pdfHash, inventoryHash, signer)). */
export function reportAnchorRoot(r: ReportHashes, signer: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'address' }],
      [b32(r.jsonHash), b32(r.pdfHash), b32(r.inventoryHash), signer],
    ),
  );
}

export const OPINIONS = ['POSITIVE', 'QUALIFIED', 'NEGATIVE'] as const;
export type Opinion = (typeof OPINIONS)[number];
/** IAttestationRegistry.Opinion: Unqualified(0), Qualified(1), Adverse(2). */
const OPINION_CODE: Record<Opinion, number> = { POSITIVE: 0, QUALIFIED: 1, NEGATIVE: 2 };

const RECORD_STATEMENT_ABI = [
  {
    type: 'function',
    name: 'recordStatement',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'root', type: 'bytes32' },
      { name: 'opinion', type: 'uint8' },
      { name: 'documentHash', type: 'bytes32' },
    ],
    outputs: [],
  },
] as const;

/** Sends the statement on chain when configured; returns the tx hash, or null when not configured. */
export async function sendStatement(
  verifierUserId: string,
  root: string,
  opinion: Opinion,
  documentHash: string,
): Promise<Hex | null> {
  const s = config.statements;
  if (!s) return null;
  const account = await s.verifierAccount(verifierUserId);
  if (!account) return null;
  const wallet = createWalletClient({ account, chain: s.chain, transport: http(s.rpcUrl) });
  return wallet.writeContract({
    address: s.registry,
    abi: RECORD_STATEMENT_ABI,
    functionName: 'recordStatement',
    args: [b32(root), OPINION_CODE[opinion], b32(documentHash)],
    chain: s.chain ?? null,
    account,
  });
}
