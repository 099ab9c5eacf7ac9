import type { ApiModule } from '../../core/module';
import { ApiKey, Device, User } from './identity.entity';
import { DeviceLastSeenResolver } from './device-last-seen.resolver';
import { ApiKeyResolver, DeviceResolver, SessionResolver, UserAdminResolver } from './identity.resolver';

export {
  authenticateDevice,
  claimBatchNonce,
  signedBytes,
  verifyDeviceSignature,
  type SignedPayload,
} from './device-auth';
export { ApiKey, Device, User } from './identity.entity';
export { hashPassword, IdentityService } from './identity.service';
export const identityModule: ApiModule = {
  name: 'identity',
  resolvers: [SessionResolver, UserAdminResolver, ApiKeyResolver, DeviceResolver, DeviceLastSeenResolver],
  entities: [User, ApiKey, Device],
};
