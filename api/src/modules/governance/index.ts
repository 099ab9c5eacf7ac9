import type { ApiModule } from '../../core/module';
import { GovernanceResolver } from './governance.resolver';

export { configureGovernance, type GovernanceSettings } from './governance.config';
export { GovernanceService } from './governance.service';
export const governanceModule: ApiModule = {
  name: 'governance',
  resolvers: [GovernanceResolver],
  entities: [],
};
export {
  chainReader,
  chainRpc,
  chainWallet,
  EXTENDED_BALLOT_TYPES,
  GOVERNOR_ACTION_ABI,
  type ProposalActionKind,
  proposalCall,
  relayReasonedVote,
  sendProposalAction,
  shortReason,
} from './governance.actions';
export { governanceSettings } from './governance.config';
export { BALLOT_TYPES, GOVERNOR_DOMAIN } from './governance.service';
export { governanceError } from './governance.errors';
