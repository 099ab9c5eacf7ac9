import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Abi, Hex } from 'viem';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}
interface Solc {
  compile(
    input: string,
    opts: { import: (path: string) => { contents: string } | { error: string } },
  ): string;
}

let cached: { abi: Abi; bytecode: Hex } | undefined;

/** Compiles the test-only Emitter (which imports the contracts' interfaces) with solc-js. */
export function compileEmitter(): { abi: Abi; bytecode: Hex } {
  if (cached) return cached;
  const solc = require('solc') as Solc;
  const file = join(here, 'fixtures', 'Emitter.sol');
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: readFileSync(file, 'utf8') } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const out = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (p) => {
        try {
          return { contents: readFileSync(resolve(p), 'utf8') };
        } catch {
          return { error: `not found: ${p}` };
        }
      },
    }),
  ) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const c = out.contracts[file]?.Emitter;
  if (!c) throw new Error('Emitter not in solc output');
  cached = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  return cached;
}
