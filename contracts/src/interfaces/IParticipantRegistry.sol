// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IParticipantRegistry
/// @notice Events, errors and types of the registry of enterprises, their admins and devices,
/// verifiers and regulators. Verifier and regulator changes are the AccessControl `RoleGranted` /
/// `RoleRevoked` events (roles VERIFIER_ROLE, REGULATOR_ROLE).
interface IParticipantRegistry {
    /// @notice Lifecycle of a device key. A revoked key can never be registered again.
    enum DeviceStatus {
        None,
        Active,
        Revoked
    }

    /// @notice An enterprise was registered with its first admin; `index` is its 1-based compact id.
    event EnterpriseRegistered(bytes32 indexed enterpriseId, uint32 indexed index, address indexed admin);
    /// @notice An admin account was added to an enterprise by `sender`.
    event EnterpriseAdminAdded(bytes32 indexed enterpriseId, address indexed account, address indexed sender);
    /// @notice An admin account was removed from an enterprise by `sender`.
    event EnterpriseAdminRemoved(bytes32 indexed enterpriseId, address indexed account, address indexed sender);
    /// @notice A device key was bound to an enterprise by one of its admins.
    event DeviceRegistered(bytes32 indexed enterpriseId, address indexed device, address indexed sender);
    /// @notice A device key was revoked by one of the enterprise's admins.
    event DeviceRevoked(bytes32 indexed enterpriseId, address indexed device, address indexed sender);

    /// @notice The enterprise id must not be zero.
    error ParticipantsZeroEnterpriseId();
    /// @notice The account must not be the zero address.
    error ParticipantsZeroAddress();
    /// @notice The enterprise is already registered.
    error ParticipantsEnterpriseExists(bytes32 enterpriseId);
    /// @notice The enterprise is not registered.
    error ParticipantsUnknownEnterprise(bytes32 enterpriseId);
    /// @notice `account` is not an admin of the enterprise (nor a registrar where that is allowed).
    error ParticipantsNotEnterpriseAdmin(bytes32 enterpriseId, address account);
    /// @notice `account` is already an admin of the enterprise.
    error ParticipantsAlreadyEnterpriseAdmin(bytes32 enterpriseId, address account);
    /// @notice The last admin of an enterprise cannot be removed.
    error ParticipantsLastEnterpriseAdmin(bytes32 enterpriseId);
    /// @notice The device key was already registered (possibly revoked) and cannot be reused.
    error ParticipantsDeviceExists(address device);
    /// @notice The device is not an active device of the enterprise.
    error ParticipantsDeviceNotActive(bytes32 enterpriseId, address device);

    /// @notice Registers an enterprise with its first admin. REGISTRAR_ROLE only.
    function registerEnterprise(bytes32 enterpriseId, address admin) external returns (uint32 index);
    /// @notice Adds an enterprise admin. Enterprise admin or REGISTRAR_ROLE.
    function addEnterpriseAdmin(bytes32 enterpriseId, address account) external;
    /// @notice Removes an enterprise admin (never the last). Enterprise admin or REGISTRAR_ROLE.
    function removeEnterpriseAdmin(bytes32 enterpriseId, address account) external;
    /// @notice Binds a device key to the enterprise. Enterprise admin only.
    function registerDevice(bytes32 enterpriseId, address device) external;
    /// @notice Revokes a device key of the enterprise. Enterprise admin only.
    function revokeDevice(bytes32 enterpriseId, address device) external;

    /// @notice Whether the enterprise is registered.
    function isEnterprise(bytes32 enterpriseId) external view returns (bool);
    /// @notice Whether `account` is an admin of the enterprise.
    function isEnterpriseAdmin(bytes32 enterpriseId, address account) external view returns (bool);
    /// @notice Whether `device` is an active device of the enterprise.
    function isDevice(bytes32 enterpriseId, address device) external view returns (bool);
    /// @notice Whether `account` holds VERIFIER_ROLE.
    function isVerifier(address account) external view returns (bool);
    /// @notice Whether `account` holds REGULATOR_ROLE.
    function isRegulator(address account) external view returns (bool);
    /// @notice Compact 1-based index of the enterprise if `account` is one of its admins or active
    /// devices, 0 otherwise (also 0 for an unknown enterprise). Used by AttestationRegistry.
    function submitterIndex(bytes32 enterpriseId, address account) external view returns (uint32);
    /// @notice Compact 1-based index of the enterprise, 0 if unknown.
    function enterpriseIndex(bytes32 enterpriseId) external view returns (uint32);
    /// @notice Enterprise id for a compact index.
    function enterpriseIdAt(uint32 index) external view returns (bytes32);
}
