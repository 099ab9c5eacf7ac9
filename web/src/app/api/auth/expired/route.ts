import { NextResponse } from 'next/server';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '@/lib/auth/cookies';

/** The API rejected the session: forget the tokens and ask the user to sign in again. */
export function GET(request: Request): NextResponse {
  const res = NextResponse.redirect(new URL('/login?expired=1', request.url), 303);
  res.cookies.delete(ACCESS_COOKIE);
  res.cookies.delete(REFRESH_COOKIE);
  return res;
}
