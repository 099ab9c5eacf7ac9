import type { ReactNode } from 'react';
import { requireWorkspace } from '@/lib/auth/session';

/** Enterprise workspace guard: enterprise admins and operators only. */
export default async function EnterpriseGroupLayout({ children }: { children: ReactNode }) {
  await requireWorkspace('enterprise');
  return children;
}
