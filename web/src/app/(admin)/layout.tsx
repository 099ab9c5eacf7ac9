import type { ReactNode } from 'react';
import { AppShell } from '@/components/app-shell';
import { requireWorkspace } from '@/lib/auth/session';

/** admin workspace: guarded by role, inside the shell. */
export default async function Layout({ children }: { children: ReactNode }) {
  const viewer = await requireWorkspace('admin');
  return (
    <AppShell workspace="admin" viewer={viewer}>
      {children}
    </AppShell>
  );
}
