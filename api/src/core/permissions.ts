/**
 * Roles, scopes and permissions: the one table shared by the API auth guard and the web layouts.
 * Add a permission here, give it to roles, then reference it from a resolver with `@Can(...)`.
 * The role × operation matrix test reads this table, so a change here is tested automatically.
 */
export const ROLES = [
  'ENTERPRISE_ADMIN',
  'ENTERPRISE_OPERATOR',
  'PARK_ADMIN',
  'REGULATOR',
  'ASSOCIATION_MEMBER',
  'VERIFIER',
  'PLATFORM_ADMIN',
  'DEVICE',
] as const;
export type Role = (typeof ROLES)[number];

export const SCOPE_TYPES = ['ENTERPRISE', 'PARK', 'JURISDICTION', 'ASSOCIATION', 'PLATFORM'] as const;
export type ScopeType = (typeof SCOPE_TYPES)[number];

/** The scope a role is granted on. A verifier's engagement is granted by one enterprise. */
export const ROLE_SCOPE = {
  ENTERPRISE_ADMIN: 'ENTERPRISE',
  ENTERPRISE_OPERATOR: 'ENTERPRISE',
  PARK_ADMIN: 'PARK',
  REGULATOR: 'JURISDICTION',
  ASSOCIATION_MEMBER: 'ASSOCIATION',
  VERIFIER: 'ENTERPRISE',
  PLATFORM_ADMIN: 'PLATFORM',
  DEVICE: 'ENTERPRISE',
} as const satisfies Record<Role, ScopeType>;

/**
 * permission → roles holding it. Tenant reach comes from the grant's scope: an enterprise grant
 * reaches that enterprise, a park grant the park's enterprises, a jurisdiction grant the enterprises
 * of parks in it, a platform grant everything. Park admins get aggregates, never raw readings;
 * regulators get anchored/submitted data; platform admins operate but do not read tenant plant data.
 */
export const PERMISSIONS = {
  'park:read': ['PARK_ADMIN', 'REGULATOR', 'PLATFORM_ADMIN'],
  'park:write': ['PLATFORM_ADMIN'],
  /** The park's government export (JSON/XLSX download): the park itself and platform admins (issue 11). */
  'park:export': ['PARK_ADMIN', 'PLATFORM_ADMIN'],
  /** Place member enterprises on the park layout (issue 10): the park's own admins only. */
  'park:layout': ['PARK_ADMIN'],
  /** Consent to share the enterprise's aggregates with its park (issue 11): enterprise admins only. */
  'park:share': ['ENTERPRISE_ADMIN'],
  'enterprise:read': [
    'ENTERPRISE_ADMIN',
    'ENTERPRISE_OPERATOR',
    'VERIFIER',
    'PARK_ADMIN',
    'REGULATOR',
    'PLATFORM_ADMIN',
  ],
  'enterprise:create': ['PLATFORM_ADMIN'],
  'enterprise:write': ['ENTERPRISE_ADMIN', 'PLATFORM_ADMIN'],
  'org:read': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR', 'VERIFIER'],
  'org:write': ['ENTERPRISE_ADMIN'],
  'readings:read': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR', 'VERIFIER'],
  'readings:write': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR', 'DEVICE'],
  'aggregates:read': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR', 'PARK_ADMIN'],
  'energy:configure': ['ENTERPRISE_ADMIN'],
  'accounting:read': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR', 'VERIFIER'],
  'accounting:write': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR'],
  /** Inventories: enterprise roles read every state; regulators read FINAL and later only. */
  'inventory:read': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR', 'VERIFIER', 'REGULATOR'],
  'accounting:finalize': ['ENTERPRISE_ADMIN'],
  /** Quota status is an aggregate (used vs quota, true-up, forecast): park admins and regulators too. */
  'quota:read': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR', 'VERIFIER', 'PARK_ADMIN', 'REGULATOR'],
  'quota:write': ['ENTERPRISE_ADMIN'],
  'reports:sign': ['ENTERPRISE_ADMIN'],
  /** Reports: enterprise roles see all; verifiers only granted ones; anchored:read holders anchored ones. */
  'reports:read': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR', 'VERIFIER', 'REGULATOR', 'PARK_ADMIN'],
  'reports:generate': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR'],
  'reports:grant': ['ENTERPRISE_ADMIN'],
  'anchored:read': ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR', 'PARK_ADMIN', 'REGULATOR', 'VERIFIER'],
  'quota:issue': ['REGULATOR'],
  'governance:vote': ['ASSOCIATION_MEMBER'],
  'verification:record': ['VERIFIER'],
  'users:manage': ['ENTERPRISE_ADMIN', 'PLATFORM_ADMIN'],
  'apikeys:manage': ['ENTERPRISE_ADMIN', 'PLATFORM_ADMIN'],
  'devices:manage': ['ENTERPRISE_ADMIN', 'PLATFORM_ADMIN'],
  'audit:read': ['ENTERPRISE_ADMIN', 'PLATFORM_ADMIN'],
  'platform:ops': ['PLATFORM_ADMIN'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/** role → permissions, derived from PERMISSIONS (what web layouts check). */
export const ROLE_PERMISSIONS: Record<Role, Permission[]> = Object.fromEntries(
  ROLES.map((role) => [
    role,
    (Object.keys(PERMISSIONS) as Permission[]).filter((p) =>
      (PERMISSIONS[p] as readonly Role[]).includes(role),
    ),
  ]),
) as Record<Role, Permission[]>;

export function roleHas(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
