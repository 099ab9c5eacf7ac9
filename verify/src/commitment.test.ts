import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { type Hex, bytesToHex, encodeAbiParameters, keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  INVENTORY_LINE_LEAF_ABI,
  READING_LEAF_ABI,
  type ReadingLeafData,
  encodeInventoryLineLeaf,
  encodeReadingLeaf,
  readingLeaf,
  scaleValue,
  unscaleValue,
  uuidToBytes32,
  bytes32ToUuid,
} from './encoding';
import { MerkleTree, packProof, unpackProof, verifyMerkleProof } from './merkle';

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b));
const uuid = fc.uuid();
const decimal = fc
  .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 6 }))
  .map(([v, d]) => unscaleValue(v * 10n ** BigInt(6 - d)));
const reading: fc.Arbitrary<ReadingLeafData> = fc.record({
  salt: hex32,
  enterprise: uuid,
  meter: uuid,
  tsMs: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  value: decimal,
  unit: fc.string({ maxLength: 40, unit: 'grapheme' }),
});

describe('leaf encoding', () => {
  it('reading encoding equals abi.encode (viem) for random leaves', () => {
    fc.assert(
      fc.property(reading, (d) => {
        const ref = encodeAbiParameters(READING_LEAF_ABI, [
          d.salt,
          uuidToBytes32(d.enterprise),
          uuidToBytes32(d.meter),
          d.tsMs,
          scaleValue(d.value),
          d.unit,
        ]);
        expect(bytesToHex(encodeReadingLeaf(d))).toBe(ref);
      }),
      { numRuns: 500 },
    );
  });

  it('inventory-line encoding equals abi.encode (viem)', () => {
    fc.assert(
      fc.property(
        hex32,
        uuid,
        uuid,
        fc.string(),
        fc.bigInt({ min: 0n, max: 2n ** 40n }),
        decimal,
        fc.string(),
        (salt, e, inv, line, ps, value, unit) => {
          const d = {
            salt,
            enterprise: e,
            inventory: inv,
            line,
            periodStart: ps,
            periodEnd: ps + 1n,
            value,
            unit,
          };
          const ref = encodeAbiParameters(INVENTORY_LINE_LEAF_ABI, [
            salt,
            uuidToBytes32(e),
            uuidToBytes32(inv),
            line,
            ps,
            ps + 1n,
            scaleValue(value),
            unit,
          ]);
          expect(bytesToHex(encodeInventoryLineLeaf(d))).toBe(ref);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('scales values exactly by 10^6 and refuses more decimals', () => {
    expect(scaleValue('1')).toBe(1_000_000n);
    expect(scaleValue('-12.5')).toBe(-12_500_000n);
    expect(scaleValue('0.000001')).toBe(1n);
    expect(scaleValue('3.1400000')).toBe(3_140_000n);
    expect(() => scaleValue('0.0000001')).toThrow(/more than 6 decimals/);
    expect(() => scaleValue('1e3')).toThrow(/not a decimal/);
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
        (v) => scaleValue(unscaleValue(v)) === v,
      ),
    );
  });

  it('maps UUIDs to bytes32 reversibly', () => {
    fc.assert(fc.property(uuid, (u) => bytes32ToUuid(uuidToBytes32(u)) === u.toLowerCase()));
  });
});

describe('sorted-pair Merkle tree', () => {
  it('proofs verify with the OpenZeppelin library, and roots match SimpleMerkleTree for the same layout', () => {
    fc.assert(
      fc.property(fc.array(hex32, { minLength: 1, maxLength: 70 }), (leaves) => {
        const tree = MerkleTree.fromHex(leaves);
        leaves.forEach((leaf, i) => {
          const proof = tree.proof(i);
          expect(verifyMerkleProof(tree.root, leaf, proof)).toBe(true);
          expect(SimpleMerkleTree.verify(tree.root, leaf, proof)).toBe(true);
          expect(unpackProof(packProof(tree.proofBytes(i)))).toEqual(proof);
        });
        // A foreign leaf never verifies with a member's proof.
        const foreign = keccak256(`0x${'ab'.repeat(32)}` as Hex);
        expect(verifyMerkleProof(tree.root, foreign, tree.proof(0))).toBe(
          leaves.length === 1 && leaves[0] === foreign,
        );
        // Power-of-two trees have the same root as OZ's SimpleMerkleTree without leaf sorting.
        if ((leaves.length & (leaves.length - 1)) === 0) {
          expect(tree.root).toBe(SimpleMerkleTree.of(leaves, { sortLeaves: false }).root);
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** Detection: every single-field change of a committed reading changes the leaf → proof fails. */
describe('tamper detection (in-memory, pure recompute)', () => {
  it('detects 100% of ≥1,000 random tamperings of value, salt, ts, meter, unit, enterprise', () => {
    const N = 64;
    const data = fc.sample(reading, { numRuns: N, seed: 42 });
    const leaves = data.map((d) => readingLeaf(d));
    const tree = MerkleTree.fromHex(leaves);
    const proofs = leaves.map((_, i) => tree.proof(i));
    const field = fc.constantFrom('value', 'salt', 'ts', 'meter', 'unit', 'enterprise');
    const tampering = fc.tuple(
      fc.integer({ min: 0, max: N - 1 }),
      field,
      fc.integer(),
      hex32,
      uuid,
      fc.string({ maxLength: 8 }),
    );
    let detected = 0;
    let total = 0;
    fc.assert(
      fc.property(tampering, ([i, f, k, h, u, s]) => {
        const orig = data[i] as ReadingLeafData;
        const t = { ...orig };
        if (f === 'value') t.value = unscaleValue(scaleValue(orig.value) + BigInt(k === 0 ? 1 : k));
        if (f === 'salt') t.salt = h === orig.salt ? (`0x${'00'.repeat(31)}01` as Hex) : h;
        if (f === 'ts') t.tsMs = orig.tsMs === 0n ? 1n : orig.tsMs - 1n;
        if (f === 'meter')
          t.meter = u.toLowerCase() === orig.meter.toLowerCase() ? '00000000-0000-4000-8000-000000000000' : u;
        if (f === 'enterprise')
          t.enterprise =
            u.toLowerCase() === orig.enterprise.toLowerCase() ? '00000000-0000-4000-8000-000000000001' : u;
        if (f === 'unit') t.unit = `${orig.unit}${s || 'x'}`;
        total++;
        // The same recompute the tamper job runs: recompute leaf, check stored proof vs anchored root,
        // and recompute the whole root.
        const leaf = readingLeaf(t);
        const rowFails = !verifyMerkleProof(tree.root, leaf, proofs[i] as Hex[]);
        const rootFails = MerkleTree.fromHex(leaves.map((l, j) => (j === i ? leaf : l))).root !== tree.root;
        if (rowFails && rootFails) detected++;
      }),
      { numRuns: 1200, seed: 7 },
    );
    expect(total).toBeGreaterThanOrEqual(1000);
    expect(detected).toBe(total);
  });
});
