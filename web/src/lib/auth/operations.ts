import { gqlRequest } from '@/lib/graphql/client';

/**
 * The identity operations the portal needs, in one place so a schema change is one edit.
 * Shapes follow api/schema.graphql (identity module).
 */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** ms since epoch; from the response, else the JWT `exp`. */
  accessExpiresAt: number | null;
  refreshExpiresAt: number | null;
}

interface WireTokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt?: string | null;
  refreshTokenExpiresAt?: string | null;
}

const TOKEN_FIELDS = 'accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt';

const LOGIN = `mutation PortalLogin($email: String!, $password: String!) { login(email: $email, password: $password) { ${TOKEN_FIELDS} } }`;
const REFRESH = `mutation PortalRefresh($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { ${TOKEN_FIELDS} } }`;
const LOGOUT = 'mutation PortalLogout { logout }';

function toPair(w: WireTokens): TokenPair {
  const ms = (v: string | null | undefined) => (v ? new Date(v).getTime() : null);
  return {
    accessToken: w.accessToken,
    refreshToken: w.refreshToken,
    accessExpiresAt: ms(w.accessTokenExpiresAt),
    refreshExpiresAt: ms(w.refreshTokenExpiresAt),
  };
}

export async function apiLogin(email: string, password: string): Promise<TokenPair> {
  const data = await gqlRequest<{ login: WireTokens }>(LOGIN, { email, password });
  return toPair(data.login);
}

export async function apiRefresh(refreshToken: string): Promise<TokenPair> {
  const data = await gqlRequest<{ refreshSession: WireTokens }>(REFRESH, { refreshToken });
  return toPair(data.refreshSession);
}

/** Revokes the session the access token belongs to (all its tokens). */
export async function apiLogout(accessToken: string): Promise<void> {
  await gqlRequest<{ logout: boolean }>(LOGOUT, {}, { token: accessToken });
}

/** One role grant of the signed-in user. */
export interface ViewerGrant {
  id: string | null;
  role: string;
  scopeType: string;
  scopeId: string | null;
}

export interface Viewer {
  kind: string;
  user: { id: string; email: string; displayName?: string } | null;
  grants: ViewerGrant[];
  permissions: string[];
}

// `user.displayName` is left out: the API's `me` resolver does not load it yet (answers
// INTERNAL_SERVER_ERROR); the shell shows the email instead.
export const ME =
  'query PortalMe { me { kind user { id email } grants { id role scopeType scopeId } permissions } }';
