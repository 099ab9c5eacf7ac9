import type { ApiModule } from '../../core/module';
import { GovernanceResolver } from './governance.resolver';

export { configureGovernance, type GovernanceSettings } from './governance.config';
export { GovernanceService } from './governance.service';
export const governanceModule: ApiModule = {
  name: 'governance',
  resolvers: [GovernanceResolver],
  entities: [],
};
