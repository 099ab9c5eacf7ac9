import {
  MerkleTree,
  inventoryLineLeafBytes,
  readingLeafBytes,
  verifyMerkleProof,
  unpackProof,
  type InventoryLineLeafData,
} from 'opencep-verify';
import { bytesToHex, type Hex } from 'viem';
import {
  parseRetirementLine,
  RETIREMENT_LINE_PREFIX,
  retirementLeafProblem,
  retirementRowsById,
} from '../offsets/offsets.commitment';
import { reportAnchorRoot } from '../reports/report.chain';
import { sha256Hex } from '../reports/report.content';
import { READING_TS_MS_SQL, READING_VALUE_SQL, readingLeafDataOfRow } from './trust.commit';
import type { Pool } from './trust.sql';

export type TamperKind =
  | 'root_mismatch'
  | 'leaf_mismatch'
  | 'row_missing'
  | 'leaf_count_mismatch'
  | 'chain_root_missing'
  | 'chain_root_mismatch'
  | 'report_mismatch';

export interface TamperFinding {
  enterpriseId: string;
  batchId: string;
  leafIndex: number | null;
  kind: TamperKind;
  detail: Record<string, unknown>;
}

export interface TamperReport {
  runId: string;
  batchesChecked: number;
  leavesChecked: number;
  findings: TamperFinding[];
}

interface BatchRow {
  enterprise_id: string;
  id: string;
  kind: 'readings' | 'inventory';
  root: Buffer;
  leaf_count: number;
  anchor_state: string | null;
  anchor_root: Buffer | null;
  tx_hash: string | null;
  chain_root: string | null;
  chain_leaf_count: string | null;
  /** The mirror has indexed past the anchoring block but holds no Anchored event for its tx. */
  mirror_missing: boolean;
}

interface LeafRow {
  leaf_index: number;
  leaf: Buffer;
  salt: Buffer;
  proof: Buffer;
  meter_id: string | null;
  ts: Date | null;
  source: string | null;
  line_data: {
    inventory: string;
    line: string;
    periodStart: string;
    periodEnd: string;
    value: string;
    unit: string;
  } | null;
  present: boolean | null;
  value: string | null;
  unit: string | null;
  ts_ms: string | null;
}

/**
 * The reference root of a batch, strongest source first: the chain mirror's Anchored event for the
 * anchoring tx (indexer, chain.anchor), else the root the anchoring queue recorded, else the batch.
 */
function referenceRoot(b: BatchRow): { root: `0x${string}`; source: 'chain' | 'queue' | 'batch' } {
  if (b.chain_root) return { root: b.chain_root.toLowerCase() as `0x${string}`, source: 'chain' };
  if (b.anchor_root) return { root: bytesToHex(b.anchor_root), source: 'queue' };
  return { root: bytesToHex(b.root), source: 'batch' };
}

/** Recomputes each leaf from the stored rows (+ salt) and checks it and the batch root. Pure. */
export function checkBatch(enterpriseId: string, b: BatchRow, leaves: LeafRow[]): TamperFinding[] {
  const out: TamperFinding[] = [];
  const ref = referenceRoot(b);
  const f = (leafIndex: number | null, kind: TamperKind, detail: Record<string, unknown>) =>
    out.push({
      enterpriseId,
      batchId: b.id,
      leafIndex,
      kind,
      detail: { referenceRoot: ref.root, referenceSource: ref.source, ...detail },
    });

  if (b.chain_root && b.anchor_root && b.chain_root.toLowerCase() !== bytesToHex(b.anchor_root)) {
    f(null, 'chain_root_mismatch', { queueRoot: bytesToHex(b.anchor_root), chainRoot: b.chain_root });
  }
  if (b.anchor_state === 'confirmed' && b.mirror_missing) {
    f(null, 'chain_root_missing', { txHash: b.tx_hash });
  }
  const expectedCount = b.chain_leaf_count ? Number(b.chain_leaf_count) : b.leaf_count;
  if (leaves.length !== expectedCount || leaves.some((l, i) => l.leaf_index !== i)) {
    f(null, 'leaf_count_mismatch', { expected: expectedCount, stored: leaves.length });
  }
  const recomputed: Uint8Array[] = [];
  for (const l of leaves) {
    let leaf: Uint8Array | null = null;
    try {
      if (l.line_data) {
        const d = l.line_data;
        const data: InventoryLineLeafData = {
          salt: bytesToHex(l.salt),
          enterprise: enterpriseId,
          inventory: d.inventory,
          line: d.line,
          periodStart: BigInt(Math.floor(Date.parse(d.periodStart) / 1000)),
          periodEnd: BigInt(Math.floor(Date.parse(d.periodEnd) / 1000)),
          value: d.value,
          unit: d.unit,
        };
        leaf = inventoryLineLeafBytes(data);
      } else if (!l.present) {
        f(l.leaf_index, 'row_missing', { meterId: l.meter_id, ts: l.ts?.toISOString(), source: l.source });
      } else {
        leaf = readingLeafBytes(
          readingLeafDataOfRow(
            enterpriseId,
            {
              meter_id: l.meter_id as string,
              value: l.value as string,
              unit: l.unit as string,
              ts_ms: l.ts_ms as string,
            },
            l.salt,
          ),
        );
      }
    } catch (e) {
      f(l.leaf_index, 'leaf_mismatch', { error: (e as Error).message });
    }
    // A missing or unencodable row contributes a zero leaf: the recomputed root must then differ.
    recomputed.push(leaf ?? new Uint8Array(32));
    if (leaf) {
      const proof = (() => {
        try {
          return unpackProof(l.proof);
        } catch {
          return null;
        }
      })();
      const leafHex = bytesToHex(leaf);
      if (!proof || !verifyMerkleProof(ref.root, leafHex, proof)) {
        f(l.leaf_index, 'leaf_mismatch', {
          meterId: l.meter_id,
          ts: l.ts?.toISOString(),
          source: l.source,
          line: l.line_data?.line,
          storedLeaf: bytesToHex(l.leaf),
          recomputedLeaf: leafHex,
        });
      }
    }
  }
  const root = recomputed.length ? MerkleTree.build(recomputed).root : null;
  if (root !== ref.root) f(null, 'root_mismatch', { recomputedRoot: root });
  return out;
}

export interface ReportRow {
  enterprise_id: string;
  batch_id: string;
  report_id: string;
  json_canonical: string;
  json_hash: string;
  pdf: Buffer;
  pdf_hash: string;
  xlsx: Buffer;
  xlsx_hash: string;
  inventory_hash: string;
  signer: string | null;
  root: Buffer;
  anchor_root: Buffer | null;
  chain_root: string | null;
}

/**
 * A signed report against its anchor (pure): each stored artefact must still hash to its stored
 * hash, and the anchor root recomputed from the artefacts' bytes (+ inventory hash and signer) must
 * equal the reference root (chain mirror, else queue, else batch). One finding per report naming
 * every artefact that changed.
 */
export function checkReport(r: ReportRow): TamperFinding[] {
  const ref = r.chain_root
    ? { root: r.chain_root.toLowerCase(), source: 'chain' }
    : r.anchor_root
      ? { root: bytesToHex(r.anchor_root), source: 'queue' }
      : { root: bytesToHex(r.root), source: 'batch' };
  const json = sha256Hex(Buffer.from(r.json_canonical, 'utf8'));
  const pdf = sha256Hex(r.pdf);
  const changed: string[] = [];
  if (json !== r.json_hash) changed.push('json');
  if (pdf !== r.pdf_hash) changed.push('pdf');
  if (sha256Hex(r.xlsx) !== r.xlsx_hash) changed.push('xlsx');
  let root: string | null = null;
  try {
    root = reportAnchorRoot(
      {
        enterpriseId: r.enterprise_id,
        jsonHash: json,
        pdfHash: pdf,
        inventoryHash: r.inventory_hash,
        standardRef: '',
      },
      (r.signer ?? '0x') as Hex,
    );
  } catch {
    root = null;
  }
  if (root !== ref.root) changed.push('anchor');
  if (!changed.length) return [];
  return [
    {
      enterpriseId: r.enterprise_id,
      batchId: r.batch_id,
      leafIndex: null,
      kind: 'report_mismatch',
      detail: {
        reportId: r.report_id,
        changed,
        referenceRoot: ref.root,
        referenceSource: ref.source,
        recomputedRoot: root,
      },
    },
  ];
}

/**
 * The tamper job: for every committed batch (optionally one enterprise), recompute the root from the
 * stored rows and salts, compare with the chain (mirror) or the anchoring queue, and record each
 * finding as an open alarm row (batch + row). Re-runs do not duplicate open alarms.
 */
export async function runTamperCheck(
  pool: Pool,
  opts: { enterpriseId?: string; batchIds?: string[] } = {},
): Promise<TamperReport> {
  const run = await pool.query<{ id: string }>(`INSERT INTO trust_tamper_run DEFAULT VALUES RETURNING id`);
  const runId = (run.rows[0] as { id: string }).id;
  // The mirror is "live" for a tx when the indexer has checkpointed past the anchoring block.
  const batches = await pool.query<BatchRow>(
    `SELECT b.enterprise_id, b.id, b.kind, b.root, b.leaf_count, a.state AS anchor_state, a.root AS anchor_root, a.tx_hash,
            ca.root AS chain_root, ca.leaf_count::text AS chain_leaf_count,
            (ca.root IS NULL AND a.block_number IS NOT NULL
             AND coalesce((SELECT block_number FROM chain.checkpoint LIMIT 1), -1) > a.block_number) AS mirror_missing
     FROM trust_batch b
     LEFT JOIN trust_anchor a ON a.enterprise_id = b.enterprise_id AND a.batch_id = b.id
     LEFT JOIN LATERAL (SELECT root, leaf_count FROM chain.anchor c WHERE c.tx_hash = a.tx_hash LIMIT 1) ca ON true
     WHERE b.kind <> 'report' AND ($1::uuid IS NULL OR b.enterprise_id = $1) AND ($2::uuid[] IS NULL OR b.id = ANY ($2))
     ORDER BY b.created_at`,
    [opts.enterpriseId ?? null, opts.batchIds ?? null],
  );
  const findings: TamperFinding[] = [];
  let leavesChecked = 0;
  for (const b of batches.rows) {
    const leaves = await pool.query<LeafRow>(
      `SELECT l.leaf_index, l.leaf, l.salt, l.proof, l.meter_id, l.ts, l.source, l.line_data,
              r.meter_id IS NOT NULL AS present, ${READING_VALUE_SQL('r')} AS value, r.unit, ${READING_TS_MS_SQL('r')} AS ts_ms
       FROM trust_leaf l
       LEFT JOIN metering_reading r ON l.meter_id IS NOT NULL AND r.enterprise_id = l.enterprise_id
         AND r.meter_id = l.meter_id AND r.ts = l.ts AND r.source = l.source
       WHERE l.enterprise_id = $1 AND l.batch_id = $2 ORDER BY l.leaf_index`,
      [b.enterprise_id, b.id],
    );
    leavesChecked += leaves.rows.length;
    findings.push(...checkBatch(b.enterprise_id, b, leaves.rows));
    if (b.kind === 'inventory') findings.push(...(await checkRetirements(pool, b, leaves.rows)));
  }
  // Signed reports (kind 'report' batches): artefact bytes and hashes against the anchored root.
  const reports = await reportRows(pool, opts);
  for (const r of reports.rows) findings.push(...checkReport(r));
  let raised = 0;
  for (const x of findings) {
    const ins = await pool.query(
      `INSERT INTO trust_tamper_alarm (enterprise_id, batch_id, leaf_index, kind, detail, run_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (enterprise_id, batch_id, coalesce(leaf_index, -1), kind) WHERE resolved_at IS NULL DO NOTHING`,
      [x.enterpriseId, x.batchId, x.leafIndex, x.kind, JSON.stringify(x.detail), runId],
    );
    raised += ins.rowCount ?? 0;
  }
  await pool.query(
    `UPDATE trust_tamper_run SET finished_at = now(), batches_checked = $2, leaves_checked = $3, alarms_raised = $4 WHERE id = $1`,
    [runId, batches.rows.length + reports.rows.length, leavesChecked, raised],
  );
  return { runId, batchesChecked: batches.rows.length + reports.rows.length, leavesChecked, findings };
}

/**
 * Committed retirements (offsets, issue 11) against the retirement rows stored now: a committed
 * retirement leaf carries its line in the leaf row, so the leaf check above cannot see a change to the
 * `offset_retirement` row itself. Each retirement line is recomputed from the current row (offsets
 * `retirementLine`); a changed row raises `leaf_mismatch`, a deleted one `row_missing`, both with
 * `detail.source = 'offset_retirement'`, the retirement id and the committed and current line/value.
 */
export async function checkRetirements(
  pool: Pool,
  b: Pick<BatchRow, 'enterprise_id' | 'id'>,
  leaves: Pick<LeafRow, 'leaf_index' | 'line_data'>[],
): Promise<TamperFinding[]> {
  const committed = leaves.flatMap((l) => {
    const d = l.line_data;
    const parsed = d?.line.startsWith(RETIREMENT_LINE_PREFIX) ? parseRetirementLine(d.line) : null;
    return d && parsed ? [{ leafIndex: l.leaf_index, d, retirementId: parsed.retirementId }] : [];
  });
  if (!committed.length) return [];
  const rows = await retirementRowsById(
    (sql, params) => pool.query(sql, params),
    b.enterprise_id,
    committed.map((c) => c.retirementId),
  );
  const out: TamperFinding[] = [];
  for (const c of committed) {
    const p = retirementLeafProblem(c.d, rows.get(c.retirementId));
    if (!p) continue;
    out.push({
      enterpriseId: b.enterprise_id,
      batchId: b.id,
      leafIndex: c.leafIndex,
      kind: p.problem === 'REMOVED' ? 'row_missing' : 'leaf_mismatch',
      detail: {
        source: 'offset_retirement',
        retirementId: c.retirementId,
        problem: p.problem,
        committedLine: c.d.line,
        committedValue: c.d.value,
        currentLine: p.current?.line ?? null,
        currentValue: p.current?.value ?? null,
      },
    });
  }
  return out;
}

/** Signed reports with their stored artefacts and the anchor's reference roots (tamper job input). */
export function reportRows(pool: Pool, opts: { enterpriseId?: string; batchIds?: string[] } = {}) {
  return pool.query<ReportRow>(
    `SELECT b.enterprise_id, b.id AS batch_id, r.id AS report_id, r.json_canonical, r.json_hash, r.pdf, r.pdf_hash,
            r.xlsx, r.xlsx_hash, r.inventory_hash, r.signer, b.root, a.root AS anchor_root, ca.root AS chain_root
     FROM trust_batch b
     JOIN report r ON r.enterprise_id = b.enterprise_id AND r.anchor_batch_id = b.id
     LEFT JOIN trust_anchor a ON a.enterprise_id = b.enterprise_id AND a.batch_id = b.id
     LEFT JOIN LATERAL (SELECT root FROM chain.anchor c WHERE c.tx_hash = a.tx_hash LIMIT 1) ca ON true
     WHERE b.kind = 'report' AND ($1::uuid IS NULL OR b.enterprise_id = $1) AND ($2::uuid[] IS NULL OR b.id = ANY ($2))
     ORDER BY b.created_at`,
    [opts.enterpriseId ?? null, opts.batchIds ?? null],
  );
}
