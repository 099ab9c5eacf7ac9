/**
 * `npm run bench`: runs every benchmark under bench/ in turn. Each prints its own figures next to
 * a baseline measured in the same run. Select some with `npm run bench -- ingest energy`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const all = ['ingest', 'energy', 'indexer', 'anchor'];
// `npm run bench:energy -- --meters 100`: names select benches, `--flag value` pairs are passed on.
const args = process.argv.slice(2);
const flags = args.flatMap((a, i) => (a.startsWith('--') || args[i - 1]?.startsWith('--') ? [a] : []));
const names = args.filter((a) => !flags.includes(a));
const chosen = names.length ? names : all;
let failed = 0;
for (const name of chosen) {
  const file = join(import.meta.dirname, `${name}.ts`);
  if (!existsSync(file)) {
    console.log(`bench ${name}: not present`);
    continue;
  }
  console.log(`\n=== bench ${name} ===`);
  // the API's runtime flags as `npm start` sets them (young generation sized for 10,000-reading
  // batches; see docs/operations.md); BENCH_NODE_FLAGS='' measures Node's defaults instead
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=64').split(' ').filter(Boolean);
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', file, ...flags], {
    stdio: 'inherit',
    env: process.env,
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
