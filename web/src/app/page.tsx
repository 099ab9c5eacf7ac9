import { redirect } from 'next/navigation';
import { LanguageSwitch } from '@/components/language-switch';
import { logoutAction } from '@/lib/actions/session';
import { homeFor } from '@/lib/auth/roles';
import { getViewer, viewerRoles } from '@/lib/auth/session';
import { getI18n } from '@/lib/i18n/server';

/** `/`: send the user to their first workspace, or explain that they have none. */
export default async function Home({ searchParams }: { searchParams: Promise<{ forbidden?: string }> }) {
  const viewer = await getViewer();
  const { forbidden } = await searchParams;
  const home = homeFor(viewerRoles(viewer));
  if (home && !forbidden) redirect(home);
  const { t } = await getI18n();
  return (
    <main id="main" className="login-wrap">
      <section className="panel login-card">
        <header>
          <h1>{t('app.name')}</h1>
          <LanguageSwitch />
        </header>
        <p className="alert" role="alert">
          {forbidden ? t('auth.forbidden') : t('auth.noRole')}
        </p>
        {home ? (
          <p>
            <a href={home}>{t('nav.switchRole')} →</a>
          </p>
        ) : null}
        <form action={logoutAction}>
          <button type="submit">{t('auth.logout')}</button>
        </form>
      </section>
    </main>
  );
}
