import { loadFixture } from '@nomicfoundation/hardhat-network-helpers';
import { expect } from 'chai';
import fc from 'fast-check';
import { ethers } from 'hardhat';
import { by, ENTERPRISE_ID, participantsFixture } from './fixtures';

const T = 1_000_000n; // gCO2e per tCO2e

describe('QuotaRegistry', () => {
  it('lets a regulator issue and adjust quotas (gCO2e) with history in events', async () => {
    const { quotas, participants, regulator } = await loadFixture(participantsFixture);
    expect(await quotas.participants()).to.equal(await participants.getAddress());
    expect(await quotas.MIN_YEAR()).to.equal(2000n);
    expect(await quotas.MAX_YEAR()).to.equal(2200n);
    const q = by(quotas, regulator);
    await expect(q.issueQuota(ENTERPRISE_ID, 2026, 120_000n * T, 'allocation 2026'))
      .to.emit(quotas, 'QuotaIssued')
      .withArgs(ENTERPRISE_ID, 2026, regulator.address, 120_000n * T, 'allocation 2026');
    let quota = await quotas.quotaOf(ENTERPRISE_ID, 2026);
    expect([quota.amount, quota.revision]).to.deep.equal([120_000n * T, 1n]);
    await expect(q.adjustQuota(ENTERPRISE_ID, 2026, 110_500_250_000n, 'capacity retired'))
      .to.emit(quotas, 'QuotaAdjusted')
      .withArgs(
        ENTERPRISE_ID,
        2026,
        regulator.address,
        120_000n * T,
        110_500_250_000n,
        2,
        'capacity retired',
      );
    quota = await quotas.quotaOf(ENTERPRISE_ID, 2026);
    expect([quota.amount, quota.revision]).to.deep.equal([110_500_250_000n, 2n]);
    expect(quota.updatedAt).to.be.greaterThan(0n);
    expect((await quotas.quotaOf(ENTERPRISE_ID, 2025)).revision).to.equal(0n);
  });

  it('refuses every caller without REGULATOR_ROLE', async () => {
    const { quotas, regulator, signers, gov } = await loadFixture(participantsFixture);
    await by(quotas, regulator).issueQuota(ENTERPRISE_ID, 2026, 1n, 'r');
    for (const caller of [...signers.filter((s) => s.address !== regulator.address), gov]) {
      await expect(by(quotas, caller).issueQuota(ENTERPRISE_ID, 2027, 1n, 'r'))
        .to.be.revertedWithCustomError(quotas, 'QuotaNotRegulator')
        .withArgs(caller.address);
      await expect(by(quotas, caller).adjustQuota(ENTERPRISE_ID, 2026, 2n, 'r'))
        .to.be.revertedWithCustomError(quotas, 'QuotaNotRegulator')
        .withArgs(caller.address);
    }
  });

  it('validates year, enterprise, state and reason', async () => {
    const { quotas, regulator } = await loadFixture(participantsFixture);
    const q = by(quotas, regulator);
    for (const year of [1999, 2201]) {
      await expect(q.issueQuota(ENTERPRISE_ID, year, 1n, 'r'))
        .to.be.revertedWithCustomError(quotas, 'QuotaInvalidYear')
        .withArgs(year);
    }
    const unknown = ethers.id('unknown');
    await expect(q.issueQuota(unknown, 2026, 1n, 'r'))
      .to.be.revertedWithCustomError(quotas, 'QuotaUnknownEnterprise')
      .withArgs(unknown);
    await expect(q.adjustQuota(ENTERPRISE_ID, 2026, 1n, 'r'))
      .to.be.revertedWithCustomError(quotas, 'QuotaNotIssued')
      .withArgs(ENTERPRISE_ID, 2026);
    await q.issueQuota(ENTERPRISE_ID, 2026, 1n, '');
    await expect(q.issueQuota(ENTERPRISE_ID, 2026, 1n, 'r'))
      .to.be.revertedWithCustomError(quotas, 'QuotaAlreadyIssued')
      .withArgs(ENTERPRISE_ID, 2026);
    await expect(q.adjustQuota(ENTERPRISE_ID, 2026, 2n, '')).to.be.revertedWithCustomError(
      quotas,
      'QuotaEmptyReason',
    );
  });

  it('property: the current quota is the last amount set and revision counts the changes', async () => {
    const { quotas, regulator } = await loadFixture(participantsFixture);
    const q = by(quotas, regulator);
    let year = 2000;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), { minLength: 1, maxLength: 6 }),
        async (amounts) => {
          year++;
          await q.issueQuota(ENTERPRISE_ID, year, amounts[0]!, 'issue');
          for (const amount of amounts.slice(1)) await q.adjustQuota(ENTERPRISE_ID, year, amount, 'adjust');
          const quota = await quotas.quotaOf(ENTERPRISE_ID, year);
          expect(quota.amount).to.equal(amounts.at(-1));
          expect(quota.revision).to.equal(BigInt(amounts.length));
        },
      ),
      { numRuns: 25 },
    );
  });
});
