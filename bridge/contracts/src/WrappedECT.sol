// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Wrapped EcoChain Token (wECT)
/// @author EcoChain
/// @notice ERC-20 representation of ECT locked on EcoChain. Only the bridge (the owner) mints
///         and burns; every wECT in existence is backed by ECT held by the chain-side bridge.
/// @dev 18 decimals (the ERC20 default). Ownership is set to the bridge at construction and the
///      bridge never transfers it.
contract WrappedECT is ERC20, Ownable {
    /// @notice Deploys the token with `bridge` as its only minter/burner.
    /// @param bridge The EcoBridge contract that owns this token.
    constructor(address bridge) ERC20("Wrapped EcoChain Token", "wECT") Ownable(bridge) {}

    /// @notice Mints `amount` wECT to `to` after the bridge's relayers approved an inbound transfer.
    /// @param to Recipient of the new tokens.
    /// @param amount Amount in the smallest unit (18 decimals).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Burns `amount` wECT held by `from` so the same amount can be released on EcoChain.
    /// @dev No allowance is consumed: the bridge only calls this with `from` equal to the account
    ///      that called the bridge, i.e. holders burn their own tokens.
    /// @param from Holder whose tokens are burned.
    /// @param amount Amount in the smallest unit (18 decimals).
    function bridgeBurn(address from, uint256 amount) external onlyOwner {
        _burn(from, amount);
    }
}
