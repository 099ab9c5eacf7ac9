import { type Hex, bytesToHex, hexToBytes, keccak256 } from 'viem';

/**
 * Merkle tree with sorted-pair hashing, exactly OpenZeppelin `MerkleProof.verify`'s rule:
 * parent = keccak256(min(a,b) ‖ max(a,b)). Leaves stay in the given order (index = stored
 * leaf_index); an odd node at the end of a level is promoted unchanged (no sibling in the proof).
 * Leaves are used as given (already hashed, see encoding.ts): no double hashing.
 */
export class MerkleTree {
  /** layers[0] = leaves, last = [root]. */
  private constructor(readonly layers: Uint8Array[][]) {}

  static build(leaves: readonly Uint8Array[]): MerkleTree {
    if (leaves.length === 0) throw new Error('a Merkle tree needs at least one leaf');
    const layers: Uint8Array[][] = [leaves.slice()];
    let level = layers[0] as Uint8Array[];
    const buf = new Uint8Array(64);
    while (level.length > 1) {
      const next: Uint8Array[] = new Array(Math.ceil(level.length / 2));
      for (let i = 0; i + 1 < level.length; i += 2) {
        next[i >> 1] = hashPair(level[i] as Uint8Array, level[i + 1] as Uint8Array, buf);
      }
      if (level.length % 2 === 1) next[next.length - 1] = level[level.length - 1] as Uint8Array;
      layers.push(next);
      level = next;
    }
    return new MerkleTree(layers);
  }

  static fromHex(leaves: readonly Hex[]): MerkleTree {
    return MerkleTree.build(leaves.map((l) => hexToBytes(l)));
  }

  get rootBytes(): Uint8Array {
    return (this.layers[this.layers.length - 1] as Uint8Array[])[0] as Uint8Array;
  }
  get root(): Hex {
    return bytesToHex(this.rootBytes);
  }
  get size(): number {
    return (this.layers[0] as Uint8Array[]).length;
  }

  proofBytes(index: number): Uint8Array[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size)
      throw new Error(`leaf index ${index} out of range`);
    const proof: Uint8Array[] = [];
    let i = index;
    for (let l = 0; l < this.layers.length - 1; l++) {
      const level = this.layers[l] as Uint8Array[];
      const sibling = i ^ 1;
      if (sibling < level.length) proof.push(level[sibling] as Uint8Array);
      i >>= 1;
    }
    return proof;
  }
  proof(index: number): Hex[] {
    return this.proofBytes(index).map((p) => bytesToHex(p));
  }
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** keccak256 of the sorted pair (OZ `Hashes.commutativeKeccak256`). */
export function hashPair(a: Uint8Array, b: Uint8Array, buf = new Uint8Array(64)): Uint8Array {
  if (compare(a, b) <= 0) {
    buf.set(a, 0);
    buf.set(b, 32);
  } else {
    buf.set(b, 0);
    buf.set(a, 32);
  }
  return keccak256(buf, 'bytes');
}

/** OZ `MerkleProof.processProof`: the root implied by `leaf` and `proof`. */
export function processProof(leaf: Hex, proof: readonly Hex[]): Hex {
  let h = hexToBytes(leaf);
  for (const p of proof) h = hashPair(h, hexToBytes(p));
  return bytesToHex(h);
}

/** OZ `MerkleProof.verify`. */
export function verifyMerkleProof(root: Hex, leaf: Hex, proof: readonly Hex[]): boolean {
  return processProof(leaf, proof).toLowerCase() === root.toLowerCase();
}

/** Stored proofs are the siblings concatenated (n × 32 bytes). */
export function packProof(proof: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(proof.length * 32);
  for (let i = 0; i < proof.length; i++) out.set(proof[i] as Uint8Array, i * 32);
  return out;
}
export function unpackProof(packed: Uint8Array): Hex[] {
  if (packed.length % 32 !== 0) throw new Error('packed proof length is not a multiple of 32');
  const out: Hex[] = [];
  for (let i = 0; i < packed.length; i += 32) out.push(bytesToHex(packed.subarray(i, i + 32)));
  return out;
}
