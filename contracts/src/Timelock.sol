// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title Timelock
/// @notice The association's TimelockController (OZ, unmodified). It owns every registry and holds every
/// admin role. Proposer/canceller: the StandardsGovernor; executor: the StandardsGovernor.
contract Timelock is TimelockController {
    /// @param minDelay Seconds between queue and execute.
    /// @param proposers Accounts granted PROPOSER_ROLE and CANCELLER_ROLE.
    /// @param executors Accounts granted EXECUTOR_ROLE.
    /// @param admin Optional bootstrap admin (renounce after setup), address(0) for none.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
