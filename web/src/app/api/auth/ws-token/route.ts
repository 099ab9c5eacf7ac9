import { NextResponse } from 'next/server';
import { config } from '@/config';
import { accessToken } from '@/lib/auth/session';

/**
 * The access token for the browser's graphql-ws connection (connectionParams). The cookie is
 * HttpOnly, so live charts ask here on every (re)connect; the proxy has refreshed it if needed.
 * Same-origin only (no CORS headers), never cached.
 */
export async function GET(): Promise<NextResponse> {
  const token = await accessToken();
  if (!token)
    return NextResponse.json(
      { error: 'UNAUTHENTICATED' },
      { status: 401, headers: { 'cache-control': 'no-store' } },
    );
  return NextResponse.json({ token, url: config().apiWsUrl }, { headers: { 'cache-control': 'no-store' } });
}
