/**
 * Indexer errors are either retryable (the loop backs off and tries again: RPC hiccups, database
 * restarts, a reorg racing a batch) or fatal (the loop stops and `done` rejects). Nothing is
 * swallowed: every error is logged and recorded in chain.indexer_status.last_error.
 */
export class IndexerError extends Error {
  constructor(
    message: string,
    readonly fatal: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The node serves another chain than the one mirrored (restarted dev chain, other chain id or genesis). */
export class ChainReplacedError extends IndexerError {
  constructor(
    readonly mirrored: { chainId: number; genesisHash: string },
    readonly served: { chainId: number; genesisHash: string },
    detail: string,
  ) {
    super(
      `chain replaced: the mirror holds chain ${mirrored.chainId} with genesis ${mirrored.genesisHash}, ` +
        `the node serves chain ${served.chainId} with genesis ${served.genesisHash} (${detail}); ` +
        `refusing to mix histories (set onChainReplaced='reindex' to wipe the chain.* mirror and re-index)`,
      true,
    );
  }
}

/** The deployment file does not describe the chain the node serves. */
export class DeploymentMismatchError extends IndexerError {
  constructor(message: string) {
    super(message, true);
  }
}

/** A batch saw blocks that do not link up (a reorg raced the fetch); retried after a reorg check. */
export class InconsistentBatchError extends IndexerError {
  constructor(message: string) {
    super(message, false);
  }
}

export function isFatal(err: unknown): boolean {
  return err instanceof IndexerError && err.fatal;
}
