import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres';

/**
 * Tests run against DATABASE_URL when it is set (CI exports the machine's Postgres). Otherwise
 * an embedded Postgres is started for the run and thrown away afterwards.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) return async () => {};
  const dir = mkdtempSync(join(tmpdir(), 'opencep-test-pg-'));
  const pgHandle = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  process.env.DATABASE_URL = pgHandle.url;
  return async () => {
    await pgHandle.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
