import { DEV_ROLES } from '@opencep/contracts';
import type { DataSource } from 'typeorm';
import type { Hex } from 'viem';
import { custodySettings } from './custody.config';
import { CustodyService } from './custody.service';

/**
 * Demo logins → the dev keys their roles hold on the local chain (contracts/deploy/dev-accounts.ts):
 * the association member votes as founder member 3 (dev account 3), the regulator issues quotas as
 * dev account 6 (REGULATOR_ROLE). Public dev keys: only ever seeded on the embedded local chain.
 */
export const DEMO_ACCOUNT_KEYS: readonly { email: string; privateKey: Hex }[] = [
  { email: 'member@cmia.demo', privateKey: DEV_ROLES.members[2].privateKey },
  { email: 'regulator@hunan.demo', privateKey: DEV_ROLES.regulator.privateKey },
];

/** Idempotent: users that already hold a key keep it. Needs configureCustody with a secret first. */
export async function seedDemoAccountKeys(ds: DataSource): Promise<number> {
  if (!custodySettings().encryptionSecret) throw new Error('configureCustody({ encryptionSecret }) first');
  let seeded = 0;
  for (const entry of DEMO_ACCOUNT_KEYS) {
    const rows = (await ds.query(
      `SELECT u.id FROM users u WHERE lower(u.email) = lower($1)
          AND NOT EXISTS (SELECT 1 FROM account_keys k WHERE k.user_id = u.id)`,
      [entry.email],
    )) as { id: string }[];
    const user = rows[0];
    if (!user) continue;
    await CustodyService.storeKey(ds, user.id, entry.privateKey, null);
    seeded++;
  }
  return seeded;
}
