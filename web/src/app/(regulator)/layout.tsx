import type { ReactNode } from 'react';
import { AppShell } from '@/components/app-shell';
import { requireWorkspace } from '@/lib/auth/session';

/** regulator workspace: guarded by role, inside the shell. */
export default async function Layout({ children }: { children: ReactNode }) {
  const viewer = await requireWorkspace('regulator');
  return (
    <AppShell workspace="regulator" viewer={viewer}>
      {children}
    </AppShell>
  );
}
