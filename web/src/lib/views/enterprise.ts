import type { Viewer } from '@/lib/auth/operations';
import { scopeIds } from '@/lib/auth/session';
import { type Loaded, load } from '@/lib/graphql/load';

export interface EnterpriseSummary {
  id: string;
  name: string;
  industry: string;
  creditCode: string | null;
  park: { id: string; name: string } | null;
  sites: { id: string; name: string }[];
}

const ENTERPRISE = `query PortalEnterprise($id: ID!) {
  enterprise(id: $id) { id name industry creditCode park { id name } sites { id name } }
}`;

/** The enterprise an enterprise admin/operator works on (their first enterprise grant). */
export function enterpriseIdOf(viewer: Viewer): string | null {
  return scopeIds(viewer, 'enterprise')[0] ?? null;
}

export async function loadEnterprise(id: string): Promise<Loaded<EnterpriseSummary>> {
  const r = await load<{ enterprise: EnterpriseSummary }>('enterprise', ENTERPRISE, { id });
  return r.ok ? { ok: true, data: r.data.enterprise } : r;
}
