import { loadFixture } from '@nomicfoundation/hardhat-network-helpers';
import { expect } from 'chai';
import { ethers } from 'hardhat';
import fc from 'fast-check';
import { by, deployFixture, STANDARD_ID } from './fixtures';

const H1 = ethers.sha256(ethers.toUtf8Bytes('pack-1'));
const H2 = ethers.sha256(ethers.toUtf8Bytes('pack-2'));
const H3 = ethers.sha256(ethers.toUtf8Bytes('pack-3'));
const T2020 = 1_577_836_800;
const T2024 = 1_704_067_200;

describe('StandardsRegistry', () => {
  it('is owned by the timelock and nobody else can write', async () => {
    const { standards, timelock, signers, gov } = await loadFixture(deployFixture);
    expect(await standards.owner()).to.equal(await timelock.getAddress());
    await by(standards, gov).publishVersion(STANDARD_ID, '1.0.0', H1, 'ipfs://1', T2020);
    for (const caller of signers) {
      await expect(by(standards, caller).publishVersion(STANDARD_ID, '9.0.0', H2, 'ipfs://9', T2024))
        .to.be.revertedWithCustomError(standards, 'OwnableUnauthorizedAccount')
        .withArgs(caller.address);
      await expect(by(standards, caller).deprecateVersion(STANDARD_ID, '1.0.0', 'no'))
        .to.be.revertedWithCustomError(standards, 'OwnableUnauthorizedAccount')
        .withArgs(caller.address);
    }
  });

  it('publishes, resolves the active version at a time and deprecates', async () => {
    const { standards, gov } = await loadFixture(deployFixture);
    const s = by(standards, gov);
    await expect(standards.activeVersionAt(STANDARD_ID, T2024))
      .to.be.revertedWithCustomError(standards, 'StandardsNoActiveVersion')
      .withArgs(STANDARD_ID, T2024);
    await expect(s.publishVersion(STANDARD_ID, '1.0.0', H1, 'ipfs://1', T2020))
      .to.emit(standards, 'VersionPublished')
      .withArgs(STANDARD_ID, H1, 0n, '1.0.0', 'ipfs://1', T2020);
    await s.publishVersion(STANDARD_ID, '2.0.0', H2, 'ipfs://2', T2024);
    expect(await standards.versionCount(STANDARD_ID)).to.equal(2n);
    expect((await standards.activeVersionAt(STANDARD_ID, T2020 - 1).catch(() => null)) === null).to.equal(
      true,
    );
    expect((await standards.activeVersionAt(STANDARD_ID, T2020)).version).to.equal('1.0.0');
    expect((await standards.activeVersionAt(STANDARD_ID, T2024 - 1)).contentHash).to.equal(H1);
    expect((await standards.activeVersionAt(STANDARD_ID, T2024)).contentHash).to.equal(H2);
    await expect(s.deprecateVersion(STANDARD_ID, '2.0.0', 'wrong factor'))
      .to.emit(standards, 'VersionDeprecated')
      .withArgs(STANDARD_ID, H2, 1n, '2.0.0', 'wrong factor');
    expect((await standards.activeVersionAt(STANDARD_ID, T2024 + 10)).version).to.equal('1.0.0');
    const v = await standards.versionAt(STANDARD_ID, 1);
    expect([v.contentHash, v.effectiveFrom, v.deprecated, v.version, v.uri]).to.deep.equal([
      H2,
      BigInt(T2024),
      true,
      '2.0.0',
      'ipfs://2',
    ]);
    expect((await standards.versionOf(STANDARD_ID, '1.0.0')).uri).to.equal('ipfs://1');
    await s.deprecateVersion(STANDARD_ID, '1.0.0', 'withdrawn');
    await expect(standards.activeVersionAt(STANDARD_ID, T2024))
      .to.be.revertedWithCustomError(standards, 'StandardsNoActiveVersion')
      .withArgs(STANDARD_ID, T2024);
  });

  it('lets a later publication with the same effectiveFrom win', async () => {
    const { standards, gov } = await loadFixture(deployFixture);
    const s = by(standards, gov);
    await s.publishVersion(STANDARD_ID, '1.0.0', H1, 'u', T2020);
    await s.publishVersion(STANDARD_ID, '1.0.1', H3, 'u', T2020);
    expect((await standards.activeVersionAt(STANDARD_ID, T2020)).contentHash).to.equal(H3);
  });

  it('validates input', async () => {
    const { standards, gov } = await loadFixture(deployFixture);
    const s = by(standards, gov);
    await expect(s.publishVersion(ethers.ZeroHash, '1', H1, 'u', 0)).to.be.revertedWithCustomError(
      standards,
      'StandardsZeroStandardId',
    );
    await expect(s.publishVersion(STANDARD_ID, '1', ethers.ZeroHash, 'u', 0)).to.be.revertedWithCustomError(
      standards,
      'StandardsZeroContentHash',
    );
    await expect(s.publishVersion(STANDARD_ID, '', H1, 'u', 0)).to.be.revertedWithCustomError(
      standards,
      'StandardsEmptyVersion',
    );
    await s.publishVersion(STANDARD_ID, '1.0.0', H1, 'u', T2024);
    await expect(s.publishVersion(STANDARD_ID, '1.0.0', H2, 'u', T2024))
      .to.be.revertedWithCustomError(standards, 'StandardsVersionExists')
      .withArgs(STANDARD_ID, '1.0.0');
    await expect(s.publishVersion(STANDARD_ID, '0.9.0', H2, 'u', T2020))
      .to.be.revertedWithCustomError(standards, 'StandardsEffectiveFromTooEarly')
      .withArgs(STANDARD_ID, T2020, T2024);
    await expect(s.deprecateVersion(STANDARD_ID, '3.0.0', 'x'))
      .to.be.revertedWithCustomError(standards, 'StandardsUnknownVersion')
      .withArgs(STANDARD_ID, '3.0.0');
    await s.deprecateVersion(STANDARD_ID, '1.0.0', 'x');
    await expect(s.deprecateVersion(STANDARD_ID, '1.0.0', 'x'))
      .to.be.revertedWithCustomError(standards, 'StandardsAlreadyDeprecated')
      .withArgs(STANDARD_ID, '1.0.0');
    await expect(standards.versionAt(STANDARD_ID, 1))
      .to.be.revertedWithCustomError(standards, 'StandardsIndexOutOfRange')
      .withArgs(STANDARD_ID, 1n);
    await expect(standards.versionOf(STANDARD_ID, 'nope'))
      .to.be.revertedWithCustomError(standards, 'StandardsUnknownVersion')
      .withArgs(STANDARD_ID, 'nope');
  });

  it('property: activeVersionAt = latest non-deprecated version with effectiveFrom <= t', async () => {
    const { standards, gov } = await loadFixture(deployFixture);
    const s = by(standards, gov);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3 }), deprecate: fc.boolean() }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 5 }),
        async (ops, probes) => {
          const id = ethers.id(`std-${run++}`);
          const model: { effectiveFrom: number; deprecated: boolean; hash: string }[] = [];
          let t = 1;
          for (const [i, op] of ops.entries()) {
            t += op.gap;
            const hash = ethers.id(`${id}-${i}`);
            await s.publishVersion(id, `v${i}`, hash, 'u', t);
            model.push({ effectiveFrom: t, deprecated: false, hash });
          }
          for (const [i, op] of ops.entries()) {
            if (op.deprecate) {
              await s.deprecateVersion(id, `v${i}`, 'r');
              model[i]!.deprecated = true;
            }
          }
          for (const probe of probes) {
            const expected = [...model].reverse().find((v) => v.effectiveFrom <= probe && !v.deprecated);
            if (expected) {
              expect((await standards.activeVersionAt(id, probe)).contentHash).to.equal(expected.hash);
            } else {
              await expect(standards.activeVersionAt(id, probe)).to.be.revertedWithCustomError(
                standards,
                'StandardsNoActiveVersion',
              );
            }
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});
