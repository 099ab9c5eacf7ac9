import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The package entry (`opencep-verify`, src/index.ts) is what the portal runs in the browser: it and
 * everything it imports must stay free of Node-only modules and globals. The CLI (`opencep-verify/cli`)
 * and the test fixture (`opencep-verify/testing`) are separate entries and may use Node.
 */
const SRC = dirname(fileURLToPath(import.meta.url));
const NODE_ONLY = [
  /from\s+['"]node:/,
  /from\s+['"](fs|path|os|child_process|crypto|url|http|https|net|stream|buffer|util)['"]/,
  /\brequire\(/,
  /\bBuffer\./,
  /\bBuffer\(/,
  /\bprocess\./,
  /\b__dirname\b/,
];

function importGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      visit(`${resolve(dirname(file), m[1] as string)}.ts`);
    }
  };
  visit(entry);
  return seen;
}

describe('browser-safe entry', () => {
  const graph = importGraph(join(SRC, 'index.ts'));

  it('walks the whole pure check path', () => {
    const names = [...graph.keys()].map((f) => f.slice(SRC.length + 1)).sort();
    expect(names).toEqual(['abi.ts', 'encoding.ts', 'index.ts', 'merkle.ts', 'proof-file.ts', 'verify.ts']);
  });

  it('uses no Node-only module or global', () => {
    const offending = [...graph].flatMap(([file, text]) =>
      NODE_ONLY.filter((re) => re.test(text)).map((re) => `${file.slice(SRC.length + 1)}: ${re}`),
    );
    expect(offending).toEqual([]);
  });

  it('the detector itself flags a Node import (guard against a vacuous pass)', () => {
    const sample = `import { readFileSync } from 'node:fs';\nconst b = Buffer.from('x');`;
    expect(NODE_ONLY.filter((re) => re.test(sample)).length).toBeGreaterThanOrEqual(2);
  });
});
