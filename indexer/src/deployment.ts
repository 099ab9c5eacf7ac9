import { readFile } from 'node:fs/promises';
import type { Abi, AbiEvent } from 'viem';
import { z } from 'zod';

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);

/** contracts/deployments/<chainId>.json as written by contracts/deploy (never copied by hand). */
export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  genesisHash: hex.optional(),
  deployedAt: z.string().optional(),
  contracts: z.record(
    z.string(),
    z.object({
      address: hex,
      abi: z.array(z.looseObject({ type: z.string() })),
      blockNumber: z.number().int().nonnegative(),
      txHash: hex.optional(),
    }),
  ),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export interface DeployedContract {
  name: string;
  address: `0x${string}`;
  blockNumber: number;
  events: AbiEvent[];
}

export async function loadDeployment(source: string | Deployment): Promise<Deployment> {
  const raw: unknown = typeof source === 'string' ? JSON.parse(await readFile(source, 'utf8')) : source;
  return deploymentSchema.parse(raw);
}

export function contractsOf(d: Deployment): DeployedContract[] {
  return Object.entries(d.contracts).map(([name, c]) => ({
    name,
    address: c.address.toLowerCase() as `0x${string}`,
    blockNumber: c.blockNumber,
    events: (c.abi as unknown as Abi).filter((x): x is AbiEvent => x.type === 'event'),
  }));
}

/** The first block any OpenCEP contract can have logged in. */
export function deploymentBlock(d: Deployment): number {
  const blocks = Object.values(d.contracts).map((c) => c.blockNumber);
  return blocks.length ? Math.min(...blocks) : 0;
}
