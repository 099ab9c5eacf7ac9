import { PROOF_FORMAT, type ProofFile, unpackProof, unscaleValue, scaleValue } from 'opencep-verify';
import type { EntityManager } from 'typeorm';
import { bytesToHex, type Hex } from 'viem';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { READING_VALUE_SQL } from './trust.commit';
import { TrustError } from './trust.errors';

interface ProofRow {
  enterprise_id: string;
  batch_id: string;
  leaf_index: number;
  leaf: Buffer;
  salt: Buffer;
  proof: Buffer;
  root: Buffer;
  leaf_count: number;
  period_start: Date;
  period_end: Date;
  previous_root: Buffer | null;
  anchor_state: string | null;
  chain_id: number | null;
  registry: string | null;
  tx_hash: string | null;
  block_number: string | null;
  chain_anchored_at: Date | null;
}

const PROOF_COLUMNS = `l.enterprise_id, l.batch_id, l.leaf_index, l.leaf, l.salt, l.proof, b.root, b.leaf_count, b.period_start,
  b.period_end, b.previous_root, a.state AS anchor_state, a.chain_id, a.registry, a.tx_hash, a.block_number::text,
  a.chain_anchored_at`;
const PROOF_JOINS = `JOIN trust_batch b ON b.enterprise_id = l.enterprise_id AND b.id = l.batch_id
  LEFT JOIN trust_anchor a ON a.enterprise_id = l.enterprise_id AND a.batch_id = l.batch_id`;

function common(r: ProofRow) {
  const confirmed = r.anchor_state === 'confirmed' && r.chain_id != null && r.registry != null;
  return {
    format: PROOF_FORMAT,
    leafHash: bytesToHex(r.leaf),
    leafIndex: r.leaf_index,
    proof: unpackProof(r.proof),
    root: bytesToHex(r.root),
    batch: {
      id: r.batch_id,
      periodStart: r.period_start.toISOString(),
      periodEnd: r.period_end.toISOString(),
      leafCount: r.leaf_count,
      previousRoot: r.previous_root ? bytesToHex(r.previous_root) : null,
    },
    anchor: confirmed
      ? {
          chainId: r.chain_id as number,
          registry: r.registry as Hex,
          txHash: (r.tx_hash as Hex | null) ?? null,
          blockNumber: r.block_number == null ? null : Number(r.block_number),
        }
      : null,
  } as const;
}

export interface ProofResult {
  file: ProofFile;
  /** Anchoring queue state (pending, sent, confirmed, failed). */
  anchorState: string | null;
  /** Block time of the Anchored event once confirmed in the chain mirror (chain reconciler). */
  chainAnchoredAt: Date | null;
}

/** Canonical decimal form of a committed value (what the leaf encodes). */
const canonical = (v: string) => unscaleValue(scaleValue(v));

/**
 * The disclosure package (docs/trust.md, proof JSON) for one reading the caller may read: data,
 * salt, proof, root and anchor. `anchor` is null until the anchoring tx is confirmed.
 */
export function readingProof(
  ctx: RequestContext,
  q: { enterpriseId: string; meterId: string; ts: Date; source?: string | null },
): Promise<ProofResult> {
  return withTenant(ctx, 'readings:read', async (em: EntityManager) => {
    const rows: (ProofRow & { value: string; unit: string; ts_iso: string; source: string })[] =
      await em.query(
        `SELECT ${PROOF_COLUMNS}, ${READING_VALUE_SQL('r')} AS value, r.unit, r.source,
              to_char(date_trunc('milliseconds', r.ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts_iso
       FROM trust_leaf l ${PROOF_JOINS}
       JOIN metering_reading r ON r.enterprise_id = l.enterprise_id AND r.meter_id = l.meter_id AND r.ts = l.ts AND r.source = l.source
       WHERE l.enterprise_id = $1 AND l.meter_id = $2 AND l.ts >= $3::timestamptz AND l.ts < $3::timestamptz + interval '1 millisecond'
         AND ($4::text IS NULL OR l.source = $4)`,
        [q.enterpriseId, q.meterId, q.ts.toISOString(), q.source ?? null],
      );
    if (rows.length === 0) throw new TrustError('NOT_COMMITTED');
    if (rows.length > 1) throw new TrustError('AMBIGUOUS_SOURCE');
    const r = rows[0] as (typeof rows)[number];
    const file: ProofFile = {
      ...common(r),
      kind: 'reading',
      leaf: {
        salt: bytesToHex(r.salt),
        enterprise: r.enterprise_id,
        meter: q.meterId,
        ts: r.ts_iso,
        value: canonical(r.value),
        unit: r.unit,
      },
    };
    return { file, anchorState: r.anchor_state, chainAnchoredAt: r.chain_anchored_at };
  });
}

/** The disclosure package for one inventory line (latest commitment of that inventory). */
export function inventoryLineProof(
  ctx: RequestContext,
  q: { enterpriseId: string; inventoryId: string; line: string },
): Promise<ProofResult> {
  return withTenant(ctx, 'accounting:read', async (em: EntityManager) => {
    const rows: (ProofRow & {
      line_data: {
        inventory: string;
        line: string;
        periodStart: string;
        periodEnd: string;
        value: string;
        unit: string;
      };
    })[] = await em.query(
      `SELECT ${PROOF_COLUMNS}, l.line_data FROM trust_leaf l ${PROOF_JOINS}
         WHERE l.enterprise_id = $1 AND l.line_data->>'inventory' = $2 AND l.line_data->>'line' = $3
         ORDER BY b.seq DESC LIMIT 1`,
      [q.enterpriseId, q.inventoryId, q.line],
    );
    const r = rows[0];
    if (!r) throw new TrustError('NOT_COMMITTED');
    const d = r.line_data;
    const file: ProofFile = {
      ...common(r),
      kind: 'inventory-line',
      leaf: {
        salt: bytesToHex(r.salt),
        enterprise: r.enterprise_id,
        inventory: d.inventory,
        line: d.line,
        periodStart: d.periodStart,
        periodEnd: d.periodEnd,
        value: d.value,
        unit: d.unit,
      },
    };
    return { file, anchorState: r.anchor_state, chainAnchoredAt: r.chain_anchored_at };
  });
}

export interface TamperAlarmRow {
  id: string;
  enterpriseId: string;
  batchId: string;
  leafIndex: number | null;
  kind: string;
  batchKind: string;
  reportId: string | null;
  detail: unknown;
  detectedAt: Date;
}

/**
 * Open tamper alarms (regulator view, enterprise and verifier dashboards): of one enterprise, or —
 * without `enterpriseId` — of every enterprise the caller holds anchored:read on (a regulator's
 * jurisdiction, a park admin's park). RLS limits the rows to those tenants either way.
 */
export function listTamperAlarms(
  ctx: RequestContext,
  enterpriseId: string | null,
): Promise<TamperAlarmRow[]> {
  return withTenant(ctx, 'anchored:read', async (em) => {
    const rows: {
      id: string;
      enterprise_id: string;
      batch_id: string;
      leaf_index: number | null;
      kind: string;
      batch_kind: string;
      report_id: string | null;
      detail: unknown;
      detected_at: Date;
    }[] = await em.query(
      `SELECT t.id::text, t.enterprise_id, t.batch_id, t.leaf_index, t.kind, b.kind AS batch_kind,
              CASE WHEN b.kind = 'report' THEN b.scope END AS report_id, t.detail, t.detected_at
         FROM trust_tamper_alarm t JOIN trust_batch b ON b.enterprise_id = t.enterprise_id AND b.id = t.batch_id
         WHERE ($1::uuid IS NULL OR t.enterprise_id = $1) AND t.resolved_at IS NULL
         ORDER BY t.detected_at DESC, t.id DESC LIMIT 500`,
      [enterpriseId],
    );
    return rows.map((r) => ({
      id: r.id,
      enterpriseId: r.enterprise_id,
      batchId: r.batch_id,
      leafIndex: r.leaf_index,
      kind: r.kind,
      batchKind: r.batch_kind,
      reportId: r.report_id,
      detail: r.detail,
      detectedAt: r.detected_at,
    }));
  });
}
