import type { ReactNode } from 'react';
import { AppShell } from '@/components/app-shell';
import { requireWorkspace } from '@/lib/auth/session';

/** park workspace: guarded by role, inside the shell. */
export default async function Layout({ children }: { children: ReactNode }) {
  const viewer = await requireWorkspace('park');
  return (
    <AppShell workspace="park" viewer={viewer}>
      {children}
    </AppShell>
  );
}
