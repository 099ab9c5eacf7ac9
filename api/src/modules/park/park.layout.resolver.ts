import { Arg, Ctx, Float, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { ParkLayoutService } from './park.layout';
import { ParkLayout, ParkLayoutPointInput, ParkLayoutPosition } from './park.layout.types';

@Resolver()
export class ParkLayoutResolver {
  @Can('park:read', { park: 'args.parkId' })
  @Query(() => ParkLayout, {
    description:
      'The park layout: every member enterprise’s position with its live status (quota warning, open alarms, data freshness; consenting members only).',
  })
  parkLayout(
    @Ctx() ctx: RequestContext,
    @Arg('parkId', () => ID) parkId: string,
    @Arg('year', () => Int, { nullable: true, description: 'Quota year (default: the current year)' })
    year?: number | null,
  ) {
    return ParkLayoutService.layout(ctx, parkId, year ?? new Date().getUTCFullYear());
  }

  @Can('park:layout', { park: 'args.parkId' })
  @Mutation(() => ParkLayoutPosition, {
    description: 'Places or moves a member enterprise on the park layout (x 0–1000, y 0–600): park admins.',
  })
  setParkLayoutPosition(
    @Ctx() ctx: RequestContext,
    @Arg('parkId', () => ID) parkId: string,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Arg('x', () => Float) x: number,
    @Arg('y', () => Float) y: number,
    @Arg('label', () => String, { nullable: true }) label?: string | null,
    @Arg('outline', () => [ParkLayoutPointInput], { nullable: true, description: 'Polygon, 3–64 points' })
    outline?: ParkLayoutPointInput[] | null,
  ) {
    return ParkLayoutService.setPosition(ctx, parkId, enterpriseId, { x, y, label, outline });
  }
}
