// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {IParticipantRegistry} from "./interfaces/IParticipantRegistry.sol";

/// @title AttestationRegistry
/// @notice Anchors Merkle roots of readings batches, inventories and reports, lets report anchors be
/// superseded (history kept), and records verifier statements.
///
/// Trees: leaves are keccak256(abi.encode(salt, enterprise, meter, ts, value, unit)) (single hash,
/// DESIGN §5), inner nodes hash sorted pairs exactly like OpenZeppelin MerkleProof, so a tree built with
/// `SimpleMerkleTree` (OpenZeppelin merkle-tree JS library) verifies here.
///
/// Gas: an anchor writes ONE storage slot (AnchorRecord, 216 bits) whatever the batch size; the
/// enterprise id, standard reference, period and submitter travel in the `Anchored` event. The
/// standard reference is not checked on chain (the indexer and the accounting engine check it
/// against StandardsRegistry) to keep anchoring under 60k gas.
contract AttestationRegistry is IAttestationRegistry {
    IParticipantRegistry private immutable _participants;
    mapping(bytes32 root => AnchorRecord) private _anchors;

    /// @param participantRegistry Decides who may anchor (enterprise admins and devices) and verify.
    constructor(IParticipantRegistry participantRegistry) {
        _participants = participantRegistry;
    }

    /// @inheritdoc IAttestationRegistry
    function anchor(
        bytes32 enterpriseId,
        bytes32 root,
        uint48 leafCount,
        uint64 periodStart,
        uint64 periodEnd,
        AnchorKind kind,
        bytes32 standardRef
    ) external {
        uint32 index = _authorize(enterpriseId);
        _anchor(index, root, leafCount, periodStart, periodEnd, kind);
        emit Anchored(enterpriseId, standardRef, periodStart, root, periodEnd, kind, leafCount, msg.sender);
    }

    /// @inheritdoc IAttestationRegistry
    function supersede(
        bytes32 enterpriseId,
        bytes32 oldRoot,
        bytes32 newRoot,
        uint48 leafCount,
        uint64 periodStart,
        uint64 periodEnd,
        bytes32 standardRef,
        string calldata reason
    ) external {
        uint32 index = _authorize(enterpriseId);
        if (bytes(reason).length == 0) revert AttestationEmptyReason();
        AnchorRecord storage old = _anchors[oldRoot];
        if (old.anchoredAt == 0) revert AttestationUnknownAnchor(oldRoot);
        if (old.enterpriseIndex != index) revert AttestationEnterpriseMismatch(oldRoot, enterpriseId);
        if (old.kind != AnchorKind.Report) revert AttestationNotReport(oldRoot);
        if (old.superseded) revert AttestationAlreadySuperseded(oldRoot);
        old.superseded = true;
        _anchor(index, newRoot, leafCount, periodStart, periodEnd, AnchorKind.Report);
        emit Anchored(
            enterpriseId, standardRef, periodStart, newRoot, periodEnd, AnchorKind.Report, leafCount, msg.sender
        );
        emit AnchorSuperseded(enterpriseId, oldRoot, newRoot, reason, msg.sender);
    }

    /// @inheritdoc IAttestationRegistry
    function recordStatement(bytes32 root, Opinion opinion, bytes32 documentHash) external {
        if (!_participants.isVerifier(msg.sender)) revert AttestationNotVerifier(msg.sender);
        AnchorRecord storage record = _anchors[root];
        if (record.anchoredAt == 0) revert AttestationUnknownAnchor(root);
        bytes32 enterpriseId = _participants.enterpriseIdAt(record.enterpriseIndex);
        emit StatementRecorded(enterpriseId, root, msg.sender, opinion, documentHash);
    }

    /// @inheritdoc IAttestationRegistry
    function anchorOf(bytes32 root) external view returns (AnchorRecord memory) {
        return _anchors[root];
    }

    /// @notice Whether `root` was anchored.
    function isAnchored(bytes32 root) external view returns (bool) {
        return _anchors[root].anchoredAt != 0;
    }

    /// @inheritdoc IAttestationRegistry
    function verify(bytes32 root, bytes32[] calldata proof, bytes32 leaf) external view returns (bool) {
        return _anchors[root].anchoredAt != 0 && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @notice The ParticipantRegistry this registry trusts.
    function participants() external view returns (IParticipantRegistry) {
        return _participants;
    }

    function _authorize(bytes32 enterpriseId) private view returns (uint32 index) {
        index = _participants.submitterIndex(enterpriseId, msg.sender);
        if (index == 0) revert AttestationUnauthorizedSubmitter(enterpriseId, msg.sender);
    }

    function _anchor(
        uint32 index,
        bytes32 root,
        uint48 leafCount,
        uint64 periodStart,
        uint64 periodEnd,
        AnchorKind kind
    ) private {
        if (root == bytes32(0)) revert AttestationZeroRoot();
        if (leafCount == 0) revert AttestationEmptyBatch();
        if (periodStart > periodEnd || periodEnd > type(uint40).max) {
            revert AttestationInvalidPeriod(periodStart, periodEnd);
        }
        AnchorRecord storage record = _anchors[root];
        if (record.anchoredAt != 0) revert AttestationAlreadyAnchored(root);
        // Casts are safe: periodStart <= periodEnd <= type(uint40).max was checked above and
        // block.timestamp fits in uint40 until the year 36812.
        _anchors[root] = AnchorRecord({
            enterpriseIndex: index,
            kind: kind,
            superseded: false,
            anchoredAt: uint40(block.timestamp),
            leafCount: leafCount,
            periodStart: uint40(periodStart),
            periodEnd: uint40(periodEnd)
        });
    }
}
