/**
 * Reads the `exp` claim of a JWT without verifying it. The portal never trusts claims for
 * authorisation (the API verifies every request); it only uses `exp` to refresh before expiry.
 */
export function jwtExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** True when the token is missing, unreadable, or expires within `skewMs`. */
export function isExpired(token: string | undefined, now = Date.now(), skewMs = 30_000): boolean {
  if (!token) return true;
  const exp = jwtExpiry(token);
  return exp === null || exp - skewMs <= now;
}
