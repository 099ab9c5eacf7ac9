import type { Hex } from 'viem';
import {
  EncodingError,
  type InventoryLineLeafData,
  type ReadingLeafData,
  scaleValue,
  uuidToBytes32,
} from './encoding';

/** Version tag of the proof JSON format (docs/trust.md). */
export const PROOF_FORMAT = 'opencep-proof/1';

/** Where the root is anchored. */
export interface ProofAnchor {
  chainId: number;
  /** AttestationRegistry address. */
  registry: Hex;
  /** Anchoring transaction, when known. */
  txHash: Hex | null;
  blockNumber: number | null;
}

export interface ProofBatch {
  id: string;
  /** ISO 8601. */
  periodStart: string;
  periodEnd: string;
  leafCount: number;
  /** Root of the earlier batch of the same period this (late-data) batch follows, or null. */
  previousRoot: Hex | null;
}

interface ProofCommon {
  format: typeof PROOF_FORMAT;
  /** The leaf hash the platform committed (recomputed and compared by the verifier). */
  leafHash: Hex;
  leafIndex: number;
  proof: Hex[];
  root: Hex;
  batch: ProofBatch;
  anchor: ProofAnchor | null;
}

/** Wire form of a reading leaf: ts as ISO string with milliseconds, value as decimal string. */
export interface ReadingProofLeaf {
  salt: Hex;
  enterprise: string;
  meter: string;
  ts: string;
  value: string;
  unit: string;
}
export interface InventoryLineProofLeaf {
  salt: Hex;
  enterprise: string;
  inventory: string;
  line: string;
  periodStart: string;
  periodEnd: string;
  value: string;
  unit: string;
}

export type ProofFile =
  | (ProofCommon & { kind: 'reading'; leaf: ReadingProofLeaf })
  | (ProofCommon & { kind: 'inventory-line'; leaf: InventoryLineProofLeaf });

export class MalformedProofError extends Error {
  override name = 'MalformedProofError';
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new MalformedProofError(`${path}${key} must be a string`);
  return v;
}
function hex32(o: Record<string, unknown>, key: string, path: string): Hex {
  const v = str(o, key, path);
  if (!HEX32.test(v)) throw new MalformedProofError(`${path}${key} must be 32 bytes of 0x-hex`);
  return v as Hex;
}
function isoMs(o: Record<string, unknown>, key: string, path: string): bigint {
  const v = str(o, key, path);
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t))
    throw new MalformedProofError(`${path}${key} must be an ISO 8601 time`);
  return BigInt(t);
}
function guard<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EncodingError) throw new MalformedProofError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Validates an untrusted parsed JSON value as a proof file; throws MalformedProofError. */
export function parseProofFile(input: unknown): ProofFile {
  if (!isObject(input)) throw new MalformedProofError('the proof file must be a JSON object');
  if (input.format !== PROOF_FORMAT) throw new MalformedProofError(`format must be "${PROOF_FORMAT}"`);
  const kind = input.kind;
  if (kind !== 'reading' && kind !== 'inventory-line') {
    throw new MalformedProofError('kind must be "reading" or "inventory-line"');
  }
  const leafHash = hex32(input, 'leafHash', '');
  const root = hex32(input, 'root', '');
  if (!Number.isSafeInteger(input.leafIndex) || (input.leafIndex as number) < 0) {
    throw new MalformedProofError('leafIndex must be a non-negative integer');
  }
  if (!Array.isArray(input.proof) || !input.proof.every((p) => typeof p === 'string' && HEX32.test(p))) {
    throw new MalformedProofError('proof must be an array of 32-byte 0x-hex strings');
  }
  if (!isObject(input.batch)) throw new MalformedProofError('batch must be an object');
  const b = input.batch;
  if (!Number.isSafeInteger(b.leafCount) || (b.leafCount as number) < 1) {
    throw new MalformedProofError('batch.leafCount must be a positive integer');
  }
  if (b.previousRoot !== null && !(typeof b.previousRoot === 'string' && HEX32.test(b.previousRoot))) {
    throw new MalformedProofError('batch.previousRoot must be null or 32 bytes of 0x-hex');
  }
  const batch: ProofBatch = {
    id: str(b, 'id', 'batch.'),
    periodStart: str(b, 'periodStart', 'batch.'),
    periodEnd: str(b, 'periodEnd', 'batch.'),
    leafCount: b.leafCount as number,
    previousRoot: (b.previousRoot as Hex | null) ?? null,
  };
  let anchor: ProofAnchor | null = null;
  if (input.anchor !== null && input.anchor !== undefined) {
    if (!isObject(input.anchor)) throw new MalformedProofError('anchor must be an object or null');
    const a = input.anchor;
    if (!Number.isSafeInteger(a.chainId) || (a.chainId as number) < 1) {
      throw new MalformedProofError('anchor.chainId must be a positive integer');
    }
    const registry = str(a, 'registry', 'anchor.');
    if (!ADDRESS.test(registry))
      throw new MalformedProofError('anchor.registry must be a 20-byte 0x-hex address');
    if (a.txHash != null && !(typeof a.txHash === 'string' && HEX32.test(a.txHash))) {
      throw new MalformedProofError('anchor.txHash must be null or a 32-byte 0x-hex hash');
    }
    if (a.blockNumber != null && !Number.isSafeInteger(a.blockNumber)) {
      throw new MalformedProofError('anchor.blockNumber must be null or an integer');
    }
    anchor = {
      chainId: a.chainId as number,
      registry: registry as Hex,
      txHash: (a.txHash as Hex | null) ?? null,
      blockNumber: (a.blockNumber as number | null) ?? null,
    };
  }
  if (!isObject(input.leaf)) throw new MalformedProofError('leaf must be an object');
  const l = input.leaf;
  const common = {
    format: PROOF_FORMAT,
    leafHash,
    leafIndex: input.leafIndex as number,
    proof: input.proof as Hex[],
    root,
    batch,
    anchor,
  } as const;
  if (kind === 'reading') {
    const leaf: ReadingProofLeaf = {
      salt: hex32(l, 'salt', 'leaf.'),
      enterprise: str(l, 'enterprise', 'leaf.'),
      meter: str(l, 'meter', 'leaf.'),
      ts: str(l, 'ts', 'leaf.'),
      value: str(l, 'value', 'leaf.'),
      unit: str(l, 'unit', 'leaf.'),
    };
    guard('leaf', () => readingLeafDataOf(leaf));
    return { ...common, kind, leaf };
  }
  const leaf: InventoryLineProofLeaf = {
    salt: hex32(l, 'salt', 'leaf.'),
    enterprise: str(l, 'enterprise', 'leaf.'),
    inventory: str(l, 'inventory', 'leaf.'),
    line: str(l, 'line', 'leaf.'),
    periodStart: str(l, 'periodStart', 'leaf.'),
    periodEnd: str(l, 'periodEnd', 'leaf.'),
    value: str(l, 'value', 'leaf.'),
    unit: str(l, 'unit', 'leaf.'),
  };
  guard('leaf', () => inventoryLineLeafDataOf(leaf));
  return { ...common, kind, leaf };
}

/** Wire leaf → encoder input (validates UUIDs, times and value). */
export function readingLeafDataOf(l: ReadingProofLeaf): ReadingLeafData {
  uuidToBytes32(l.enterprise);
  uuidToBytes32(l.meter);
  scaleValue(l.value);
  return {
    salt: l.salt,
    enterprise: l.enterprise,
    meter: l.meter,
    tsMs: isoMs(l as unknown as Record<string, unknown>, 'ts', 'leaf.'),
    value: l.value,
    unit: l.unit,
  };
}

export function inventoryLineLeafDataOf(l: InventoryLineProofLeaf): InventoryLineLeafData {
  uuidToBytes32(l.enterprise);
  uuidToBytes32(l.inventory);
  scaleValue(l.value);
  const rec = l as unknown as Record<string, unknown>;
  return {
    salt: l.salt,
    enterprise: l.enterprise,
    inventory: l.inventory,
    line: l.line,
    periodStart: isoMs(rec, 'periodStart', 'leaf.') / 1000n,
    periodEnd: isoMs(rec, 'periodEnd', 'leaf.') / 1000n,
    value: l.value,
    unit: l.unit,
  };
}
