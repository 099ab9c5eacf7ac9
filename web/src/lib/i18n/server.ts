import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { config } from '@/config';
import {
  type Formatters,
  formatters,
  isLocale,
  type Locale,
  negotiateLocale,
  type Translate,
  translator,
} from '@/i18n';
import { LOCALE_COOKIE } from '@/lib/auth/cookies';

export interface I18n {
  locale: Locale;
  t: Translate;
  f: Formatters;
}

/** The request's locale: the language-switch cookie, else Accept-Language, else zh-CN. */
export const getI18n = cache(async (): Promise<I18n> => {
  const fromCookie = (await cookies()).get(LOCALE_COOKIE)?.value;
  const locale = isLocale(fromCookie)
    ? fromCookie
    : negotiateLocale((await headers()).get('accept-language'));
  return { locale, t: translator(locale), f: formatters(locale, config().timeZone) };
});
