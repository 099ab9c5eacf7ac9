import { randomUUID } from 'node:crypto';
import { ANCHOR_KIND, ATTESTATION_ANCHOR_ABI, ATTESTATION_VERIFY_ABI, uuidToBytes32 } from 'opencep-verify';
import type pg from 'pg';
import {
  type Address,
  type Hex,
  type LocalAccount,
  type PublicClient,
  createPublicClient,
  encodeFunctionData,
  http,
  keccak256,
} from 'viem';
import { type Pool, to0x, tx } from './trust.sql';

/** Anchoring worker options (docs/trust.md §Anchoring queue). */
export interface AnchorWorkerOptions {
  pool: Pool;
  rpcUrl: string;
  chainId: number;
  /** AttestationRegistry address (deployments/<chainId>.json). */
  registry: Address;
  /** The key that anchors for an enterprise: its admin key or one of its registered device keys. */
  signerFor: (enterpriseId: string) => LocalAccount | Promise<LocalAccount>;
  /**
   * The enterprise's id in ParticipantRegistry (default uuidToBytes32(enterpriseId)). Pass the
   * platform's mapping if enterprises are registered under another id (e.g. keccak256 of a code).
   */
  onChainEnterpriseId?: (enterpriseId: string) => Hex | Promise<Hex>;
  workerId?: string;
  /** Claim lease; a crashed worker's anchors are taken over after it expires (default 60 s). */
  leaseSeconds?: number;
  /** A sent tx without receipt after this long is replaced with higher fees (default 60 s). */
  stuckAfterSeconds?: number;
  /** Fee increase per replacement, percent (default 25; nodes require ≥ 10). */
  feeBumpPercent?: number;
  /** Cap on maxFeePerGas, wei (default 500 gwei). */
  maxFeeCapWei?: bigint;
  /** Attempts (sends that did not anchor: reverts, lost nonces, RPC errors) before `failed` (default 8). */
  maxAttempts?: number;
  /** Base retry delay, doubled per attempt (default 5 s). */
  retryBaseSeconds?: number;
  /** Blocks on top of the anchoring block before `confirmed` (default 1 = mined). */
  confirmations?: number;
  /** Anchors claimed per tick (default 10). */
  claimLimit?: number;
  /** Loop interval (default 2000 ms). */
  pollMs?: number;
  /** Test seam: runs after a signed tx is recorded and before it is broadcast (simulate a crash). */
  beforeBroadcast?: (txHash: Hex) => void | Promise<void>;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

interface AnchorRow {
  enterprise_id: string;
  batch_id: string;
  root: Buffer;
  state: 'pending' | 'sent';
  attempts: number;
  signer: string | null;
  nonce: string | null;
  tx_hash: string | null;
  max_fee_per_gas: string | null;
  max_priority_fee_per_gas: string | null;
  sent_at: Date | null;
  kind: 'readings' | 'inventory' | 'report';
  period_start: Date;
  period_end: Date;
  leaf_count: number;
  standard_ref: Buffer;
  /** Corrected report: the anchored root it supersedes (sent as `supersede(old, new, reason)`). */
  supersedes_root: Buffer | null;
  supersede_reason: string | null;
}

/** What one send does on chain: a plain anchor, or a report supersession (anchors the new root too). */
type SendMode = { fn: 'anchor' } | { fn: 'supersede'; oldRoot: Hex; reason: string };

export interface TickResult {
  claimed: number;
  sent: number;
  confirmed: number;
  replaced: number;
  rebroadcast: number;
  failed: number;
}

const errText = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0] : String(e)) ?? 'error';

/**
 * The anchoring worker: claims due anchors with a lease (FOR UPDATE SKIP LOCKED), sends each root
 * once from the enterprise's key, and reconciles sent transactions (receipt → confirmed; stuck →
 * replace-by-fee at the same nonce; dropped → rebroadcast the recorded raw tx; nonce taken by
 * another tx → re-queue). A signed tx is recorded before it is broadcast, so a crash never loses
 * or duplicates one. Several workers may run at once.
 */
export class AnchorWorker {
  private readonly o: Required<
    Omit<AnchorWorkerOptions, 'beforeBroadcast' | 'log' | 'workerId' | 'onChainEnterpriseId'>
  > &
    AnchorWorkerOptions;
  readonly id: string;
  private readonly client: PublicClient;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(opts: AnchorWorkerOptions) {
    this.o = {
      leaseSeconds: 60,
      stuckAfterSeconds: 60,
      feeBumpPercent: 25,
      maxFeeCapWei: 500_000_000_000n,
      maxAttempts: 8,
      retryBaseSeconds: 5,
      confirmations: 1,
      claimLimit: 10,
      pollMs: 2000,
      ...opts,
    };
    this.id = opts.workerId ?? `anchor-${randomUUID().slice(0, 8)}`;
    this.client = createPublicClient({ transport: http(opts.rpcUrl, { retryCount: 2 }) }) as PublicClient;
  }

  /** Starts the loop (separate from ingestion: it only reads trust tables and the chain). */
  start(): void {
    const loop = async () => {
      this.running = this.tick().catch((e) => this.o.log?.('anchor tick failed', { error: errText(e) }));
      await this.running;
      if (this.timer !== null) this.timer = setTimeout(loop, this.o.pollMs);
    };
    this.timer = setTimeout(loop, 0);
  }
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass: claim due anchors and advance each by one step. */
  async tick(): Promise<TickResult> {
    const r: TickResult = { claimed: 0, sent: 0, confirmed: 0, replaced: 0, rebroadcast: 0, failed: 0 };
    const claimed = await this.o.pool.query<AnchorRow>(
      `WITH due AS (
         SELECT enterprise_id, batch_id FROM trust_anchor
         WHERE state IN ('pending','sent') AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE trust_anchor a SET locked_by = $1, locked_until = now() + make_interval(secs => $2)
       FROM due, trust_batch b
       WHERE a.enterprise_id = due.enterprise_id AND a.batch_id = due.batch_id
         AND b.enterprise_id = a.enterprise_id AND b.id = a.batch_id
       RETURNING a.enterprise_id, a.batch_id, a.root, a.state, a.attempts, a.signer, a.nonce::text, a.tx_hash,
         a.max_fee_per_gas::text, a.max_priority_fee_per_gas::text, a.sent_at,
         b.kind, b.period_start, b.period_end, b.leaf_count, b.standard_ref, a.supersedes_root, a.supersede_reason`,
      [this.id, this.o.leaseSeconds, this.o.claimLimit],
    );
    r.claimed = claimed.rows.length;
    for (const row of claimed.rows) {
      try {
        const step = row.state === 'pending' ? await this.send(row) : await this.reconcile(row);
        if (step) r[step]++;
      } catch (e) {
        await this.retryLater(row, errText(e));
      } finally {
        await this.o.pool.query(
          `UPDATE trust_anchor SET locked_by = NULL, locked_until = NULL WHERE enterprise_id = $1 AND batch_id = $2 AND locked_by = $3`,
          [row.enterprise_id, row.batch_id, this.id],
        );
      }
    }
    return r;
  }

  private anchorRecord(root: Hex) {
    return this.client.readContract({
      address: this.o.registry,
      abi: ATTESTATION_VERIFY_ABI,
      functionName: 'anchorOf',
      args: [root],
    });
  }

  private async anchoredOnChain(root: Hex): Promise<boolean> {
    return (await this.anchorRecord(root)).anchoredAt !== 0;
  }

  /**
   * How a queued root goes on chain. A corrected report whose predecessor is anchored (and not yet
   * superseded) is sent as `supersede(old, new, reason)`, which anchors the new root and records the
   * supersession in one transaction. While the predecessor's own anchor is still on its way the
   * correction waits (null), so the supersession is never lost to a plain anchor; only when the
   * predecessor's anchor failed for good, or someone else superseded it, is the new root anchored
   * plainly (the link stays in the database, and the reason in the report JSON).
   */
  private async sendMode(row: AnchorRow): Promise<SendMode | null> {
    if (!row.supersedes_root || !row.supersede_reason) return { fn: 'anchor' };
    const oldRoot = to0x(row.supersedes_root);
    const old = await this.anchorRecord(oldRoot);
    if (old.anchoredAt !== 0 && !old.superseded)
      return { fn: 'supersede', oldRoot, reason: row.supersede_reason };
    if (old.anchoredAt !== 0) {
      this.o.log?.('predecessor already superseded on chain; anchoring the correction plainly', {
        batchId: row.batch_id,
      });
      return { fn: 'anchor' };
    }
    const q = await this.o.pool.query<{ state: string }>(`SELECT state FROM trust_anchor WHERE root = $1`, [
      row.supersedes_root,
    ]);
    if (!q.rows[0] || q.rows[0].state === 'failed') {
      this.o.log?.('predecessor will not be anchored; anchoring the correction plainly', {
        batchId: row.batch_id,
      });
      return { fn: 'anchor' };
    }
    return null;
  }

  private async markConfirmed(
    row: AnchorRow,
    txHash: string | null,
    block: bigint | null,
  ): Promise<'confirmed'> {
    await this.o.pool.query(
      `UPDATE trust_anchor SET state = 'confirmed', tx_hash = coalesce($3, tx_hash), block_number = coalesce($4, block_number), confirmed_at = now(),
         chain_id = $5, registry = $6, last_error = NULL, updated_at = now()
       WHERE enterprise_id = $1 AND batch_id = $2 AND locked_by = $7`,
      [
        row.enterprise_id,
        row.batch_id,
        txHash,
        block?.toString() ?? null,
        this.o.chainId,
        this.o.registry.toLowerCase(),
        this.id,
      ],
    );
    return 'confirmed';
  }

  /**
   * Retry with exponential backoff. `countAttempt`: the send did not anchor (counts toward
   * maxAttempts → `failed`); `requeue`: the recorded nonce is spent, go back to `pending`.
   * Neither (RPC trouble): keep the state and try again later.
   */
  private async retryLater(
    row: AnchorRow,
    error: string,
    opts: { countAttempt?: boolean; requeue?: boolean } = {},
  ): Promise<'failed' | null> {
    const countAttempt = opts.countAttempt ?? false;
    const attempts = row.attempts + (countAttempt ? 1 : 0);
    const failed = attempts >= this.o.maxAttempts;
    const delay = this.o.retryBaseSeconds * 2 ** Math.min(attempts, 10);
    await this.o.pool.query(
      `UPDATE trust_anchor SET attempts = $3, last_error = $4, updated_at = now(),
         state = CASE WHEN $5 THEN 'failed' WHEN $6 THEN 'pending' ELSE state END,
         next_attempt_at = now() + make_interval(secs => $7)
       WHERE enterprise_id = $1 AND batch_id = $2 AND locked_by = $8`,
      [
        row.enterprise_id,
        row.batch_id,
        attempts,
        error.slice(0, 1000),
        failed,
        opts.requeue ?? false,
        delay,
        this.id,
      ],
    );
    this.o.log?.('anchor retry', { batchId: row.batch_id, attempts, error });
    return failed ? 'failed' : null;
  }

  private async callData(row: AnchorRow, mode: SendMode): Promise<Hex> {
    const kind = ANCHOR_KIND[row.kind] ?? ANCHOR_KIND.inventory;
    const enterprise = this.o.onChainEnterpriseId
      ? await this.o.onChainEnterpriseId(row.enterprise_id)
      : uuidToBytes32(row.enterprise_id);
    const periodStart = BigInt(Math.floor(row.period_start.getTime() / 1000));
    const periodEnd = BigInt(Math.floor(row.period_end.getTime() / 1000));
    if (mode.fn === 'supersede') {
      return encodeFunctionData({
        abi: ATTESTATION_ANCHOR_ABI,
        functionName: 'supersede',
        args: [
          enterprise,
          mode.oldRoot,
          to0x(row.root),
          row.leaf_count,
          periodStart,
          periodEnd,
          to0x(row.standard_ref),
          mode.reason,
        ],
      });
    }
    return encodeFunctionData({
      abi: ATTESTATION_ANCHOR_ABI,
      functionName: 'anchor',
      args: [
        enterprise,
        to0x(row.root),
        row.leaf_count,
        periodStart,
        periodEnd,
        kind,
        to0x(row.standard_ref),
      ],
    });
  }

  /** pending → sent: simulate, allocate the nonce, sign, record, broadcast. */
  private async send(row: AnchorRow): Promise<'sent' | 'confirmed' | 'failed' | null> {
    const root = to0x(row.root);
    if (await this.anchoredOnChain(root)) return this.markConfirmed(row, null, null);
    const mode = await this.sendMode(row);
    if (!mode) {
      // A correction waits for its predecessor's anchor (not an attempt: nothing was sent).
      await this.again(row, Math.max(1, this.o.retryBaseSeconds));
      return null;
    }
    const account = await this.o.signerFor(row.enterprise_id);
    const data = await this.callData(row, mode);
    let gas: bigint;
    try {
      gas = await this.client.estimateGas({ account: account.address, to: this.o.registry, data });
    } catch (e) {
      // Reverts here (unregistered signer, bad period) do not cost gas; retried with backoff.
      if (await this.anchoredOnChain(root)) return this.markConfirmed(row, null, null);
      return this.retryLater(row, `simulation failed: ${errText(e)}`, { countAttempt: true });
    }
    const fees = await this.client.estimateFeesPerGas();
    const chainNonce = BigInt(
      await this.client.getTransactionCount({ address: account.address, blockTag: 'pending' }),
    );
    const recorded = await tx(this.o.pool, async (c) => {
      const nonce = await allocateNonce(c, this.o.chainId, account.address, chainNonce);
      const raw = await account.signTransaction!({
        type: 'eip1559',
        chainId: this.o.chainId,
        nonce: Number(nonce),
        to: this.o.registry,
        data,
        gas: (gas * 12n) / 10n,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      const hash = keccak256(raw);
      const upd = await c.query(
        `UPDATE trust_anchor SET state = 'sent', attempts = attempts + 1, signer = $3, nonce = $4, tx_hash = $5,
           max_fee_per_gas = $6, max_priority_fee_per_gas = $7, sent_at = now(), chain_id = $8, registry = $9,
           next_attempt_at = now(), updated_at = now()
         WHERE enterprise_id = $1 AND batch_id = $2 AND state = 'pending' AND locked_by = $10`,
        [
          row.enterprise_id,
          row.batch_id,
          account.address.toLowerCase(),
          nonce.toString(),
          hash,
          fees.maxFeePerGas.toString(),
          fees.maxPriorityFeePerGas.toString(),
          this.o.chainId,
          this.o.registry.toLowerCase(),
          this.id,
        ],
      );
      if (upd.rowCount !== 1) throw new LostLeaseError();
      await c.query(
        `INSERT INTO trust_anchor_tx (tx_hash, enterprise_id, batch_id, nonce, max_fee_per_gas, max_priority_fee_per_gas, raw_tx)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          hash,
          row.enterprise_id,
          row.batch_id,
          nonce.toString(),
          fees.maxFeePerGas.toString(),
          fees.maxPriorityFeePerGas.toString(),
          raw,
        ],
      );
      return { hash, raw };
    }).catch((e) => {
      if (e instanceof LostLeaseError) return null;
      throw e;
    });
    if (!recorded) return null;
    await this.o.beforeBroadcast?.(recorded.hash);
    await this.broadcast(recorded.raw);
    return 'sent';
  }

  /** Broadcast; "already known"/"nonce too low" are outcomes the next reconcile resolves. */
  private async broadcast(raw: Hex): Promise<void> {
    try {
      await this.client.sendRawTransaction({ serializedTransaction: raw });
    } catch (e) {
      this.o.log?.('broadcast failed (will reconcile)', { error: errText(e) });
    }
  }

  /** sent → confirmed | replaced | rebroadcast | pending. */
  private async reconcile(
    row: AnchorRow,
  ): Promise<'confirmed' | 'replaced' | 'rebroadcast' | 'failed' | null> {
    const txs = await this.o.pool.query<{ tx_hash: Hex; raw_tx: Hex; nonce: string }>(
      `SELECT tx_hash, raw_tx, nonce::text FROM trust_anchor_tx WHERE enterprise_id = $1 AND batch_id = $2 ORDER BY created_at DESC`,
      [row.enterprise_id, row.batch_id],
    );
    const current = txs.rows.filter((t) => t.nonce === row.nonce);
    for (const t of current) {
      const receipt = await this.client.getTransactionReceipt({ hash: t.tx_hash }).catch(() => null);
      if (!receipt) continue;
      if (receipt.status === 'success') {
        const head = await this.client.getBlockNumber();
        if (head - receipt.blockNumber + 1n < BigInt(this.o.confirmations)) {
          await this.again(row, 1);
          return null;
        }
        return this.markConfirmed(row, t.tx_hash, receipt.blockNumber);
      }
      // Reverted (e.g. someone anchored the same root first): the nonce is spent.
      if (await this.anchoredOnChain(to0x(row.root))) return this.markConfirmed(row, null, null);
      return this.retryLater(row, `transaction ${t.tx_hash} reverted`, { countAttempt: true, requeue: true });
    }
    const signer = row.signer as Address;
    const mined = BigInt(await this.client.getTransactionCount({ address: signer, blockTag: 'latest' }));
    if (mined > BigInt(row.nonce ?? '0')) {
      // Our nonce was consumed by a transaction that is none of ours (key shared with another
      // sender): the root was not anchored by us; send again with a fresh nonce.
      if (await this.anchoredOnChain(to0x(row.root))) return this.markConfirmed(row, null, null);
      return this.retryLater(row, `nonce ${row.nonce} consumed by another transaction`, { requeue: true });
    }
    const latest = current[0];
    if (!latest)
      return this.retryLater(row, 'sent anchor without a recorded transaction', {
        countAttempt: true,
        requeue: true,
      });
    const known = await this.client.getTransaction({ hash: latest.tx_hash }).catch(() => null);
    if (!known) {
      // Never broadcast (crash between record and send) or dropped by the node: send the same bytes.
      await this.broadcast(latest.raw_tx);
      await this.again(row, 1);
      return 'rebroadcast';
    }
    const age = (Date.now() - (row.sent_at?.getTime() ?? 0)) / 1000;
    if (age < this.o.stuckAfterSeconds) {
      await this.again(row, Math.max(1, Math.min(5, this.o.stuckAfterSeconds - age)));
      return null;
    }
    return this.replace(row, latest);
  }

  /** Replace-by-fee: same nonce and data, fees raised by feeBumpPercent (and at least the market). */
  private async replace(
    row: AnchorRow,
    latest: { tx_hash: Hex; raw_tx: Hex; nonce: string },
  ): Promise<'replaced' | null> {
    const account = await this.o.signerFor(row.enterprise_id);
    if (account.address.toLowerCase() !== row.signer) {
      await this.again(row, this.o.stuckAfterSeconds);
      return null; // signer rotated: only the original key can replace its nonce
    }
    const bump = (v: bigint) => (v * BigInt(100 + this.o.feeBumpPercent)) / 100n + 1n;
    const market = await this.client.estimateFeesPerGas();
    const oldMax = BigInt(row.max_fee_per_gas ?? '0');
    const oldTip = BigInt(row.max_priority_fee_per_gas ?? '0');
    let maxFee = maxBig(bump(oldMax), market.maxFeePerGas);
    let tip = maxBig(bump(oldTip), market.maxPriorityFeePerGas);
    if (maxFee > this.o.maxFeeCapWei) maxFee = this.o.maxFeeCapWei;
    if (tip > maxFee) tip = maxFee;
    if (maxFee <= oldMax) {
      await this.again(row, this.o.stuckAfterSeconds);
      this.o.log?.('fee cap reached, not replacing', { batchId: row.batch_id });
      return null;
    }
    const old = await this.client.getTransaction({ hash: latest.tx_hash });
    const raw = await account.signTransaction!({
      type: 'eip1559',
      chainId: this.o.chainId,
      nonce: Number(row.nonce),
      to: this.o.registry,
      data: old.input,
      gas: old.gas,
      maxFeePerGas: maxFee,
      maxPriorityFeePerGas: tip,
    });
    const hash = keccak256(raw);
    const ok = await tx(this.o.pool, async (c) => {
      const upd = await c.query(
        `UPDATE trust_anchor SET tx_hash = $3, max_fee_per_gas = $4, max_priority_fee_per_gas = $5, sent_at = now(),
           next_attempt_at = now(), updated_at = now()
         WHERE enterprise_id = $1 AND batch_id = $2 AND state = 'sent' AND locked_by = $6`,
        [row.enterprise_id, row.batch_id, hash, maxFee.toString(), tip.toString(), this.id],
      );
      if (upd.rowCount !== 1) return false;
      await c.query(
        `INSERT INTO trust_anchor_tx (tx_hash, enterprise_id, batch_id, nonce, max_fee_per_gas, max_priority_fee_per_gas, raw_tx)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [hash, row.enterprise_id, row.batch_id, row.nonce, maxFee.toString(), tip.toString(), raw],
      );
      return true;
    });
    if (!ok) return null;
    await this.o.beforeBroadcast?.(hash);
    await this.broadcast(raw);
    this.o.log?.('anchor tx replaced', {
      batchId: row.batch_id,
      from: latest.tx_hash,
      to: hash,
      maxFee: maxFee.toString(),
    });
    return 'replaced';
  }

  private async again(row: AnchorRow, seconds: number): Promise<void> {
    await this.o.pool.query(
      `UPDATE trust_anchor SET next_attempt_at = now() + make_interval(secs => $3) WHERE enterprise_id = $1 AND batch_id = $2 AND locked_by = $4`,
      [row.enterprise_id, row.batch_id, seconds, this.id],
    );
  }
}

class LostLeaseError extends Error {}

const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * Next nonce for `address`, under a row lock so concurrent workers never share one: the larger of
 * our own counter and the chain's pending count (covers transactions sent by other software).
 */
async function allocateNonce(
  c: pg.PoolClient,
  chainId: number,
  address: string,
  chainPending: bigint,
): Promise<bigint> {
  await c.query(
    `INSERT INTO trust_nonce (chain_id, address, next_nonce) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [chainId, address.toLowerCase(), chainPending.toString()],
  );
  const cur = await c.query<{ next_nonce: string }>(
    `SELECT next_nonce::text FROM trust_nonce WHERE chain_id = $1 AND address = $2 FOR UPDATE`,
    [chainId, address.toLowerCase()],
  );
  const stored = BigInt(cur.rows[0]?.next_nonce ?? '0');
  const nonce = maxBig(stored, chainPending);
  await c.query(`UPDATE trust_nonce SET next_nonce = $3 WHERE chain_id = $1 AND address = $2`, [
    chainId,
    address.toLowerCase(),
    (nonce + 1n).toString(),
  ]);
  return nonce;
}
