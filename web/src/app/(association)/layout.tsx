import type { ReactNode } from 'react';
import { AppShell } from '@/components/app-shell';
import { requireWorkspace } from '@/lib/auth/session';

/** association workspace: guarded by role, inside the shell. */
export default async function Layout({ children }: { children: ReactNode }) {
  const viewer = await requireWorkspace('association');
  return (
    <AppShell workspace="association" viewer={viewer}>
      {children}
    </AppShell>
  );
}
