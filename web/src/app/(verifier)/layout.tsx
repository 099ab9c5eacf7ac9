import type { ReactNode } from 'react';
import { AppShell } from '@/components/app-shell';
import { requireWorkspace } from '@/lib/auth/session';

/** verifier workspace: guarded by role, inside the shell. */
export default async function Layout({ children }: { children: ReactNode }) {
  const viewer = await requireWorkspace('verifier');
  return (
    <AppShell workspace="verifier" viewer={viewer}>
      {children}
    </AppShell>
  );
}
