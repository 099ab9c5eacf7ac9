import { en, type MessageKey, type Messages } from './en';
import { zhCN } from './zh-CN';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

const DICTIONARIES: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

export type { MessageKey, Messages };
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function isLocale(value: string | undefined | null): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

/** Picks zh-CN or en from an Accept-Language header (first supported language wins). */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  for (const part of acceptLanguage.split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return DEFAULT_LOCALE;
}

export function translator(locale: Locale): Translate {
  const dict = DICTIONARIES[locale];
  return (key, vars) => {
    const text = dict[key];
    if (!vars) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  };
}

/** Locale-aware formatters (Intl). Figures arrive as decimal strings; they are displayed, never summed. */
export interface Formatters {
  locale: Locale;
  timeZone: string;
  number(value: string | number | null | undefined, maxFractionDigits?: number): string;
  quantity(value: string | number | null | undefined, unit: string, maxFractionDigits?: number): string;
  percent(value: number | null | undefined): string;
  dateTime(value: string | Date | null | undefined): string;
  date(value: string | Date | null | undefined): string;
  time(value: string | Date | null | undefined): string;
  /** HH:mm on a 24-hour clock (chart axes). */
  clock(value: string | Date | null | undefined): string;
}

const DASH = '—';

export function formatters(locale: Locale, timeZone: string): Formatters {
  const nf = (digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
  const toNum = (v: string | number) => (typeof v === 'number' ? v : Number(v));
  const toDate = (v: string | Date) => (v instanceof Date ? v : new Date(v));
  const dtf = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const df = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  const tf = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone,
  });
  const cf = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  });
  const valid = (v: string | Date | null | undefined): v is string | Date =>
    v != null && !Number.isNaN(toDate(v).getTime());
  const number = (v: string | number | null | undefined, digits = 2): string =>
    v == null || v === '' || !Number.isFinite(toNum(v)) ? DASH : nf(digits).format(toNum(v));
  return {
    locale,
    timeZone,
    number,
    quantity: (v, unit, digits = 2) => {
      const n = number(v, digits);
      return n === DASH ? DASH : `${n} ${unit}`;
    },
    percent: (v) =>
      v == null || !Number.isFinite(v)
        ? DASH
        : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(v),
    dateTime: (v) => (valid(v) ? dtf.format(toDate(v)) : DASH),
    date: (v) => (valid(v) ? df.format(toDate(v)) : DASH),
    time: (v) => (valid(v) ? tf.format(toDate(v)) : DASH),
    clock: (v) => (valid(v) ? cf.format(toDate(v)) : DASH),
  };
}
