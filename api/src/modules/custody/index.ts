import type { ApiModule } from '../../core/module';
import { CustodyResolver } from './custody.resolver';

export { type CustodySettings, configureCustody, DEV_KEY_ENCRYPTION_SECRET } from './custody.config';
export { DEMO_ACCOUNT_KEYS, seedDemoAccountKeys } from './custody.seed';
export { CustodyService } from './custody.service';
export const custodyModule: ApiModule = { name: 'custody', resolvers: [CustodyResolver], entities: [] };
