import Link from 'next/link';
import type { ReactNode } from 'react';
import type { MessageKey } from '@/i18n';
import { logoutAction } from '@/lib/actions/session';
import type { Viewer } from '@/lib/auth/operations';
import { type Workspace, WORKSPACES, workspacesFor } from '@/lib/auth/roles';
import { viewerRoles } from '@/lib/auth/session';
import { getI18n } from '@/lib/i18n/server';
import { LanguageSwitch } from './language-switch';
import { type NavItem, NavLinks } from './nav-links-client';

const SECTIONS: Record<Workspace, { href: string; label: MessageKey }[]> = {
  enterprise: [
    { href: '/enterprise', label: 'nav.energy' },
    { href: '/enterprise/topology', label: 'nav.topology' },
    { href: '/enterprise/room', label: 'nav.room' },
    { href: '/enterprise/carbon', label: 'nav.carbon' },
    { href: '/enterprise/data', label: 'nav.data' },
    { href: '/enterprise/accounting', label: 'nav.accounting' },
  ],
  park: [{ href: '/park', label: 'nav.park' }],
  regulator: [{ href: '/regulator', label: 'nav.regulator' }],
  association: [{ href: '/association', label: 'nav.association' }],
  verifier: [{ href: '/verifier', label: 'nav.verifier' }],
  admin: [{ href: '/admin', label: 'nav.admin' }],
};

const WORKSPACE_LABEL: Record<Workspace, MessageKey> = {
  enterprise: 'nav.energy',
  park: 'nav.park',
  regulator: 'nav.regulator',
  association: 'nav.association',
  verifier: 'nav.verifier',
  admin: 'nav.admin',
};

/** Sidebar + top bar around every workspace page; collapses to a menu on phones. */
export async function AppShell({
  workspace,
  viewer,
  children,
}: {
  workspace: Workspace;
  viewer: Viewer;
  children: ReactNode;
}) {
  const { t } = await getI18n();
  const roles = viewerRoles(viewer);
  const items: NavItem[] = SECTIONS[workspace].map((s) => ({ href: s.href, label: t(s.label) }));
  const others: NavItem[] = workspacesFor(roles)
    .filter((w) => w !== workspace)
    .map((w) => ({ href: WORKSPACES[w].path, label: t(WORKSPACE_LABEL[w]) }));
  const roleNames = roles.map((r) => t(`role.${r}` as MessageKey)).join(', ');
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('a11y.skipToContent')}
      </a>
      <aside className="sidebar">
        <Link className="brand" href="/">
          {t('app.name')}
          <small>{t('app.tagline')}</small>
        </Link>
        <details className="nav-details" open>
          <summary className="button secondary menu-toggle">{t('a11y.openMenu')}</summary>
          <nav className="nav" aria-label={t('a11y.mainNav')}>
            <NavLinks items={items} />
            {others.length > 0 ? (
              <>
                <p className="nav-heading">{t('nav.switchRole')}</p>
                <NavLinks items={others} />
              </>
            ) : null}
          </nav>
        </details>
      </aside>
      <div className="content">
        <header className="topbar">
          <span className="who" data-testid="who">
            {t('auth.signedInAs', { name: viewer.user?.displayName ?? viewer.user?.email ?? viewer.kind })}
            {roleNames ? ` · ${roleNames}` : ''}
          </span>
          <LanguageSwitch />
          <form action={logoutAction}>
            <button type="submit" className="secondary">
              {t('auth.logout')}
            </button>
          </form>
        </header>
        <main id="main" className="main">
          {children}
        </main>
      </div>
    </div>
  );
}
