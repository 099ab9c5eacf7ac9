import type { Metadata } from 'next';
import { LanguageSwitch } from '@/components/language-switch';
import { getI18n } from '@/lib/i18n/server';
import { LoginForm } from './login-form-client';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('auth.title') };
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ expired?: string; next?: string }>;
}) {
  const { t } = await getI18n();
  const { expired, next } = await searchParams;
  return (
    <main id="main" className="login-wrap">
      <section className="panel login-card" aria-labelledby="login-title">
        <header>
          <div>
            <p style={{ margin: 0, fontWeight: 700, color: 'var(--brand)' }}>{t('app.name')}</p>
            <h1 id="login-title" style={{ margin: 0 }}>
              {t('auth.title')}
            </h1>
          </div>
          <LanguageSwitch />
        </header>
        <p className="hint">{t('app.tagline')}</p>
        {expired ? (
          <p className="notice" role="status">
            {t('auth.expired')}
          </p>
        ) : null}
        <LoginForm
          next={next ?? '/'}
          labels={{
            email: t('auth.email'),
            password: t('auth.password'),
            submit: t('auth.submit'),
            submitting: t('auth.submitting'),
            invalid: t('auth.error.invalid'),
            rateLimited: t('auth.error.rateLimited'),
            unreachable: t('auth.error.unreachable'),
            notAvailable: t('auth.error.notAvailable'),
            generic: t('auth.error.generic', { code: '{code}' }),
          }}
        />
      </section>
    </main>
  );
}
