import { LOCALES } from '@/i18n';
import { setLocaleAction } from '@/lib/actions/session';
import { getI18n } from '@/lib/i18n/server';

/** zh-CN ↔ en. A plain form posting to a server action: works without JavaScript too. */
export async function LanguageSwitch() {
  const { locale, t } = await getI18n();
  return (
    <form action={setLocaleAction} className="lang-switch" aria-label={t('lang.label')}>
      {LOCALES.map((l) => (
        <button
          key={l}
          type="submit"
          name="locale"
          value={l}
          className="secondary"
          aria-pressed={l === locale}
          lang={l}
          data-testid={`lang-${l}`}
        >
          {t(`lang.${l}`)}
        </button>
      ))}
    </form>
  );
}
