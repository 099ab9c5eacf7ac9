import type { Role } from '../../../../api/src/core/permissions';

export type { Role };

/** The role workspaces (route groups) of the portal and the roles that may open each. */
export const WORKSPACES = {
  enterprise: { path: '/enterprise', roles: ['ENTERPRISE_ADMIN', 'ENTERPRISE_OPERATOR'] },
  park: { path: '/park', roles: ['PARK_ADMIN'] },
  regulator: { path: '/regulator', roles: ['REGULATOR'] },
  association: { path: '/association', roles: ['ASSOCIATION_MEMBER'] },
  verifier: { path: '/verifier', roles: ['VERIFIER'] },
  admin: { path: '/admin', roles: ['PLATFORM_ADMIN'] },
} as const satisfies Record<string, { path: string; roles: readonly Role[] }>;

export type Workspace = keyof typeof WORKSPACES;
export const WORKSPACE_ORDER: readonly Workspace[] = [
  'enterprise',
  'park',
  'regulator',
  'association',
  'verifier',
  'admin',
];

export function workspacesFor(roles: readonly string[]): Workspace[] {
  return WORKSPACE_ORDER.filter((w) =>
    (WORKSPACES[w].roles as readonly string[]).some((r) => roles.includes(r)),
  );
}

/** Where a user lands after sign-in: the first workspace their roles open. */
export function homeFor(roles: readonly string[]): string | null {
  const first = workspacesFor(roles)[0];
  return first ? WORKSPACES[first].path : null;
}
