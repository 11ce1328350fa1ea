// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @title EcoLightClient
/// @author EcoChain
/// @notice Follows EcoChain's finality on an EVM chain. EcoChain's validators sign, for a final
///         block, a commitment to the root of the chain's message tree; once validators of the
///         current set holding more than 2/3 of its weight signed a commitment, anyone can submit
///         it here and its root is accepted. A message of the chain (a bridge transfer or a
///         validator set change) is then proven by a Merkle proof of its leaf under an accepted
///         root (`verify`). Set changes are themselves chain messages (`applySetChange`), so the
///         light client follows the validator set without any trusted party; the admin (a
///         TimelockController in production) can only install a set by `emergencySetValidators`.
/// @dev Wire formats (shared with the pallet, the node and the relayer):
///      - message = abi.encode(bytes32 genesis, uint256 chainId, address target, uint64 nonce,
///        uint8 kind, bytes payload); leaf = keccak256(message); kind 0 ECT, 1 ECR, 2 SET.
///      - tree: append-only, depth 32, keccak; leaf index = nonce; empty leaves are bytes32(0);
///        parent = keccak256(left ++ right); proofs are the 32 siblings, bottom-up.
///      - commitmentHash = keccak256(abi.encode(genesis, blockNumber, root, setId)), signed raw
///        (no EIP-191 prefix); signatures are 65 bytes r ++ s ++ v, v in {27, 28}, low s, ordered
///        by strictly ascending signer address.
///      - SET payload = abi.encode(uint64 setId, address[] validators, uint256[] weights),
///        validators strictly ascending, weights > 0.
contract EcoLightClient is AccessControl {
    /// @notice Message kind of a validator set change.
    uint8 public constant KIND_SET = 2;
    /// @notice Depth of the message tree (2^32 leaves).
    uint256 public constant TREE_DEPTH = 32;
    /// @notice Largest total weight of a set, so that `weight * 3` never overflows.
    uint256 public constant MAX_TOTAL_WEIGHT = type(uint128).max;

    /// @notice EcoChain's genesis block hash; every commitment and message names it.
    bytes32 public immutable genesis;

    /// @notice Id of the current validator set (0 at EcoChain's genesis, +1 per change).
    uint64 public currentSetId;
    /// @notice Highest block number of an accepted commitment (0 before the first).
    uint64 public latestBlock;
    /// @notice Sum of the current set's weights.
    uint256 public totalWeight;
    /// @notice Raised by every emergency set change: roots accepted in an earlier epoch no
    ///         longer prove anything, so a set whose keys were stolen cannot keep forged roots
    ///         (with forged transfers or forged set changes) alive past its replacement.
    uint64 public epoch;

    /// @dev The current set's validators, strictly ascending.
    address[] private _validators;
    /// @dev Weight of each validator of the current set; zero for everyone else.
    mapping(address validator => uint256) private _weights;
    /// @dev Roots of accepted commitments: 1 + the epoch they were accepted in (0: never).
    mapping(bytes32 root => uint256) private _acceptedIn;

    /// @notice The validator list is empty.
    error EmptyValidatorSet();
    /// @notice The validator and weight lists differ in length.
    /// @param validators Number of validators.
    /// @param weights Number of weights.
    error LengthMismatch(uint256 validators, uint256 weights);
    /// @notice A validator is the zero address.
    error ZeroValidator();
    /// @notice The validators are not strictly ascending (duplicate or out of order) at `index`.
    /// @param index Position of the first validator not above its predecessor.
    error ValidatorsNotAscending(uint256 index);
    /// @notice A validator's weight is zero.
    /// @param index Position of the validator.
    error ZeroWeight(uint256 index);
    /// @notice The set's total weight exceeds `MAX_TOTAL_WEIGHT`.
    /// @param total The rejected total weight.
    error TotalWeightTooLarge(uint256 total);
    /// @notice An address argument is the zero address.
    error ZeroAddress();
    /// @notice A commitment names another set than the current one.
    /// @param setId The commitment's set id.
    /// @param currentSetId The current set id.
    error WrongSet(uint64 setId, uint64 currentSetId);
    /// @notice A commitment is not for a block above the latest accepted one.
    /// @param blockNumber The commitment's block.
    /// @param latestBlock The latest accepted block.
    error OldBlock(uint64 blockNumber, uint64 latestBlock);
    /// @notice A signature is malformed, has a high s or a v other than 27/28, or recovers nothing.
    /// @param index Position of the signature.
    error BadSignature(uint256 index);
    /// @notice Signers are not strictly ascending (a duplicate or out of order) at `index`.
    /// @param index Position of the signature.
    error SignersNotAscending(uint256 index);
    /// @notice A signer is not a validator of the current set.
    /// @param index Position of the signature.
    /// @param signer The recovered signer.
    error NotValidator(uint256 index, address signer);
    /// @notice The signers' weight is not more than 2/3 of the set's total weight.
    /// @param signedWeight Weight of the signers.
    /// @param totalWeight Total weight of the set.
    error NotEnoughWeight(uint256 signedWeight, uint256 totalWeight);
    /// @notice The root is not the root of a commitment accepted in the current epoch.
    /// @param root The rejected root.
    error UnknownRoot(bytes32 root);
    /// @notice A message names another EcoChain (genesis hash).
    /// @param genesis The message's genesis hash.
    error WrongGenesis(bytes32 genesis);
    /// @notice A message's nonce does not fit the tree (2^32 leaves).
    /// @param nonce The message's nonce.
    error NonceTooLarge(uint64 nonce);
    /// @notice The proof does not prove the message's leaf at index `nonce` under the root.
    error BadProof();
    /// @notice A set change message is for another EVM chain.
    /// @param chainId The message's chain id.
    error WrongChain(uint256 chainId);
    /// @notice A set change message is for another contract.
    /// @param target The message's target.
    error WrongTarget(address target);
    /// @notice A message applied as a set change is not of kind `KIND_SET`.
    /// @param kind The message's kind.
    error WrongKind(uint8 kind);
    /// @notice A new set's id is not the one expected.
    /// @param setId The rejected set id.
    /// @param currentSetId The current set id (a chain change must be `currentSetId + 1`, an
    ///        emergency change above `currentSetId`).
    error BadSetId(uint64 setId, uint64 currentSetId);

    /// @notice A commitment was accepted: `root` can now prove messages.
    /// @param blockNumber The committed EcoChain block.
    /// @param root The message tree root at that block.
    /// @param setId The set that signed it.
    /// @param signedWeight Weight of the signers.
    event CommitmentAccepted(uint64 indexed blockNumber, bytes32 root, uint64 indexed setId, uint256 signedWeight);
    /// @notice A validator set was installed (at deployment, by a chain message or by the admin).
    /// @param setId The new set's id.
    /// @param validators The new set's validators, ascending.
    event ValidatorSetChanged(uint64 indexed setId, address[] validators);
    /// @notice An emergency set change started a new epoch: earlier roots no longer count.
    /// @param epoch The new epoch.
    /// @param setId The set installed with it.
    /// @param resumeAfter The new `latestBlock`.
    event EpochStarted(uint64 indexed epoch, uint64 indexed setId, uint64 resumeAfter);

    /// @notice Deploys the light client with EcoChain's genesis hash and its current validator set.
    /// @param genesis_ EcoChain's genesis block hash.
    /// @param setId Id of `validators` on the chain (0 when deploying against a fresh chain).
    /// @param validators_ Bridge key addresses of the set, strictly ascending, non-zero.
    /// @param weights Their weights (> 0), same length, total at most `MAX_TOTAL_WEIGHT`.
    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (a TimelockController in production).
    constructor(
        bytes32 genesis_,
        uint64 setId,
        address[] memory validators_,
        uint256[] memory weights,
        address admin
    ) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        genesis = genesis_;
        _installSet(setId, validators_, weights);
    }

    /// @notice Accepts the commitment to `root` at EcoChain block `blockNumber`, signed by
    ///         validators of the current set holding more than 2/3 of its weight. Anyone may call.
    /// @dev Emits `CommitmentAccepted`. Each signature is recovered from `commitmentHash` with
    ///      OpenZeppelin's `ECDSA.tryRecoverCalldata` (rejects wrong lengths, high s, bad v).
    /// @param blockNumber The committed block, above `latestBlock`.
    /// @param root The block's message tree root.
    /// @param setId The signing set; must be `currentSetId`.
    /// @param signatures 65-byte signatures (r ++ s ++ v), by strictly ascending signer address.
    function submitCommitment(uint64 blockNumber, bytes32 root, uint64 setId, bytes[] calldata signatures) external {
        if (setId != currentSetId) revert WrongSet(setId, currentSetId);
        if (blockNumber <= latestBlock) revert OldBlock(blockNumber, latestBlock);
        bytes32 digest = commitmentHash(blockNumber, root, setId);
        uint256 signed = 0;
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert BadSignature(i);
            if (signer <= previous) revert SignersNotAscending(i);
            uint256 weight = _weights[signer];
            if (weight == 0) revert NotValidator(i, signer);
            signed += weight;
            previous = signer;
        }
        uint256 total = totalWeight;
        if (signed * 3 <= total * 2) revert NotEnoughWeight(signed, total);
        _acceptedIn[root] = uint256(epoch) + 1;
        latestBlock = blockNumber;
        emit CommitmentAccepted(blockNumber, root, setId, signed);
    }

    /// @notice Installs the validator set carried by a SET message of the chain, proven under an
    ///         accepted root. Anyone may call.
    /// @dev The message must be of kind `KIND_SET`, for this EVM chain and this contract, and its
    ///      set id must be `currentSetId + 1`. The old set's weights stop counting at once.
    ///      Emits `ValidatorSetChanged`.
    /// @param message The ABI-encoded message.
    /// @param root An accepted root.
    /// @param proof The message leaf's 32 siblings, bottom-up.
    function applySetChange(bytes calldata message, bytes32 root, bytes32[32] calldata proof) external {
        (uint256 chainId, address target,, uint8 kind, bytes memory payload) = verify(message, root, proof);
        if (kind != KIND_SET) revert WrongKind(kind);
        if (chainId != block.chainid) revert WrongChain(chainId);
        if (target != address(this)) revert WrongTarget(target);
        (uint64 setId, address[] memory members, uint256[] memory weights) =
            abi.decode(payload, (uint64, address[], uint256[]));
        if (setId != currentSetId + 1) revert BadSetId(setId, currentSetId);
        _installSet(setId, members, weights);
    }

    /// @notice Installs a validator set without a chain message: the recovery path when the
    ///         chain's set can no longer sign (keys lost, a set change missed) or can no longer
    ///         be trusted (keys stolen). Admin only, which in production means a proposal that
    ///         waited out the timelock's delay.
    /// @dev Emits `ValidatorSetChanged` and `EpochStarted`. Starts a new epoch: every root
    ///      accepted before stops proving messages (the new set re-commits the chain's tree,
    ///      which still holds every honest message; `EcoBridge` never mints a nonce twice), and
    ///      `latestBlock` becomes `resumeAfter`, undoing a commitment of a far-future block.
    /// @param setId The new set's id, above `currentSetId`.
    /// @param validators_ Bridge key addresses, strictly ascending, non-zero.
    /// @param weights Their weights (> 0), same length.
    /// @param resumeAfter The new `latestBlock`: commitments must be for later blocks.
    function emergencySetValidators(
        uint64 setId,
        address[] calldata validators_,
        uint256[] calldata weights,
        uint64 resumeAfter
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (setId <= currentSetId) revert BadSetId(setId, currentSetId);
        _installSet(setId, validators_, weights);
        epoch += 1;
        latestBlock = resumeAfter;
        emit EpochStarted(epoch, setId, resumeAfter);
    }

    /// @notice Whether `root` is the root of a commitment accepted in the current epoch.
    /// @param root A message tree root.
    /// @return Whether messages can be proven under it.
    function isAccepted(bytes32 root) public view returns (bool) {
        return _acceptedIn[root] == uint256(epoch) + 1;
    }

    /// @notice The hash validators sign for a commitment (raw, no EIP-191 prefix).
    /// @param blockNumber The committed block.
    /// @param root The block's message tree root.
    /// @param setId The signing set.
    /// @return keccak256(abi.encode(genesis, blockNumber, root, setId)).
    function commitmentHash(uint64 blockNumber, bytes32 root, uint64 setId) public view returns (bytes32) {
        return keccak256(abi.encode(genesis, blockNumber, root, setId));
    }

    /// @notice The current validator set.
    /// @return members The validators, strictly ascending.
    /// @return weights Their weights.
    function validators() external view returns (address[] memory members, uint256[] memory weights) {
        members = _validators;
        weights = new uint256[](members.length);
        for (uint256 i = 0; i < members.length; ++i) {
            weights[i] = _weights[members[i]];
        }
    }

    /// @notice Weight of `validator` in the current set (zero if not a member).
    /// @param validator A bridge key address.
    /// @return Its weight.
    function weightOf(address validator) external view returns (uint256) {
        return _weights[validator];
    }

    /// @notice Checks that `message` is committed under the accepted `root` and decodes it.
    /// @dev Reverts `UnknownRoot`, `WrongGenesis`, `NonceTooLarge` or `BadProof`; a message that
    ///      is not a valid encoding reverts without data. Does not check the chain id, the target
    ///      or the kind: the consumer does.
    /// @param message abi.encode(bytes32 genesis, uint256 chainId, address target, uint64 nonce,
    ///        uint8 kind, bytes payload).
    /// @param root An accepted root.
    /// @param proof The leaf's 32 siblings, bottom-up; the leaf index is the nonce.
    /// @return chainId Destination EVM chain id.
    /// @return target Destination contract.
    /// @return nonce The message nonce (its leaf index).
    /// @return kind 0 ECT, 1 ECR, 2 SET.
    /// @return payload The kind's ABI-encoded payload.
    function verify(bytes calldata message, bytes32 root, bytes32[32] calldata proof)
        public
        view
        returns (uint256 chainId, address target, uint64 nonce, uint8 kind, bytes memory payload)
    {
        if (!isAccepted(root)) revert UnknownRoot(root);
        bytes32 messageGenesis;
        (messageGenesis, chainId, target, nonce, kind, payload) =
            abi.decode(message, (bytes32, uint256, address, uint64, uint8, bytes));
        if (messageGenesis != genesis) revert WrongGenesis(messageGenesis);
        uint256 index = nonce;
        if (index >= uint256(1) << TREE_DEPTH) revert NonceTooLarge(nonce);
        bytes32 node = keccak256(message);
        for (uint256 i = 0; i < TREE_DEPTH; ++i) {
            node = ((index >> i) & 1) == 1
                ? Hashes.efficientKeccak256(proof[i], node)
                : Hashes.efficientKeccak256(node, proof[i]);
        }
        if (node != root) revert BadProof();
    }

    /// @dev Validates and installs a set, clearing the previous set's weights.
    function _installSet(uint64 setId, address[] memory validators_, uint256[] memory weights) private {
        uint256 n = validators_.length;
        if (n == 0) revert EmptyValidatorSet();
        if (n != weights.length) revert LengthMismatch(n, weights.length);
        address[] storage old = _validators;
        for (uint256 i = 0; i < old.length; ++i) {
            delete _weights[old[i]];
        }
        address previous = address(0);
        uint256 total = 0;
        for (uint256 i = 0; i < n; ++i) {
            address v = validators_[i];
            if (v == address(0)) revert ZeroValidator();
            if (v <= previous) revert ValidatorsNotAscending(i);
            if (weights[i] == 0) revert ZeroWeight(i);
            total += weights[i];
            _weights[v] = weights[i];
            previous = v;
        }
        if (total > MAX_TOTAL_WEIGHT) revert TotalWeightTooLarge(total);
        _validators = validators_;
        totalWeight = total;
        currentSetId = setId;
        emit ValidatorSetChanged(setId, validators_);
    }
}
