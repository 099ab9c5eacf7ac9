import { loadFixture } from '@nomicfoundation/hardhat-network-helpers';
import { expect } from 'chai';
import { by, deployFixture } from './fixtures';

describe('AssociationMembership', () => {
  it('gives each founder one self-delegated vote', async () => {
    const { membership, members } = await loadFixture(deployFixture);
    for (const member of members) {
      expect(await membership.getVotes(member.address)).to.equal(1n);
      expect(await membership.delegates(member.address)).to.equal(member.address);
      expect(await membership.isMember(member.address)).to.equal(true);
      expect(await membership.ownerOf(await membership.tokenIdOf(member.address))).to.equal(member.address);
    }
    expect(await membership.CLOCK_MODE()).to.equal('mode=blocknumber&from=default');
  });

  it('is owned by the timelock', async () => {
    const { membership, timelock } = await loadFixture(deployFixture);
    expect(await membership.owner()).to.equal(await timelock.getAddress());
  });

  it('mints with an immediate vote, only by governance', async () => {
    const { membership, gov, outsider, signers } = await loadFixture(deployFixture);
    const tokenId = await membership.tokenIdOf(outsider.address);
    await expect(by(membership, gov).mint(outsider.address))
      .to.emit(membership, 'MemberAdmitted')
      .withArgs(outsider.address, tokenId);
    expect(await membership.getVotes(outsider.address)).to.equal(1n);
    for (const caller of signers) {
      await expect(by(membership, caller).mint(caller.address))
        .to.be.revertedWithCustomError(membership, 'OwnableUnauthorizedAccount')
        .withArgs(caller.address);
    }
  });

  it('refuses a second membership', async () => {
    const { membership, gov, members } = await loadFixture(deployFixture);
    await expect(by(membership, gov).mint(members[0]!.address))
      .to.be.revertedWithCustomError(membership, 'MembershipAlreadyMember')
      .withArgs(members[0]!.address);
  });

  it('burns a membership and its vote, only by governance', async () => {
    const { membership, gov, members, outsider, signers } = await loadFixture(deployFixture);
    for (const caller of signers) {
      await expect(by(membership, caller).burn(members[0]!.address))
        .to.be.revertedWithCustomError(membership, 'OwnableUnauthorizedAccount')
        .withArgs(caller.address);
    }
    const tokenId = await membership.tokenIdOf(members[0]!.address);
    await expect(by(membership, gov).burn(members[0]!.address))
      .to.emit(membership, 'MemberRemoved')
      .withArgs(members[0]!.address, tokenId);
    expect(await membership.getVotes(members[0]!.address)).to.equal(0n);
    expect(await membership.isMember(members[0]!.address)).to.equal(false);
    await expect(by(membership, gov).burn(outsider.address))
      .to.be.revertedWithCustomError(membership, 'MembershipNotMember')
      .withArgs(outsider.address);
  });

  it('cannot be transferred', async () => {
    const { membership, members, outsider } = await loadFixture(deployFixture);
    const from = members[0]!;
    const tokenId = await membership.tokenIdOf(from.address);
    await expect(by(membership, from).transferFrom(from.address, outsider.address, tokenId))
      .to.be.revertedWithCustomError(membership, 'MembershipNonTransferable')
      .withArgs(tokenId, from.address, outsider.address);
    await expect(
      by(membership, from).getFunction('safeTransferFrom(address,address,uint256)')(
        from.address,
        outsider.address,
        tokenId,
      ),
    )
      .to.be.revertedWithCustomError(membership, 'MembershipNonTransferable')
      .withArgs(tokenId, from.address, outsider.address);
  });

  it('cannot delegate to another account; self-delegation is a no-op', async () => {
    const { membership, members } = await loadFixture(deployFixture);
    await expect(by(membership, members[0]!).delegate(members[1]!.address))
      .to.be.revertedWithCustomError(membership, 'MembershipDelegationDisabled')
      .withArgs(members[0]!.address, members[1]!.address);
    await by(membership, members[0]!).delegate(members[0]!.address);
    expect(await membership.getVotes(members[0]!.address)).to.equal(1n);
  });
});
