import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { type Hex, bytesToHex, createWalletClient, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANCHOR_KIND, ATTESTATION_ANCHOR_ABI, ATTESTATION_VERIFY_ABI } from './abi';
import { main } from './cli';
import { type ReadingLeafData, readingLeaf, uuidToBytes32 } from './encoding';
import { MerkleTree, verifyMerkleProof } from './merkle';
import { PROOF_FORMAT, type ProofFile } from './proof-file';
import { type LocalRegistry, devAccount, startLocalRegistry } from './testing/local-registry';
import { verifyProof } from './verify';

const ENTERPRISE = '3f1e2d4c-5b6a-4789-8abc-def012345678';
const METER = '11111111-2222-4333-8444-555555555555';
const admin = devAccount(8);
let chain: LocalRegistry;

async function anchor(root: Hex, leafCount: number): Promise<Hex> {
  const wallet = createWalletClient({ transport: http(chain.url), account: admin, chain: chain.chain });
  const hash = await wallet.writeContract({
    address: chain.registry,
    abi: ATTESTATION_ANCHOR_ABI,
    functionName: 'anchor',
    args: [
      uuidToBytes32(ENTERPRISE),
      root,
      leafCount,
      1_800_000_000n,
      1_800_003_600n,
      ANCHOR_KIND.readings,
      `0x${'00'.repeat(32)}`,
    ],
  });
  await chain.publicClient.waitForTransactionReceipt({ hash });
  return hash;
}

function readingData(i: number, salt: Hex): ReadingLeafData {
  return {
    salt,
    enterprise: ENTERPRISE,
    meter: METER,
    tsMs: 1_800_000_000_000n + BigInt(i) * 900_000n,
    value: `${i}.25`,
    unit: 'kWh',
  };
}

beforeAll(async () => {
  chain = await startLocalRegistry();
  await chain.registerEnterprise(uuidToBytes32(ENTERPRISE), admin.address);
});
afterAll(async () => {
  await chain?.stop();
});

describe('off-chain and on-chain verification agree', () => {
  it('the verifier ABI fragment matches the compiled AttestationRegistry', () => {
    for (const f of [...ATTESTATION_VERIFY_ABI, ...ATTESTATION_ANCHOR_ABI]) {
      const compiled = chain.registryAbi.find((x) => x.type === 'function' && x.name === f.name);
      expect(compiled && 'inputs' in compiled ? compiled.inputs.map((i) => i.type) : null).toEqual(
        f.inputs.map((i) => i.type),
      );
    }
  });

  it('random trees: every leaf (and a foreign leaf) gets the same answer from MerkleTree and AttestationRegistry.verify', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 40 }),
        async (leafBytes) => {
          const leaves = leafBytes.map((b) => bytesToHex(b));
          const tree = MerkleTree.fromHex(leaves);
          if (
            (
              await chain.publicClient.readContract({
                address: chain.registry,
                abi: ATTESTATION_VERIFY_ABI,
                functionName: 'anchorOf',
                args: [tree.root],
              })
            ).anchoredAt === 0
          ) {
            await anchor(tree.root, leaves.length);
          }
          const foreign = `0x${'ee'.repeat(32)}` as Hex;
          const cases: [Hex, Hex[]][] = leaves.map((l, i) => [l, tree.proof(i)]);
          cases.push([foreign, tree.proof(0)]);
          if (leaves.length > 1) cases.push([leaves[0] as Hex, tree.proof(1)]);
          for (const [leaf, proof] of cases) {
            const onChain = await chain.publicClient.readContract({
              address: chain.registry,
              abi: ATTESTATION_VERIFY_ABI,
              functionName: 'verify',
              args: [tree.root, proof, leaf],
            });
            expect(onChain).toBe(verifyMerkleProof(tree.root, leaf, proof));
          }
        },
      ),
      { numRuns: 12, seed: 3 },
    );
  });
});

describe('standalone verifier', () => {
  let good: Extract<ProofFile, { kind: 'reading' }>;
  let unanchored: Extract<ProofFile, { kind: 'reading' }>;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opencep-proofs-'));
    const make = (n: number, saltByte: string) => {
      const data = Array.from({ length: n }, (_, i) =>
        readingData(i, `0x${saltByte.repeat(31)}${i.toString(16).padStart(2, '0')}` as Hex),
      );
      const tree = MerkleTree.fromHex(data.map((d) => readingLeaf(d)));
      const i = 2;
      const d = data[i] as ReadingLeafData;
      const file: Extract<ProofFile, { kind: 'reading' }> = {
        format: PROOF_FORMAT,
        kind: 'reading',
        leaf: {
          salt: d.salt,
          enterprise: d.enterprise,
          meter: d.meter,
          ts: new Date(Number(d.tsMs)).toISOString(),
          value: d.value,
          unit: d.unit,
        },
        leafHash: readingLeaf(d),
        leafIndex: i,
        proof: tree.proof(i),
        root: tree.root,
        batch: {
          id: 'b1',
          periodStart: '2027-01-15T08:00:00.000Z',
          periodEnd: '2027-01-15T09:00:00.000Z',
          leafCount: n,
          previousRoot: null,
        },
        anchor: { chainId: chain.chainId, registry: chain.registry, txHash: null, blockNumber: null },
      };
      return { file, tree };
    };
    const g = make(5, 'a1');
    good = g.file;
    good.anchor = {
      chainId: chain.chainId,
      registry: chain.registry,
      txHash: await anchor(g.tree.root, 5),
      blockNumber: null,
    };
    unanchored = make(6, 'b2').file;
  });

  const write = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  const runCli = async (args: string[]) => {
    const lines: string[] = [];
    const code = await main(args, (s) => lines.push(s));
    return { code, out: lines.join('\n') };
  };

  it('accepts a good proof off-chain and on-chain', async () => {
    const off = await verifyProof(good);
    expect(off).toMatchObject({ ok: true, code: 'VALID', checkedOnChain: false });
    const on = await runCli([write('good.json', good), '--rpc', chain.url]);
    expect(on.code).toBe(0);
    expect(on.out).toMatch(/^VALID\n.*anchored on chain 31337/);
  });

  it('rejects each kind of bad proof with a distinct message and exit code', async () => {
    const bad: Record<string, { file: string; rpc: boolean; expectCode: number; expectHead: RegExp }> = {
      malformedJson: {
        file: write('m1.json', '{ not json'),
        rpc: false,
        expectCode: 2,
        expectHead: /malformed proof file/,
      },
      malformedField: {
        file: write('m2.json', { ...good, root: '0x1234' }),
        rpc: false,
        expectCode: 2,
        expectHead: /malformed proof file/,
      },
      malformedValue: {
        file: write('m3.json', { ...good, leaf: { ...good.leaf, value: '1.0000001' } }),
        rpc: false,
        expectCode: 2,
        expectHead: /malformed proof file/,
      },
      leafMismatch: {
        file: write('l.json', { ...good, leaf: { ...good.leaf, value: '2.26' } }),
        rpc: false,
        expectCode: 3,
        expectHead: /leaf mismatch/,
      },
      saltMismatch: {
        file: write('s.json', { ...good, leaf: { ...good.leaf, salt: `0x${'cd'.repeat(32)}` } }),
        rpc: false,
        expectCode: 3,
        expectHead: /leaf mismatch/,
      },
      proofInvalid: {
        file: write('p.json', { ...good, proof: [...good.proof].reverse().concat([`0x${'01'.repeat(32)}`]) }),
        rpc: false,
        expectCode: 4,
        expectHead: /proof does not lead to the root/,
      },
      wrongChain: {
        file: write('c.json', { ...good, anchor: { ...good.anchor, chainId: 1 } }),
        rpc: true,
        expectCode: 5,
        expectHead: /wrong chain/,
      },
      notAnchored: {
        file: write('n.json', unanchored),
        rpc: true,
        expectCode: 6,
        expectHead: /root not anchored/,
      },
    };
    const heads = new Map<number, string>();
    for (const [name, c] of Object.entries(bad)) {
      const r = await runCli(c.rpc ? [c.file, '--rpc', chain.url] : [c.file]);
      expect(r.code, name).toBe(c.expectCode);
      const head = r.out.split('\n')[0] as string;
      expect(head, name).toMatch(c.expectHead);
      if (heads.has(r.code)) expect(heads.get(r.code)).toBe(head);
      heads.set(r.code, head);
    }
    expect(new Set(heads.values()).size).toBe(heads.size);
    // An unanchored root is accepted off-chain only (the CLI says so) but rejected with --rpc.
    expect((await runCli([write('n2.json', unanchored)])).out).toMatch(/off-chain only/);
  });

  it('runs as a bin from the package (node bin/opencep-verify.mjs)', async () => {
    const bin = join(import.meta.dirname, '../bin/opencep-verify.mjs');
    const ok = await promisify(execFile)(process.execPath, [
      bin,
      write('good2.json', good),
      '--rpc',
      chain.url,
    ]);
    expect(ok.stdout).toMatch(/^VALID/);
    const err = await promisify(execFile)(process.execPath, [
      bin,
      write('bad2.json', { ...good, leaf: { ...good.leaf, unit: 'MWh' } }),
    ]).catch((e: { code: number; stdout: string }) => e);
    expect(err).toMatchObject({ code: 3 });
    expect((err as { stdout: string }).stdout).toMatch(/leaf mismatch/);
  });
});
