// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IParticipantRegistry} from "./interfaces/IParticipantRegistry.sol";

/// @title ParticipantRegistry
/// @notice Who may do what on chain: enterprises (bytes32 id, compact uint32 index) and their admin
/// accounts, device keys bound to an enterprise, verifiers and regulators.
///
/// Roles (AccessControl):
/// - DEFAULT_ADMIN_ROLE: the timelock (governance); admin of every role except REGULATOR_ROLE.
/// - REGULATOR_ADMIN_ROLE: grants/revokes REGULATOR_ROLE (held by the timelock, may be delegated).
/// - REGISTRAR_ROLE: registers enterprises and can add/remove enterprise admins (recovery).
/// - VERIFIER_ROLE, REGULATOR_ROLE: accredited verifiers and regulators.
/// Devices are registered and revoked by the admins of their enterprise.
contract ParticipantRegistry is AccessControl, IParticipantRegistry {
    /// @notice Grants and revokes REGULATOR_ROLE.
    bytes32 public constant REGULATOR_ADMIN_ROLE = keccak256("REGULATOR_ADMIN_ROLE");
    /// @notice Registers enterprises and manages their admins.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Issues and adjusts quotas.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    /// @notice Records verification statements.
    bytes32 public constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");

    struct Enterprise {
        uint32 index;
        uint32 adminCount;
    }

    /// @dev What an account may do for one enterprise; one slot so anchoring authorisation is one read.
    struct Access {
        uint32 index;
        bool admin;
        bool device;
    }

    struct Device {
        uint32 enterpriseIndex;
        DeviceStatus status;
    }

    mapping(bytes32 enterpriseId => Enterprise) private _enterprises;
    mapping(bytes32 enterpriseId => mapping(address account => Access)) private _access;
    mapping(address device => Device) private _devices;
    /// @dev _enterpriseIds[index - 1] is the id of the enterprise with compact index `index`.
    bytes32[] private _enterpriseIds;

    /// @param admin Receives DEFAULT_ADMIN_ROLE, REGULATOR_ADMIN_ROLE and REGISTRAR_ROLE (the timelock,
    /// or the deployer who must hand them to the timelock and renounce).
    constructor(address admin) {
        _setRoleAdmin(REGULATOR_ROLE, REGULATOR_ADMIN_ROLE);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGULATOR_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
    }

    /// @inheritdoc IParticipantRegistry
    function registerEnterprise(bytes32 enterpriseId, address admin)
        external
        onlyRole(REGISTRAR_ROLE)
        returns (uint32 index)
    {
        if (enterpriseId == bytes32(0)) revert ParticipantsZeroEnterpriseId();
        if (admin == address(0)) revert ParticipantsZeroAddress();
        if (_enterprises[enterpriseId].index != 0) revert ParticipantsEnterpriseExists(enterpriseId);
        _enterpriseIds.push(enterpriseId);
        index = uint32(_enterpriseIds.length);
        _enterprises[enterpriseId] = Enterprise({index: index, adminCount: 1});
        _access[enterpriseId][admin] = Access({index: index, admin: true, device: false});
        emit EnterpriseRegistered(enterpriseId, index, admin);
        emit EnterpriseAdminAdded(enterpriseId, admin, _msgSender());
    }

    /// @inheritdoc IParticipantRegistry
    function addEnterpriseAdmin(bytes32 enterpriseId, address account) external {
        Enterprise storage enterprise = _adminOrRegistrar(enterpriseId);
        if (account == address(0)) revert ParticipantsZeroAddress();
        Access storage access = _access[enterpriseId][account];
        if (access.admin) revert ParticipantsAlreadyEnterpriseAdmin(enterpriseId, account);
        access.index = enterprise.index;
        access.admin = true;
        ++enterprise.adminCount;
        emit EnterpriseAdminAdded(enterpriseId, account, _msgSender());
    }

    /// @inheritdoc IParticipantRegistry
    function removeEnterpriseAdmin(bytes32 enterpriseId, address account) external {
        Enterprise storage enterprise = _adminOrRegistrar(enterpriseId);
        Access storage access = _access[enterpriseId][account];
        if (!access.admin) revert ParticipantsNotEnterpriseAdmin(enterpriseId, account);
        if (enterprise.adminCount == 1) revert ParticipantsLastEnterpriseAdmin(enterpriseId);
        access.admin = false;
        --enterprise.adminCount;
        emit EnterpriseAdminRemoved(enterpriseId, account, _msgSender());
    }

    /// @inheritdoc IParticipantRegistry
    function registerDevice(bytes32 enterpriseId, address device) external {
        uint32 index = _onlyEnterpriseAdmin(enterpriseId);
        if (device == address(0)) revert ParticipantsZeroAddress();
        if (_devices[device].status != DeviceStatus.None) revert ParticipantsDeviceExists(device);
        _devices[device] = Device({enterpriseIndex: index, status: DeviceStatus.Active});
        Access storage access = _access[enterpriseId][device];
        access.index = index;
        access.device = true;
        emit DeviceRegistered(enterpriseId, device, _msgSender());
    }

    /// @inheritdoc IParticipantRegistry
    function revokeDevice(bytes32 enterpriseId, address device) external {
        uint32 index = _onlyEnterpriseAdmin(enterpriseId);
        Device storage record = _devices[device];
        if (record.status != DeviceStatus.Active || record.enterpriseIndex != index) {
            revert ParticipantsDeviceNotActive(enterpriseId, device);
        }
        record.status = DeviceStatus.Revoked;
        _access[enterpriseId][device].device = false;
        emit DeviceRevoked(enterpriseId, device, _msgSender());
    }

    /// @inheritdoc IParticipantRegistry
    function isEnterprise(bytes32 enterpriseId) external view returns (bool) {
        return _enterprises[enterpriseId].index != 0;
    }

    /// @inheritdoc IParticipantRegistry
    function isEnterpriseAdmin(bytes32 enterpriseId, address account) external view returns (bool) {
        return _access[enterpriseId][account].admin;
    }

    /// @inheritdoc IParticipantRegistry
    function isDevice(bytes32 enterpriseId, address device) external view returns (bool) {
        return _access[enterpriseId][device].device;
    }

    /// @inheritdoc IParticipantRegistry
    function isVerifier(address account) external view returns (bool) {
        return hasRole(VERIFIER_ROLE, account);
    }

    /// @inheritdoc IParticipantRegistry
    function isRegulator(address account) external view returns (bool) {
        return hasRole(REGULATOR_ROLE, account);
    }

    /// @inheritdoc IParticipantRegistry
    function submitterIndex(bytes32 enterpriseId, address account) external view returns (uint32) {
        // One storage read: the Access slot carries both the permission bits and the enterprise index.
        Access storage access = _access[enterpriseId][account];
        return access.admin || access.device ? access.index : 0;
    }

    /// @inheritdoc IParticipantRegistry
    function enterpriseIndex(bytes32 enterpriseId) external view returns (uint32) {
        return _enterprises[enterpriseId].index;
    }

    /// @inheritdoc IParticipantRegistry
    function enterpriseIdAt(uint32 index) external view returns (bytes32) {
        if (index == 0 || index > _enterpriseIds.length) revert ParticipantsUnknownEnterprise(bytes32(0));
        return _enterpriseIds[index - 1];
    }

    /// @notice Number of registered enterprises.
    function enterpriseCount() external view returns (uint256) {
        return _enterpriseIds.length;
    }

    /// @notice Enterprise and status a device key is bound to.
    function deviceOf(address device) external view returns (bytes32 enterpriseId, DeviceStatus status) {
        Device storage record = _devices[device];
        status = record.status;
        if (record.enterpriseIndex != 0) enterpriseId = _enterpriseIds[record.enterpriseIndex - 1];
    }

    function _onlyEnterpriseAdmin(bytes32 enterpriseId) private view returns (uint32 index) {
        index = _enterprises[enterpriseId].index;
        if (index == 0) revert ParticipantsUnknownEnterprise(enterpriseId);
        if (!_access[enterpriseId][_msgSender()].admin) {
            revert ParticipantsNotEnterpriseAdmin(enterpriseId, _msgSender());
        }
    }

    function _adminOrRegistrar(bytes32 enterpriseId) private view returns (Enterprise storage enterprise) {
        enterprise = _enterprises[enterpriseId];
        if (enterprise.index == 0) revert ParticipantsUnknownEnterprise(enterpriseId);
        if (!_access[enterpriseId][_msgSender()].admin && !hasRole(REGISTRAR_ROLE, _msgSender())) {
            revert ParticipantsNotEnterpriseAdmin(enterpriseId, _msgSender());
        }
    }
}
