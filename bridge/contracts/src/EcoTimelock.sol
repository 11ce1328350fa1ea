// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title EcoTimelock
/// @author EcoChain
/// @notice The admin of `EcoLightClient` and `EcoBridge` in production: OpenZeppelin's
///         TimelockController unchanged, so that every admin action (caps, unpause, role changes,
///         an emergency validator set) is proposed in public and can only be executed after
///         `getMinDelay()` seconds, giving users time to leave.
/// @dev Exists so that a deployable artifact is built with the bridge's compiler settings.
contract EcoTimelock is TimelockController {
    /// @notice Deploys the timelock.
    /// @param minDelay Minimum delay in seconds between scheduling and executing an operation.
    /// @param proposers Accounts that may schedule (and cancel) operations, e.g. a multisig.
    /// @param executors Accounts that may execute ready operations; `address(0)` lets anyone.
    /// @param admin Optional account that may manage roles without delay (zero for none; if
    ///        set, renounce it once the roles are in place).
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
