import { type IndexerHandle, startIndexer } from '@opencep/indexer';
import type { LocalRegistry } from 'opencep-verify/testing';
import type pg from 'pg';
import type { LocalAccount } from 'viem';
import type { EventBus } from '../../core/events';
import { AnchorWorker } from './trust.anchor-worker';
import { startChainReconciler } from './trust.reconcile';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

export interface AnchorPipeline {
  indexer: IndexerHandle;
  worker: AnchorWorker;
  stop(): Promise<void>;
}

/**
 * The chain side of the trust layer for integration tests on a local registry: the real indexer
 * mirroring AttestationRegistry (finality depth 1: an anchor in block N counts at head N + 1), the
 * chain reconciler on the API's event bus, and an anchor worker signing with `anchorKey`. Tests drive
 * the worker with `worker.tick()`.
 */
export async function startAnchorPipeline(o: {
  databaseUrl: string;
  pool: pg.Pool;
  chain: LocalRegistry;
  events: Pick<EventBus, 'subscribe'>;
  anchorKey: LocalAccount;
  workerPollMs?: number;
}): Promise<AnchorPipeline> {
  const indexer = await startIndexer({
    databaseUrl: o.databaseUrl,
    rpcUrl: o.chain.url,
    deployment: {
      chainId: o.chain.chainId,
      contracts: {
        AttestationRegistry: {
          address: o.chain.registry,
          abi: JSON.parse(JSON.stringify(o.chain.registryAbi)),
          // deployed after the genesis block (ParticipantRegistry is block 1); a deployment block 0
          // would make the indexer ask for block -1
          blockNumber: 1,
        },
      },
    },
    finalityDepth: 1,
    pollIntervalMs: 50,
    logger: silent,
  });
  const stopReconciler = startChainReconciler({ pool: o.pool, events: o.events, intervalMs: 200 });
  const worker = new AnchorWorker({
    pool: o.pool,
    rpcUrl: o.chain.url,
    chainId: o.chain.chainId,
    registry: o.chain.registry,
    signerFor: () => o.anchorKey,
    retryBaseSeconds: 0,
    ...(o.workerPollMs === undefined ? {} : { pollMs: o.workerPollMs }),
  });
  return {
    indexer,
    worker,
    async stop() {
      await stopReconciler();
      await indexer.stop();
    },
  };
}
