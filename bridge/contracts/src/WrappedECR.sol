// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title Wrapped EcoChain Certificate (wECR)
/// @author EcoChain
/// @notice ERC-721 representation of ECR certificates locked on EcoChain. A wrapped token has the
///         same id as the certificate on the chain and carries a copy of its data.
/// @dev Only the bridge (the owner) mints and burns. Minting uses `_mint`, not `_safeMint`, so
///      recipients that are contracts without `onERC721Received` still receive their certificate
///      (a bridge mint must never fail because of the recipient's code).
contract WrappedECR is ERC721, Ownable {
    using Strings for uint256;
    using Strings for string;

    /// @notice Data of one EcoChain certificate.
    /// @param certType Certificate type (the chain's `certificate_type`, UTF-8).
    /// @param impact Impact score.
    /// @param rarity Rarity (1..=5 on the chain).
    /// @param metadata Free-form metadata (UTF-8), typically a URI or JSON.
    struct Certificate {
        string certType;
        uint32 impact;
        uint8 rarity;
        string metadata;
    }

    /// @notice Number of wrapped certificates currently in existence (minted minus burned).
    uint256 public totalSupply;

    /// @dev Certificate data by token id; deleted when the token is burned.
    mapping(uint256 tokenId => Certificate) private _certificates;

    /// @notice Deploys the collection with `bridge` as its only minter/burner.
    /// @param bridge The EcoBridge contract that owns this collection.
    constructor(address bridge) ERC721("Wrapped EcoChain Certificate", "wECR") Ownable(bridge) {}

    /// @notice Mints wrapped certificate `tokenId` to `to` with the chain's certificate data.
    /// @dev Reverts with `ERC721InvalidSender` if `tokenId` already exists and with
    ///      `ERC721InvalidReceiver` if `to` is the zero address.
    /// @param to Recipient.
    /// @param tokenId The certificate's id on EcoChain.
    /// @param cert The certificate's data.
    function mint(address to, uint256 tokenId, Certificate calldata cert) external onlyOwner {
        _mint(to, tokenId);
        _certificates[tokenId] = cert;
        unchecked {
            ++totalSupply;
        }
    }

    /// @notice Burns wrapped certificate `tokenId` and its data so it can be released on EcoChain.
    /// @dev The bridge checks that its caller owns or may move the token before calling this.
    ///      Reverts with `ERC721NonexistentToken` if the token does not exist.
    /// @param tokenId The certificate's id.
    function bridgeBurn(uint256 tokenId) external onlyOwner {
        _burn(tokenId);
        delete _certificates[tokenId];
        unchecked {
            --totalSupply;
        }
    }

    /// @notice Returns the data of certificate `tokenId`.
    /// @dev Reverts with `ERC721NonexistentToken` if the token does not exist.
    /// @param tokenId The certificate's id.
    /// @return The certificate's data.
    function certificate(uint256 tokenId) external view returns (Certificate memory) {
        _requireOwned(tokenId);
        return _certificates[tokenId];
    }

    /// @notice On-chain JSON metadata of certificate `tokenId` as a base64 `data:` URI.
    /// @dev `{"name":"EcoChain Certificate #<id>","tokenId":"<id>","certificateType":"<type>",
    ///      "impactScore":<n>,"rarity":<n>,"metadata":"<metadata>"}` with JSON-escaped strings.
    ///      Reverts with `ERC721NonexistentToken` if the token does not exist.
    /// @param tokenId The certificate's id.
    /// @return The `data:application/json;base64,...` URI.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        Certificate storage cert = _certificates[tokenId];
        string memory id = tokenId.toString();
        bytes memory json = abi.encodePacked(
            '{"name":"EcoChain Certificate #',
            id,
            '","tokenId":"',
            id,
            '","certificateType":"',
            cert.certType.escapeJSON(),
            '","impactScore":',
            uint256(cert.impact).toString()
        );
        json = abi.encodePacked(
            json,
            ',"rarity":',
            uint256(cert.rarity).toString(),
            ',"metadata":"',
            cert.metadata.escapeJSON(),
            '"}'
        );
        return string.concat("data:application/json;base64,", Base64.encode(json));
    }
}
