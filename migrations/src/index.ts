import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSource, type MigrationInterface } from 'typeorm';

const here = dirname(fileURLToPath(import.meta.url));
type MigrationClass = new () => MigrationInterface;

/**
 * Loads every migration class from `migrations/src/migrations`. Files are named
 * `<unix-ms>-<Name>.ts` and export one class whose name ends in the same timestamp, so
 * TypeORM orders them by time. Loading by directory lets each module add its migration
 * without editing a shared list.
 */
export async function loadMigrations(): Promise<MigrationClass[]> {
  const dir = join(here, 'migrations');
  const files = readdirSync(dir)
    .filter((f) => /^\d+-.+\.ts$/.test(f) && !f.endsWith('.test.ts'))
    .sort();
  const classes: MigrationClass[] = [];
  for (const file of files) {
    const mod = (await import(join(dir, file))) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (typeof value === 'function') classes.push(value as MigrationClass);
    }
  }
  return classes;
}

/** Runs all pending migrations against `url` in one transaction each. Returns names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource({
    type: 'postgres',
    url,
    migrations: await loadMigrations(),
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
  });
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

export { createTestDatabase, adminDatabaseUrl, type TestDatabase } from './testing';
