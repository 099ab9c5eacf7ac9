'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { isLocale } from '@/i18n';
import {
  ACCESS_COOKIE,
  isSecureRequest,
  LOCALE_COOKIE,
  REFRESH_COOKIE,
  tokenCookieAttrs,
} from '@/lib/auth/cookies';
import { jwtExpiry } from '@/lib/auth/jwt';
import { apiLogin, apiLogout } from '@/lib/auth/operations';
import { GraphQLRequestError } from '@/lib/graphql/client';

export interface LoginState {
  error: 'invalid' | 'rateLimited' | 'unreachable' | 'notAvailable' | 'generic' | null;
  code?: string;
  email?: string;
}

/** Only same-site paths may be a post-login destination (no open redirects). */
function safeNext(value: FormDataEntryValue | null): string {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\')
  )
    return '/';
  return value;
}

export async function loginAction(_prev: LoginState, form: FormData): Promise<LoginState> {
  const email = String(form.get('email') ?? '').trim();
  const password = String(form.get('password') ?? '');
  if (!email || !password) return { error: 'invalid', email };
  let pair: Awaited<ReturnType<typeof apiLogin>>;
  try {
    pair = await apiLogin(email, password);
  } catch (err) {
    if (err instanceof GraphQLRequestError) {
      if (err.notAvailable) return { error: 'notAvailable', email };
      if (err.code === 'API_UNREACHABLE') return { error: 'unreachable', email };
      if (err.code === 'RATE_LIMITED') return { error: 'rateLimited', email };
      if (err.code === 'UNAUTHENTICATED' || err.code === 'BAD_USER_INPUT' || err.code === 'FORBIDDEN') {
        return { error: 'invalid', email };
      }
      return { error: 'generic', code: err.code, email };
    }
    return { error: 'generic', code: 'UNKNOWN', email };
  }
  const jar = await cookies();
  const secure = isSecureRequest(await headers());
  jar.set(
    ACCESS_COOKIE,
    pair.accessToken,
    tokenCookieAttrs(secure, pair.accessExpiresAt ?? jwtExpiry(pair.accessToken)),
  );
  jar.set(
    REFRESH_COOKIE,
    pair.refreshToken,
    tokenCookieAttrs(secure, pair.refreshExpiresAt ?? jwtExpiry(pair.refreshToken)),
  );
  redirect(safeNext(form.get('next')));
}

export async function logoutAction(): Promise<void> {
  const jar = await cookies();
  const access = jar.get(ACCESS_COOKIE)?.value;
  if (access) {
    // Revoke server-side too; the cookies go regardless of the API's answer.
    await apiLogout(access).catch(() => undefined);
  }
  jar.delete(ACCESS_COOKIE);
  jar.delete(REFRESH_COOKIE);
  redirect('/login');
}

/**
 * Language switch: remembered for a year. Setting a cookie in an action re-renders the current
 * route, so the page simply comes back in the new language (no redirect needed).
 */
export async function setLocaleAction(form: FormData): Promise<void> {
  const locale = String(form.get('locale') ?? '');
  if (isLocale(locale)) {
    const secure = isSecureRequest(await headers());
    (await cookies()).set(LOCALE_COOKIE, locale, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      maxAge: 365 * 24 * 3600,
    });
  }
}
