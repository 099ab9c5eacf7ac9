// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IAttestationRegistry
/// @notice Events, errors and types of the anchoring of Merkle roots (readings batches, inventories,
/// reports) and of verifier statements. Storage keeps one slot per root; events carry the rest.
interface IAttestationRegistry {
    /// @notice What a root commits to.
    enum AnchorKind {
        Readings,
        Inventory,
        Report
    }

    /// @notice A verifier's opinion on an anchored root.
    enum Opinion {
        Unqualified,
        Qualified,
        Adverse,
        Disclaimer
    }

    /// @notice The anchor record, packed in one storage slot (216 bits).
    /// @param enterpriseIndex Compact enterprise index from ParticipantRegistry (1-based).
    /// @param kind What the root commits to.
    /// @param superseded True once a later report superseded this one.
    /// @param anchoredAt Block timestamp (seconds) of the anchoring; 0 = not anchored.
    /// @param leafCount Number of leaves in the tree.
    /// @param periodStart Start of the covered period, Unix seconds.
    /// @param periodEnd End of the covered period, Unix seconds.
    struct AnchorRecord {
        uint32 enterpriseIndex;
        AnchorKind kind;
        bool superseded;
        uint40 anchoredAt;
        uint48 leafCount;
        uint40 periodStart;
        uint40 periodEnd;
    }

    /// @notice A root was anchored. `standardRef` is the content hash (SHA-256) of the standard pack
    /// version the data was produced under (bytes32(0) for raw readings).
    event Anchored(
        bytes32 indexed enterpriseId,
        bytes32 indexed standardRef,
        uint64 indexed periodStart,
        bytes32 root,
        uint64 periodEnd,
        AnchorKind kind,
        uint48 leafCount,
        address submitter
    );

    /// @notice A report anchor was superseded by a newer report anchor of the same enterprise.
    event AnchorSuperseded(
        bytes32 indexed enterpriseId,
        bytes32 indexed oldRoot,
        bytes32 indexed newRoot,
        string reason,
        address submitter
    );

    /// @notice A verifier recorded a statement about an anchored root.
    event StatementRecorded(
        bytes32 indexed enterpriseId,
        bytes32 indexed root,
        address indexed verifier,
        Opinion opinion,
        bytes32 documentHash
    );

    /// @notice Caller is neither an admin nor an active device of the enterprise (or it is unknown).
    error AttestationUnauthorizedSubmitter(bytes32 enterpriseId, address account);
    /// @notice The root must not be zero.
    error AttestationZeroRoot();
    /// @notice The batch must contain at least one leaf.
    error AttestationEmptyBatch();
    /// @notice periodStart must be <= periodEnd and both must fit in uint40.
    error AttestationInvalidPeriod(uint64 periodStart, uint64 periodEnd);
    /// @notice The root was already anchored.
    error AttestationAlreadyAnchored(bytes32 root);
    /// @notice The root was never anchored.
    error AttestationUnknownAnchor(bytes32 root);
    /// @notice Only report anchors can be superseded.
    error AttestationNotReport(bytes32 root);
    /// @notice The anchor belongs to another enterprise.
    error AttestationEnterpriseMismatch(bytes32 root, bytes32 enterpriseId);
    /// @notice The report anchor was already superseded.
    error AttestationAlreadySuperseded(bytes32 root);
    /// @notice A supersession needs a reason.
    error AttestationEmptyReason();
    /// @notice Caller does not hold VERIFIER_ROLE in the ParticipantRegistry.
    error AttestationNotVerifier(address account);

    /// @notice Anchors a Merkle root (sorted-pair tree, OZ MerkleProof compatible) for an enterprise.
    function anchor(
        bytes32 enterpriseId,
        bytes32 root,
        uint48 leafCount,
        uint64 periodStart,
        uint64 periodEnd,
        AnchorKind kind,
        bytes32 standardRef
    ) external;

    /// @notice Anchors a new report root that supersedes an earlier report anchor of the enterprise.
    function supersede(
        bytes32 enterpriseId,
        bytes32 oldRoot,
        bytes32 newRoot,
        uint48 leafCount,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32 standardRef,
        string calldata reason
    ) external;

    /// @notice Records a verifier statement on an anchored root. VERIFIER_ROLE only.
    function recordStatement(bytes32 root, Opinion opinion, bytes32 documentHash) external;

    /// @notice The anchor record of `root` (anchoredAt == 0 if never anchored).
    function anchorOf(bytes32 root) external view returns (AnchorRecord memory);

    /// @notice True iff `root` is anchored and `proof` proves `leaf` in it (OZ MerkleProof, sorted pairs).
    function verify(bytes32 root, bytes32[] calldata proof, bytes32 leaf) external view returns (bool);
}
