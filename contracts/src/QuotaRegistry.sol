// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IParticipantRegistry} from "./interfaces/IParticipantRegistry.sol";
import {IQuotaRegistry} from "./interfaces/IQuotaRegistry.sol";

/// @title QuotaRegistry
/// @notice Annual emission quotas issued and adjusted by regulators (REGULATOR_ROLE in the
/// ParticipantRegistry). UNIT: gCO2e, i.e. tCO2e with 6 fixed decimals (1 tCO2e = 1_000_000).
/// Storage holds the current quota per (enterprise, year); the history is in the events.
contract QuotaRegistry is IQuotaRegistry {
    /// @notice Earliest accepted quota year.
    uint16 public constant MIN_YEAR = 2000; // calendar year
    /// @notice Latest accepted quota year.
    uint16 public constant MAX_YEAR = 2200; // calendar year

    IParticipantRegistry private immutable _participants;
    mapping(bytes32 enterpriseId => mapping(uint16 year => Quota)) private _quotas;

    /// @param participantRegistry The ParticipantRegistry that decides who is a regulator.
    constructor(IParticipantRegistry participantRegistry) {
        _participants = participantRegistry;
    }

    /// @inheritdoc IQuotaRegistry
    function issueQuota(bytes32 enterpriseId, uint16 year, uint128 amount, string calldata reason) external {
        Quota storage quota = _checked(enterpriseId, year);
        if (quota.revision != 0) revert QuotaAlreadyIssued(enterpriseId, year);
        quota.amount = amount;
        quota.revision = 1;
        quota.updatedAt = uint64(block.timestamp);
        emit QuotaIssued(enterpriseId, year, msg.sender, amount, reason);
    }

    /// @inheritdoc IQuotaRegistry
    function adjustQuota(bytes32 enterpriseId, uint16 year, uint128 newAmount, string calldata reason) external {
        Quota storage quota = _checked(enterpriseId, year);
        if (quota.revision == 0) revert QuotaNotIssued(enterpriseId, year);
        if (bytes(reason).length == 0) revert QuotaEmptyReason();
        uint128 previous = quota.amount;
        uint32 revision = quota.revision + 1;
        quota.amount = newAmount;
        quota.revision = revision;
        quota.updatedAt = uint64(block.timestamp);
        emit QuotaAdjusted(enterpriseId, year, msg.sender, previous, newAmount, revision, reason);
    }

    /// @inheritdoc IQuotaRegistry
    function quotaOf(bytes32 enterpriseId, uint16 year) external view returns (Quota memory) {
        return _quotas[enterpriseId][year];
    }

    /// @notice The ParticipantRegistry this registry trusts.
    function participants() external view returns (IParticipantRegistry) {
        return _participants;
    }

    function _checked(bytes32 enterpriseId, uint16 year) private view returns (Quota storage) {
        if (!_participants.isRegulator(msg.sender)) revert QuotaNotRegulator(msg.sender);
        if (year < MIN_YEAR || year > MAX_YEAR) revert QuotaInvalidYear(year);
        if (!_participants.isEnterprise(enterpriseId)) revert QuotaUnknownEnterprise(enterpriseId);
        return _quotas[enterpriseId][year];
    }
}
