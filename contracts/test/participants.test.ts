import { loadFixture } from '@nomicfoundation/hardhat-network-helpers';
import { expect } from 'chai';
import fc from 'fast-check';
import { ethers } from 'hardhat';
import { by, deployFixture, ENTERPRISE_ID, OTHER_ENTERPRISE_ID, participantsFixture } from './fixtures';

const DeviceStatus = { None: 0, Active: 1, Revoked: 2 };

describe('ParticipantRegistry', () => {
  it('gives every admin role to the timelock', async () => {
    const { participants, timelock, deployer } = await loadFixture(deployFixture);
    const t = await timelock.getAddress();
    for (const role of ['DEFAULT_ADMIN_ROLE', 'REGULATOR_ADMIN_ROLE', 'REGISTRAR_ROLE']) {
      const id = await participants.getFunction(role)();
      expect(await participants.hasRole(id, t)).to.equal(true);
      expect(await participants.hasRole(id, deployer.address)).to.equal(false);
    }
    expect(await participants.getRoleAdmin(await participants.REGULATOR_ROLE())).to.equal(
      await participants.REGULATOR_ADMIN_ROLE(),
    );
  });

  it('registers enterprises (registrar only) with a first admin', async () => {
    const { participants, gov, admin, signers } = await loadFixture(deployFixture);
    await expect(by(participants, gov).registerEnterprise(ENTERPRISE_ID, admin.address))
      .to.emit(participants, 'EnterpriseRegistered')
      .withArgs(ENTERPRISE_ID, 1, admin.address)
      .and.to.emit(participants, 'EnterpriseAdminAdded')
      .withArgs(ENTERPRISE_ID, admin.address, gov.address);
    expect(await participants.isEnterprise(ENTERPRISE_ID)).to.equal(true);
    expect(await participants.isEnterpriseAdmin(ENTERPRISE_ID, admin.address)).to.equal(true);
    expect(await participants.enterpriseIndex(ENTERPRISE_ID)).to.equal(1n);
    expect(await participants.enterpriseIdAt(1)).to.equal(ENTERPRISE_ID);
    expect(await participants.enterpriseCount()).to.equal(1n);
    const registrar = await participants.REGISTRAR_ROLE();
    for (const caller of signers) {
      await expect(by(participants, caller).registerEnterprise(OTHER_ENTERPRISE_ID, caller.address))
        .to.be.revertedWithCustomError(participants, 'AccessControlUnauthorizedAccount')
        .withArgs(caller.address, registrar);
    }
  });

  it('validates enterprise registration', async () => {
    const { participants, gov, admin } = await loadFixture(participantsFixture);
    const p = by(participants, gov);
    await expect(p.registerEnterprise(ethers.ZeroHash, admin.address)).to.be.revertedWithCustomError(
      participants,
      'ParticipantsZeroEnterpriseId',
    );
    await expect(p.registerEnterprise(ethers.id('x'), ethers.ZeroAddress)).to.be.revertedWithCustomError(
      participants,
      'ParticipantsZeroAddress',
    );
    await expect(p.registerEnterprise(ENTERPRISE_ID, admin.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsEnterpriseExists')
      .withArgs(ENTERPRISE_ID);
    for (const index of [0, 3]) {
      await expect(participants.enterpriseIdAt(index)).to.be.revertedWithCustomError(
        participants,
        'ParticipantsUnknownEnterprise',
      );
    }
  });

  it('manages enterprise admins (enterprise admin or registrar)', async () => {
    const { participants, gov, admin, admin2, outsider, device, regulator } =
      await loadFixture(participantsFixture);
    await expect(by(participants, admin).addEnterpriseAdmin(ENTERPRISE_ID, outsider.address))
      .to.emit(participants, 'EnterpriseAdminAdded')
      .withArgs(ENTERPRISE_ID, outsider.address, admin.address);
    await expect(by(participants, admin).addEnterpriseAdmin(ENTERPRISE_ID, outsider.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsAlreadyEnterpriseAdmin')
      .withArgs(ENTERPRISE_ID, outsider.address);
    await expect(
      by(participants, admin).addEnterpriseAdmin(ENTERPRISE_ID, ethers.ZeroAddress),
    ).to.be.revertedWithCustomError(participants, 'ParticipantsZeroAddress');
    for (const caller of [admin2, device, regulator]) {
      await expect(by(participants, caller).addEnterpriseAdmin(ENTERPRISE_ID, caller.address))
        .to.be.revertedWithCustomError(participants, 'ParticipantsNotEnterpriseAdmin')
        .withArgs(ENTERPRISE_ID, caller.address);
      await expect(by(participants, caller).removeEnterpriseAdmin(ENTERPRISE_ID, admin.address))
        .to.be.revertedWithCustomError(participants, 'ParticipantsNotEnterpriseAdmin')
        .withArgs(ENTERPRISE_ID, caller.address);
    }
    await expect(by(participants, gov).removeEnterpriseAdmin(ENTERPRISE_ID, admin.address))
      .to.emit(participants, 'EnterpriseAdminRemoved')
      .withArgs(ENTERPRISE_ID, admin.address, gov.address);
    expect(await participants.isEnterpriseAdmin(ENTERPRISE_ID, admin.address)).to.equal(false);
    await expect(by(participants, outsider).removeEnterpriseAdmin(ENTERPRISE_ID, outsider.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsLastEnterpriseAdmin')
      .withArgs(ENTERPRISE_ID);
    await expect(by(participants, outsider).removeEnterpriseAdmin(ENTERPRISE_ID, admin.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsNotEnterpriseAdmin')
      .withArgs(ENTERPRISE_ID, admin.address);
    const unknown = ethers.id('unknown');
    await expect(by(participants, gov).addEnterpriseAdmin(unknown, outsider.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsUnknownEnterprise')
      .withArgs(unknown);
  });

  it('registers and revokes devices (enterprise admin only)', async () => {
    const { participants, gov, admin, admin2, device, device2, outsider, signers } =
      await loadFixture(participantsFixture);
    expect(await participants.isDevice(ENTERPRISE_ID, device.address)).to.equal(true);
    expect(await participants.isDevice(OTHER_ENTERPRISE_ID, device.address)).to.equal(false);
    expect(await participants.deviceOf(device.address)).to.deep.equal([
      ENTERPRISE_ID,
      BigInt(DeviceStatus.Active),
    ]);
    expect(await participants.deviceOf(outsider.address)).to.deep.equal([
      ethers.ZeroHash,
      BigInt(DeviceStatus.None),
    ]);
    for (const caller of signers.filter((s) => s.address !== admin.address)) {
      await expect(by(participants, caller).registerDevice(ENTERPRISE_ID, outsider.address))
        .to.be.revertedWithCustomError(participants, 'ParticipantsNotEnterpriseAdmin')
        .withArgs(ENTERPRISE_ID, caller.address);
      await expect(by(participants, caller).revokeDevice(ENTERPRISE_ID, device.address))
        .to.be.revertedWithCustomError(participants, 'ParticipantsNotEnterpriseAdmin')
        .withArgs(ENTERPRISE_ID, caller.address);
    }
    await expect(by(participants, gov).registerDevice(ENTERPRISE_ID, outsider.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsNotEnterpriseAdmin')
      .withArgs(ENTERPRISE_ID, gov.address);
    const unknown = ethers.id('unknown');
    await expect(by(participants, admin).registerDevice(unknown, outsider.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsUnknownEnterprise')
      .withArgs(unknown);
    await expect(
      by(participants, admin).registerDevice(ENTERPRISE_ID, ethers.ZeroAddress),
    ).to.be.revertedWithCustomError(participants, 'ParticipantsZeroAddress');
    // A key belongs to one enterprise only.
    await expect(by(participants, admin).registerDevice(ENTERPRISE_ID, device2.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsDeviceExists')
      .withArgs(device2.address);
    await expect(by(participants, admin).revokeDevice(ENTERPRISE_ID, device2.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsDeviceNotActive')
      .withArgs(ENTERPRISE_ID, device2.address);
    await expect(by(participants, admin2).revokeDevice(OTHER_ENTERPRISE_ID, device.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsDeviceNotActive')
      .withArgs(OTHER_ENTERPRISE_ID, device.address);
    await expect(by(participants, admin).revokeDevice(ENTERPRISE_ID, device.address))
      .to.emit(participants, 'DeviceRevoked')
      .withArgs(ENTERPRISE_ID, device.address, admin.address);
    expect(await participants.isDevice(ENTERPRISE_ID, device.address)).to.equal(false);
    expect(await participants.submitterIndex(ENTERPRISE_ID, device.address)).to.equal(0n);
    await expect(by(participants, admin).revokeDevice(ENTERPRISE_ID, device.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsDeviceNotActive')
      .withArgs(ENTERPRISE_ID, device.address);
    // A revoked key is never reused.
    await expect(by(participants, admin).registerDevice(ENTERPRISE_ID, device.address))
      .to.be.revertedWithCustomError(participants, 'ParticipantsDeviceExists')
      .withArgs(device.address);
    await expect(by(participants, admin).registerDevice(ENTERPRISE_ID, outsider.address))
      .to.emit(participants, 'DeviceRegistered')
      .withArgs(ENTERPRISE_ID, outsider.address, admin.address);
  });

  it('grants regulators through the regulator admin role and verifiers through governance', async () => {
    const { participants, gov, regulator, verifier, outsider, signers } =
      await loadFixture(participantsFixture);
    const REGULATOR_ROLE = await participants.REGULATOR_ROLE();
    const VERIFIER_ROLE = await participants.VERIFIER_ROLE();
    const REGULATOR_ADMIN_ROLE = await participants.REGULATOR_ADMIN_ROLE();
    const DEFAULT_ADMIN_ROLE = await participants.DEFAULT_ADMIN_ROLE();
    expect(await participants.isRegulator(regulator.address)).to.equal(true);
    expect(await participants.isVerifier(verifier.address)).to.equal(true);
    expect(await participants.isRegulator(verifier.address)).to.equal(false);
    for (const caller of signers) {
      await expect(by(participants, caller).grantRole(REGULATOR_ROLE, caller.address))
        .to.be.revertedWithCustomError(participants, 'AccessControlUnauthorizedAccount')
        .withArgs(caller.address, REGULATOR_ADMIN_ROLE);
      await expect(by(participants, caller).grantRole(VERIFIER_ROLE, caller.address))
        .to.be.revertedWithCustomError(participants, 'AccessControlUnauthorizedAccount')
        .withArgs(caller.address, DEFAULT_ADMIN_ROLE);
    }
    // Governance may delegate regulator administration (e.g. to a ministry account).
    await by(participants, gov).grantRole(REGULATOR_ADMIN_ROLE, outsider.address);
    await expect(by(participants, outsider).grantRole(REGULATOR_ROLE, verifier.address))
      .to.emit(participants, 'RoleGranted')
      .withArgs(REGULATOR_ROLE, verifier.address, outsider.address);
    await expect(by(participants, outsider).revokeRole(REGULATOR_ROLE, regulator.address))
      .to.emit(participants, 'RoleRevoked')
      .withArgs(REGULATOR_ROLE, regulator.address, outsider.address);
    expect(await participants.isRegulator(regulator.address)).to.equal(false);
  });

  it('property: views and submitterIndex follow a model under random admin/device operations', async () => {
    const { participants, gov, signers } = await loadFixture(deployFixture);
    const pool = signers.slice(1, 9);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom('addAdmin', 'removeAdmin', 'registerDevice', 'revokeDevice'),
            who: fc.integer({ min: 0, max: pool.length - 1 }),
          }),
          { maxLength: 12 },
        ),
        async (ops) => {
          const id = ethers.id(`enterprise-${run++}`);
          const first = pool[0]!;
          await by(participants, gov).registerEnterprise(id, first.address);
          const index = await participants.enterpriseIndex(id);
          const admins = new Set([first.address]);
          const devices = new Map<string, 'active' | 'revoked'>();
          for (const { op, who } of ops) {
            const target = pool[who]!.address;
            const p = by(participants, gov);
            const pd = by(participants, first);
            let ok = true;
            if (op === 'addAdmin') ok = !admins.has(target);
            if (op === 'removeAdmin') ok = admins.has(target) && admins.size > 1;
            // Device keys are global: a previously used key (this or another run) is refused.
            const used = (await participants.deviceOf(target))[1] !== 0n;
            if (op === 'registerDevice') ok = admins.has(first.address) && !used;
            if (op === 'revokeDevice') ok = admins.has(first.address) && devices.get(target) === 'active';
            const tx =
              op === 'addAdmin'
                ? p.addEnterpriseAdmin(id, target)
                : op === 'removeAdmin'
                  ? p.removeEnterpriseAdmin(id, target)
                  : op === 'registerDevice'
                    ? pd.registerDevice(id, target)
                    : pd.revokeDevice(id, target);
            if (ok) {
              await tx;
              if (op === 'addAdmin') admins.add(target);
              if (op === 'removeAdmin') admins.delete(target);
              if (op === 'registerDevice') devices.set(target, 'active');
              if (op === 'revokeDevice') devices.set(target, 'revoked');
            } else {
              await expect(tx).to.be.reverted;
            }
          }
          expect(admins.size).to.be.greaterThan(0);
          for (const s of pool) {
            const isAdmin = admins.has(s.address);
            const isDevice = devices.get(s.address) === 'active';
            expect(await participants.isEnterpriseAdmin(id, s.address)).to.equal(isAdmin);
            expect(await participants.isDevice(id, s.address)).to.equal(isDevice);
            expect(await participants.submitterIndex(id, s.address)).to.equal(
              isAdmin || isDevice ? index : 0n,
            );
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
