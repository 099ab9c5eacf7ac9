import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Deployment, StandardVersionInput } from '@opencep/contracts';
import { e2eConfig } from './config';

export const ROOT = resolve(import.meta.dirname, '..');
export const WEB = join(ROOT, 'web');
const NEXT_BIN = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when web/.next is missing or older than any portal source or config. */
export function portalBuildIsStale(): boolean {
  const buildId = join(WEB, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = Math.max(
    newestMtime(join(WEB, 'src')),
    statSync(join(WEB, 'next.config.ts')).mtimeMs,
    statSync(join(WEB, 'package.json')).mtimeMs,
  );
  return sources > built;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', rej);
    child.on('exit', (code) =>
      code === 0 ? res() : rej(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${out.slice(-4000)}`)),
    );
  });
}

const portalEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  ...e2eConfig().env,
  NEXT_TELEMETRY_DISABLED: '1',
  ...extra,
});

export async function buildPortal(): Promise<number> {
  const started = Date.now();
  await run(process.execPath, [NEXT_BIN, 'build'], { cwd: WEB, env: portalEnv({ NODE_ENV: 'production' }) });
  return Date.now() - started;
}

export interface Portal {
  url: string;
  logs(): string;
  stop(): Promise<void>;
}

/** `next start` of the prior build, pointed at the given API (plus optional chain settings). */
export async function startPortal(
  apiUrl: string,
  apiWsUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<Portal> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: WEB,
      env: portalEnv({
        NODE_ENV: 'production',
        OPENCEP_API_URL: apiUrl,
        OPENCEP_API_WS_URL: apiWsUrl,
        ...extraEnv,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let logs = '';
  child.stdout?.on('data', (c: Buffer) => {
    logs += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    logs += c.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}\n${logs}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`portal did not start in 60 s\n${logs}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    logs: () => logs,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/**
 * An EIP-1193 wallet for the page, standing in for MetaMask: exposes one account and forwards every
 * other request to the local chain's JSON-RPC, whose dev accounts are unlocked there (the node signs
 * eth_sendTransaction and eth_signTypedData_v4), so the page's real wallet code path runs.
 */
export function injectedWalletScript(account: string, rpcUrl: string): string {
  return `(() => {
    const rpc = ${JSON.stringify(rpcUrl)};
    const account = ${JSON.stringify(account)};
    let id = 0;
    window.ethereum = {
      isOpenCepTestWallet: true,
      async request({ method, params }) {
        if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [account];
        const res = await fetch(rpc, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: params ?? [] }),
        });
        const body = await res.json();
        if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code });
        return body.result;
      },
    };
  })();`;
}

/** A local Hardhat node with the full contract suite (Governor, Timelock, registries) and the demo seed. */
export interface GovernanceChain {
  url: string;
  deployment: Deployment;
  /** Writes of the deployment (addresses + ABIs) for the indexer. */
  deploymentFile: string;
  /** JSON-RPC call on the node (evm_mine, evm_increaseTime, …). */
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Additive option for suites that need governance (the portal suite's registry-only chain has no
 * Governor): an in-process Hardhat node (scripts/chain/local-chain) with every contract deployed with
 * the demo settings (voting delay 1 block, period 10 blocks, timelock 1 s) and the demo seed
 * (members 1–5, regulator dev account 6, plant-18, the given first standard version).
 */
export async function startGovernanceChain(standard: StandardVersionInput): Promise<GovernanceChain> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const contracts = await import('@opencep/contracts');
  const { startLocalChain } = await import('../scripts/chain/local-chain');
  if (!existsSync(join(contracts.CONTRACTS_DIR, 'artifacts', 'src', 'StandardsGovernor.sol')))
    await contracts.compileContracts();
  const dir = mkdtempSync(join(tmpdir(), 'opencep-e2e-gov-'));
  const chain = await startLocalChain({ dataDir: join(dir, 'chain'), port: 0 });
  const deployment = await contracts.deployAll({
    rpcUrl: chain.url,
    deployerKey: contracts.DEV_DEPLOYER_KEY,
    outDir: dir,
    ...contracts.DEMO_SETTINGS,
  });
  await contracts.seedDemo({ rpcUrl: chain.url, deployment, standard });
  let id = 0;
  return {
    url: chain.url,
    deployment,
    deploymentFile: join(dir, `${deployment.chainId}.json`),
    async rpc(method, params = []) {
      const res = await fetch(chain.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
      });
      const body = (await res.json()) as { result?: unknown; error?: { message: string } };
      if (body.error) throw new Error(`${method}: ${body.error.message}`);
      return body.result;
    },
    async stop() {
      await chain.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
