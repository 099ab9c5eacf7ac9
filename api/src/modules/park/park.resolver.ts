import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { ParkService } from './park.service';
import {
  ParkExport,
  ParkExportVerification,
  ParkExportWorkbook,
  ParkOverview,
  ParkRankEntry,
  ParkRankingMetric,
  ParkShareConsent,
} from './park.types';

@Resolver()
export class ParkAggregationResolver {
  @Can('park:read', { park: 'args.parkId' })
  @Query(() => ParkOverview, {
    description: 'Park totals of consenting enterprises (aggregates only: no raw readings).',
  })
  parkOverview(
    @Ctx() ctx: RequestContext,
    @Arg('parkId', () => ID) parkId: string,
    @Arg('year', () => Int) year: number,
  ) {
    return ParkService.overview(ctx, parkId, year);
  }

  @Can('park:read', { park: 'args.parkId' })
  @Query(() => [ParkRankEntry], { description: 'Consenting enterprises ranked, highest first.' })
  parkRanking(
    @Ctx() ctx: RequestContext,
    @Arg('parkId', () => ID) parkId: string,
    @Arg('year', () => Int) year: number,
    @Arg('by', () => ParkRankingMetric, { nullable: true, defaultValue: ParkRankingMetric.TOTAL })
    by: ParkRankingMetric,
  ) {
    return ParkService.ranking(ctx, parkId, year, by);
  }

  @Can('park:export', { park: 'args.parkId' })
  @Query(() => ParkExport, {
    description: 'Export for the government: figures reference inventory hashes and roots.',
  })
  parkExport(
    @Ctx() ctx: RequestContext,
    @Arg('parkId', () => ID) parkId: string,
    @Arg('year', () => Int) year: number,
  ) {
    return ParkService.export(ctx, parkId, year);
  }

  @Can('park:export', { park: 'args.parkId' })
  @Query(() => ParkExportWorkbook, {
    description:
      'The export as an XLSX download (park admins and platform admins): same figures as the JSON, its SHA-256 and the members’ roots inside.',
  })
  parkExportWorkbook(
    @Ctx() ctx: RequestContext,
    @Arg('parkId', () => ID) parkId: string,
    @Arg('year', () => Int) year: number,
  ) {
    return ParkService.workbook(ctx, parkId, year);
  }

  @Can('park:read', { park: 'args.parkId' })
  @Query(() => ParkExportVerification, {
    description: 'Recomputes an export from the referenced inventories.',
  })
  verifyParkExport(
    @Ctx() ctx: RequestContext,
    @Arg('parkId', () => ID) parkId: string,
    @Arg('json', () => String) json: string,
  ) {
    return ParkService.verifyExport(ctx, parkId, json);
  }

  @Can('park:share', { enterprise: 'args.enterpriseId' })
  @Mutation(() => ParkShareConsent, {
    description: 'Consent to share this enterprise’s aggregates with its park.',
  })
  grantParkSharing(@Ctx() ctx: RequestContext, @Arg('enterpriseId', () => ID) enterpriseId: string) {
    return ParkService.grant(ctx, enterpriseId);
  }

  @Can('park:share', { enterprise: 'args.enterpriseId' })
  @Mutation(() => ParkShareConsent, {
    nullable: true,
    description: 'Withdraw consent (null when none was active).',
  })
  revokeParkSharing(@Ctx() ctx: RequestContext, @Arg('enterpriseId', () => ID) enterpriseId: string) {
    return ParkService.revoke(ctx, enterpriseId);
  }
}
