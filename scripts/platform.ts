import type { Logger } from 'pino';
import type { Hex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { bytesToHex } from 'viem';
import { runMigrations } from '@opencep/migrations';
import type { StartConfig } from './config';

export interface PlatformOptions {
  config: StartConfig;
  log: Logger;
  root: string;
  dataDir: string;
  databaseUrl: string;
  rpcUrl: string;
  localChain: boolean;
  devMnemonic: string;
  jwtSecret: string;
}

export interface RunningPlatform {
  apiUrl: string;
  stops: Array<{ name: string; stop: () => Promise<void> }>;
  banner: string[];
}

export function devKey(mnemonic: string, index: number): Hex {
  const key = mnemonicToAccount(mnemonic, { addressIndex: index }).getHdKey().privateKey;
  if (!key) throw new Error('could not derive key');
  return bytesToHex(key);
}

/**
 * Brings up everything between the database and the portal. Used by `npm start`, the end-to-end
 * tests and the fault suite, so they all exercise the same wiring.
 */
export async function runPlatform(o: PlatformOptions): Promise<RunningPlatform> {
  const stops: RunningPlatform['stops'] = [];
  const banner: string[] = [];
  const applied = await runMigrations(o.databaseUrl);
  o.log.info({ applied: applied.length }, 'migrations done');
  return { apiUrl: `http://${o.config.API_HOST}:${o.config.API_PORT}`, stops, banner };
}
