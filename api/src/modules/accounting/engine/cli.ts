#!/usr/bin/env tsx
/**
 * Standalone accounting CLI — the same `calculate` the API runs, so a verifier can recompute an inventory
 * offline:
 *   npx tsx api/src/modules/accounting/engine/cli.ts calc --pack <pack.json> --activity <activity.json>
 *       [--expect-hash 0x…] [--invalid-measured-factor error|use-default]
 *   npx tsx api/src/modules/accounting/engine/cli.ts hash --pack <pack.json>
 * Prints canonical (RFC 8785) JSON on stdout; errors go to stderr with their code and exit status 2.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isAccountingError } from '../accounting.errors';
import { loadPack } from '../packs/pack';
import { type CalculateOptions, calculate, inventoryToCanonicalJson } from './calculate';

const USAGE =
  'usage: cli.ts calc --pack <file> --activity <file> [--expect-hash <0x…>] [--invalid-measured-factor error|use-default]\n' +
  '       cli.ts hash --pack <file>';

export const runCli = (argv: readonly string[]): { code: number; stdout: string; stderr: string } => {
  try {
    const { positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        pack: { type: 'string' },
        activity: { type: 'string' },
        'expect-hash': { type: 'string' },
        'invalid-measured-factor': { type: 'string' },
      },
    });
    const command = positionals[0];
    if (!values.pack || (command !== 'calc' && command !== 'hash'))
      return { code: 64, stdout: '', stderr: USAGE };
    const pack = loadPack(readFileSync(values.pack, 'utf8'));
    if (command === 'hash') return { code: 0, stdout: `${pack.hash}\n`, stderr: '' };
    if (!values.activity) return { code: 64, stdout: '', stderr: USAGE };
    const policy = values['invalid-measured-factor'];
    if (policy !== undefined && policy !== 'error' && policy !== 'use-default') {
      return { code: 64, stdout: '', stderr: USAGE };
    }
    const options: CalculateOptions = {
      ...(values['expect-hash'] ? { expectedPackHash: values['expect-hash'] } : {}),
      ...(policy ? { invalidMeasuredFactor: policy } : {}),
    };
    const inventory = calculate(pack, readFileSync(values.activity, 'utf8'), options);
    return { code: 0, stdout: `${inventoryToCanonicalJson(inventory)}\n`, stderr: '' };
  } catch (e) {
    if (isAccountingError(e)) return { code: 2, stdout: '', stderr: `${e.message}\n` };
    return { code: 1, stdout: '', stderr: `${(e as Error).message}\n` };
  }
};

const entry = process.argv[1];
const isMain = entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href;
if (isMain) {
  const r = runCli(process.argv.slice(2));
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
