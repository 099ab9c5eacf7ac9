/**
 * Fails (exit 1) when line or branch coverage of contracts/src in coverage/coverage-summary.json
 * (written by `hardhat coverage`) is below the threshold (default 95%, override with argv[2]).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Metric {
  total: number;
  covered: number;
  pct: number;
}
type Summary = Record<string, { lines: Metric; branches: Metric; statements: Metric; functions: Metric }>;

const threshold = Number(process.argv[2] ?? 95);
const file = path.resolve(__dirname, '..', 'coverage', 'coverage-summary.json');
const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
const total = summary.total;
if (!total) throw new Error(`no total in ${file}`);
const failures: string[] = [];
for (const key of ['lines', 'branches'] as const) {
  const { pct, covered, total: count } = total[key];
  console.log(`${key.padEnd(9)} ${pct.toFixed(2)}% (${covered}/${count})`);
  if (pct < threshold) failures.push(`${key} ${pct}% < ${threshold}%`);
}
if (failures.length > 0) {
  console.error(`coverage below threshold: ${failures.join(', ')}`);
  process.exit(1);
}
