import { loadFixture } from '@nomicfoundation/hardhat-network-helpers';
import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import { expect } from 'chai';
import fc from 'fast-check';
import hre, { ethers } from 'hardhat';
import { by, ENTERPRISE_ID, Kind, OTHER_ENTERPRISE_ID, participantsFixture, randomRoot } from './fixtures';

const STANDARD_REF = ethers.sha256(ethers.toUtf8Bytes('pack'));
const START = 1_767_225_600; // 2026-01-01
const END = START + 3600;
const UINT40_MAX = (1n << 40n) - 1n;
const Opinion = { Unqualified: 0, Qualified: 1, Adverse: 2, Disclaimer: 3 };

/** Platform leaf (DESIGN §5): keccak256(abi.encode(salt, enterprise, meter, ts, value, unit)), single hash. */
function readingLeaf(salt: string, meter: string, ts: bigint, value: bigint, unit: string): string {
  return ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ['bytes32', 'bytes32', 'bytes32', 'uint64', 'int256', 'string'],
      [salt, ENTERPRISE_ID, meter, ts, value, unit],
    ),
  );
}

describe('AttestationRegistry', () => {
  it('anchors a root from a device or an admin in one slot, details in the event', async () => {
    const { attestations, participants, device, admin } = await loadFixture(participantsFixture);
    expect(await attestations.participants()).to.equal(await participants.getAddress());
    for (const submitter of [device, admin]) {
      const root = randomRoot();
      await expect(
        by(attestations, submitter).anchor(
          ENTERPRISE_ID,
          root,
          1000,
          START,
          END,
          Kind.Readings,
          STANDARD_REF,
        ),
      )
        .to.emit(attestations, 'Anchored')
        .withArgs(ENTERPRISE_ID, STANDARD_REF, START, root, END, Kind.Readings, 1000, submitter.address);
      const record = await attestations.anchorOf(root);
      expect(record.enterpriseIndex).to.equal(1n);
      expect(record.kind).to.equal(BigInt(Kind.Readings));
      expect(record.superseded).to.equal(false);
      expect(record.leafCount).to.equal(1000n);
      expect([record.periodStart, record.periodEnd]).to.deep.equal([BigInt(START), BigInt(END)]);
      expect(record.anchoredAt).to.be.greaterThan(0n);
      expect(await attestations.isAnchored(root)).to.equal(true);
    }
    expect(await attestations.isAnchored(randomRoot())).to.equal(false);
  });

  it('costs at most 60,000 gas whatever the batch size', async function () {
    // Instrumented bytecode under `hardhat coverage` costs more; bench:gas checks the real figure too.
    if ((hre as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    const { attestations, device, admin } = await loadFixture(participantsFixture);
    for (const submitter of [device, admin]) {
      for (const leafCount of [1, 1_000, 100_000, 2 ** 48 - 1]) {
        const tx = await by(attestations, submitter).anchor(
          ENTERPRISE_ID,
          randomRoot(),
          leafCount,
          START,
          END,
          Kind.Readings,
          STANDARD_REF,
        );
        const receipt = await tx.wait();
        expect(receipt!.gasUsed).to.be.at.most(60_000n);
      }
    }
  });

  it('refuses every caller that is not an admin or active device of the enterprise', async () => {
    const { attestations, participants, signers, gov, admin, device } =
      await loadFixture(participantsFixture);
    await by(participants, admin).revokeDevice(ENTERPRISE_ID, device.address);
    const allowed = new Set([admin.address]);
    for (const caller of [...signers.filter((s) => !allowed.has(s.address)), gov]) {
      await expect(
        by(attestations, caller).anchor(
          ENTERPRISE_ID,
          randomRoot(),
          1,
          START,
          END,
          Kind.Readings,
          STANDARD_REF,
        ),
      )
        .to.be.revertedWithCustomError(attestations, 'AttestationUnauthorizedSubmitter')
        .withArgs(ENTERPRISE_ID, caller.address);
    }
    const unknown = ethers.id('unknown');
    await expect(
      by(attestations, admin).anchor(unknown, randomRoot(), 1, START, END, Kind.Readings, STANDARD_REF),
    )
      .to.be.revertedWithCustomError(attestations, 'AttestationUnauthorizedSubmitter')
      .withArgs(unknown, admin.address);
  });

  it('validates root, batch size and period', async () => {
    const { attestations, device } = await loadFixture(participantsFixture);
    const a = by(attestations, device);
    await expect(
      a.anchor(ENTERPRISE_ID, ethers.ZeroHash, 1, START, END, Kind.Readings, STANDARD_REF),
    ).to.be.revertedWithCustomError(attestations, 'AttestationZeroRoot');
    await expect(
      a.anchor(ENTERPRISE_ID, randomRoot(), 0, START, END, Kind.Readings, STANDARD_REF),
    ).to.be.revertedWithCustomError(attestations, 'AttestationEmptyBatch');
    await expect(a.anchor(ENTERPRISE_ID, randomRoot(), 1, END, START, Kind.Readings, STANDARD_REF))
      .to.be.revertedWithCustomError(attestations, 'AttestationInvalidPeriod')
      .withArgs(END, START);
    await expect(
      a.anchor(ENTERPRISE_ID, randomRoot(), 1, START, UINT40_MAX + 1n, Kind.Readings, STANDARD_REF),
    )
      .to.be.revertedWithCustomError(attestations, 'AttestationInvalidPeriod')
      .withArgs(START, UINT40_MAX + 1n);
    await a.anchor(ENTERPRISE_ID, randomRoot(), 1, START, START, Kind.Readings, STANDARD_REF);
    await a.anchor(ENTERPRISE_ID, randomRoot(), 1, START, UINT40_MAX, Kind.Readings, STANDARD_REF);
  });

  it('refuses to anchor the same root twice, from any enterprise', async () => {
    const { attestations, device, device2, admin } = await loadFixture(participantsFixture);
    const root = randomRoot();
    await by(attestations, device).anchor(ENTERPRISE_ID, root, 1, START, END, Kind.Readings, STANDARD_REF);
    for (const [submitter, id] of [
      [device, ENTERPRISE_ID],
      [admin, ENTERPRISE_ID],
      [device2, OTHER_ENTERPRISE_ID],
    ] as const) {
      await expect(by(attestations, submitter).anchor(id, root, 2, START, END, Kind.Inventory, STANDARD_REF))
        .to.be.revertedWithCustomError(attestations, 'AttestationAlreadyAnchored')
        .withArgs(root);
    }
  });

  describe('supersession', () => {
    async function reportFixture() {
      const f = await participantsFixture();
      const oldRoot = randomRoot();
      await by(f.attestations, f.admin).anchor(
        ENTERPRISE_ID,
        oldRoot,
        2,
        START,
        END,
        Kind.Report,
        STANDARD_REF,
      );
      return { ...f, oldRoot };
    }

    it('supersedes a report with a newer report of the same enterprise, keeping history', async () => {
      const { attestations, admin, oldRoot } = await loadFixture(reportFixture);
      const newRoot = randomRoot();
      await expect(
        by(attestations, admin).supersede(
          ENTERPRISE_ID,
          oldRoot,
          newRoot,
          2,
          START,
          END,
          STANDARD_REF,
          'typo in line 4',
        ),
      )
        .to.emit(attestations, 'AnchorSuperseded')
        .withArgs(ENTERPRISE_ID, oldRoot, newRoot, 'typo in line 4', admin.address)
        .and.to.emit(attestations, 'Anchored')
        .withArgs(ENTERPRISE_ID, STANDARD_REF, START, newRoot, END, Kind.Report, 2, admin.address);
      expect((await attestations.anchorOf(oldRoot)).superseded).to.equal(true);
      const record = await attestations.anchorOf(newRoot);
      expect([record.kind, record.superseded]).to.deep.equal([BigInt(Kind.Report), false]);
      // The old report stays anchored (its proofs still verify) but cannot be superseded twice.
      expect(await attestations.isAnchored(oldRoot)).to.equal(true);
      await expect(
        by(attestations, admin).supersede(
          ENTERPRISE_ID,
          oldRoot,
          randomRoot(),
          2,
          START,
          END,
          STANDARD_REF,
          'again',
        ),
      )
        .to.be.revertedWithCustomError(attestations, 'AttestationAlreadySuperseded')
        .withArgs(oldRoot);
      // A chain of supersessions is allowed.
      await by(attestations, admin).supersede(
        ENTERPRISE_ID,
        newRoot,
        randomRoot(),
        2,
        START,
        END,
        STANDARD_REF,
        'v3',
      );
    });

    it('enforces the supersession rules', async () => {
      const { attestations, admin, admin2, device, outsider, oldRoot } = await loadFixture(reportFixture);
      const a = by(attestations, admin);
      await expect(
        a.supersede(ENTERPRISE_ID, oldRoot, randomRoot(), 2, START, END, STANDARD_REF, ''),
      ).to.be.revertedWithCustomError(attestations, 'AttestationEmptyReason');
      const missing = randomRoot();
      await expect(a.supersede(ENTERPRISE_ID, missing, randomRoot(), 2, START, END, STANDARD_REF, 'r'))
        .to.be.revertedWithCustomError(attestations, 'AttestationUnknownAnchor')
        .withArgs(missing);
      await expect(
        by(attestations, admin2).supersede(
          OTHER_ENTERPRISE_ID,
          oldRoot,
          randomRoot(),
          2,
          START,
          END,
          STANDARD_REF,
          'r',
        ),
      )
        .to.be.revertedWithCustomError(attestations, 'AttestationEnterpriseMismatch')
        .withArgs(oldRoot, OTHER_ENTERPRISE_ID);
      const readings = randomRoot();
      await by(attestations, device).anchor(
        ENTERPRISE_ID,
        readings,
        5,
        START,
        END,
        Kind.Readings,
        STANDARD_REF,
      );
      await expect(a.supersede(ENTERPRISE_ID, readings, randomRoot(), 2, START, END, STANDARD_REF, 'r'))
        .to.be.revertedWithCustomError(attestations, 'AttestationNotReport')
        .withArgs(readings);
      await expect(a.supersede(ENTERPRISE_ID, oldRoot, readings, 2, START, END, STANDARD_REF, 'r'))
        .to.be.revertedWithCustomError(attestations, 'AttestationAlreadyAnchored')
        .withArgs(readings);
      await expect(
        by(attestations, outsider).supersede(
          ENTERPRISE_ID,
          oldRoot,
          randomRoot(),
          2,
          START,
          END,
          STANDARD_REF,
          'r',
        ),
      )
        .to.be.revertedWithCustomError(attestations, 'AttestationUnauthorizedSubmitter')
        .withArgs(ENTERPRISE_ID, outsider.address);
    });
  });

  it('records verifier statements (verifiers only, anchored roots only)', async () => {
    const { attestations, verifier, device, signers, gov } = await loadFixture(participantsFixture);
    const root = randomRoot();
    await by(attestations, device).anchor(ENTERPRISE_ID, root, 1, START, END, Kind.Inventory, STANDARD_REF);
    const doc = ethers.id('verification-statement.pdf');
    await expect(by(attestations, verifier).recordStatement(root, Opinion.Qualified, doc))
      .to.emit(attestations, 'StatementRecorded')
      .withArgs(ENTERPRISE_ID, root, verifier.address, Opinion.Qualified, doc);
    for (const caller of [...signers.filter((s) => s.address !== verifier.address), gov]) {
      await expect(by(attestations, caller).recordStatement(root, Opinion.Unqualified, doc))
        .to.be.revertedWithCustomError(attestations, 'AttestationNotVerifier')
        .withArgs(caller.address);
    }
    const missing = randomRoot();
    await expect(by(attestations, verifier).recordStatement(missing, Opinion.Adverse, doc))
      .to.be.revertedWithCustomError(attestations, 'AttestationUnknownAnchor')
      .withArgs(missing);
  });

  it('verify agrees with SimpleMerkleTree proofs of platform leaves (random trees)', async () => {
    const { attestations, device } = await loadFixture(participantsFixture);
    const leafArb = fc.record({
      salt: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      meter: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      ts: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      value: fc.bigInt({ min: -(1n << 255n), max: (1n << 255n) - 1n }),
      unit: fc.constantFrom('kWh', 'm3', 't', 'GJ', 'Nm³'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(leafArb, { minLength: 1, maxLength: 40 }), fc.nat(), async (rows, pick) => {
        const leaves = rows.map((r) =>
          readingLeaf(ethers.hexlify(r.salt), ethers.hexlify(r.meter), r.ts, r.value, r.unit),
        );
        if (new Set(leaves).size !== leaves.length) return;
        const tree = SimpleMerkleTree.of(leaves);
        const root = tree.root;
        const index = pick % leaves.length;
        const proof = tree.getProof(index);
        // Not anchored yet: verify is false even with a valid proof.
        expect(await attestations.verify(root, proof, leaves[index])).to.equal(false);
        if (!(await attestations.isAnchored(root))) {
          await by(attestations, device).anchor(
            ENTERPRISE_ID,
            root,
            leaves.length,
            START,
            END,
            Kind.Readings,
            STANDARD_REF,
          );
        }
        for (const [i, leaf] of leaves.entries()) {
          expect(await attestations.verify(root, tree.getProof(i), leaf)).to.equal(true);
        }
        const tampered = readingLeaf(ethers.ZeroHash, ethers.ZeroHash, 0n, 1n, 'kWh');
        expect(await attestations.verify(root, proof, tampered)).to.equal(leaves.includes(tampered));
      }),
      { numRuns: 25 },
    );
  });
});
