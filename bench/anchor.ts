/**
 * Trust bench: commitment throughput (leaf hashing + sorted-pair tree build, plus proof extraction
 * for every leaf as the batcher stores them) and anchoring gas per reading, at batch sizes 1k, 10k
 * and 100k. Gas is measured on a local Hardhat chain with the real AttestationRegistry (anchor gas is
 * independent of the batch size: one storage slot per root), divided by the leaf count.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ANCHOR_KIND,
  ATTESTATION_ANCHOR_ABI,
  MerkleTree,
  type ReadingLeafData,
  readingLeafBytes,
  uuidToBytes32,
} from 'opencep-verify';
import { devAccount, startLocalRegistry } from 'opencep-verify/testing';
import { bytesToHex, createWalletClient, http } from 'viem';

const SIZES = [1_000, 10_000, 100_000];
const enterprise = randomUUID();
const meters = Array.from({ length: 50 }, () => randomUUID());

function readings(n: number): ReadingLeafData[] {
  return Array.from({ length: n }, (_, i) => ({
    salt: bytesToHex(randomBytes(32)),
    enterprise,
    meter: meters[i % meters.length] as string,
    tsMs: 1_800_000_000_000n + BigInt(i) * 1000n,
    value: `${(i * 37) % 100000}.${i % 1000}`,
    unit: 'kWh',
  }));
}

const chain = await startLocalRegistry();
const admin = devAccount(8);
await chain.registerEnterprise(uuidToBytes32(enterprise), admin.address);
const wallet = createWalletClient({ chain: chain.chain, transport: http(chain.url), account: admin });

const rows: string[][] = [];
for (const n of SIZES) {
  const data = readings(n);
  const t0 = performance.now();
  const leaves = data.map((d) => readingLeafBytes(d));
  const t1 = performance.now();
  const tree = MerkleTree.build(leaves);
  const t2 = performance.now();
  for (let i = 0; i < n; i++) tree.proofBytes(i);
  const t3 = performance.now();
  const hash = await wallet.writeContract({
    address: chain.registry,
    abi: ATTESTATION_ANCHOR_ABI,
    functionName: 'anchor',
    args: [
      uuidToBytes32(enterprise),
      tree.root,
      n,
      1_800_000_000n,
      1_800_003_600n,
      ANCHOR_KIND.readings,
      `0x${'00'.repeat(32)}`,
    ],
  });
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  const commitS = (t2 - t0) / 1000;
  rows.push([
    n.toLocaleString('en'),
    Math.round(n / commitS).toLocaleString('en'),
    (t1 - t0).toFixed(0),
    (t2 - t1).toFixed(0),
    (t3 - t2).toFixed(0),
    receipt.gasUsed.toLocaleString('en'),
    (Number(receipt.gasUsed) / n).toFixed(3),
  ]);
}
await chain.stop();

const head = [
  'batch size',
  'commitments/s',
  'leaf hash ms',
  'tree ms',
  'all proofs ms',
  'anchor gas',
  'gas/reading',
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i] as number)).join('  ');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log(
  '\ncommitments/s = leaves / (leaf hashing + tree build); gas/reading = anchor tx gas / leaf count',
);
