import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { tenantTopic } from '../../core/events';
import { ConnectionType, PageArgs } from '../../core/pagination';
import { Area, Enterprise, Equipment, Line, Park, Site } from './org.entity';
import {
  CreateAreaInput,
  CreateEnterpriseInput,
  CreateEquipmentInput,
  CreateLineInput,
  CreateParkInput,
  CreateSiteInput,
  UpdateAreaInput,
  UpdateEnterpriseInput,
  UpdateEquipmentInput,
  UpdateLineInput,
  UpdateParkInput,
  UpdateSiteInput,
} from './org.inputs';
import { ORG_CHANGED, OrgService } from './org.service';

export const ParkConnection = ConnectionType(Park, 'Park');
export const EnterpriseConnection = ConnectionType(Enterprise, 'Enterprise');

@ObjectType({ description: 'A change to the plant tree, pushed to subscribers of the same enterprise.' })
export class OrgChange {
  @Field(() => String, { description: 'Site, Area, Line or Equipment' })
  kind: string;

  @Field(() => String, { description: 'CREATED, UPDATED or DELETED' })
  action: string;

  @Field(() => ID)
  id: string;

  @Field(() => ID)
  enterpriseId: string;
}

@Resolver(() => Park)
export class ParkResolver {
  @Can('park:read')
  @Query(() => ParkConnection)
  parks(@Ctx() ctx: RequestContext, @Args(() => PageArgs) page: PageArgs) {
    return OrgService.listParks(ctx, page.first ?? 20, page.after);
  }

  @Can('park:read', { park: 'args.id' })
  @Query(() => Park)
  park(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.getPark(ctx, id);
  }

  @Can('park:write')
  @Mutation(() => Park)
  createPark(@Ctx() ctx: RequestContext, @Arg('input', () => CreateParkInput) input: CreateParkInput) {
    return OrgService.createPark(ctx, input);
  }

  @Can('park:write')
  @Mutation(() => Park)
  updatePark(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateParkInput) input: UpdateParkInput,
  ) {
    return OrgService.updatePark(ctx, id, input);
  }

  @Can('enterprise:read')
  @FieldResolver(() => [Enterprise])
  enterprises(@Ctx() ctx: RequestContext, @Root() park: Park) {
    return OrgService.childrenLoader(ctx, Enterprise, 'parkId', 'enterprise:read').load(park.id);
  }
}

@Resolver(() => Enterprise)
export class EnterpriseResolver {
  @Can('enterprise:read')
  @Query(() => EnterpriseConnection, {
    description: 'Enterprises visible to the caller (own, park, jurisdiction).',
  })
  enterprises(
    @Ctx() ctx: RequestContext,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('parkId', () => ID, { nullable: true }) parkId?: string,
  ) {
    return OrgService.listEnterprises(ctx, page.first ?? 20, page.after, parkId);
  }

  @Can('enterprise:read', { enterprise: 'args.id' })
  @Query(() => Enterprise)
  enterprise(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.getEnterprise(ctx, id);
  }

  @Can('enterprise:create', { park: 'args.input.parkId' })
  @Mutation(() => Enterprise)
  createEnterprise(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateEnterpriseInput) input: CreateEnterpriseInput,
  ) {
    return OrgService.createEnterprise(ctx, input);
  }

  @Can('enterprise:write', { enterprise: 'args.id' })
  @Mutation(() => Enterprise)
  updateEnterprise(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateEnterpriseInput) input: UpdateEnterpriseInput,
  ) {
    return OrgService.updateEnterprise(ctx, id, input);
  }

  @Can('park:read', { park: 'root.parkId' })
  @FieldResolver(() => Park, { nullable: true })
  park(@Ctx() ctx: RequestContext, @Root() e: Enterprise) {
    return OrgService.parkLoader(ctx).load(e.parkId);
  }

  @Can('org:read', { enterprise: 'root.id' })
  @FieldResolver(() => [Site])
  sites(@Ctx() ctx: RequestContext, @Root() e: Enterprise) {
    return OrgService.childrenLoader(ctx, Site, 'enterpriseId').load(e.id);
  }
}

@Resolver(() => Site)
export class SiteResolver {
  @Can('org:read')
  @Query(() => Site)
  site(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.getNode<Site>(ctx, 'Site', id);
  }

  @Can('org:write', { enterprise: 'args.input.enterpriseId' })
  @Mutation(() => Site)
  createSite(@Ctx() ctx: RequestContext, @Arg('input', () => CreateSiteInput) input: CreateSiteInput) {
    return OrgService.createNode<Site>(ctx, 'Site', input);
  }

  @Can('org:write')
  @Mutation(() => Site)
  updateSite(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateSiteInput) input: UpdateSiteInput,
  ) {
    return OrgService.updateNode<Site>(ctx, 'Site', id, input);
  }

  @Can('org:write')
  @Mutation(() => ID)
  deleteSite(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.deleteNode(ctx, 'Site', id);
  }

  @FieldResolver(() => [Area])
  areas(@Ctx() ctx: RequestContext, @Root() site: Site) {
    return OrgService.childrenLoader(ctx, Area, 'siteId').load(site.id);
  }

  @Can('org:read')
  @Subscription(() => OrgChange, {
    subscribe: tenantTopic(ORG_CHANGED, 'org:read'),
    description: 'Plant tree changes in the enterprises the caller may read.',
  })
  orgChanged(@Root() change: OrgChange): OrgChange {
    return change;
  }
}

@Resolver(() => Area)
export class AreaResolver {
  @Can('org:read')
  @Query(() => Area)
  area(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.getNode<Area>(ctx, 'Area', id);
  }

  @Can('org:write')
  @Mutation(() => Area)
  createArea(@Ctx() ctx: RequestContext, @Arg('input', () => CreateAreaInput) input: CreateAreaInput) {
    return OrgService.createNode<Area>(ctx, 'Area', input);
  }

  @Can('org:write')
  @Mutation(() => Area)
  updateArea(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateAreaInput) input: UpdateAreaInput,
  ) {
    return OrgService.updateNode<Area>(ctx, 'Area', id, input);
  }

  @Can('org:write')
  @Mutation(() => ID)
  deleteArea(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.deleteNode(ctx, 'Area', id);
  }

  @FieldResolver(() => [Line])
  lines(@Ctx() ctx: RequestContext, @Root() area: Area) {
    return OrgService.childrenLoader(ctx, Line, 'areaId').load(area.id);
  }
}

@Resolver(() => Line)
export class LineResolver {
  @Can('org:read')
  @Query(() => Line)
  line(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.getNode<Line>(ctx, 'Line', id);
  }

  @Can('org:write')
  @Mutation(() => Line)
  createLine(@Ctx() ctx: RequestContext, @Arg('input', () => CreateLineInput) input: CreateLineInput) {
    return OrgService.createNode<Line>(ctx, 'Line', input);
  }

  @Can('org:write')
  @Mutation(() => Line)
  updateLine(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateLineInput) input: UpdateLineInput,
  ) {
    return OrgService.updateNode<Line>(ctx, 'Line', id, input);
  }

  @Can('org:write')
  @Mutation(() => ID)
  deleteLine(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.deleteNode(ctx, 'Line', id);
  }

  @FieldResolver(() => [Equipment])
  equipment(@Ctx() ctx: RequestContext, @Root() line: Line) {
    return OrgService.childrenLoader(ctx, Equipment, 'lineId').load(line.id);
  }
}

@Resolver(() => Equipment)
export class EquipmentResolver {
  @Can('org:read')
  @Query(() => Equipment)
  equipmentItem(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.getNode<Equipment>(ctx, 'Equipment', id);
  }

  @Can('org:write')
  @Mutation(() => Equipment)
  createEquipment(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreateEquipmentInput) input: CreateEquipmentInput,
  ) {
    return OrgService.createNode<Equipment>(ctx, 'Equipment', input);
  }

  @Can('org:write')
  @Mutation(() => Equipment)
  updateEquipment(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateEquipmentInput) input: UpdateEquipmentInput,
  ) {
    return OrgService.updateNode<Equipment>(ctx, 'Equipment', id, input);
  }

  @Can('org:write')
  @Mutation(() => ID)
  deleteEquipment(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return OrgService.deleteNode(ctx, 'Equipment', id);
  }
}
