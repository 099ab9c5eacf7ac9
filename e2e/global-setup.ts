import { e2eConfig } from './config';
import { buildPortal, portalBuildIsStale } from './harness';

/**
 * Builds the portal once per run when web/.next is missing or older than the sources, so the
 * tests exercise the production server (`next start`: real CSP, no dev overlay).
 * OPENCEP_E2E_BUILD=always|never overrides the staleness check.
 */
export default async function setup(): Promise<void> {
  const mode = e2eConfig().build;
  if (mode === 'never' || (mode === 'auto' && !portalBuildIsStale())) return;
  const ms = await buildPortal();
  console.log(`[e2e] next build took ${(ms / 1000).toFixed(1)} s`);
}
