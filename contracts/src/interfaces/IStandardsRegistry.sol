// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IStandardsRegistry
/// @notice Events, errors and types of the registry of accounting-standard versions. Only the
/// timelock (i.e. a passed governance proposal) can write.
interface IStandardsRegistry {
    /// @notice One published version of a standard.
    /// @param contentHash SHA-256 of the canonical (RFC 8785) JSON standard pack.
    /// @param effectiveFrom Unix timestamp (seconds) from which the version applies.
    /// @param deprecated True once governance deprecated the version.
    /// @param version Semantic version string, e.g. "1.2.0".
    /// @param uri Where the pack can be fetched (ipfs://, https://).
    struct Version {
        bytes32 contentHash;
        uint64 effectiveFrom;
        bool deprecated;
        string version;
        string uri;
    }

    /// @notice A standard version was published; `index` is its position in the standard's history.
    event VersionPublished(
        bytes32 indexed standardId,
        bytes32 indexed contentHash,
        uint256 indexed index,
        string version,
        string uri,
        uint64 effectiveFrom
    );

    /// @notice A standard version was deprecated and no longer counts as active.
    event VersionDeprecated(
        bytes32 indexed standardId,
        bytes32 indexed contentHash,
        uint256 indexed index,
        string version,
        string reason
    );

    /// @notice The standard id must not be zero.
    error StandardsZeroStandardId();
    /// @notice The content hash must not be zero.
    error StandardsZeroContentHash();
    /// @notice The version string must not be empty.
    error StandardsEmptyVersion();
    /// @notice This version string was already published for the standard.
    error StandardsVersionExists(bytes32 standardId, string version);
    /// @notice No such version of the standard.
    error StandardsUnknownVersion(bytes32 standardId, string version);
    /// @notice The version is already deprecated.
    error StandardsAlreadyDeprecated(bytes32 standardId, string version);
    /// @notice effectiveFrom must not be earlier than the latest published version's effectiveFrom.
    error StandardsEffectiveFromTooEarly(bytes32 standardId, uint64 effectiveFrom, uint64 latestEffectiveFrom);
    /// @notice No non-deprecated version of the standard is effective at `timestamp`.
    error StandardsNoActiveVersion(bytes32 standardId, uint64 timestamp);
    /// @notice Index out of range.
    error StandardsIndexOutOfRange(bytes32 standardId, uint256 index);

    /// @notice Publishes a version of a standard. Timelock only.
    function publishVersion(
        bytes32 standardId,
        string calldata version,
        bytes32 contentHash,
        string calldata uri,
        uint64 effectiveFrom
    ) external returns (uint256 index);

    /// @notice Deprecates a published version. Timelock only.
    function deprecateVersion(bytes32 standardId, string calldata version, string calldata reason) external;

    /// @notice The latest non-deprecated version with effectiveFrom <= timestamp.
    function activeVersionAt(bytes32 standardId, uint64 timestamp) external view returns (Version memory);
}
