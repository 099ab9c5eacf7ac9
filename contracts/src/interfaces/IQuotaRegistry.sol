// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IQuotaRegistry
/// @notice Events, errors and types of regulator-issued annual emission quotas.
/// UNIT: every amount is in grams of CO2-equivalent (gCO2e), i.e. tCO2e with 6 fixed decimals
/// (1 tCO2e = 1_000_000). The full history is in the events; storage holds the current value.
interface IQuotaRegistry {
    /// @notice Current quota of an enterprise for a year.
    /// @param amount Quota in gCO2e (tCO2e * 1e6).
    /// @param revision 1 when issued, +1 per adjustment.
    /// @param updatedAt Unix timestamp (seconds) of the last change.
    struct Quota {
        uint128 amount;
        uint32 revision;
        uint64 updatedAt;
    }

    /// @notice A regulator issued the annual quota (gCO2e) of an enterprise.
    event QuotaIssued(
        bytes32 indexed enterpriseId,
        uint16 indexed year,
        address indexed regulator,
        uint128 amount,
        string reason
    );

    /// @notice A regulator adjusted the annual quota (gCO2e) of an enterprise.
    event QuotaAdjusted(
        bytes32 indexed enterpriseId,
        uint16 indexed year,
        address indexed regulator,
        uint128 previousAmount,
        uint128 newAmount,
        uint32 revision,
        string reason
    );

    /// @notice Caller does not hold REGULATOR_ROLE in the ParticipantRegistry.
    error QuotaNotRegulator(address account);
    /// @notice The enterprise is not registered in the ParticipantRegistry.
    error QuotaUnknownEnterprise(bytes32 enterpriseId);
    /// @notice The year is outside 2000..2200.
    error QuotaInvalidYear(uint16 year);
    /// @notice A quota for this enterprise and year was already issued; adjust it instead.
    error QuotaAlreadyIssued(bytes32 enterpriseId, uint16 year);
    /// @notice No quota for this enterprise and year has been issued yet.
    error QuotaNotIssued(bytes32 enterpriseId, uint16 year);
    /// @notice An adjustment needs a reason.
    error QuotaEmptyReason();

    /// @notice Issues the annual quota (gCO2e) of an enterprise. Regulator only.
    function issueQuota(bytes32 enterpriseId, uint16 year, uint128 amount, string calldata reason) external;
    /// @notice Adjusts an issued annual quota (gCO2e). Regulator only; reason required.
    function adjustQuota(bytes32 enterpriseId, uint16 year, uint128 newAmount, string calldata reason) external;
    /// @notice Current quota of the enterprise for the year (zero struct if none).
    function quotaOf(bytes32 enterpriseId, uint16 year) external view returns (Quota memory);
}
