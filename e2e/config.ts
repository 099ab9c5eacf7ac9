/** The e2e suite's environment (nothing else in e2e/ reads process.env). */
export type BuildMode = 'auto' | 'always' | 'never';

export function e2eConfig(): { build: BuildMode; env: NodeJS.ProcessEnv } {
  const raw = process.env.OPENCEP_E2E_BUILD ?? 'auto';
  if (raw !== 'auto' && raw !== 'always' && raw !== 'never') {
    throw new Error(`OPENCEP_E2E_BUILD must be auto, always or never: ${raw}`);
  }
  return { build: raw, env: process.env };
}
