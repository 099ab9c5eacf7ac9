import { type NextRequest, NextResponse } from 'next/server';
import { config as portalConfig } from '@/config';
import { ACCESS_COOKIE, isSecureRequest, REFRESH_COOKIE, tokenCookieAttrs } from '@/lib/auth/cookies';
import { isExpired } from '@/lib/auth/jwt';
import { apiRefresh, type TokenPair } from '@/lib/auth/operations';

/**
 * Runs before every page and route handler:
 * 1. Content-Security-Policy with a fresh nonce (Next applies it to its own scripts; pages are
 *    dynamically rendered anyway because they depend on the session cookie).
 *    - script-src: 'self' + nonce + 'strict-dynamic' — no inline script without the nonce.
 *    - style-src: 'self' 'unsafe-inline' — React `style={…}` attributes and ECharts' tooltip/
 *      canvas wrappers set inline styles; a nonce cannot cover style attributes. Style injection
 *      is a far smaller risk than script injection; we accept it and document it here.
 *    - connect-src: 'self' + the API's WebSocket origin (live charts); all GraphQL HTTP goes
 *      through the portal server, so the browser never talks to the API over HTTP. Plus the chain
 *      RPC origin when configured: the verifier's browser reads anchors from the chain itself.
 *    - img-src blob: for the local preview of a meter photo before upload.
 * 2. Session upkeep: an access token that expires within 30 s is refreshed with the refresh
 *    token (rotating both cookies) before the page renders, because server components cannot
 *    set cookies. A failed refresh clears the session and sends the user to /login.
 * 3. Optimistic guard: no session cookies → /login. Real authorisation is the API's and the
 *    role check in each route group's layout.
 */
const PUBLIC_PATHS = ['/login', '/api/auth/expired', '/api/health'];

function csp(nonce: string): string {
  const { apiWsOrigin, chainRpcOrigin, isDev } = portalConfig();
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src 'self' ${apiWsOrigin}${chainRpcOrigin ? ` ${chainRpcOrigin}` : ''}${isDev ? ' ws:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Refresh tokens rotate and the API treats a second use as theft (REFRESH_TOKEN_REUSED). Parallel
 * requests of one browser (page + live-chart token) would each try to refresh, so one refresh per
 * token is shared for a few seconds within this process.
 */
const inflight = new Map<string, Promise<TokenPair>>();
function refreshOnce(refreshToken: string): Promise<TokenPair> {
  let p = inflight.get(refreshToken);
  if (!p) {
    p = apiRefresh(refreshToken);
    inflight.set(refreshToken, p);
    const forget = () => setTimeout(() => inflight.delete(refreshToken), 10_000);
    p.then(forget, forget);
  }
  return p;
}

function setTokens(res: NextResponse, pair: TokenPair, secure: boolean): void {
  res.cookies.set(ACCESS_COOKIE, pair.accessToken, tokenCookieAttrs(secure, pair.accessExpiresAt));
  res.cookies.set(REFRESH_COOKIE, pair.refreshToken, tokenCookieAttrs(secure, pair.refreshExpiresAt));
}

function clearTokens(res: NextResponse): void {
  res.cookies.delete(ACCESS_COOKIE);
  res.cookies.delete(REFRESH_COOKIE);
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const policy = csp(nonce);
  const { pathname, search } = request.nextUrl;
  const isPublic = PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  const secure = isSecureRequest(request.headers, request.url);

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', policy);

  const access = request.cookies.get(ACCESS_COOKIE)?.value;
  const refresh = request.cookies.get(REFRESH_COOKIE)?.value;
  let refreshed: TokenPair | null = null;
  let sessionGone = false;

  if (!isPublic && isExpired(access)) {
    if (refresh) {
      try {
        refreshed = await refreshOnce(refresh);
      } catch {
        sessionGone = true;
      }
    } else {
      sessionGone = true;
    }
  }

  if (sessionGone && !isPublic) {
    const login = new URL('/login', request.url);
    if (access || refresh) login.searchParams.set('expired', '1');
    if (pathname !== '/') login.searchParams.set('next', `${pathname}${search}`);
    const res = NextResponse.redirect(login);
    clearTokens(res);
    res.headers.set('content-security-policy', policy);
    return res;
  }

  if (refreshed) {
    // Let this request's server components see the new token too.
    request.cookies.set(ACCESS_COOKIE, refreshed.accessToken);
    request.cookies.set(REFRESH_COOKIE, refreshed.refreshToken);
    requestHeaders.set('cookie', request.cookies.toString());
  }

  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set('content-security-policy', policy);
  if (refreshed) setTokens(res, refreshed, secure);
  return res;
}

export const config = {
  matcher: [
    {
      source: '/((?!_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
