import DataLoader from 'dataloader';
import { In, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import type { Permission } from '../../core/permissions';
import { type Connection, decodeCursor, toConnection } from '../../core/pagination';
import { recordAudit } from '../audit/audit.service';
import { refreshNodesAfterHierarchyChange } from '../energy/node-refresh';
import { Area, Enterprise, Equipment, Line, Park, Site } from './org.entity';
import { mapOrgDbError } from './org.errors';

/** Topic of org change events (subscription `orgChanged`). */
export const ORG_CHANGED = 'org.changed';

export type OrgNodeKind = 'Site' | 'Area' | 'Line' | 'Equipment';
type Node = Site | Area | Line | Equipment;
interface NodeSpec {
  entity: EntityTarget<ObjectLiteral>;
  /** Parent kind and the column pointing at it; the enterprise comes from the parent. */
  parent: { kind: 'Site' | 'Area' | 'Line'; key: 'siteId' | 'areaId' | 'lineId' } | null;
}
const NODES: Record<OrgNodeKind, NodeSpec> = {
  Site: { entity: Site, parent: null },
  Area: { entity: Area, parent: { kind: 'Site', key: 'siteId' } },
  Line: { entity: Line, parent: { kind: 'Area', key: 'areaId' } },
  Equipment: { entity: Equipment, parent: { kind: 'Line', key: 'lineId' } },
};

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function findOr404<T extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<T>,
  kind: string,
  id: string,
): Promise<T> {
  const row = await em.getRepository(entity).findOne({ where: { id } as never });
  if (!row) throw new NotFoundError(kind, id);
  return row;
}

/** Parks, enterprises and the plant tree. Every call runs in a tenant-scoped transaction (RLS). */
export const OrgService = {
  listParks(ctx: RequestContext, first: number, after?: string | null): Promise<Connection<Park>> {
    return withTenant(ctx, 'park:read', async (em) => {
      const qb = em
        .getRepository(Park)
        .createQueryBuilder('p')
        .orderBy('p.id')
        .limit(first + 1);
      if (after) qb.where('p.id > :after', { after: decodeCursor(after) });
      return toConnection(await qb.getMany(), first, (p) => p.id);
    });
  },

  getPark(ctx: RequestContext, id: string): Promise<Park> {
    return withTenant(ctx, 'park:read', (em) => findOr404(em, Park, 'Park', id));
  },

  createPark(ctx: RequestContext, input: Pick<Park, 'name' | 'jurisdiction'>): Promise<Park> {
    return withTenant(ctx, 'park:write', async (em) => {
      const park = await em.getRepository(Park).save(em.getRepository(Park).create(input));
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'Park',
        entityId: park.id,
        enterpriseId: null,
        after: park,
      });
      return park;
    });
  },

  updatePark(ctx: RequestContext, id: string, patch: Partial<Pick<Park, 'name'>>): Promise<Park> {
    return withTenant(ctx, 'park:write', async (em) => {
      const park = await findOr404(em, Park, 'Park', id);
      const before = { ...park };
      Object.assign(park, definedOnly(patch));
      const saved = await em.getRepository(Park).save(park);
      await recordAudit(em, ctx, {
        action: 'update',
        entity: 'Park',
        entityId: id,
        enterpriseId: null,
        before,
        after: saved,
      });
      return saved;
    });
  },

  listEnterprises(
    ctx: RequestContext,
    first: number,
    after?: string | null,
    parkId?: string | null,
  ): Promise<Connection<Enterprise>> {
    return withTenant(ctx, 'enterprise:read', async (em) => {
      const qb = em
        .getRepository(Enterprise)
        .createQueryBuilder('e')
        .orderBy('e.id')
        .limit(first + 1);
      if (after) qb.andWhere('e.id > :after', { after: decodeCursor(after) });
      if (parkId) qb.andWhere('e.park_id = :parkId', { parkId });
      return toConnection(await qb.getMany(), first, (e) => e.id);
    });
  },

  getEnterprise(ctx: RequestContext, id: string): Promise<Enterprise> {
    return withTenant(ctx, 'enterprise:read', (em) => findOr404(em, Enterprise, 'Enterprise', id));
  },

  createEnterprise(
    ctx: RequestContext,
    input: Pick<Enterprise, 'parkId' | 'name'> & { industry?: string; creditCode?: string },
  ): Promise<Enterprise> {
    return withTenant(ctx, 'enterprise:create', async (em) => {
      await findOr404(em, Park, 'Park', input.parkId).catch(() => {
        throw new NotFoundError('Park', input.parkId);
      });
      const repo = em.getRepository(Enterprise);
      const saved = await repo
        .save(repo.create({ industry: '', creditCode: null, ...input }))
        .catch((e) => mapOrgDbError(e, 'Enterprise'));
      await recordAudit(em, ctx, {
        action: 'create',
        entity: 'Enterprise',
        entityId: saved.id,
        enterpriseId: saved.id,
        after: saved,
      });
      return saved;
    });
  },

  updateEnterprise(
    ctx: RequestContext,
    id: string,
    patch: { name?: string; industry?: string },
  ): Promise<Enterprise> {
    return withTenant(ctx, 'enterprise:write', async (em) => {
      const ent = await findOr404(em, Enterprise, 'Enterprise', id);
      const before = { ...ent };
      Object.assign(ent, definedOnly(patch));
      const saved = await em.getRepository(Enterprise).save(ent);
      await recordAudit(em, ctx, {
        action: 'update',
        entity: 'Enterprise',
        entityId: id,
        enterpriseId: id,
        before,
        after: saved,
      });
      return saved;
    });
  },

  getNode<T extends Node>(ctx: RequestContext, kind: OrgNodeKind, id: string): Promise<T> {
    return withTenant(ctx, 'org:read', (em) => findOr404(em, NODES[kind].entity, kind, id) as Promise<T>);
  },

  /** Creates a plant node; the enterprise comes from the input (Site) or the parent (others). */
  createNode<T extends Node>(ctx: RequestContext, kind: OrgNodeKind, input: object): Promise<T> {
    const spec = NODES[kind];
    return withTenant(ctx, 'org:write', async (em) => {
      let enterpriseId = (input as { enterpriseId?: string }).enterpriseId;
      if (spec.parent) {
        const parentId = (input as Record<string, string>)[spec.parent.key] as string;
        const parent = await findOr404(em, NODES[spec.parent.kind].entity, spec.parent.kind, parentId);
        enterpriseId = parent.enterpriseId as string;
      }
      const repo = em.getRepository(spec.entity);
      const saved = (await repo
        .save(repo.create({ ...definedOnly(input), enterpriseId }))
        .catch((e) => mapOrgDbError(e, kind))) as T;
      await recordAudit(em, ctx, {
        action: 'create',
        entity: kind,
        entityId: saved.id,
        enterpriseId: saved.enterpriseId,
        after: saved,
      });
      await ctx.events.publish(
        ORG_CHANGED,
        { kind, action: 'CREATED', id: saved.id, enterpriseId: saved.enterpriseId },
        saved.enterpriseId,
        em,
      );
      return saved;
    });
  },

  updateNode<T extends Node>(ctx: RequestContext, kind: OrgNodeKind, id: string, patch: object): Promise<T> {
    const spec = NODES[kind];
    return withTenant(ctx, 'org:write', async (em) => {
      const row = (await findOr404(em, spec.entity, kind, id)) as T;
      const before = { ...row };
      const changes = definedOnly(patch) as Record<string, unknown>;
      // A move (new parent) must stay inside the node's enterprise.
      const newParent = spec.parent ? changes[spec.parent.key] : undefined;
      const moved =
        spec.parent !== null &&
        typeof newParent === 'string' &&
        newParent !== (row as unknown as Record<string, unknown>)[spec.parent.key];
      if (moved && spec.parent) {
        const parent = await findOr404(em, NODES[spec.parent.kind].entity, spec.parent.kind, newParent);
        if (parent.enterpriseId !== row.enterpriseId)
          throw new UserInputError(`${kind} can only move within its enterprise`, {
            [spec.parent.key]: ['other enterprise'],
          });
      }
      Object.assign(row, changes);
      const saved = (await em
        .getRepository(spec.entity)
        .save(row)
        .catch((e) => mapOrgDbError(e, kind))) as T;
      await recordAudit(em, ctx, {
        action: 'update',
        entity: kind,
        entityId: id,
        enterpriseId: saved.enterpriseId,
        before,
        after: saved,
      });
      // Meters under the moved node now count toward other lines / areas / sites: bring the node
      // rollups in line in this transaction (create and delete never change node membership: a
      // new node has no meters, a node with meters or children cannot be deleted).
      if (moved) await refreshNodesAfterHierarchyChange(em, saved.enterpriseId);
      await ctx.events.publish(
        ORG_CHANGED,
        { kind, action: 'UPDATED', id, enterpriseId: saved.enterpriseId },
        saved.enterpriseId,
        em,
      );
      return saved;
    });
  },

  /** Deletes a leaf node; CONFLICT (reason HAS_CHILDREN) while children or meters reference it. */
  deleteNode(ctx: RequestContext, kind: OrgNodeKind, id: string): Promise<string> {
    const spec = NODES[kind];
    return withTenant(ctx, 'org:write', async (em) => {
      const row = (await findOr404(em, spec.entity, kind, id)) as Node;
      await em
        .getRepository(spec.entity)
        .delete({ id })
        .catch((e) => mapOrgDbError(e, kind));
      await recordAudit(em, ctx, {
        action: 'delete',
        entity: kind,
        entityId: id,
        enterpriseId: row.enterpriseId,
        before: row,
      });
      await ctx.events.publish(
        ORG_CHANGED,
        { kind, action: 'DELETED', id, enterpriseId: row.enterpriseId },
        row.enterpriseId,
        em,
      );
      return id;
    });
  },

  /** Batched children-by-parent loader (one query per request per level), cached on the request. */
  childrenLoader<T extends ObjectLiteral>(
    ctx: RequestContext,
    entity: EntityTarget<T>,
    parentKey: string,
    permission: Permission = 'org:read',
  ): DataLoader<string, T[]> {
    return ctx.loaders.get(
      `org.children.${parentKey}.${(entity as { name?: string }).name}`,
      () =>
        new DataLoader<string, T[]>(async (parentIds) => {
          const rows = await withTenant(ctx, permission, (em) =>
            em
              .getRepository(entity)
              .find({ where: { [parentKey]: In([...parentIds]) } as never, order: { name: 'ASC' } as never }),
          );
          const byParent = new Map<string, T[]>();
          for (const r of rows) {
            const k = r[parentKey] as string;
            byParent.set(k, [...(byParent.get(k) ?? []), r]);
          }
          return parentIds.map((id) => byParent.get(id) ?? []);
        }),
    );
  },

  parkLoader(ctx: RequestContext): DataLoader<string, Park | null> {
    return ctx.loaders.get(
      'org.park',
      () =>
        new DataLoader<string, Park | null>(async (ids) => {
          const rows = await withTenant(ctx, 'park:read', (em) =>
            em.getRepository(Park).find({ where: { id: In([...ids]) } }),
          );
          return ids.map((id) => rows.find((r) => r.id === id) ?? null);
        }),
    );
  },
};
