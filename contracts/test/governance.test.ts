import { loadFixture, mine, time } from '@nomicfoundation/hardhat-network-helpers';
import { expect } from 'chai';
import type { Contract, Signer } from 'ethers';
import { ethers } from 'hardhat';
import {
  by,
  deployFixture,
  ProposalState,
  STANDARD_ID,
  TIMELOCK_DELAY,
  VOTING_DELAY,
  VOTING_PERIOD,
} from './fixtures';

const AGAINST = 0;
const FOR = 1;
const ABSTAIN = 2;
const CONTENT_HASH = ethers.sha256(ethers.toUtf8Bytes('{"id":"demo","version":"1.0.0"}'));
const DESCRIPTION = [
  '# Publish standard demo version 1.0.0',
  `standardId: ${STANDARD_ID}`,
  'version: 1.0.0',
  `contentHash: ${CONTENT_HASH}`,
  'uri: ipfs://demo',
].join('\n');

async function proposalFixture() {
  const f = await deployFixture();
  const calldata = f.standards.interface.encodeFunctionData('publishVersion', [
    STANDARD_ID,
    '1.0.0',
    CONTENT_HASH,
    'ipfs://demo',
    0,
  ]);
  const targets = [await f.standards.getAddress()];
  const values = [0n];
  const calldatas = [calldata];
  const descriptionHash = ethers.id(DESCRIPTION);
  await by(f.governor, f.members[0]!).propose(targets, values, calldatas, DESCRIPTION);
  const proposalId: bigint = await f.governor.hashProposal(targets, values, calldatas, descriptionHash);
  const args = [targets, values, calldatas, descriptionHash] as const;
  return { ...f, proposalId, args };
}

async function signBallot(governor: Contract, voter: Signer, proposalId: bigint, support: number) {
  const address = await voter.getAddress();
  const domain = {
    name: await governor.name(),
    version: await governor.version(),
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await governor.getAddress(),
  };
  const types = {
    Ballot: [
      { name: 'proposalId', type: 'uint256' },
      { name: 'support', type: 'uint8' },
      { name: 'voter', type: 'address' },
      { name: 'nonce', type: 'uint256' },
    ],
  };
  const nonce: bigint = await governor.nonces(address);
  return voter.signTypedData(domain, types, { proposalId, support, voter: address, nonce });
}

describe('StandardsGovernor', () => {
  it('is configured from the constructor and constants', async () => {
    const { governor, membership, timelock } = await loadFixture(deployFixture);
    expect(await governor.votingDelay()).to.equal(VOTING_DELAY);
    expect(await governor.votingPeriod()).to.equal(VOTING_PERIOD);
    expect(await governor.proposalThreshold()).to.equal(1n);
    expect(await governor.quorumNumerator()).to.equal(40n);
    expect(await governor.token()).to.equal(await membership.getAddress());
    expect(await governor.timelock()).to.equal(await timelock.getAddress());
    expect(await governor.CLOCK_MODE()).to.equal('mode=blocknumber&from=default');
    expect(await governor.EXECUTION_GRACE_PERIOD()).to.equal(14n * 24n * 3600n);
    expect(await governor.SUGGESTED_VOTING_DELAY()).to.equal(7200n);
    expect(await governor.SUGGESTED_VOTING_PERIOD()).to.equal(50400n);
  });

  it('runs propose → vote (direct and by signature) → queue → execute and updates the registry', async () => {
    const { governor, standards, members, deployer, proposalId, args, timelock } =
      await loadFixture(proposalFixture);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Pending);
    expect(await governor.proposalNeedsQueuing(proposalId)).to.equal(true);
    await mine(VOTING_DELAY + 1);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Active);

    await expect(by(governor, members[0]!).castVote(proposalId, FOR))
      .to.emit(governor, 'VoteCast')
      .withArgs(members[0]!.address, proposalId, FOR, 1n, '');
    const signature = await signBallot(governor, members[1]!, proposalId, FOR);
    // Relayed by someone else (gasless for the member).
    await expect(by(governor, deployer).castVoteBySig(proposalId, FOR, members[1]!.address, signature))
      .to.emit(governor, 'VoteCast')
      .withArgs(members[1]!.address, proposalId, FOR, 1n, '');
    await by(governor, members[2]!).castVote(proposalId, AGAINST);
    expect(await governor.hasVoted(proposalId, members[1]!.address)).to.equal(true);
    const votes = await governor.proposalVotes(proposalId);
    expect([votes[0], votes[1], votes[2]]).to.deep.equal([1n, 2n, 0n]);

    await mine(VOTING_PERIOD);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Succeeded);
    await expect(governor.queue(...args)).to.emit(governor, 'ProposalQueued');
    expect(await governor.state(proposalId)).to.equal(ProposalState.Queued);
    await expect(governor.execute(...args)).to.be.revertedWithCustomError(
      timelock,
      'TimelockUnexpectedOperationState',
    );
    await time.increase(TIMELOCK_DELAY);
    await expect(governor.execute(...args))
      .to.emit(standards, 'VersionPublished')
      .withArgs(STANDARD_ID, CONTENT_HASH, 0n, '1.0.0', 'ipfs://demo', 0n);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Executed);
    const active = await standards.activeVersionAt(STANDARD_ID, 1_700_000_000);
    expect(active.contentHash).to.equal(CONTENT_HASH);
  });

  it('rejects a signature by someone else and a replayed signature', async () => {
    const { governor, members, proposalId } = await loadFixture(proposalFixture);
    await mine(VOTING_DELAY + 1);
    const forged = await signBallot(governor, members[3]!, proposalId, FOR);
    await expect(governor.castVoteBySig(proposalId, FOR, members[1]!.address, forged))
      .to.be.revertedWithCustomError(governor, 'GovernorInvalidSignature')
      .withArgs(members[1]!.address);
    const signature = await signBallot(governor, members[1]!, proposalId, FOR);
    await governor.castVoteBySig(proposalId, FOR, members[1]!.address, signature);
    await expect(governor.castVoteBySig(proposalId, FOR, members[1]!.address, signature))
      .to.be.revertedWithCustomError(governor, 'GovernorInvalidSignature')
      .withArgs(members[1]!.address);
  });

  it('defeats a proposal with more votes against than for', async () => {
    const { governor, members, proposalId, args } = await loadFixture(proposalFixture);
    await mine(VOTING_DELAY + 1);
    await by(governor, members[0]!).castVote(proposalId, FOR);
    await by(governor, members[1]!).castVote(proposalId, AGAINST);
    await by(governor, members[2]!).castVote(proposalId, AGAINST);
    await mine(VOTING_PERIOD);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Defeated);
    await expect(governor.queue(...args)).to.be.revertedWithCustomError(
      governor,
      'GovernorUnexpectedProposalState',
    );
  });

  describe('quorum (40% of 5 members = 2 votes, For + Abstain)', () => {
    it('is 2 votes at the snapshot', async () => {
      const { governor, proposalId } = await loadFixture(proposalFixture);
      await mine(VOTING_DELAY + 1);
      expect(await governor.quorum(await governor.proposalSnapshot(proposalId))).to.equal(2n);
    });

    it('one vote for is below quorum → Defeated', async () => {
      const { governor, members, proposalId } = await loadFixture(proposalFixture);
      await mine(VOTING_DELAY + 1);
      await by(governor, members[0]!).castVote(proposalId, FOR);
      await mine(VOTING_PERIOD);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Defeated);
    });

    it('exactly two votes for reach quorum → Succeeded', async () => {
      const { governor, members, proposalId } = await loadFixture(proposalFixture);
      await mine(VOTING_DELAY + 1);
      await by(governor, members[0]!).castVote(proposalId, FOR);
      await by(governor, members[1]!).castVote(proposalId, FOR);
      await mine(VOTING_PERIOD);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Succeeded);
    });

    it('abstain counts towards quorum: one for + one abstain → Succeeded', async () => {
      const { governor, members, proposalId } = await loadFixture(proposalFixture);
      await mine(VOTING_DELAY + 1);
      await by(governor, members[0]!).castVote(proposalId, FOR);
      await by(governor, members[1]!).castVote(proposalId, ABSTAIN);
      await mine(VOTING_PERIOD);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Succeeded);
    });

    it('against votes do not count towards quorum: one for + one against → Defeated', async () => {
      const { governor, members, proposalId } = await loadFixture(proposalFixture);
      await mine(VOTING_DELAY + 1);
      await by(governor, members[0]!).castVote(proposalId, FOR);
      await by(governor, members[1]!).castVote(proposalId, AGAINST);
      await mine(VOTING_PERIOD);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Defeated);
    });

    it('members admitted after the snapshot neither vote nor move the quorum', async () => {
      const { governor, members, membership, gov, outsider, proposalId } = await loadFixture(proposalFixture);
      await mine(VOTING_DELAY + 1);
      await by(membership, gov).mint(outsider.address);
      expect(await governor.quorum(await governor.proposalSnapshot(proposalId))).to.equal(2n);
      await by(governor, outsider).castVote(proposalId, FOR);
      await by(governor, members[0]!).castVote(proposalId, FOR);
      await mine(VOTING_PERIOD);
      const votes = await governor.proposalVotes(proposalId);
      expect(votes[1]).to.equal(1n);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Defeated);
    });
  });

  it('expires a queued proposal not executed within the grace period', async () => {
    const { governor, members, proposalId, args } = await loadFixture(proposalFixture);
    await mine(VOTING_DELAY + 1);
    await by(governor, members[0]!).castVote(proposalId, FOR);
    await by(governor, members[1]!).castVote(proposalId, FOR);
    await mine(VOTING_PERIOD);
    await governor.queue(...args);
    await time.increase(TIMELOCK_DELAY + 14 * 24 * 3600 + 1);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Expired);
    await expect(governor.execute(...args)).to.be.revertedWithCustomError(
      governor,
      'GovernorUnexpectedProposalState',
    );
  });

  it('lets the proposer cancel a pending proposal, nobody else', async () => {
    const { governor, members, proposalId, args } = await loadFixture(proposalFixture);
    // staticCall: a mined failing transaction would move the clock past the (1-block) voting delay.
    await expect(by(governor, members[1]!).cancel.staticCall(...args))
      .to.be.revertedWithCustomError(governor, 'GovernorUnableToCancel')
      .withArgs(proposalId, members[1]!.address);
    await expect(by(governor, members[0]!).cancel(...args))
      .to.emit(governor, 'ProposalCanceled')
      .withArgs(proposalId);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Canceled);
    await mine(VOTING_DELAY + 1);
    await expect(by(governor, members[1]!).castVote(proposalId, FOR)).to.be.revertedWithCustomError(
      governor,
      'GovernorUnexpectedProposalState',
    );
  });

  it('refuses proposals from non-members', async () => {
    const { governor, outsider, standards } = await loadFixture(deployFixture);
    await expect(by(governor, outsider).propose([await standards.getAddress()], [0n], ['0x'], 'x'))
      .to.be.revertedWithCustomError(governor, 'GovernorInsufficientProposerVotes')
      .withArgs(outsider.address, 0n, 1n);
  });

  it('changes its own settings only through governance', async () => {
    const { governor, deployer, members, gov } = await loadFixture(deployFixture);
    for (const caller of [deployer, members[0]!]) {
      await expect(by(governor, caller).setVotingPeriod(5))
        .to.be.revertedWithCustomError(governor, 'GovernorOnlyExecutor')
        .withArgs(caller.address);
    }
    // Even the timelock cannot call it outside a governor-executed proposal.
    await expect(by(governor, gov).setVotingPeriod(5)).to.be.reverted;
  });

  it('leaves the timelock administered by itself only', async () => {
    const { timelock, governor, deployer } = await loadFixture(deployFixture);
    const timelockAddress = await timelock.getAddress();
    const governorAddress = await governor.getAddress();
    expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(false);
    expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), timelockAddress)).to.equal(true);
    for (const role of ['PROPOSER_ROLE', 'CANCELLER_ROLE', 'EXECUTOR_ROLE']) {
      const id = await timelock.getFunction(role)();
      expect(await timelock.hasRole(id, governorAddress)).to.equal(true);
      expect(await timelock.hasRole(id, deployer.address)).to.equal(false);
    }
    expect(await timelock.getMinDelay()).to.equal(BigInt(TIMELOCK_DELAY));
  });
});
