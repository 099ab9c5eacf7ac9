// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IAssociationMembership
/// @notice Events and errors of the association's non-transferable membership token (ERC721Votes).
/// One member holds exactly one token (tokenId = uint160(member)) and therefore exactly one vote,
/// self-delegated on mint. Standard ERC721 `Transfer` and ERC5805 `DelegateChanged` /
/// `DelegateVotesChanged` events are emitted as well.
interface IAssociationMembership {
    /// @notice A member was admitted (token minted and self-delegated).
    event MemberAdmitted(address indexed member, uint256 indexed tokenId);

    /// @notice A member was removed (token burned, vote withdrawn).
    event MemberRemoved(address indexed member, uint256 indexed tokenId);

    /// @notice Membership tokens cannot be transferred, only minted and burned by governance.
    error MembershipNonTransferable(uint256 tokenId, address from, address to);

    /// @notice The account already holds a membership token.
    error MembershipAlreadyMember(address account);

    /// @notice The account holds no membership token.
    error MembershipNotMember(address account);

    /// @notice Votes are always self-delegated; delegating to another account is not allowed.
    error MembershipDelegationDisabled(address account, address delegatee);

    /// @notice Mints a membership token to `member` and self-delegates its vote. Governance only.
    function mint(address member) external returns (uint256 tokenId);

    /// @notice Burns the membership token of `member`. Governance only.
    function burn(address member) external;

    /// @notice Whether `account` currently holds a membership token.
    function isMember(address account) external view returns (bool);
}
