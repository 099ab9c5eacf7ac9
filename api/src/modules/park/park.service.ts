import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import { Decimal } from '../../core/scalars';
import { enterpriseBytes32 } from '../accounting/accounting.service';
import { recordAudit } from '../audit';
import { forecastYearEnd } from './forecast';
import {
  buildParkExport,
  type ExportMember,
  type Figures,
  figuresOf,
  type ParkExportDocument,
  type StoredInventory,
  type MemberViews,
  PARK_EXPORT_SCHEMA,
  sumByIndustry,
  sumFigures,
  verifyParkExport,
} from './park.export';
import { renderParkExportXlsx } from './park.xlsx';
import {
  ParkEnergyTotal,
  ParkExport,
  ParkExportVerification,
  ParkExportWorkbook,
  ParkForecast,
  ParkIndustryTotal,
  ParkMember,
  ParkOverview,
  ParkRankEntry,
  ParkRankingMetric,
  ParkScopeTotals,
  ParkShareConsent,
} from './park.types';

const checkYear = (year: number) => {
  if (!Number.isInteger(year) || year < 2000 || year > 2200)
    throw new UserInputError('Invalid year', { year: ['must be between 2000 and 2200'] });
};

const toTotals = (f: Figures): ParkScopeTotals =>
  Object.assign(new ParkScopeTotals(), {
    scope1: new Decimal(f.scope1),
    scope2Location: new Decimal(f.scope2Location),
    scope2Market: new Decimal(f.scope2Market),
    scope3: new Decimal(f.scope3),
    totalLocation: new Decimal(f.totalLocation),
    totalMarket: new Decimal(f.totalMarket),
  });

interface ConsentRow {
  id: string;
  enterprise_id: string;
  park_id: string;
  granted_at: Date;
  revoked_at: Date | null;
}
const toConsent = (r: ConsentRow) =>
  Object.assign(new ParkShareConsent(), {
    id: r.id,
    enterpriseId: r.enterprise_id,
    parkId: r.park_id,
    grantedAt: r.granted_at,
    revokedAt: r.revoked_at,
  });

interface InvRow {
  id: string;
  enterprise_id: string;
  name: string;
  state: string;
  inventory_hash: string;
  canonical_json: string;
  activity_json: { revenue?: { amount: string; unit: string }; output?: { quantity: string; unit: string } };
  root: string | null;
  anchor_state: string | null;
  tx_hash: string | null;
}

/** Consenting members of a park, their latest non-draft annual inventory and its anchor. */
async function loadMembers(em: EntityManager, parkId: string, year: number) {
  const [park] = (await em.query(`SELECT id, name FROM parks WHERE id = $1`, [parkId])) as {
    id: string;
    name: string;
  }[];
  if (!park) throw new NotFoundError('Park', parkId);
  const all = (await em.query(`SELECT id, name FROM enterprises WHERE park_id = $1 ORDER BY id`, [
    parkId,
  ])) as {
    id: string;
    name: string;
  }[];
  const sharing = (await em.query(
    `SELECT e.id, e.name, e.industry FROM enterprises e
     WHERE e.park_id = $1 AND EXISTS (SELECT 1 FROM park_share_consent c
       WHERE c.enterprise_id = e.id AND c.park_id = $1 AND c.revoked_at IS NULL)
     ORDER BY e.id`,
    [parkId],
  )) as { id: string; name: string; industry: string }[];
  const ids = sharing.map((e) => e.id);
  const inventories = (await em.query(
    `SELECT DISTINCT ON (i.enterprise_id) i.id, i.enterprise_id, e.name, i.state, i.inventory_hash, i.canonical_json,
            i.activity_json, '0x' || encode(b.root, 'hex') AS root, a.state AS anchor_state, a.tx_hash
     FROM accounting_inventory i JOIN enterprises e ON e.id = i.enterprise_id
     LEFT JOIN trust_batch b ON b.enterprise_id = i.enterprise_id AND b.kind = 'inventory' AND b.scope = i.id::text
     LEFT JOIN trust_anchor a ON a.enterprise_id = b.enterprise_id AND a.batch_id = b.id
     WHERE i.enterprise_id = ANY($1::uuid[]) AND i.site_id IS NULL AND i.period_kind = 'YEAR' AND i.state <> 'DRAFT'
       AND i.period_start >= make_date($2, 1, 1) AND i.period_start < make_date($2 + 1, 1, 1)
     ORDER BY i.enterprise_id, i.revision DESC, b.seq DESC NULLS LAST`,
    [ids, year],
  )) as InvRow[];
  return { park, all, sharing, inventories: new Map(inventories.map((r) => [r.enterprise_id, r])) };
}

export async function overviewIn(em: EntityManager, parkId: string, year: number): Promise<ParkOverview> {
  const { park, all, sharing, inventories } = await loadMembers(em, parkId, year);
  const ids = sharing.map((e) => e.id);
  const energyRows = (await em.query(
    `SELECT enterprise_id, energy_type, unit, sum(value)::text AS value FROM metering_enterprise_rollup
     WHERE enterprise_id = ANY($1::uuid[]) AND grain = '1mo'
       AND bucket_start >= make_date($2, 1, 1) AND bucket_start < make_date($2 + 1, 1, 1)
     GROUP BY 1, 2, 3 ORDER BY 2, 3`,
    [ids, year],
  )) as { enterprise_id: string; energy_type: string; unit: string; value: string }[];
  const fresh = (await em.query(
    `SELECT enterprise_id, max(ts) AS ts FROM metering_reading WHERE enterprise_id = ANY($1::uuid[]) GROUP BY 1`,
    [ids],
  )) as { enterprise_id: string; ts: Date }[];
  const manualQuota = (await em.query(
    `SELECT DISTINCT ON (enterprise_id) enterprise_id, amount::text AS amount FROM accounting_quota
     WHERE enterprise_id = ANY($1::uuid[]) AND year = $2 ORDER BY enterprise_id, created_at DESC, id DESC`,
    [ids, year],
  )) as { enterprise_id: string; amount: string }[];
  const monthly = (await em.query(
    `SELECT DISTINCT ON (enterprise_id, period_start) enterprise_id, extract(year FROM period_start)::int AS y,
            extract(month FROM period_start)::int AS m, total_location::text AS t
     FROM accounting_inventory
     WHERE enterprise_id = ANY($1::uuid[]) AND site_id IS NULL AND period_kind = 'MONTH' AND state <> 'DRAFT'
       AND period_start >= make_date($2 - 1, 1, 1) AND period_start < make_date($2 + 1, 1, 1)
     ORDER BY enterprise_id, period_start, revision DESC`,
    [ids, year],
  )) as { enterprise_id: string; y: number; m: number; t: string }[];
  const members: ParkMember[] = [];
  const figs: Figures[] = [];
  let revenueSum = new Decimal(0);
  let revenueTotal = new Decimal(0);
  let quotaTotal: Decimal | null = null;
  for (const e of sharing) {
    const inv = inventories.get(e.id);
    const f = inv ? figuresOf(inv.canonical_json) : null;
    if (f) figs.push(f);
    const chain = (await em.query(
      `SELECT amount::text AS amount FROM chain.quota WHERE enterprise_id = ANY($1::text[]) AND year = $2
       ORDER BY block_number DESC LIMIT 1`,
      [[enterpriseBytes32(e.id), e.id.toLowerCase()], year],
    )) as { amount: string }[];
    const manual = manualQuota.find((q) => q.enterprise_id === e.id);
    const quota = chain[0]
      ? new Decimal(chain[0].amount).div(1_000_000).toDecimalPlaces(6)
      : manual
        ? new Decimal(manual.amount)
        : null;
    if (quota) quotaTotal = (quotaTotal ?? new Decimal(0)).add(quota);
    const series = (y: number) =>
      new Map(
        monthly
          .filter((r) => r.enterprise_id === e.id && r.y === y)
          .map((r) => [r.m, new Decimal(r.t)] as const),
      );
    const fc = forecastYearEnd(series(year), series(year - 1), quota);
    // When the annual inventory is final, it is the year-end figure: compare it with the quota directly.
    const warning =
      f && quota ? new Decimal(f.totalLocation).gt(quota) : !!(fc.exceedsQuota || fc.mayExceedQuota);
    const act = inv?.activity_json;
    const total = f ? new Decimal(f.totalMarket) : null;
    let perRevenue: Decimal | null = null;
    if (total && act?.revenue) {
      const rev = new Decimal(act.revenue.amount).div(act.revenue.unit === 'CNY' ? 10_000 : 1);
      perRevenue = total.div(rev).toDecimalPlaces(6, Decimal.ROUND_HALF_UP);
      revenueSum = revenueSum.add(rev);
      revenueTotal = revenueTotal.add(total);
    }
    members.push(
      Object.assign(new ParkMember(), {
        enterpriseId: e.id,
        name: e.name,
        industry: e.industry,
        revenue: act?.revenue
          ? new Decimal(act.revenue.amount).div(act.revenue.unit === 'CNY' ? 10_000 : 1)
          : null,
        inventoryId: inv?.id ?? null,
        inventoryHash: inv?.inventory_hash ?? null,
        inventoryState: inv?.state ?? null,
        anchoredRoot: inv?.root ?? null,
        anchorState: inv?.anchor_state ?? null,
        totals: f ? toTotals(f) : null,
        energy: energyRows
          .filter((r) => r.enterprise_id === e.id)
          .map((r) =>
            Object.assign(new ParkEnergyTotal(), {
              energyType: r.energy_type,
              unit: r.unit,
              value: new Decimal(r.value),
            }),
          ),
        intensityPerOutput:
          total && act?.output
            ? total.div(act.output.quantity).toDecimalPlaces(6, Decimal.ROUND_HALF_UP)
            : null,
        outputUnit: act?.output ? `tCO2e/${act.output.unit}` : null,
        intensityPerRevenue: perRevenue,
        lastReadingAt: fresh.find((r) => r.enterprise_id === e.id)?.ts ?? null,
        quota,
        quotaSource: chain[0] ? 'CHAIN' : manual ? 'MANUAL' : 'NONE',
        forecast: Object.assign(new ParkForecast(), { ...fc }),
        quotaWarning: warning,
      }),
    );
  }
  const energy = new Map<string, ParkEnergyTotal>();
  for (const r of energyRows) {
    const k = `${r.energy_type}|${r.unit}`;
    const cur = energy.get(k);
    if (cur) cur.value = cur.value.add(r.value);
    else
      energy.set(
        k,
        Object.assign(new ParkEnergyTotal(), {
          energyType: r.energy_type,
          unit: r.unit,
          value: new Decimal(r.value),
        }),
      );
  }
  return Object.assign(new ParkOverview(), {
    parkId: park.id,
    parkName: park.name,
    year,
    enterpriseCount: all.length,
    sharingCount: sharing.length,
    reportingCount: figs.length,
    totals: toTotals(sumFigures(figs)),
    energy: [...energy.values()],
    intensityPerRevenue: revenueSum.gt(0)
      ? revenueTotal.div(revenueSum).toDecimalPlaces(6, Decimal.ROUND_HALF_UP)
      : null,
    quotaTotal,
    enterprisesWithQuotaWarning: members.filter((m) => m.quotaWarning).length,
    industries: sumByIndustry(
      members.flatMap((m) => {
        const inv = inventories.get(m.enterpriseId);
        return inv ? [{ industry: m.industry, figures: figuresOf(inv.canonical_json) }] : [];
      }),
    ).map((g) =>
      Object.assign(new ParkIndustryTotal(), {
        industry: g.industry,
        enterprises: g.enterprises,
        totals: toTotals(g.figures),
      }),
    ),
    enterprises: members,
  });
}

const str = (d: Decimal | null): string | null => (d === null ? null : d.toFixed());

/** Export document of a park and year: the members' inventories plus the overview's views. */
async function exportIn(em: EntityManager, parkId: string, year: number) {
  const { park, inventories } = await loadMembers(em, parkId, year);
  const overview = await overviewIn(em, parkId, year);
  const byId = new Map(overview.enterprises.map((m) => [m.enterpriseId, m]));
  const members: ExportMember[] = [...inventories.values()].map((r) => {
    const m = byId.get(r.enterprise_id);
    const views: MemberViews | undefined = m && {
      industry: m.industry,
      energy: m.energy.map((x) => ({ energyType: x.energyType, unit: x.unit, value: x.value.toFixed() })),
      revenue: str(m.revenue),
      intensityPerOutput: str(m.intensityPerOutput),
      outputUnit: m.outputUnit,
      intensityPerRevenue: str(m.intensityPerRevenue),
      lastReadingAt: m.lastReadingAt ? new Date(m.lastReadingAt).toISOString() : null,
      quota: str(m.quota),
      quotaSource: m.quotaSource,
      quotaWarning: m.quotaWarning,
      forecast: {
        method: m.forecast.method,
        value: str(m.forecast.value),
        low: str(m.forecast.low),
        high: str(m.forecast.high),
      },
    };
    return {
      enterpriseId: r.enterprise_id,
      enterpriseName: r.name,
      inventoryId: r.id,
      inventoryHash: r.inventory_hash,
      canonicalJson: r.canonical_json,
      anchoredRoot: r.root,
      anchorState: r.anchor_state,
      anchorTx: r.tx_hash,
      views,
    };
  });
  return buildParkExport({ id: park.id, name: park.name }, year, members);
}

export const ParkService = {
  overview(ctx: RequestContext, parkId: string, year: number): Promise<ParkOverview> {
    checkYear(year);
    return withTenant(ctx, 'park:read', (em) => overviewIn(em, parkId, year));
  },

  async ranking(
    ctx: RequestContext,
    parkId: string,
    year: number,
    by: ParkRankingMetric,
  ): Promise<ParkRankEntry[]> {
    const o = await ParkService.overview(ctx, parkId, year);
    const value = (m: ParkMember): Decimal | null =>
      by === ParkRankingMetric.TOTAL
        ? (m.totals?.totalMarket ?? null)
        : by === ParkRankingMetric.INTENSITY_REVENUE
          ? m.intensityPerRevenue
          : m.intensityPerOutput;
    const rows = o.enterprises
      .map((m) => ({ m, v: value(m) }))
      .filter((r): r is { m: ParkMember; v: Decimal } => r.v !== null)
      .sort((a, b) => b.v.cmp(a.v) || a.m.enterpriseId.localeCompare(b.m.enterpriseId));
    return rows.map((r, i) =>
      Object.assign(new ParkRankEntry(), {
        rank: i + 1,
        enterpriseId: r.m.enterpriseId,
        name: r.m.name,
        value: r.v,
      }),
    );
  },

  export(ctx: RequestContext, parkId: string, year: number): Promise<ParkExport> {
    checkYear(year);
    return withTenant(ctx, 'park:export', async (em) => {
      const out = await exportIn(em, parkId, year);
      return Object.assign(new ParkExport(), {
        format: 'JSON+CSV',
        json: out.json,
        csv: out.csv,
        sha256: out.sha256,
      });
    });
  },

  /** The same export as a workbook (one sheet per view), tied to the JSON by its SHA-256. */
  workbook(ctx: RequestContext, parkId: string, year: number): Promise<ParkExportWorkbook> {
    checkYear(year);
    return withTenant(ctx, 'park:export', async (em) => {
      const out = await exportIn(em, parkId, year);
      const xlsx = await renderParkExportXlsx(out.doc, out.json, out.sha256);
      return Object.assign(new ParkExportWorkbook(), {
        filename: `park-export-${out.doc.park.id}-${year}.xlsx`,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        xlsxBase64: xlsx.toString('base64'),
        xlsxSha256: `0x${createHash('sha256').update(xlsx).digest('hex')}`,
        jsonSha256: out.sha256,
        json: out.json,
      });
    });
  },

  verifyExport(ctx: RequestContext, parkId: string, json: string): Promise<ParkExportVerification> {
    let doc: ParkExportDocument;
    try {
      doc = JSON.parse(json) as ParkExportDocument;
      if (doc.schema !== PARK_EXPORT_SCHEMA || !Array.isArray(doc.enterprises)) throw new Error();
    } catch {
      throw new UserInputError('Not a park export', { json: [`expected ${PARK_EXPORT_SCHEMA} JSON`] });
    }
    if (doc.park?.id !== parkId)
      throw new UserInputError('Export is for another park', { json: ['park mismatch'] });
    return withTenant(ctx, 'park:read', async (em) => {
      const ids = doc.enterprises.map((e) => e.inventoryId).filter((id) => /^[0-9a-f-]{36}$/i.test(id));
      const rows = (await em.query(
        `SELECT DISTINCT ON (i.id) i.id, i.enterprise_id, i.inventory_hash, i.canonical_json,
                '0x' || encode(b.root, 'hex') AS root
         FROM accounting_inventory i JOIN enterprises e ON e.id = i.enterprise_id AND e.park_id = $2
         LEFT JOIN trust_batch b ON b.enterprise_id = i.enterprise_id AND b.kind = 'inventory' AND b.scope = i.id::text
         WHERE i.id = ANY($1::uuid[]) AND i.state <> 'DRAFT' ORDER BY i.id, b.seq DESC NULLS LAST`,
        [ids, parkId],
      )) as {
        id: string;
        enterprise_id: string;
        inventory_hash: string;
        canonical_json: string;
        root: string | null;
      }[];
      const stored = new Map<string, StoredInventory>(
        rows.map((r) => [
          r.id,
          {
            id: r.id,
            enterpriseId: r.enterprise_id,
            inventoryHash: r.inventory_hash,
            canonicalJson: r.canonical_json,
            anchoredRoot: r.root,
          },
        ]),
      );
      const v = verifyParkExport(doc, stored);
      return Object.assign(new ParkExportVerification(), {
        ok: v.ok,
        mismatches: v.mismatches,
        recomputed: toTotals(v.recomputed),
      });
    });
  },

  grant(ctx: RequestContext, enterpriseId: string): Promise<ParkShareConsent> {
    return withTenant(ctx, 'park:share', async (em) => {
      const [ent] = (await em.query(`SELECT park_id FROM enterprises WHERE id = $1`, [enterpriseId])) as {
        park_id: string;
      }[];
      if (!ent) throw new NotFoundError('Enterprise', enterpriseId);
      const [existing] = (await em.query(
        `SELECT id, enterprise_id, park_id, granted_at, revoked_at FROM park_share_consent
         WHERE enterprise_id = $1 AND park_id = $2 AND revoked_at IS NULL`,
        [enterpriseId, ent.park_id],
      )) as ConsentRow[];
      if (existing) return toConsent(existing);
      const [row] = (await em.query(
        `INSERT INTO park_share_consent (enterprise_id, park_id, granted_by) VALUES ($1, $2, $3)
         ON CONFLICT (enterprise_id, park_id) WHERE revoked_at IS NULL DO NOTHING
         RETURNING id, enterprise_id, park_id, granted_at, revoked_at`,
        [enterpriseId, ent.park_id, ctx.auth.actorId],
      )) as ConsentRow[];
      if (!row) return ParkService.grant(ctx, enterpriseId);
      await recordAudit(em, ctx, {
        action: 'grant',
        entity: 'ParkShareConsent',
        entityId: row.id,
        enterpriseId,
        after: row,
      });
      return toConsent(row);
    });
  },

  revoke(ctx: RequestContext, enterpriseId: string): Promise<ParkShareConsent | null> {
    return withTenant(ctx, 'park:share', async (em) => {
      const [ent] = (await em.query(`SELECT id FROM enterprises WHERE id = $1`, [enterpriseId])) as {
        id: string;
      }[];
      if (!ent) throw new NotFoundError('Enterprise', enterpriseId);
      const rows = (await em.query(
        `UPDATE park_share_consent SET revoked_at = now(), revoked_by = $2
         WHERE enterprise_id = $1 AND revoked_at IS NULL
         RETURNING id, enterprise_id, park_id, granted_at, revoked_at`,
        [enterpriseId, ctx.auth.actorId],
      )) as [ConsentRow[], number] | ConsentRow[];
      const list = (Array.isArray(rows[0]) ? rows[0] : rows) as ConsentRow[];
      const row = list[0];
      if (!row) return null;
      await recordAudit(em, ctx, {
        action: 'revoke',
        entity: 'ParkShareConsent',
        entityId: row.id,
        enterpriseId,
        after: row,
      });
      return toConsent(row);
    });
  },
};
