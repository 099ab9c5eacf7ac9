import { Arg, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { UserInputError } from '../../core/errors';
import type { Sql } from '../energy/energy.service';
import { DIAGRAM_KINDS } from './topology.service';

@ObjectType({ description: 'One topology diagram of an enterprise, without its live values.' })
export class TopologyDiagramSummary {
  @Field(() => ID)
  id: string;
  @Field(() => String)
  name: string;
  @Field(() => String, { description: 'power, water, gas, steam, air or layout' })
  kind: string;
  @Field(() => Int)
  nodeCount: number;
  @Field(() => Int, { description: 'Nodes bound to a meter or sensor.' })
  boundNodes: number;
  @Field(() => Date)
  updatedAt: Date;
}

/** The enterprise's diagrams (optionally of one kind), by kind then name. */
export async function listDiagrams(
  db: Sql,
  enterpriseId: string,
  kind: string | null,
): Promise<TopologyDiagramSummary[]> {
  const rows = await db.query<
    { id: string; name: string; kind: string; nodeCount: number; boundNodes: number; updatedAt: Date }[]
  >(
    `SELECT d.id, d.name, d.kind, d.updated_at AS "updatedAt",
            count(n.key)::int AS "nodeCount", count(n.meter_id)::int AS "boundNodes"
       FROM topology_diagram d
       LEFT JOIN topology_node n ON n.enterprise_id = d.enterprise_id AND n.diagram_id = d.id
      WHERE d.enterprise_id = $1 AND ($2::text IS NULL OR d.kind = $2)
      GROUP BY d.enterprise_id, d.id
      ORDER BY d.kind, d.name, d.id`,
    [enterpriseId, kind],
  );
  return rows.map((r) => ({ ...r, updatedAt: new Date(r.updatedAt) }));
}

@Resolver()
export class TopologyListResolver {
  @Can('aggregates:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [TopologyDiagramSummary], {
    description:
      'Topology diagrams of an enterprise (single-line, pipe networks, layouts); open one with topologyDiagram.',
  })
  async topologyDiagrams(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('kind', () => String, { nullable: true }) kind?: string | null,
  ): Promise<TopologyDiagramSummary[]> {
    if (kind != null && !(DIAGRAM_KINDS as readonly string[]).includes(kind)) {
      throw new UserInputError(`kind must be one of ${DIAGRAM_KINDS.join(', ')}`, { kind: ['unknown kind'] });
    }
    return withTenant(ctx, 'aggregates:read', (em) => listDiagrams(em, enterpriseId, kind ?? null));
  }
}
