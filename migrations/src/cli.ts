import { runMigrations } from './index';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL must be set to run migrations from the command line');
  process.exit(2);
}
const applied = await runMigrations(url);
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
