import { inventoryLineLeafBytes, type ProofFile, unpackProof, verifyMerkleProof } from 'opencep-verify';
import type { EntityManager } from 'typeorm';
import { bytesToHex } from 'viem';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { ConflictError, NotFoundError } from '../../core/errors';
import { type EventBus, publish } from '../../core/events';
import { startPassLoop } from '../../core/pass-loop';
import { Decimal } from '../../core/scalars';
import { recordAudit } from '../audit';
// Direct module imports (not ../trust): the trust tamper job imports this module.
import { commitInventory, type CommittedBatch } from '../trust/trust.commit';
import { inventoryLineProof } from '../trust/trust.proof.service';
import { tx } from '../trust/trust.sql';
import { FIGURE_KEYS, type Figures, figuresOf } from '../park/park.export';
import { netEmissions, type OffsetKind, type RetirementRow } from './offsets.math';

/**
 * Retirements in the inventory's Merkle commitment (issue 11). Every retirement counted by an inventory
 * (green power, certificate serial ranges, carbon sinks/credits whose period lies inside the inventory
 * period) becomes one inventory line of the trust layer's commitment (`commitInventory`), anchored on
 * chain with the inventory. The line key names the retirement, its kind, registry, serial range, period
 * and purchase; the leaf value is the retired volume (MWh, or tCO2e for credits). A verifier proves a
 * retirement was counted with the ordinary inventory-line proof; `checkRetirementCommitment` recomputes
 * every committed retirement leaf from the stored retirement row and detects removal or alteration.
 */
export const RETIREMENT_LINE_PREFIX = 'offsets/retired/';

export interface CommitLine {
  line: string;
  value: string;
  unit: string;
}

export interface RetirementForLine extends RetirementRow {
  purchaseId: string;
}

/** The trust layer's connection-role pool (what `commitInventory` takes). */
export type Pool = Parameters<typeof commitInventory>[0];

const seg = (s: string | null) => (s === null || s === '' ? '-' : encodeURIComponent(s));

/** The committed line of one retirement (see module doc); values are exact (≤ 6 decimals). */
export function retirementLine(r: RetirementForLine): CommitLine {
  const serials = r.serialStart !== null ? `${r.serialStart}-${r.serialEnd}` : '-';
  return {
    line: `${RETIREMENT_LINE_PREFIX}${r.id}/${r.kind}/${seg(r.registry)}/${serials}/${r.periodStart}..${r.periodEnd}/${r.purchaseId}`,
    value: new Decimal(r.quantity).toFixed(),
    unit: r.kind === 'CARBON_CREDIT' ? 'tCO2e' : 'MWh',
  };
}

/** Parses a retirement line back into its parts (null when the line is not a retirement line). */
export function parseRetirementLine(line: string): {
  retirementId: string;
  kind: OffsetKind;
  registry: string | null;
  serialStart: string | null;
  serialEnd: string | null;
  periodStart: string;
  periodEnd: string;
  purchaseId: string;
} | null {
  if (!line.startsWith(RETIREMENT_LINE_PREFIX)) return null;
  const p = line.slice(RETIREMENT_LINE_PREFIX.length).split('/');
  const [id, kind, registry, serials, period, purchaseId] = p;
  if (p.length !== 6 || !id || !kind || !registry || !serials || !period || !purchaseId) return null;
  const [serialStart, serialEnd] = serials === '-' ? [null, null] : serials.split('-');
  const [periodStart, periodEnd] = period.split('..');
  return {
    retirementId: id,
    kind: kind as OffsetKind,
    registry: registry === '-' ? null : decodeURIComponent(registry),
    serialStart: serialStart ?? null,
    serialEnd: serialEnd ?? null,
    periodStart: periodStart ?? '',
    periodEnd: periodEnd ?? '',
    purchaseId,
  };
}

const TOTAL_LINES: Record<keyof Figures, string> = {
  scope1: 'totals/scope1',
  scope2Location: 'totals/scope2/location',
  scope2Market: 'totals/scope2/market',
  scope3: 'totals/scope3',
  totalLocation: 'totals/location',
  totalMarket: 'totals/market',
};

const six = (v: Decimal.Value) => new Decimal(v).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed();

/**
 * All lines of an inventory commitment: the inventory hash (binds every exact figure), the scope totals
 * and the net total (market − retired credits) at 10^-6 (half-up), then one line per retirement.
 */
export function inventoryCommitLines(
  inv: { inventoryHash: string; canonicalJson: string },
  retirements: RetirementForLine[],
  period: { start: string; end: string },
): CommitLine[] {
  const f = figuresOf(inv.canonicalJson);
  const net = netEmissions(f.totalMarket, retirements, period);
  return [
    { line: `inventory/sha256/${inv.inventoryHash}`, value: '0', unit: 'sha256' },
    ...FIGURE_KEYS.map((k) => ({ line: TOTAL_LINES[k], value: six(f[k]), unit: 'tCO2e' })),
    { line: 'totals/net', value: six(net.net), unit: 'tCO2e' },
    ...[...retirements].sort((a, b) => a.id.localeCompare(b.id)).map(retirementLine),
  ];
}

interface InvRow {
  id: string;
  enterprise_id: string;
  site_id: string | null;
  state: string;
  period_start: string;
  period_end: string;
  inventory_hash: string;
  canonical_json: string;
}

interface RetRow {
  id: string;
  purchase_id: string;
  kind: OffsetKind;
  registry: string | null;
  serial_start: string | null;
  serial_end: string | null;
  quantity: string;
  period_start: string;
  period_end: string;
  evidence_reference: string;
}

const RET_SQL = `SELECT r.id, r.purchase_id, r.kind, r.registry, lower(r.serials)::text AS serial_start,
  (upper(r.serials) - 1)::text AS serial_end, r.quantity::text AS quantity, r.period_start::text AS period_start,
  r.period_end::text AS period_end, r.evidence_reference FROM offset_retirement r`;

const toRet = (r: RetRow): RetirementForLine => ({
  id: r.id,
  purchaseId: r.purchase_id,
  kind: r.kind,
  registry: r.registry,
  serialStart: r.serial_start,
  serialEnd: r.serial_end,
  quantity: r.quantity,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  evidenceReference: r.evidence_reference,
});

async function loadInventory(em: EntityManager, enterpriseId: string, inventoryId: string) {
  const [inv] = (await em.query(
    `SELECT id, enterprise_id, site_id, state, period_start::text AS period_start, period_end::text AS period_end,
            inventory_hash, canonical_json
     FROM accounting_inventory WHERE enterprise_id = $1 AND id = $2`,
    [enterpriseId, inventoryId],
  )) as InvRow[];
  if (!inv) throw new NotFoundError('Inventory', inventoryId);
  return inv;
}

/** Retirements an inventory counts: enterprise-level inventories only, period inside the inventory's. */
async function retirementsOf(em: EntityManager, inv: InvRow): Promise<RetirementForLine[]> {
  if (inv.site_id !== null) return [];
  const rows = (await em.query(
    `${RET_SQL} WHERE r.enterprise_id = $1 AND r.period_start >= $2 AND r.period_end <= $3 ORDER BY r.id`,
    [inv.enterprise_id, inv.period_start, inv.period_end],
  )) as RetRow[];
  return rows.map(toRet);
}

const periodDates = (inv: Pick<InvRow, 'period_start' | 'period_end'>) => ({
  periodStart: new Date(`${inv.period_start}T00:00:00Z`),
  // The leaf period is half-open: the day after the inventory's last day.
  periodEnd: new Date(Date.parse(`${inv.period_end}T00:00:00Z`) + 86_400_000),
});

/** The pg pool behind the API's DataSource (connection role), as the trust layer's functions take. */
export function poolOf(ctx: RequestContext): Pool {
  return (ctx.db.driver as unknown as { master: Pool }).master;
}

export interface InventoryCommitResult {
  batch: CommittedBatch;
  lines: CommitLine[];
}

/**
 * Re-commit / repair path: commits a non-draft inventory with the retirements counted now (trust
 * `commitInventory`: kind inventory, scope = inventory id; the anchoring queue then anchors the root
 * on chain). Finalisation already commits automatically (`enqueueInventoryCommit` + the committer);
 * this makes a new batch referencing the previous one, e.g. after a retirement recorded late
 * (NOT_COMMITTED). Access and the lines are read in the caller's tenant scope; the commit itself runs
 * on the connection-role pool like every trust writer.
 */
export async function commitInventoryWithRetirements(
  ctx: RequestContext,
  enterpriseId: string,
  inventoryId: string,
  pool: Pool = poolOf(ctx),
): Promise<InventoryCommitResult> {
  const { inv, lines } = await withTenant(ctx, 'accounting:finalize', async (em) => {
    const inv = await loadInventory(em, enterpriseId, inventoryId);
    if (inv.state === 'DRAFT')
      throw new ConflictError('Only a finalised inventory is committed', { reason: 'INVENTORY_DRAFT' });
    const retirements = await retirementsOf(em, inv);
    return {
      inv,
      lines: inventoryCommitLines(
        { inventoryHash: inv.inventory_hash, canonicalJson: inv.canonical_json },
        retirements,
        { start: inv.period_start, end: inv.period_end },
      ),
    };
  });
  const batch = await commitInventory(pool, {
    enterpriseId,
    inventoryId,
    ...periodDates(inv),
    lines,
  });
  await withTenant(ctx, 'accounting:finalize', (em) =>
    recordAudit(em, ctx, {
      action: 'commit',
      entity: 'InventoryCommitment',
      entityId: batch.batchId,
      enterpriseId,
      after: {
        inventoryId,
        root: batch.root,
        seq: batch.seq,
        leafCount: batch.leafCount,
        retirements: lines.filter((l) => l.line.startsWith(RETIREMENT_LINE_PREFIX)).length,
      },
    }),
  );
  return { batch, lines };
}

// ---------------------------------------------------------------------------------------------
// Automatic commitment on finalisation: a durable outbox (migration InventoryCommitOutbox).
//
// Why an outbox and not the finalising transaction itself: the trust layer's writers run on the
// connection-role pool in their own transactions (commitInventory), so the commitment cannot join the
// tenant transaction that moves DRAFT → FINAL. Instead that transaction writes the lines to commit
// (frozen at finalisation) into inventory_commit_outbox: FINAL and "to be committed" become durable
// together, and the committer below turns the row into a trust batch, retrying until it succeeds.

/** Bus topic published (on commit) when an inventory's commitment is queued: wakes the committer. */
export const INVENTORY_COMMIT_QUEUED = 'trust.inventory-commit-queued';

/**
 * Queues the commitment of a just-finalised inventory in the caller's (tenant) transaction `em`:
 * the lines of `inventoryCommitLines` with the retirements counted now. One row per inventory, so
 * a repeated call is a no-op. Site inventories carry no retirements (they are counted at enterprise
 * level) and are committed with their hash and totals.
 */
export async function enqueueInventoryCommit(em: EntityManager, enterpriseId: string, inventoryId: string) {
  const inv = await loadInventory(em, enterpriseId, inventoryId);
  if (inv.state === 'DRAFT')
    throw new ConflictError('Only a finalised inventory is committed', { reason: 'INVENTORY_DRAFT' });
  const lines = inventoryCommitLines(
    { inventoryHash: inv.inventory_hash, canonicalJson: inv.canonical_json },
    await retirementsOf(em, inv),
    { start: inv.period_start, end: inv.period_end },
  );
  const { periodStart, periodEnd } = periodDates(inv);
  await em.query(
    `INSERT INTO inventory_commit_outbox (inventory_id, enterprise_id, period_start, period_end, lines)
     VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (inventory_id) DO NOTHING`,
    [inventoryId, enterpriseId, periodStart, periodEnd, JSON.stringify(lines)],
  );
  await publish(em, INVENTORY_COMMIT_QUEUED, { inventoryId }, enterpriseId);
  return lines;
}

export interface DrainOptions {
  /** Only these inventories (tests, or the API right after a finalisation). */
  inventoryIds?: string[];
  /** Rows per pass (default 50). */
  limit?: number;
  /** Retry backoff base in seconds (default 5; doubled per attempt, capped at 1 h). */
  retryBaseSeconds?: number;
  /**
   * Test hook, awaited after a row's batch is committed and before the row is marked: throwing here
   * is a crash between the two (the row stays pending, the batch exists).
   */
  afterCommit?: (inventoryId: string, batchId: string) => Promise<void>;
}

export interface DrainResult {
  /** Inventories committed in this pass (a new trust batch each). */
  committed: { inventoryId: string; batchId: string }[];
  /** Rows whose inventory already had a batch (an earlier pass crashed after committing): marked only. */
  recovered: string[];
  failed: { inventoryId: string; error: string }[];
}

interface OutboxRow {
  inventory_id: string;
  enterprise_id: string;
  period_start: Date;
  period_end: Date;
  lines: CommitLine[];
  attempts: number;
}

/**
 * One committer pass (connection role): claims due outbox rows (FOR UPDATE SKIP LOCKED, so
 * concurrent committers never take the same row) and commits each inventory's frozen lines as a trust
 * batch, which queues its anchor. Idempotent: a row whose inventory already has an inventory batch is
 * marked committed with that batch instead of committing again. A failed commit is retried with
 * backoff; the row keeps the error. Needs two connections of `pool` (the claim and the commit).
 */
export async function drainInventoryCommits(pool: Pool, o: DrainOptions = {}): Promise<DrainResult> {
  const out: DrainResult = { committed: [], recovered: [], failed: [] };
  await tx(pool, async (c) => {
    const rows = await c.query<OutboxRow>(
      `SELECT inventory_id, enterprise_id, period_start, period_end, lines, attempts FROM inventory_commit_outbox
       WHERE committed_at IS NULL AND next_attempt_at <= now() AND ($1::uuid[] IS NULL OR inventory_id = ANY ($1))
       ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [o.inventoryIds ?? null, o.limit ?? 50],
    );
    for (const r of rows.rows) {
      const existing = await c.query<{ id: string }>(
        `SELECT id FROM trust_batch WHERE enterprise_id = $1 AND kind = 'inventory' AND scope = $2 ORDER BY seq LIMIT 1`,
        [r.enterprise_id, r.inventory_id],
      );
      let batchId = existing.rows[0]?.id;
      if (batchId) out.recovered.push(r.inventory_id);
      else {
        try {
          const b = await commitInventory(pool, {
            enterpriseId: r.enterprise_id,
            inventoryId: r.inventory_id,
            periodStart: r.period_start,
            periodEnd: r.period_end,
            lines: r.lines,
          });
          batchId = b.batchId;
          out.committed.push({ inventoryId: r.inventory_id, batchId });
        } catch (e) {
          const error = (e as Error).message.slice(0, 500);
          out.failed.push({ inventoryId: r.inventory_id, error });
          const delay = Math.min(3600, (o.retryBaseSeconds ?? 5) * 2 ** Math.min(r.attempts, 12));
          await c.query(
            `UPDATE inventory_commit_outbox SET attempts = attempts + 1, last_error = $2,
               next_attempt_at = now() + make_interval(secs => $3) WHERE inventory_id = $1`,
            [r.inventory_id, error, delay],
          );
          continue;
        }
        await o.afterCommit?.(r.inventory_id, batchId);
      }
      await c.query(
        `UPDATE inventory_commit_outbox SET batch_id = $2, committed_at = now(), last_error = NULL WHERE inventory_id = $1`,
        [r.inventory_id, batchId],
      );
    }
  });
  return out;
}

export interface InventoryCommitterOptions {
  pool: Pool;
  /** The process's event bus: a pass runs as soon as a finalisation queued a commitment. */
  events?: Pick<EventBus, 'subscribe'>;
  /** Interval of the scheduled pass (default 5000 ms): retries, and rows queued while no bus listened. */
  intervalMs?: number;
  retryBaseSeconds?: number;
  onResult?: (r: DrainResult) => void;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

/**
 * Runs `drainInventoryCommits` on a timer and whenever a finalisation queues a commitment (bus topic
 * INVENTORY_COMMIT_QUEUED). Passes never overlap; a notice during a pass schedules one more. Rows
 * left by a crashed process are picked up by the first pass after a restart. Returns a stop function.
 */
export function startInventoryCommitter(o: InventoryCommitterOptions): () => Promise<void> {
  return startPassLoop({
    intervalMs: o.intervalMs ?? 5000,
    notices: o.events?.subscribe(INVENTORY_COMMIT_QUEUED, () => true),
    run: async () => {
      const r = await drainInventoryCommits(o.pool, { retryBaseSeconds: o.retryBaseSeconds });
      for (const f of r.failed) o.log?.('inventory commit failed', f);
      o.onResult?.(r);
    },
    onError: (e) => o.log?.('inventory committer failed', { error: e.message }),
  });
}

/** Committed retirement leaf vs the retirement row stored now: null when unchanged (pure). */
export function retirementLeafProblem(
  committed: { line: string; value: string; unit: string },
  row: RetirementForLine | undefined,
): { problem: 'ALTERED' | 'REMOVED'; current: CommitLine | null } | null {
  if (!row) return { problem: 'REMOVED', current: null };
  const now = retirementLine(row);
  if (now.line === committed.line && now.value === committed.value && now.unit === committed.unit)
    return null;
  return { problem: 'ALTERED', current: now };
}

/** The retirement rows named by committed lines, by id (tamper job; connection role, any tenant). */
export async function retirementRowsById(
  query: (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }>,
  enterpriseId: string,
  ids: string[],
): Promise<Map<string, RetirementForLine>> {
  const valid = ids.filter((x) => /^[0-9a-f-]{36}$/i.test(x));
  if (!valid.length) return new Map();
  const r = await query(`${RET_SQL} WHERE r.enterprise_id = $1 AND r.id = ANY($2::uuid[])`, [
    enterpriseId,
    valid,
  ]);
  return new Map((r.rows as RetRow[]).map((x) => [x.id, toRet(x)]));
}

export type RetirementProblem = 'ALTERED' | 'REMOVED' | 'NOT_COMMITTED' | 'PROOF_INVALID';

export interface RetirementFinding {
  retirementId: string;
  problem: RetirementProblem;
  committedLine: string | null;
  committedValue: string | null;
  currentLine: string | null;
  currentValue: string | null;
}

export interface RetirementCommitmentCheck {
  inventoryId: string;
  batchId: string | null;
  root: string | null;
  rootSource: 'chain' | 'queue' | 'batch' | null;
  anchorState: string | null;
  committed: number;
  ok: boolean;
  findings: RetirementFinding[];
}

interface LeafRow {
  batch_id: string;
  leaf: Buffer;
  salt: Buffer;
  proof: Buffer;
  line_data: { line: string; value: string; unit: string; periodStart: string; periodEnd: string };
  root: Buffer;
  anchor_root: Buffer | null;
  anchor_state: string | null;
  chain_root: string | null;
}

/**
 * Recomputes each committed retirement leaf of the inventory's latest commitment from the retirement
 * row stored now (+ the leaf's salt) and checks it against the anchored root (chain mirror, else the
 * anchoring queue, else the batch): a changed row → ALTERED, a deleted row → REMOVED, a stored leaf
 * whose proof fails → PROOF_INVALID, a retirement of the period absent from the commitment →
 * NOT_COMMITTED (retired after the inventory was committed: not counted by the anchored inventory).
 */
export function checkRetirementCommitment(
  ctx: RequestContext,
  enterpriseId: string,
  inventoryId: string,
): Promise<RetirementCommitmentCheck> {
  return withTenant(ctx, 'accounting:read', async (em) => {
    const inv = await loadInventory(em, enterpriseId, inventoryId);
    const [batch] = (await em.query(
      `SELECT b.id, b.root, a.state AS anchor_state, a.root AS anchor_root,
              (SELECT c.root FROM chain.anchor c WHERE c.tx_hash = a.tx_hash LIMIT 1) AS chain_root
       FROM trust_batch b LEFT JOIN trust_anchor a ON a.enterprise_id = b.enterprise_id AND a.batch_id = b.id
       WHERE b.enterprise_id = $1 AND b.kind = 'inventory' AND b.scope = $2 ORDER BY b.seq DESC LIMIT 1`,
      [enterpriseId, inventoryId],
    )) as {
      id: string;
      root: Buffer;
      anchor_state: string | null;
      anchor_root: Buffer | null;
      chain_root: string | null;
    }[];
    const current = await retirementsOf(em, inv);
    if (!batch)
      return {
        inventoryId,
        batchId: null,
        root: null,
        rootSource: null,
        anchorState: null,
        committed: 0,
        ok: current.length === 0,
        findings: current.map((r) => notCommitted(r)),
      };
    const ref = batch.chain_root
      ? { root: batch.chain_root.toLowerCase() as `0x${string}`, source: 'chain' as const }
      : batch.anchor_root
        ? { root: bytesToHex(batch.anchor_root), source: 'queue' as const }
        : { root: bytesToHex(batch.root), source: 'batch' as const };
    const leaves = (await em.query(
      `SELECT l.batch_id, l.leaf, l.salt, l.proof, l.line_data FROM trust_leaf l
       WHERE l.enterprise_id = $1 AND l.batch_id = $2 AND l.line_data->>'line' LIKE $3 ORDER BY l.leaf_index`,
      [enterpriseId, batch.id, `${RETIREMENT_LINE_PREFIX}%`],
    )) as LeafRow[];
    const ids = leaves
      .map((l) => parseRetirementLine(l.line_data.line)?.retirementId)
      .filter((x): x is string => !!x && /^[0-9a-f-]{36}$/i.test(x));
    // Rows named by the commitment, wherever their period now lies (an altered period is an alteration).
    const named = (await em.query(`${RET_SQL} WHERE r.enterprise_id = $1 AND r.id = ANY($2::uuid[])`, [
      enterpriseId,
      ids,
    ])) as RetRow[];
    const byId = new Map(named.map((r) => [r.id, toRet(r)]));
    const findings: RetirementFinding[] = [];
    const committedIds = new Set<string>();
    for (const l of leaves) {
      const parsed = parseRetirementLine(l.line_data.line);
      const id = parsed?.retirementId ?? l.line_data.line;
      committedIds.add(id);
      const stored = bytesToHex(l.leaf);
      let proof: `0x${string}`[] | null = null;
      try {
        proof = unpackProof(l.proof);
      } catch {
        proof = null;
      }
      const base = {
        retirementId: id,
        committedLine: l.line_data.line,
        committedValue: l.line_data.value,
      };
      if (!proof || !verifyMerkleProof(ref.root, stored, proof)) {
        findings.push({ ...base, problem: 'PROOF_INVALID', currentLine: null, currentValue: null });
        continue;
      }
      const row = byId.get(id);
      if (!row) {
        findings.push({ ...base, problem: 'REMOVED', currentLine: null, currentValue: null });
        continue;
      }
      const now = retirementLine(row);
      let leaf: `0x${string}` | null = null;
      try {
        leaf = bytesToHex(
          inventoryLineLeafBytes({
            salt: bytesToHex(l.salt),
            enterprise: enterpriseId,
            inventory: inventoryId,
            line: now.line,
            periodStart: BigInt(Math.floor(Date.parse(l.line_data.periodStart) / 1000)),
            periodEnd: BigInt(Math.floor(Date.parse(l.line_data.periodEnd) / 1000)),
            value: now.value,
            unit: now.unit,
          }),
        );
      } catch {
        leaf = null;
      }
      if (leaf !== stored || !verifyMerkleProof(ref.root, leaf, proof))
        findings.push({ ...base, problem: 'ALTERED', currentLine: now.line, currentValue: now.value });
    }
    for (const r of current) if (!committedIds.has(r.id)) findings.push(notCommitted(r));
    return {
      inventoryId,
      batchId: batch.id,
      root: ref.root,
      rootSource: ref.source,
      anchorState: batch.anchor_state,
      committed: leaves.length,
      ok: findings.length === 0,
      findings,
    };
  });
}

function notCommitted(r: RetirementForLine): RetirementFinding {
  const l = retirementLine(r);
  return {
    retirementId: r.id,
    problem: 'NOT_COMMITTED',
    committedLine: null,
    committedValue: null,
    currentLine: l.line,
    currentValue: l.value,
  };
}

/**
 * The inventory-line proof (trust `inventoryLineProof`, format opencep-proof/1) of one retirement in the
 * latest commitment of an inventory: a verifier checks it offline and against the anchor on chain.
 */
export async function retirementProof(
  ctx: RequestContext,
  enterpriseId: string,
  inventoryId: string,
  retirementId: string,
): Promise<{ line: string; file: ProofFile; anchorState: string | null }> {
  const line = await withTenant(ctx, 'accounting:read', async (em) => {
    const [l] = (await em.query(
      `SELECT l.line_data->>'line' AS line FROM trust_leaf l
       JOIN trust_batch b ON b.enterprise_id = l.enterprise_id AND b.id = l.batch_id
       WHERE l.enterprise_id = $1 AND b.kind = 'inventory' AND b.scope = $2 AND l.line_data->>'line' LIKE $3
       ORDER BY b.seq DESC LIMIT 1`,
      [enterpriseId, inventoryId, `${RETIREMENT_LINE_PREFIX}${retirementId}/%`],
    )) as { line: string }[];
    if (!l) throw new NotFoundError('Committed retirement', retirementId);
    return l.line;
  });
  return { line, ...(await inventoryLineProof(ctx, { enterpriseId, inventoryId, line })) };
}
