import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { Device } from './identity.entity';

/**
 * `Device.lastSeenAt`: when the device's latest signed batch arrived (device_batches, one row per
 * accepted nonce). Read under the same permission as the device list, in the device's tenant.
 */
@Resolver(() => Device)
export class DeviceLastSeenResolver {
  @FieldResolver(() => Date, {
    nullable: true,
    description: 'When the latest signed batch of this device was accepted; null if it never sent one.',
  })
  async lastSeenAt(@Root() device: Device, @Ctx() ctx: RequestContext): Promise<Date | null> {
    const rows = await withTenant(ctx, 'devices:manage', (em) =>
      em.query(
        `SELECT max(received_at) AS at FROM device_batches WHERE enterprise_id = $1 AND device_id = $2`,
        [device.enterpriseId, device.id],
      ),
    );
    const at = (rows as { at: Date | string | null }[])[0]?.at;
    return at ? new Date(at) : null;
  }
}
