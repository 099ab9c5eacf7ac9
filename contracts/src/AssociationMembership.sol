// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Votes} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Votes.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IAssociationMembership} from "./interfaces/IAssociationMembership.sol";

/// @title AssociationMembership
/// @notice Non-transferable ERC721Votes membership of the standards association: one member, one
/// token, one vote. The token id is `uint256(uint160(member))`, so an account can hold at most one.
/// Votes are self-delegated on mint and cannot be delegated elsewhere. Only the owner (the
/// TimelockController, i.e. governance) mints and burns. Clock: block number (ERC-6372 default).
contract AssociationMembership is ERC721Votes, Ownable, IAssociationMembership {
    /// @param initialOwner The timelock (or the deployer, who must hand ownership to the timelock).
    /// @param founders Founding members minted at deployment so that governance can start.
    constructor(address initialOwner, address[] memory founders)
        ERC721("OpenCEP Association Membership", "OCEPM")
        EIP712("OpenCEP Association Membership", "1")
        Ownable(initialOwner)
    {
        for (uint256 i = 0; i < founders.length; ++i) {
            _admit(founders[i]);
        }
    }

    /// @inheritdoc IAssociationMembership
    function mint(address member) external onlyOwner returns (uint256 tokenId) {
        tokenId = _admit(member);
    }

    /// @inheritdoc IAssociationMembership
    function burn(address member) external onlyOwner {
        uint256 tokenId = _tokenIdOf(member);
        if (_ownerOf(tokenId) == address(0)) revert MembershipNotMember(member);
        _burn(tokenId);
        emit MemberRemoved(member, tokenId);
    }

    /// @inheritdoc IAssociationMembership
    function isMember(address account) external view returns (bool) {
        return _ownerOf(_tokenIdOf(account)) != address(0);
    }

    /// @notice Token id of `account`'s membership (whether or not it is currently held).
    function tokenIdOf(address account) external pure returns (uint256) {
        return _tokenIdOf(account);
    }

    function _admit(address member) private returns (uint256 tokenId) {
        tokenId = _tokenIdOf(member);
        if (_ownerOf(tokenId) != address(0)) revert MembershipAlreadyMember(member);
        // Self-delegate first so the minted voting unit is immediately counted as a vote.
        _delegate(member, member);
        _mint(member, tokenId);
        emit MemberAdmitted(member, tokenId);
    }

    /// @dev Only mints (from == 0) and burns (to == 0) are allowed.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) revert MembershipNonTransferable(tokenId, from, to);
        return super._update(to, tokenId, auth);
    }

    /// @dev Votes are always self-delegated: one member, one vote.
    function _delegate(address account, address delegatee) internal override {
        if (account != delegatee) revert MembershipDelegationDisabled(account, delegatee);
        super._delegate(account, delegatee);
    }

    function _tokenIdOf(address account) private pure returns (uint256) {
        return uint256(uint160(account));
    }
}
