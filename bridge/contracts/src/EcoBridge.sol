// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/AccessControlEnumerable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {EcoLightClient} from "./EcoLightClient.sol";
import {WrappedECT} from "./WrappedECT.sol";
import {WrappedECR} from "./WrappedECR.sol";

/// @title EcoBridge (EVM side)
/// @author EcoChain
/// @notice EVM end of the EcoChain bridge.
///         Inbound (EcoChain -> EVM): the chain locks ECT/ECR and commits a message for this
///         contract in its message tree; once EcoChain's validators' commitment to that tree is
///         accepted by the `EcoLightClient`, anyone can `mint` the message with its Merkle proof.
///         No relayer is trusted: a relayer only carries data, and every message mints at most
///         once. Outbound (EVM -> EcoChain): holders burn wECT/wECR with `returnEct`/`returnEcr`,
///         naming a 32-byte EcoChain account; relayers watch `Returned` and release the locked
///         asset on the chain.
/// @dev Messages are keyed by (genesis, nonce); the light client fixes the genesis, so `processed`
///      is keyed by nonce. Minting is rate-limited per asset: at most `ectCap` wECT and `ecrCap`
///      certificates per period of `period` seconds (periods are `block.timestamp / period`); a
///      message refused by the cap stays mintable in a later period.
contract EcoBridge is AccessControlEnumerable, Pausable {
    /// @notice Role allowed to pause the bridge (not to unpause it).
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Asset kind of an ECT (fungible) transfer.
    uint8 public constant KIND_ECT = 0;
    /// @notice Asset kind of an ECR (certificate) transfer.
    uint8 public constant KIND_ECR = 1;
    /// @notice Smallest wECT return: EcoChain's existential deposit (0.001 ECT), below
    ///         which a release to a new chain account would be refused for good.
    uint256 public constant MIN_ECT_RETURN = 1e15;

    /// @notice The light client that proves EcoChain's messages.
    EcoLightClient public immutable lightClient;
    /// @notice The wrapped ECT token; created by and owned by this bridge.
    WrappedECT public immutable ect;
    /// @notice The wrapped ECR collection; created by and owned by this bridge.
    WrappedECR public immutable ecr;

    /// @notice Most wECT (in its smallest unit) minted per period.
    uint256 public ectCap;
    /// @notice Most wECR certificates minted per period.
    uint256 public ecrCap;
    /// @notice Length of a cap period in seconds.
    uint256 public period;

    /// @notice Index (`block.timestamp / period`) of the period `ectMinted` and `ecrMinted` count.
    uint256 public currentPeriod;
    /// @notice wECT minted in `currentPeriod`.
    uint256 public ectMinted;
    /// @notice wECR certificates minted in `currentPeriod`.
    uint256 public ecrMinted;

    /// @notice Nonce that the next return (EVM -> EcoChain) gets; starts at 0.
    uint64 public nextReturnNonce;

    /// @notice Whether the chain message with this nonce has been minted.
    mapping(uint64 nonce => bool) public processed;

    /// @notice The message is for another EVM chain.
    /// @param chainId The message's chain id.
    error WrongChain(uint256 chainId);
    /// @notice The message is for another contract.
    /// @param target The message's target.
    error WrongTarget(address target);
    /// @notice The message is not an ECT or ECR transfer.
    /// @param kind The message's kind.
    error WrongKind(uint8 kind);
    /// @notice The message with this nonce was already minted.
    /// @param nonce The message's nonce.
    error AlreadyProcessed(uint64 nonce);
    /// @notice Minting would exceed the asset's cap in the current period; retry in a later one.
    /// @param kind `KIND_ECT` or `KIND_ECR`.
    /// @param minted Already minted in the current period (wECT amount or certificate count).
    /// @param amount What this mint adds (the amount, or 1 certificate).
    /// @param cap The cap per period.
    error CapExceeded(uint8 kind, uint256 minted, uint256 amount, uint256 cap);
    /// @notice The cap period is zero.
    error ZeroPeriod();
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

    /// @notice The mint caps changed.
    /// @param ectCap Most wECT minted per period.
    /// @param ecrCap Most wECR certificates minted per period.
    /// @param period Period length in seconds.
    event CapsSet(uint256 ectCap, uint256 ecrCap, uint256 period);
    /// @notice A chain message was proven and its wrapped asset minted.
    /// @param nonce The message's nonce.
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
    /// @param lightClient_ The `EcoLightClient` that proves EcoChain's messages.
    /// @param admin Receives `DEFAULT_ADMIN_ROLE`: sets caps, unpauses, manages roles (a
    ///        TimelockController in production).
    /// @param guardian Receives `GUARDIAN_ROLE`: may pause at once.
    /// @param ectCap_ Most wECT minted per period.
    /// @param ecrCap_ Most wECR certificates minted per period.
    /// @param period_ Period length in seconds, > 0.
    constructor(
        address lightClient_,
        address admin,
        address guardian,
        uint256 ectCap_,
        uint256 ecrCap_,
        uint256 period_
    ) {
        if (lightClient_ == address(0) || admin == address(0) || guardian == address(0)) revert ZeroAddress();
        lightClient = EcoLightClient(lightClient_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
        _setCaps(ectCap_, ecrCap_, period_);
        ect = new WrappedECT(address(this));
        ecr = new WrappedECR(address(this));
    }

    /// @notice Sets the mint caps and the period length. Admin only.
    /// @dev Emits `CapsSet`. Usage already counted in the current period is kept (and counts
    ///      against the new caps) unless the new period length moves the period index.
    /// @param ectCap_ Most wECT minted per period.
    /// @param ecrCap_ Most wECR certificates minted per period.
    /// @param period_ Period length in seconds, > 0.
    function setCaps(uint256 ectCap_, uint256 ecrCap_, uint256 period_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCaps(ectCap_, ecrCap_, period_);
    }

    /// @notice Stops mints and returns. Guardian or admin.
    function pause() external {
        if (!hasRole(GUARDIAN_ROLE, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, GUARDIAN_ROLE);
        }
        _pause();
    }

    /// @notice Resumes mints and returns. Admin only.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @notice Mints the wrapped asset of a chain message proven under a root accepted by the
    ///         light client. Anyone may call; each nonce mints once.
    /// @dev Reverts with the light client's `UnknownRoot`, `WrongGenesis`, `NonceTooLarge` or
    ///      `BadProof`, or with `WrongChain`, `WrongTarget`, `WrongKind`, `AlreadyProcessed`,
    ///      `ZeroAddress`, `ZeroAmount`, `CapExceeded`. Emits `Minted`.
    ///      ECT payload: abi.encode(address to, uint256 amount).
    ///      ECR payload: abi.encode(address to, uint256 tokenId, WrappedECR.Certificate cert).
    /// @param message abi.encode(bytes32 genesis, uint256 chainId, address target, uint64 nonce,
    ///        uint8 kind, bytes payload).
    /// @param root A root accepted by the light client.
    /// @param proof The message leaf's 32 siblings, bottom-up.
    function mint(bytes calldata message, bytes32 root, bytes32[32] calldata proof) external whenNotPaused {
        (uint256 chainId, address target, uint64 nonce, uint8 kind, bytes memory payload) =
            lightClient.verify(message, root, proof);
        if (chainId != block.chainid) revert WrongChain(chainId);
        if (target != address(this)) revert WrongTarget(target);
        if (processed[nonce]) revert AlreadyProcessed(nonce);
        processed[nonce] = true;
        if (kind == KIND_ECT) {
            _mintEct(nonce, payload);
        } else if (kind == KIND_ECR) {
            _mintEcr(nonce, payload);
        } else {
            revert WrongKind(kind);
        }
    }

    /// @notice What can still be minted in the current period.
    /// @return ectAvailable wECT that can still be minted.
    /// @return ecrAvailable Certificates that can still be minted.
    function available() external view returns (uint256 ectAvailable, uint256 ecrAvailable) {
        bool fresh = block.timestamp / period != currentPeriod;
        ectAvailable = _left(ectCap, fresh ? 0 : ectMinted);
        ecrAvailable = _left(ecrCap, fresh ? 0 : ecrMinted);
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

    /// @dev Mints the wECT of an ECT message.
    function _mintEct(uint64 nonce, bytes memory payload) private {
        (address to, uint256 amount) = abi.decode(payload, (address, uint256));
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        _rollPeriod();
        uint256 minted = ectMinted;
        if (amount > _left(ectCap, minted)) revert CapExceeded(KIND_ECT, minted, amount, ectCap);
        ectMinted = minted + amount;
        ect.mint(to, amount);
        emit Minted(nonce, KIND_ECT, to, amount);
    }

    /// @dev Mints the wECR of an ECR message.
    function _mintEcr(uint64 nonce, bytes memory payload) private {
        (address to, uint256 tokenId, WrappedECR.Certificate memory cert) =
            abi.decode(payload, (address, uint256, WrappedECR.Certificate));
        if (to == address(0)) revert ZeroAddress();
        _rollPeriod();
        uint256 minted = ecrMinted;
        if (_left(ecrCap, minted) == 0) revert CapExceeded(KIND_ECR, minted, 1, ecrCap);
        ecrMinted = minted + 1;
        ecr.mint(to, tokenId, cert);
        emit Minted(nonce, KIND_ECR, to, tokenId);
    }

    /// @dev Starts counting a new period when `block.timestamp` left the counted one.
    function _rollPeriod() private {
        uint256 index = block.timestamp / period;
        if (index != currentPeriod) {
            currentPeriod = index;
            ectMinted = 0;
            ecrMinted = 0;
        }
    }

    /// @dev `cap - used`, or 0 when a lowered cap is already used up.
    function _left(uint256 cap, uint256 used) private pure returns (uint256) {
        return used >= cap ? 0 : cap - used;
    }

    /// @dev Checks and stores the caps.
    function _setCaps(uint256 ectCap_, uint256 ecrCap_, uint256 period_) private {
        if (period_ == 0) revert ZeroPeriod();
        ectCap = ectCap_;
        ecrCap = ecrCap_;
        period = period_;
        emit CapsSet(ectCap_, ecrCap_, period_);
    }
}
