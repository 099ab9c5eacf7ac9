// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {
    GovernorVotesQuorumFraction
} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/// @title StandardsGovernor
/// @notice Governance of the standards association: members (AssociationMembership, one vote each)
/// propose and vote; passed proposals are queued in and executed by the TimelockController, which owns
/// the registries. Voting by EIP-712 signature (`castVoteBySig`) lets members vote gaslessly.
///
/// Clock: block numbers (the membership token's ERC-6372 default); votingDelay and votingPeriod are in
/// blocks. Block numbers keep local demos deterministic (blocks are produced by transactions, so a
/// replay of the same raw transactions reproduces the governance timeline).
///
/// PROPOSAL DESCRIPTION FORMAT for standard-version proposals (build it with
/// `standardProposalDescription()` in contracts/deploy): lines separated by "\n":
///   # Publish standard <standardId> version <version>
///   standardId: 0x<64 hex>            (bytes32, keccak256 of the standard's code, e.g. "GB/T 32151.1")
///   version: <semver>
///   contentHash: 0x<64 hex>           (SHA-256 of the RFC 8785 canonical JSON pack)
///   uri: <uri of the pack>
/// followed optionally by a blank line and free text. The same fields are the arguments of the
/// proposal's StandardsRegistry.publishVersion call, so the description is checkable against calldata.
/// Expired proposals: a queued proposal not executed within EXECUTION_GRACE_PERIOD after its ETA is
/// Expired and can no longer be executed (the timelock's only executor is this governor).
contract StandardsGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    /// @notice Votes needed to propose: holding a membership.
    uint256 public constant PROPOSAL_THRESHOLD = 1; // votes (membership tokens)
    /// @notice Quorum as a share of the total membership at the proposal snapshot (For + Abstain).
    uint256 public constant QUORUM_PERCENT = 40; // percent of total votes
    /// @notice How long after its ETA a queued proposal may still be executed.
    uint256 public constant EXECUTION_GRACE_PERIOD = 14 days; // seconds
    /// @notice Suggested production voting delay; deployments pass their own value.
    uint48 public constant SUGGESTED_VOTING_DELAY = 7200; // blocks, 1 day at 12 s
    /// @notice Suggested production voting period; deployments pass their own value.
    uint32 public constant SUGGESTED_VOTING_PERIOD = 50400; // blocks, 1 week at 12 s

    /// @param token The membership token (IVotes, block-number clock).
    /// @param timelock The TimelockController that owns the registries.
    /// @param initialVotingDelay Blocks between proposal and voting start (demo: 1).
    /// @param initialVotingPeriod Blocks the vote stays open (demo: 10).
    constructor(IVotes token, TimelockController timelock, uint48 initialVotingDelay, uint32 initialVotingPeriod)
        Governor("OpenCEP StandardsGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, PROPOSAL_THRESHOLD)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(QUORUM_PERCENT)
        GovernorTimelockControl(timelock)
    {}

    /// @notice Proposal state; a queued proposal past its ETA + EXECUTION_GRACE_PERIOD is Expired.
    function state(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (ProposalState)
    {
        ProposalState current = super.state(proposalId);
        if (current == ProposalState.Queued && block.timestamp > proposalEta(proposalId) + EXECUTION_GRACE_PERIOD) {
            return ProposalState.Expired;
        }
        return current;
    }

    /// @notice Voting delay in blocks.
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @notice Voting period in blocks.
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    /// @notice Minimum votes to propose (PROPOSAL_THRESHOLD unless changed by governance).
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @notice Proposals always go through the timelock.
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
