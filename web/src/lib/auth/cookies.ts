/** Cookie names and attributes, shared by the proxy, server actions and route handlers. */
export const ACCESS_COOKIE = 'opencep_at';
export const REFRESH_COOKIE = 'opencep_rt';
export const LOCALE_COOKIE = 'opencep_locale';

export interface CookieAttrs {
  httpOnly: boolean;
  sameSite: 'lax';
  secure: boolean;
  path: string;
  maxAge?: number;
}

/**
 * HttpOnly + SameSite=Lax: scripts cannot read tokens and cross-site POSTs do not carry them.
 * `Secure` follows the request scheme (behind a TLS proxy pass X-Forwarded-Proto), so plain-http
 * local runs and the e2e test still work.
 */
export function tokenCookieAttrs(secure: boolean, expiresAtMs: number | null, now = Date.now()): CookieAttrs {
  const attrs: CookieAttrs = { httpOnly: true, sameSite: 'lax', secure, path: '/' };
  if (expiresAtMs !== null) attrs.maxAge = Math.max(0, Math.floor((expiresAtMs - now) / 1000));
  return attrs;
}

export function isSecureRequest(headers: Headers, url?: string): boolean {
  const proto = headers.get('x-forwarded-proto');
  if (proto) return proto.split(',')[0]!.trim() === 'https';
  return url ? url.startsWith('https:') : false;
}
