import type { ApiModule } from '../../core/module';
import { TrustResolver } from './trust.resolver';

export { AnchorWorker, type AnchorWorkerOptions, type TickResult } from './trust.anchor-worker';
export {
  commitInventory,
  commitReadingPeriod,
  runBatcherOnce,
  type BatcherOptions,
  type CommittedBatch,
} from './trust.commit';
export { inventoryLineProof, readingProof } from './trust.proof.service';
export {
  reconcileChainState,
  startChainReconciler,
  type ChainReconcilerOptions,
  type ReconcileResult,
} from './trust.reconcile';
export { runTamperCheck, type TamperFinding, type TamperReport } from './trust.tamper';
export const trustModule: ApiModule = { name: 'trust', resolvers: [TrustResolver], entities: [] };
export { startTrustJobs, type TrustJobsOptions } from './trust.jobs';
