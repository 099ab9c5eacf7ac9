import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { GraphQLRequestError, gqlRequest } from '@/lib/graphql/client';
import { ACCESS_COOKIE } from './cookies';
import { ME, type Viewer } from './operations';
import { type Workspace, WORKSPACES } from './roles';

/** Where to send a browser whose session the API rejected: clears cookies, then /login?expired=1. */
export const EXPIRED_PATH = '/api/auth/expired';

export async function accessToken(): Promise<string | undefined> {
  return (await cookies()).get(ACCESS_COOKIE)?.value;
}

/**
 * GraphQL request as the signed-in user (server components and actions). The proxy has already
 * refreshed an expiring token; if the API still says UNAUTHENTICATED the session is gone, so the
 * user is sent to sign in again.
 */
export async function authedRequest<TData>(
  query: string,
  variables?: Record<string, unknown>,
): Promise<TData> {
  const token = await accessToken();
  if (!token) redirect(EXPIRED_PATH);
  try {
    return await gqlRequest<TData>(query, variables, { token });
  } catch (err) {
    if (err instanceof GraphQLRequestError && err.unauthenticated) redirect(EXPIRED_PATH);
    throw err;
  }
}

/** The signed-in user, once per request. */
export const getViewer = cache(async (): Promise<Viewer> => {
  const data = await authedRequest<{ me: Viewer | null }>(ME);
  if (!data.me) redirect(EXPIRED_PATH);
  return data.me;
});

export function viewerRoles(viewer: Viewer): string[] {
  return [...new Set(viewer.grants.map((g) => g.role))];
}

/** Guard for a workspace layout: signed in and holding one of the workspace's roles. */
export async function requireWorkspace(workspace: Workspace): Promise<Viewer> {
  const viewer = await getViewer();
  const roles = viewerRoles(viewer);
  if (!(WORKSPACES[workspace].roles as readonly string[]).some((r) => roles.includes(r))) {
    redirect('/?forbidden=1');
  }
  return viewer;
}

/** Grants of the viewer for a workspace (e.g. which enterprise an enterprise admin manages). */
export function scopeIds(viewer: Viewer, workspace: Workspace): string[] {
  const roles = WORKSPACES[workspace].roles as readonly string[];
  return viewer.grants.filter((g) => roles.includes(g.role) && g.scopeId).map((g) => g.scopeId!);
}
