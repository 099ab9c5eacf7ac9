import { impersonateAccount, setBalance } from '@nomicfoundation/hardhat-network-helpers';
import type { HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/signers';
import type { Contract, Signer } from 'ethers';
import { ethers } from 'hardhat';

export const VOTING_DELAY = 1; // blocks
export const VOTING_PERIOD = 10; // blocks
export const TIMELOCK_DELAY = 60; // seconds

export const ENTERPRISE_ID = ethers.keccak256(ethers.toUtf8Bytes('plant-18'));
export const OTHER_ENTERPRISE_ID = ethers.keccak256(ethers.toUtf8Bytes('plant-19'));
export const STANDARD_ID = ethers.keccak256(ethers.toUtf8Bytes('GB/T 32151.1'));

export enum Kind {
  Readings = 0,
  Inventory = 1,
  Report = 2,
}

export enum ProposalState {
  Pending = 0,
  Active = 1,
  Canceled = 2,
  Defeated = 3,
  Succeeded = 4,
  Queued = 5,
  Expired = 6,
  Executed = 7,
}

/** Deploys the whole system as production does (every admin role on the timelock, deployer revoked). */
export async function deployFixture() {
  const signers = await ethers.getSigners();
  const [deployer, m1, m2, m3, m4, m5, regulator, verifier, admin, device, outsider, admin2, device2] =
    signers as HardhatEthersSigner[];
  const members = [m1!, m2!, m3!, m4!, m5!];
  const deployContract = async (name: string, args: unknown[]) =>
    (await ethers.deployContract(name, args)) as unknown as Contract;

  const timelock = await deployContract('Timelock', [TIMELOCK_DELAY, [], [], deployer!.address]);
  const membership = await deployContract('AssociationMembership', [
    deployer!.address,
    members.map((m) => m.address),
  ]);
  const governor = await deployContract('StandardsGovernor', [
    await membership.getAddress(),
    await timelock.getAddress(),
    VOTING_DELAY,
    VOTING_PERIOD,
  ]);
  const timelockAddress = await timelock.getAddress();
  const standards = await deployContract('StandardsRegistry', [timelockAddress]);
  const participants = await deployContract('ParticipantRegistry', [timelockAddress]);
  const quotas = await deployContract('QuotaRegistry', [await participants.getAddress()]);
  const attestations = await deployContract('AttestationRegistry', [await participants.getAddress()]);

  const governorAddress = await governor.getAddress();
  await timelock.grantRole(await timelock.PROPOSER_ROLE(), governorAddress);
  await timelock.grantRole(await timelock.CANCELLER_ROLE(), governorAddress);
  await timelock.grantRole(await timelock.EXECUTOR_ROLE(), governorAddress);
  await timelock.renounceRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer!.address);
  await membership.transferOwnership(timelockAddress);

  // Unit tests of the registries act as the timelock directly; governance tests go through the governor.
  await impersonateAccount(timelockAddress);
  await setBalance(timelockAddress, ethers.parseEther('100'));
  const gov = await ethers.getSigner(timelockAddress);

  return {
    deployer: deployer!,
    members,
    regulator: regulator!,
    verifier: verifier!,
    admin: admin!,
    device: device!,
    outsider: outsider!,
    admin2: admin2!,
    device2: device2!,
    signers,
    gov,
    timelock,
    membership,
    governor,
    standards,
    participants,
    quotas,
    attestations,
  };
}

/** deployFixture + demo participants: enterprise with admin and device, a regulator and a verifier. */
export async function participantsFixture() {
  const f = await deployFixture();
  const { participants, gov } = f;
  await by(participants, gov).registerEnterprise(ENTERPRISE_ID, f.admin.address);
  await by(participants, gov).registerEnterprise(OTHER_ENTERPRISE_ID, f.admin2.address);
  await by(participants, f.admin).registerDevice(ENTERPRISE_ID, f.device.address);
  await by(participants, f.admin2).registerDevice(OTHER_ENTERPRISE_ID, f.device2.address);
  await by(participants, gov).grantRole(await participants.REGULATOR_ROLE(), f.regulator.address);
  await by(participants, gov).grantRole(await participants.VERIFIER_ROLE(), f.verifier.address);
  return f;
}

/** `contract` connected to `signer`, typed as a plain ethers Contract. */
export function by(contract: Contract, signer: Signer): Contract {
  return contract.connect(signer) as Contract;
}

export function randomRoot(): string {
  return ethers.hexlify(ethers.randomBytes(32));
}
