import { readFileSync } from 'node:fs';
import { verifyProof } from './verify';

const USAGE = `usage: opencep-verify <proof.json> [--rpc URL] [--chain-id N] [--json]

Recomputes the leaf of a disclosed OpenCEP reading or inventory line from its data and salt,
checks the Merkle proof against the root, and with --rpc checks on chain that the root is anchored
on the AttestationRegistry named in the proof file.

exit codes: 0 valid, 2 malformed file, 3 leaf mismatch, 4 proof invalid, 5 wrong chain,
            6 root not anchored, 7 RPC error, 64 usage`;

/** Runs the CLI; returns the exit code (bin/opencep-verify.mjs exits with it). */
export async function main(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  let file: string | undefined;
  let rpcUrl: string | undefined;
  let chainId: number | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--rpc') rpcUrl = argv[++i];
    else if (a.startsWith('--rpc=')) rpcUrl = a.slice(6);
    else if (a === '--chain-id') chainId = Number(argv[++i]);
    else if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') {
      out(USAGE);
      return 0;
    } else if (!a.startsWith('-') && file === undefined) file = a;
    else {
      out(`unknown argument ${a}\n${USAGE}`);
      return 64;
    }
  }
  if (
    !file ||
    (argv.includes('--rpc') && !rpcUrl) ||
    (chainId !== undefined && !Number.isSafeInteger(chainId))
  ) {
    out(USAGE);
    return 64;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    out(`INVALID: malformed proof file\n  cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  const r = await verifyProof(text, { rpcUrl, chainId });
  if (json) out(JSON.stringify(r, null, 2));
  else out(`${r.headline}\n  ${r.detail}`);
  return r.exitCode;
}
