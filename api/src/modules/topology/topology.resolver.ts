import { Decimal } from 'decimal.js';
import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { withTenant } from '../../core/db';
import { NotFoundError, UserInputError } from '../../core/errors';
import { DecimalScalar } from '../../core/scalars';
import { mapDbError } from '../energy/energy-api.service';
import { SaveDiagramInput } from '../energy/energy.inputs';
import {
  DIAGRAM_KINDS,
  type DiagramKind,
  diagramUnbalance,
  liveDiagram,
  saveDiagram,
} from './topology.service';

@ObjectType()
export class DiagramNode {
  @Field(() => String)
  key: string;
  @Field(() => String)
  label: string;
  @Field(() => String)
  kind: string;
  @Field(() => DecimalScalar)
  x: string;
  @Field(() => DecimalScalar)
  y: string;
  @Field(() => ID, { nullable: true })
  meterId: string | null;
  @Field(() => String, { nullable: true, description: 'Latest reading of the bound meter/sensor.' })
  value: string | null;
  @Field(() => String, { nullable: true })
  unit: string | null;
  @Field(() => Date, { nullable: true })
  ts: Date | null;
  @Field(() => String, { nullable: true, description: 'Worst open alarm severity, if any.' })
  alarm: string | null;
  @Field(() => Int)
  openAlarms: number;
}

@ObjectType()
export class DiagramEdge {
  @Field(() => String)
  from: string;
  @Field(() => String)
  to: string;
}

@ObjectType({ description: 'Single-line diagram, pipe network or plant layout with live values.' })
export class TopologyDiagram {
  @Field(() => ID)
  id: string;
  @Field(() => String)
  name: string;
  @Field(() => String)
  kind: string;
  @Field(() => [DiagramNode])
  nodes: DiagramNode[];
  @Field(() => [DiagramEdge], {
    description: 'Connections between nodes (parent → child for balance checks).',
  })
  links: DiagramEdge[];
}

@ObjectType({ description: 'Parent meter versus the sum of its children.' })
export class UnbalanceResultType {
  @Field(() => String)
  nodeKey: string;
  @Field(() => DecimalScalar)
  parent: Decimal;
  @Field(() => DecimalScalar)
  childrenSum: Decimal;
  @Field(() => DecimalScalar)
  difference: Decimal;
  @Field(() => DecimalScalar, { nullable: true })
  percent: Decimal | null;
  @Field(() => Boolean)
  unbalanced: boolean;
  @Field(() => [String])
  missingChildren: string[];
}

@Resolver()
export class TopologyResolver {
  @Can('aggregates:read', { enterprise: 'args.enterpriseId' })
  @Query(() => TopologyDiagram)
  async topologyDiagram(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('id', () => ID) id: string,
  ) {
    const d = await withTenant(ctx, 'aggregates:read', (em) => liveDiagram(em, enterpriseId, id));
    if (!d) throw new NotFoundError('TopologyDiagram', id);
    return { ...d, links: d.edges };
  }

  @Can('aggregates:read', { enterprise: 'args.enterpriseId' })
  @Query(() => [UnbalanceResultType])
  async topologyUnbalance(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('id', () => ID) id: string,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('tolerancePercent', () => DecimalScalar) tolerancePercent: Decimal,
  ) {
    if (!(to > from)) throw new UserInputError('`to` must be after `from`');
    const rows = await withTenant(ctx, 'aggregates:read', (em) =>
      diagramUnbalance(em, enterpriseId, id, { from, to }, tolerancePercent),
    );
    return rows.map((r) => ({ ...r, nodeKey: r.nodeId }));
  }

  @Can('energy:configure', { enterprise: 'args.enterpriseId' })
  @Mutation(() => TopologyDiagram)
  async saveTopologyDiagram(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('input', () => SaveDiagramInput) input: SaveDiagramInput,
  ) {
    if (!(DIAGRAM_KINDS as readonly string[]).includes(input.kind)) {
      throw new UserInputError(`kind must be one of ${DIAGRAM_KINDS.join(', ')}`, {
        'input.kind': ['unknown kind'],
      });
    }
    try {
      return await withTenant(ctx, 'energy:configure', async (em) => {
        const id = await saveDiagram(em, enterpriseId, {
          id: input.id,
          name: input.name,
          kind: input.kind as DiagramKind,
          nodes: input.nodes.map((n) => ({ ...n, x: n.x.toString(), y: n.y.toString() })),
          edges: input.edges,
        });
        const d = (await liveDiagram(em, enterpriseId, id))!;
        return { ...d, links: d.edges };
      });
    } catch (err) {
      return mapDbError(err);
    }
  }
}
