// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/AccessControlEnumerable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {WrappedECT} from "./WrappedECT.sol";
import {WrappedECR} from "./WrappedECR.sol";

/// @title EcoBridge (EVM side)
/// @author EcoChain
/// @notice EVM end of the EcoChain bridge.
///         Inbound (EcoChain -> EVM): the chain locks ECT/ECR and records an outbound transfer under
///         a nonce. Relayers holding `RELAYER_ROLE` each approve that transfer here; once `threshold`
///         relayers approved the same content for a nonce, the wrapped asset is minted exactly once.
///         Outbound (EVM -> EcoChain): holders burn wECT/wECR with `returnEct`/`returnEcr`, naming a
///         32-byte EcoChain account; relayers watch `Returned` and release the locked asset on the chain.
/// @dev Approvals are counted per (nonce, digest), where the digest commits to the kind, nonce,
///      recipient, amount or token id and, for certificates, the certificate data. A relayer may
///      approve a nonce once, so relayers that disagree on a transfer's content cannot add up to a
///      mint of either version unless `threshold` of them agree on one.
contract EcoBridge is AccessControlEnumerable, Pausable {
    /// @notice Role of the relayers whose approvals mint inbound transfers.
    bytes32 public constant RELAYER_ROLE = keccak256("RELAYER_ROLE");
    /// @notice Role allowed to pause and unpause the bridge.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Asset kind of an ECT (fungible) transfer.
    uint8 public constant KIND_ECT = 0;
    /// @notice Asset kind of an ECR (certificate) transfer.
    uint8 public constant KIND_ECR = 1;
    /// @notice Smallest wECT return: EcoChain's existential deposit (0.001 ECT), below
    ///         which a release to a new chain account would be refused for good.
    uint256 public constant MIN_ECT_RETURN = 1e15;

    /// @notice The wrapped ECT token; created by and owned by this bridge.
    WrappedECT public immutable ect;
    /// @notice The wrapped ECR collection; created by and owned by this bridge.
    WrappedECR public immutable ecr;

    /// @notice Number of matching relayer approvals needed to mint an inbound transfer.
    uint256 public threshold;

    /// @notice Nonce that the next return (EVM -> EcoChain) gets; starts at 0.
    uint64 public nextReturnNonce;

    /// @notice Whether the inbound transfer with this chain nonce has been minted.
    mapping(uint64 nonce => bool) public processed;
    /// @notice Number of relayer approvals for a chain nonce and transfer digest.
    mapping(uint64 nonce => mapping(bytes32 digest => uint256)) public approvals;
    /// @notice Whether a relayer has approved (any content for) a chain nonce.
    mapping(uint64 nonce => mapping(address relayer => bool)) public hasApproved;

    /// @notice The threshold is zero or larger than the number of relayers.
    /// @param threshold The rejected threshold.
    /// @param relayers The number of relayers.
    error BadThreshold(uint256 threshold, uint256 relayers);
    /// @notice The inbound transfer with this nonce was already minted.
    /// @param nonce The chain's outbound nonce.
    error AlreadyProcessed(uint64 nonce);
    /// @notice This relayer already approved this nonce.
    /// @param nonce The chain's outbound nonce.
    /// @param relayer The relayer.
    error AlreadyApproved(uint64 nonce, address relayer);
    /// @notice An address argument is the zero address.
    error ZeroAddress();
    /// @notice An amount argument is zero.
    error ZeroAmount();
    /// @notice A returned amount does not fit the chain's 128-bit balance type.
    /// @param amount The rejected amount.
    error AmountTooLarge(uint256 amount);
    /// @notice A returned amount is below the chain's existential deposit, so it could
    ///         not be credited to a new account there.
    /// @param amount The rejected amount.
    error AmountTooSmall(uint256 amount);
    /// @notice A returned certificate id does not fit the chain's 64-bit token id type.
    /// @param tokenId The rejected token id.
    error TokenIdTooLarge(uint256 tokenId);
    /// @notice The EcoChain recipient of a return is the zero account.
    error ZeroRecipient();
    /// @notice The caller neither owns nor is approved for the certificate it tries to return.
    /// @param tokenId The certificate's id.
    /// @param caller The caller.
    error NotOwnerNorApproved(uint256 tokenId, address caller);

    /// @notice The approval threshold changed.
    /// @param threshold The new threshold.
    event ThresholdSet(uint256 threshold);
    /// @notice A relayer approved an inbound transfer.
    /// @param nonce The chain's outbound nonce.
    /// @param relayer The approving relayer.
    /// @param digest Digest of the approved content.
    /// @param approvals Approvals of this (nonce, digest) so far, including this one.
    event MintApproved(uint64 indexed nonce, address indexed relayer, bytes32 digest, uint256 approvals);
    /// @notice An inbound transfer reached the threshold and its wrapped asset was minted.
    /// @param nonce The chain's outbound nonce.
    /// @param kind `KIND_ECT` or `KIND_ECR`.
    /// @param to The recipient.
    /// @param amountOrId The wECT amount or the wECR token id.
    event Minted(uint64 indexed nonce, uint8 kind, address indexed to, uint256 amountOrId);
    /// @notice A holder burned a wrapped asset to have it released on EcoChain.
    /// @param returnNonce This return's nonce (`nextReturnNonce` before the call).
    /// @param kind `KIND_ECT` or `KIND_ECR`.
    /// @param from The holder whose asset was burned (the caller).
    /// @param chainRecipient The 32-byte EcoChain AccountId that receives the released asset.
    /// @param amountOrId The ECT amount or the ECR token id.
    event Returned(
        uint64 indexed returnNonce,
        uint8 kind,
        address indexed from,
        bytes32 indexed chainRecipient,
        uint256 amountOrId
    );

    /// @notice Deploys the bridge and its two wrapped-asset contracts.
    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (manages roles and the threshold) and `PAUSER_ROLE`.
    /// @param relayers Initial relayers; each receives `RELAYER_ROLE`.
    /// @param threshold_ Approvals needed per inbound transfer, 1..=number of distinct relayers.
    constructor(address admin, address[] memory relayers, uint256 threshold_) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        for (uint256 i = 0; i < relayers.length; ++i) {
            if (relayers[i] == address(0)) revert ZeroAddress();
            _grantRole(RELAYER_ROLE, relayers[i]);
        }
        // Counted after granting, so a duplicated relayer is not counted twice.
        _setThreshold(threshold_);
        ect = new WrappedECT(address(this));
        ecr = new WrappedECR(address(this));
    }

    /// @notice Sets the number of matching approvals needed to mint an inbound transfer.
    /// @dev Must be 1..=current number of relayers. Approvals already given are kept; a pending
    ///      transfer whose count already meets a lowered threshold mints on its next approval.
    /// @param t The new threshold.
    function setThreshold(uint256 t) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setThreshold(t);
    }

    /// @notice Stops inbound approvals and returns.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes inbound approvals and returns.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @notice Approves the inbound ECT transfer with chain nonce `nonce`; mints `amount` wECT to
    ///         `to` when this approval brings the matching approvals to `threshold`.
    /// @param nonce The chain's outbound nonce of the transfer.
    /// @param to The EVM recipient.
    /// @param amount The amount (18 decimals, same unit as on the chain).
    /// @return minted Whether this call minted.
    function approveEct(uint64 nonce, address to, uint256 amount)
        external
        onlyRole(RELAYER_ROLE)
        whenNotPaused
        returns (bool minted)
    {
        if (amount == 0) revert ZeroAmount();
        bytes32 digest = keccak256(abi.encode(KIND_ECT, nonce, to, amount, bytes32(0)));
        minted = _approve(nonce, to, digest);
        if (minted) {
            ect.mint(to, amount);
            emit Minted(nonce, KIND_ECT, to, amount);
        }
    }

    /// @notice Approves the inbound ECR transfer with chain nonce `nonce`; mints certificate
    ///         `tokenId` with data `cert` to `to` when this approval brings the matching approvals
    ///         to `threshold`.
    /// @param nonce The chain's outbound nonce of the transfer.
    /// @param to The EVM recipient.
    /// @param tokenId The certificate's id on EcoChain.
    /// @param cert The certificate's data.
    /// @return minted Whether this call minted.
    function approveEcr(uint64 nonce, address to, uint256 tokenId, WrappedECR.Certificate calldata cert)
        external
        onlyRole(RELAYER_ROLE)
        whenNotPaused
        returns (bool minted)
    {
        bytes32 digest = keccak256(abi.encode(KIND_ECR, nonce, to, tokenId, keccak256(abi.encode(cert))));
        minted = _approve(nonce, to, digest);
        if (minted) {
            ecr.mint(to, tokenId, cert);
            emit Minted(nonce, KIND_ECR, to, tokenId);
        }
    }

    /// @notice Burns `amount` of the caller's wECT so that `amount` ECT is released to
    ///         `chainRecipient` on EcoChain.
    /// @param amount The amount, MIN_ECT_RETURN..=2^128-1 (the chain's balance type).
    /// @param chainRecipient The 32-byte EcoChain AccountId of the recipient.
    function returnEct(uint256 amount, bytes32 chainRecipient) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        if (amount < MIN_ECT_RETURN) revert AmountTooSmall(amount);
        if (amount > type(uint128).max) revert AmountTooLarge(amount);
        if (chainRecipient == bytes32(0)) revert ZeroRecipient();
        ect.bridgeBurn(msg.sender, amount);
        emit Returned(nextReturnNonce++, KIND_ECT, msg.sender, chainRecipient, amount);
    }

    /// @notice Burns wrapped certificate `tokenId` so that the certificate is released to
    ///         `chainRecipient` on EcoChain. The caller must own the token or be approved for it.
    /// @param tokenId The certificate's id (fits in 64 bits, the chain's token id type).
    /// @param chainRecipient The 32-byte EcoChain AccountId of the recipient.
    function returnEcr(uint256 tokenId, bytes32 chainRecipient) external whenNotPaused {
        if (tokenId > type(uint64).max) revert TokenIdTooLarge(tokenId);
        if (chainRecipient == bytes32(0)) revert ZeroRecipient();
        address owner = ecr.ownerOf(tokenId);
        if (owner != msg.sender && ecr.getApproved(tokenId) != msg.sender && !ecr.isApprovedForAll(owner, msg.sender))
        {
            revert NotOwnerNorApproved(tokenId, msg.sender);
        }
        ecr.bridgeBurn(tokenId);
        emit Returned(nextReturnNonce++, KIND_ECR, msg.sender, chainRecipient, tokenId);
    }

    /// @dev Records the caller's approval of `digest` for `nonce`; returns true (and marks the
    ///      nonce processed) when the approvals of `digest` reach the threshold.
    function _approve(uint64 nonce, address to, bytes32 digest) private returns (bool) {
        if (to == address(0)) revert ZeroAddress();
        if (processed[nonce]) revert AlreadyProcessed(nonce);
        if (hasApproved[nonce][msg.sender]) revert AlreadyApproved(nonce, msg.sender);
        hasApproved[nonce][msg.sender] = true;
        uint256 count = ++approvals[nonce][digest];
        emit MintApproved(nonce, msg.sender, digest, count);
        if (count < threshold) return false;
        processed[nonce] = true;
        return true;
    }

    /// @dev Checks `t` against the current number of relayers and stores it.
    function _setThreshold(uint256 t) private {
        uint256 relayers = getRoleMemberCount(RELAYER_ROLE);
        if (t == 0 || t > relayers) revert BadThreshold(t, relayers);
        threshold = t;
        emit ThresholdSet(t);
    }
}
