import type { ReactNode } from 'react';
import { AppShell } from '@/components/app-shell';
import { requireWorkspace } from '@/lib/auth/session';

/** The enterprise console pages share the shell; the carbon big screen does not. */
export default async function EnterpriseConsoleLayout({ children }: { children: ReactNode }) {
  const viewer = await requireWorkspace('enterprise');
  return (
    <AppShell workspace="enterprise" viewer={viewer}>
      {children}
    </AppShell>
  );
}
