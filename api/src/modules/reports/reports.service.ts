import { randomUUID } from 'node:crypto';
import type { Hex } from 'viem';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { RequestContext, TenantSet } from '../../core/context';
import { withScope, withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import { decodeCursor } from '../../core/pagination';
import type { Inventory } from '../accounting/engine/calculate';
import { InventoryRecord } from '../accounting/accounting.entity';
import { standardIdOf } from '../accounting/accounting.service';
import { recordAudit } from '../audit/audit.service';
import {
  type Opinion,
  type ReportHashes,
  reportAnchorRoot,
  reportTypedData,
  sendStatement,
  verifyReportSignature,
} from './report.chain';
import { buildReportDocument, canonicalReportJson, type ReportLanguage, sha256Hex } from './report.content';
import { renderReportPdf } from './report.pdf';
import { renderReportXlsx } from './report.xlsx';
import { Report, ReportGrant, ReportSupersession, ReportVerification } from './reports.entity';
import { badSignature, reportConflict } from './reports.errors';

const union = (...sets: TenantSet[]): TenantSet =>
  sets.some((s) => s === '*') ? '*' : [...new Set((sets as (readonly string[])[]).flat())];
const ids = (s: TenantSet): string[] => (s === '*' ? [] : [...s]);

/**
 * Who sees which report: enterprise roles with reports:generate see all of their tenant's reports;
 * holders of anchored:read (regulators, park admins, …) see anchored ones; verifiers see the reports
 * granted to them. RLS gets the union; the predicate narrows it per row.
 */
function visibility(ctx: RequestContext) {
  const full = ctx.auth.enterpriseIdsFor('reports:generate');
  const anchored = ctx.auth.enterpriseIdsFor('anchored:read');
  const verify = ctx.auth.enterpriseIdsFor('verification:record');
  return {
    scope: { enterpriseIds: union(full, anchored, verify), parkIds: [] as string[], actor: ctx.auth.actorId },
    where: `((r.enterprise_id = ANY(:full::uuid[]) OR :fullAll)
      OR (r.state = 'anchored' AND (r.enterprise_id = ANY(:anch::uuid[]) OR :anchAll))
      OR ((r.enterprise_id = ANY(:ver::uuid[]) OR :verAll) AND EXISTS (SELECT 1 FROM report_grant g
          WHERE g.report_id = r.id AND g.verifier_user_id::text = :actor)))`,
    params: {
      full: ids(full),
      fullAll: full === '*',
      anch: ids(anchored),
      anchAll: anchored === '*',
      ver: ids(verify),
      verAll: verify === '*',
      actor: ctx.auth.actorId ?? '',
    },
  };
}

function visibleQuery(em: EntityManager, ctx: RequestContext): SelectQueryBuilder<Report> {
  const v = visibility(ctx);
  return em.getRepository(Report).createQueryBuilder('r').where(v.where, v.params);
}

const hashesOf = (r: Report): ReportHashes => ({
  enterpriseId: r.enterpriseId,
  jsonHash: r.jsonHash,
  pdfHash: r.pdfHash,
  inventoryHash: r.inventoryHash,
  standardRef: r.standardRef,
});

export interface GenerateInput {
  inventoryId: string;
  language: ReportLanguage;
  supersedesReportId?: string | null;
  reason?: string | null;
}

export const ReportsService = {
  async generate(ctx: RequestContext, input: GenerateInput): Promise<Report> {
    if ((input.supersedesReportId == null) !== (input.reason == null || input.reason.trim() === '')) {
      throw new UserInputError('supersedesReportId and reason go together', {
        reason: ['a superseding report needs a non-empty reason'],
      });
    }
    return withTenant(ctx, 'reports:generate', async (em) => {
      const inv = await em.getRepository(InventoryRecord).findOne({ where: { id: input.inventoryId } });
      if (!inv) throw new NotFoundError('Inventory', input.inventoryId);
      if (inv.state === 'DRAFT') throw reportConflict('INVENTORY_NOT_FINAL');
      const [ent] = (await em.query(
        `SELECT e.id, e.name, e.industry, e.credit_code, p.name AS park FROM enterprises e
         LEFT JOIN parks p ON p.id = e.park_id WHERE e.id = $1`,
        [inv.enterpriseId],
      )) as { id: string; name: string; industry: string; credit_code: string | null; park: string | null }[];
      if (!ent) throw new NotFoundError('Enterprise', inv.enterpriseId);
      let old: Report | null = null;
      if (input.supersedesReportId) {
        old = await em.getRepository(Report).findOne({ where: { id: input.supersedesReportId } });
        if (!old || old.enterpriseId !== inv.enterpriseId)
          throw new NotFoundError('Report', input.supersedesReportId);
        if (old.supersededByReportId) throw reportConflict('REPORT_SUPERSEDED');
      }
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('report:' || $1))`, [inv.id]);
      const [{ v }] = (await em.query(
        `SELECT coalesce(max(version), 0) + 1 AS v FROM report WHERE inventory_id = $1 AND language = $2`,
        [inv.id, input.language],
      )) as [{ v: number }];
      const id = randomUUID();
      const generatedAt = new Date();
      const doc = buildReportDocument(JSON.parse(inv.canonicalJson) as Inventory, {
        reportId: id,
        version: Number(v),
        language: input.language,
        generatedAt: generatedAt.toISOString(),
        enterprise: {
          id: ent.id,
          name: ent.name,
          industry: ent.industry,
          creditCode: ent.credit_code,
          park: ent.park,
        },
        inventory: {
          id: inv.id,
          revision: inv.revision,
          periodKind: inv.periodKind,
          periodStart: inv.periodStart,
          periodEnd: inv.periodEnd,
          hash: inv.inventoryHash,
          packRef: inv.packRef,
          packHash: inv.packHash,
          standardVersion: inv.standardVersion,
        },
        supersedes: old ? { reportId: old.id, reason: (input.reason as string).trim() } : null,
      });
      const json = canonicalReportJson(doc);
      const jsonHash = sha256Hex(Buffer.from(json, 'utf8'));
      const pdf = await renderReportPdf(doc, jsonHash);
      const xlsx = await renderReportXlsx(doc, jsonHash);
      const repo = em.getRepository(Report);
      await repo.insert({
        id,
        enterpriseId: inv.enterpriseId,
        inventoryId: inv.id,
        version: Number(v),
        language: input.language,
        standardRef: inv.packRef,
        inventoryHash: inv.inventoryHash,
        jsonCanonical: json,
        jsonHash,
        pdf,
        pdfHash: sha256Hex(pdf),
        xlsx,
        xlsxHash: sha256Hex(xlsx),
        state: 'generated',
        supersedesReportId: old?.id ?? null,
        supersedeReason: old ? (input.reason as string).trim() : null,
        createdBy: ctx.auth.actorId,
        createdAt: generatedAt,
      });
      if (old) {
        await em.query(`UPDATE report SET superseded_by_report_id = $1 WHERE id = $2`, [id, old.id]);
      }
      const saved = (await repo.findOne({ where: { id } })) as Report;
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'Report',
        entityId: id,
        enterpriseId: inv.enterpriseId,
        after: { jsonHash, pdfHash: saved.pdfHash, supersedes: old?.id ?? null },
      });
      return saved;
    });
  },

  async list(
    ctx: RequestContext,
    enterpriseId: string,
    first: number,
    after?: string | null,
  ): Promise<Report[]> {
    return withScope(ctx.db, visibility(ctx).scope, async (em) => {
      const q = visibleQuery(em, ctx).andWhere('r.enterprise_id = :e', { e: enterpriseId });
      if (after) q.andWhere('r.id::text > :after', { after: decodeCursor(after) });
      return q
        .orderBy('r.id', 'ASC')
        .take(first + 1)
        .getMany();
    });
  },

  async get(ctx: RequestContext, id: string): Promise<Report> {
    return withScope(ctx.db, visibility(ctx).scope, async (em) => {
      const r = await visibleQuery(em, ctx).andWhere('r.id = :id', { id }).getOne();
      if (!r) throw new NotFoundError('Report', id);
      return r;
    });
  },

  /** JSON text, PDF and XLSX bytes of a visible report. */
  async content(ctx: RequestContext, id: string): Promise<{ json: string; pdf: Buffer; xlsx: Buffer }> {
    return withScope(ctx.db, visibility(ctx).scope, async (em) => {
      const r = await visibleQuery(em, ctx)
        .addSelect(['r.jsonCanonical', 'r.pdf', 'r.xlsx'])
        .andWhere('r.id = :id', { id })
        .getOne();
      if (!r) throw new NotFoundError('Report', id);
      return { json: r.jsonCanonical, pdf: r.pdf, xlsx: r.xlsx };
    });
  },

  async typedData(ctx: RequestContext, id: string) {
    const r = await withTenant(ctx, 'reports:sign', async (em) =>
      em.getRepository(Report).findOne({ where: { id } }),
    );
    if (!r) throw new NotFoundError('Report', id);
    return reportTypedData(hashesOf(r));
  },

  /** Verifies the EIP-712 signature, stores it and queues the report anchor (trust_batch/trust_anchor). */
  async sign(ctx: RequestContext, id: string, signature: string, signer: string): Promise<Report> {
    return withTenant(ctx, 'reports:sign', async (em) => {
      const repo = em.getRepository(Report);
      const r = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!r) throw new NotFoundError('Report', id);
      if (r.state !== 'generated') throw reportConflict('REPORT_ALREADY_SIGNED');
      if (r.supersededByReportId) throw reportConflict('REPORT_SUPERSEDED');
      if (!/^0x[0-9a-fA-F]{40}$/.test(signer) || !/^0x[0-9a-fA-F]+$/.test(signature)) throw badSignature();
      if (!(await verifyReportSignature(hashesOf(r), signer as Hex, signature as Hex))) throw badSignature();
      const signerLc = signer.toLowerCase() as Hex;
      const root = reportAnchorRoot(hashesOf(r), signerLc);
      const inv = await em.getRepository(InventoryRecord).findOne({ where: { id: r.inventoryId } });
      // Report anchor: a one-leaf "batch" of kind report whose root is the report commitment.
      const [batch] = (await em.query(
        `INSERT INTO trust_batch (enterprise_id, kind, scope, period_start, period_end, seq, root, leaf_count, standard_ref)
         VALUES ($1, 'report', $2, $3::date, ($4::date + 1)::timestamptz, 0, decode($5, 'hex'), 1, decode($6, 'hex'))
         RETURNING id`,
        [
          r.enterpriseId,
          r.id,
          inv?.periodStart,
          inv?.periodEnd,
          root.slice(2),
          standardRefBytes(r.standardRef).slice(2),
        ],
      )) as { id: string }[];
      // A correction of a signed report supersedes its anchor on chain (the worker sends
      // AttestationRegistry.supersede(old, new, reason) once the old root is anchored).
      let supersedes: { root: string; reason: string } | null = null;
      if (r.supersedesReportId && r.supersedeReason) {
        const [old] = (await em.query(`SELECT anchor_root FROM report WHERE id = $1`, [
          r.supersedesReportId,
        ])) as { anchor_root: string | null }[];
        if (old?.anchor_root) supersedes = { root: old.anchor_root, reason: r.supersedeReason };
      }
      await em.query(
        `INSERT INTO trust_anchor (enterprise_id, batch_id, root, supersedes_root, supersede_reason)
         VALUES ($1, $2, decode($3, 'hex'), decode($4, 'hex'), $5)`,
        [
          r.enterpriseId,
          batch?.id,
          root.slice(2),
          supersedes?.root.slice(2) ?? null,
          supersedes?.reason ?? null,
        ],
      );
      await em.query(
        `UPDATE report SET state = 'signed', signer = $2, signature = $3, signed_by = $4, signed_at = now(),
           anchor_root = $5, anchor_batch_id = $6 WHERE id = $1`,
        [
          r.id,
          signerLc,
          signature.toLowerCase(),
          ctx.identity.kind === 'user' ? ctx.identity.userId : null,
          root,
          batch?.id,
        ],
      );
      await recordAudit(em, ctx, {
        action: 'sign',
        entity: 'Report',
        entityId: r.id,
        enterpriseId: r.enterpriseId,
        after: { signer: signerLc, anchorRoot: root },
      });
      return (await repo.findOne({ where: { id } })) as Report;
    });
  },

  async grant(ctx: RequestContext, reportId: string, verifierUserId: string): Promise<ReportGrant> {
    return withTenant(ctx, 'reports:grant', async (em) => {
      const r = await em.getRepository(Report).findOne({ where: { id: reportId } });
      if (!r) throw new NotFoundError('Report', reportId);
      const [u] = (await em.query(
        `SELECT 1 FROM role_grants WHERE user_id = $1 AND role = 'VERIFIER' AND scope_id = $2::text`,
        [verifierUserId, r.enterpriseId],
      )) as unknown[];
      if (!u)
        throw new UserInputError('Not a verifier of this enterprise', {
          verifierUserId: ['no VERIFIER role'],
        });
      await em.query(
        `INSERT INTO report_grant (enterprise_id, report_id, verifier_user_id, granted_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (report_id, verifier_user_id) DO NOTHING`,
        [r.enterpriseId, r.id, verifierUserId, ctx.auth.actorId],
      );
      await recordAudit(em, ctx, {
        action: 'grant',
        entity: 'Report',
        entityId: r.id,
        enterpriseId: r.enterpriseId,
        after: { verifierUserId },
      });
      return (await em
        .getRepository(ReportGrant)
        .findOne({ where: { reportId, verifierUserId } })) as ReportGrant;
    });
  },

  /** Reports granted to the calling verifier. */
  async granted(ctx: RequestContext): Promise<Report[]> {
    return withTenant(ctx, 'verification:record', async (em) =>
      em
        .getRepository(Report)
        .createQueryBuilder('r')
        .innerJoin(ReportGrant, 'g', 'g.report_id = r.id AND g.verifier_user_id::text = :actor', {
          actor: ctx.auth.actorId ?? '',
        })
        .orderBy('r.created_at', 'DESC')
        .getMany(),
    );
  },

  async recordVerification(
    ctx: RequestContext,
    reportId: string,
    opinion: Opinion,
    documentHash: string,
  ): Promise<ReportVerification> {
    if (!/^0x[0-9a-fA-F]{64}$/.test(documentHash))
      throw new UserInputError('documentHash must be 0x + 64 hex digits', {
        documentHash: ['not a 32-byte hash'],
      });
    const actor = ctx.identity.kind === 'user' ? ctx.identity.userId : null;
    const saved = await withTenant(ctx, 'verification:record', async (em) => {
      const [r] = (await em.query(
        `SELECT r.id, r.enterprise_id, r.state, r.anchor_root FROM report r
         JOIN report_grant g ON g.report_id = r.id AND g.verifier_user_id::text = $2 WHERE r.id = $1`,
        [reportId, actor ?? ''],
      )) as { id: string; enterprise_id: string; state: string; anchor_root: string | null }[];
      if (!r || !actor) throw new NotFoundError('Report', reportId);
      if (r.state === 'generated') throw reportConflict('REPORT_NOT_SIGNED');
      const id = randomUUID();
      await em.query(
        `INSERT INTO report_verification (id, enterprise_id, report_id, verifier_user_id, opinion, document_hash)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, r.enterprise_id, r.id, actor, opinion, documentHash.toLowerCase()],
      );
      await recordAudit(em, ctx, {
        action: 'verify',
        entity: 'Report',
        entityId: r.id,
        enterpriseId: r.enterprise_id,
        after: { opinion, documentHash },
      });
      return { id, root: r.anchor_root, enterpriseId: r.enterprise_id };
    });
    // On chain (when configured): after commit, outcome stored on the row.
    let tx: string | null = null;
    let err: string | null = null;
    try {
      if (saved.root && actor) tx = await sendStatement(actor, saved.root, opinion, documentHash);
    } catch (e) {
      err = e instanceof Error ? e.message.slice(0, 500) : String(e);
    }
    if (tx || err) {
      // report_verification is append-only for opencep_app: the chain outcome is written as the service.
      await ctx.db.query(
        `UPDATE report_verification SET chain_tx_hash = $2, chain_error = $3 WHERE id = $1`,
        [saved.id, tx, err],
      );
    }
    return withTenant(
      ctx,
      'verification:record',
      async (em) =>
        (await em
          .getRepository(ReportVerification)
          .findOne({ where: { id: saved.id } })) as ReportVerification,
    );
  },

  async verifications(ctx: RequestContext, reportId: string): Promise<ReportVerification[]> {
    return withScope(ctx.db, visibility(ctx).scope, async (em) => {
      const visible = await visibleQuery(em, ctx).andWhere('r.id = :id', { id: reportId }).getCount();
      if (!visible) return [];
      return em.getRepository(ReportVerification).find({ where: { reportId }, order: { createdAt: 'ASC' } });
    });
  },

  /**
   * Supersession of a visible report: the correction, the reason, and whether the chain recorded it
   * (the chain reconciler copies the confirmed AnchorSuperseded event onto the report). Pure read.
   */
  async supersession(ctx: RequestContext, r: Report): Promise<ReportSupersession | null> {
    if (!r.supersededByReportId) return null;
    const reason = await withScope(ctx.db, visibility(ctx).scope, async (em) => {
      const [row] = (await em.query(`SELECT supersede_reason FROM report WHERE id = $1`, [
        r.supersededByReportId,
      ])) as { supersede_reason: string | null }[];
      return row?.supersede_reason ?? '';
    });
    return Object.assign(new ReportSupersession(), {
      supersededByReportId: r.supersededByReportId,
      reason: r.supersededReasonOnChain ?? reason,
      state: r.supersededTxHash ? 'RECORDED' : r.anchorRoot ? 'PENDING' : 'OFF_CHAIN',
      txHash: r.supersededTxHash,
      blockNumber: r.supersededBlockNumber,
      recordedAt: r.supersededAt,
    } satisfies ReportSupersession);
  },

  /** The correction of a report, when the caller may see it (else null). */
  async supersededBy(ctx: RequestContext, r: Report): Promise<Report | null> {
    if (!r.supersededByReportId) return null;
    const id = r.supersededByReportId;
    return withScope(ctx.db, visibility(ctx).scope, (em) =>
      visibleQuery(em, ctx).andWhere('r.id = :id', { id }).getOne(),
    );
  },

  /** Open tamper alarms on the report's anchor (stored bytes or hashes changed since anchoring). */
  async openTamperAlarms(ctx: RequestContext, r: Report): Promise<number> {
    if (!r.anchorBatchId || !ctx.auth.can('anchored:read', { enterpriseId: r.enterpriseId })) return 0;
    const batchId = r.anchorBatchId;
    return withTenant(ctx, 'anchored:read', async (em) => {
      const [row] = (await em.query(
        `SELECT count(*)::int AS n FROM trust_tamper_alarm WHERE enterprise_id = $1 AND batch_id = $2 AND resolved_at IS NULL`,
        [r.enterpriseId, batchId],
      )) as { n: number }[];
      return row?.n ?? 0;
    });
  },

  /** Regulator view: anchored reports of the tenants the caller holds anchored:read on. */
  async regulatorReports(ctx: RequestContext, enterpriseId: string | null): Promise<Report[]> {
    return withTenant(ctx, 'anchored:read', async (em) => {
      const q = em.getRepository(Report).createQueryBuilder('r').where(`r.state = 'anchored'`);
      if (enterpriseId) q.andWhere('r.enterprise_id = :e', { e: enterpriseId });
      return q.orderBy('r.created_at', 'DESC').take(200).getMany();
    });
  },
};

/** Standard reference on chain: keccak256 of the pack id (as accounting's standardIdOf). */
function standardRefBytes(packRef: string): string {
  return standardIdOf(packRef.split('@')[0] as string);
}
