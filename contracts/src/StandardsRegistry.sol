// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IStandardsRegistry} from "./interfaces/IStandardsRegistry.sol";

/// @title StandardsRegistry
/// @notice Versions of accounting standards (canonical JSON packs identified by their SHA-256), written
/// only by the owner, the association's TimelockController. Per standard, versions are kept in
/// publication order with non-decreasing effectiveFrom, so "the active version at t" is the latest
/// non-deprecated version with effectiveFrom <= t.
contract StandardsRegistry is Ownable, IStandardsRegistry {
    mapping(bytes32 standardId => Version[]) private _versions;
    /// @dev 1-based position in _versions[standardId] of keccak256(version string); 0 = unknown.
    mapping(bytes32 standardId => mapping(bytes32 versionKey => uint256 position)) private _positions;

    /// @param timelock The TimelockController (only writer).
    constructor(address timelock) Ownable(timelock) {}

    /// @inheritdoc IStandardsRegistry
    function publishVersion(
        bytes32 standardId,
        string calldata version,
        bytes32 contentHash,
        string calldata uri,
        uint64 effectiveFrom
    ) external onlyOwner returns (uint256 index) {
        if (standardId == bytes32(0)) revert StandardsZeroStandardId();
        if (contentHash == bytes32(0)) revert StandardsZeroContentHash();
        if (bytes(version).length == 0) revert StandardsEmptyVersion();
        bytes32 key = keccak256(bytes(version));
        if (_positions[standardId][key] != 0) revert StandardsVersionExists(standardId, version);
        Version[] storage versions = _versions[standardId];
        index = versions.length;
        if (index != 0) {
            uint64 latest = versions[index - 1].effectiveFrom;
            if (effectiveFrom < latest) revert StandardsEffectiveFromTooEarly(standardId, effectiveFrom, latest);
        }
        versions.push(
            Version({
                contentHash: contentHash, effectiveFrom: effectiveFrom, deprecated: false, version: version, uri: uri
            })
        );
        _positions[standardId][key] = index + 1;
        emit VersionPublished(standardId, contentHash, index, version, uri, effectiveFrom);
    }

    /// @inheritdoc IStandardsRegistry
    function deprecateVersion(bytes32 standardId, string calldata version, string calldata reason)
        external
        onlyOwner
    {
        uint256 position = _positions[standardId][keccak256(bytes(version))];
        if (position == 0) revert StandardsUnknownVersion(standardId, version);
        Version storage entry = _versions[standardId][position - 1];
        if (entry.deprecated) revert StandardsAlreadyDeprecated(standardId, version);
        entry.deprecated = true;
        emit VersionDeprecated(standardId, entry.contentHash, position - 1, version, reason);
    }

    /// @inheritdoc IStandardsRegistry
    function activeVersionAt(bytes32 standardId, uint64 timestamp) external view returns (Version memory) {
        Version[] storage versions = _versions[standardId];
        // Binary search for the number of versions with effectiveFrom <= timestamp (sorted ascending).
        uint256 low = 0;
        uint256 high = versions.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (versions[mid].effectiveFrom > timestamp) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        // Walk back over deprecated versions.
        while (low != 0) {
            Version storage candidate = versions[low - 1];
            if (!candidate.deprecated) return candidate;
            --low;
        }
        revert StandardsNoActiveVersion(standardId, timestamp);
    }

    /// @notice Number of versions ever published for the standard.
    function versionCount(bytes32 standardId) external view returns (uint256) {
        return _versions[standardId].length;
    }

    /// @notice The version at `index` in the standard's publication history.
    function versionAt(bytes32 standardId, uint256 index) external view returns (Version memory) {
        if (index >= _versions[standardId].length) revert StandardsIndexOutOfRange(standardId, index);
        return _versions[standardId][index];
    }

    /// @notice The version with the given version string.
    function versionOf(bytes32 standardId, string calldata version) external view returns (Version memory) {
        uint256 position = _positions[standardId][keccak256(bytes(version))];
        if (position == 0) revert StandardsUnknownVersion(standardId, version);
        return _versions[standardId][position - 1];
    }
}
