import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Field,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { Can, enforceRule, ruleOf } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import type { BusEvent } from '../../core/events';
import { type Connection, ConnectionType, PageArgs, toConnection } from '../../core/pagination';
import type { Opinion } from './report.chain';
import type { ReportLanguage } from './report.content';
import { REPORT_CHANGED } from './report.chain';
import { Report, ReportChange, ReportGrant, ReportSupersession, ReportVerification } from './reports.entity';
import { GenerateReportInput, RecordVerificationInput } from './reports.inputs';
import { ReportsService } from './reports.service';

const ReportConnection = ConnectionType(Report, 'Report');

@ObjectType('ReportTypedData', { description: 'EIP-712 typed data for the responsible person to sign.' })
export class ReportTypedData {
  @Field(() => String, {
    description: 'JSON for eth_signTypedData_v4: { domain, types, primaryType, message }.',
  })
  json: string;

  @Field(() => String)
  primaryType: string;
}

@Resolver(() => Report)
export class ReportResolver {
  @Can('reports:read', { enterprise: 'args.enterpriseId' })
  @Query(() => ReportConnection, { description: "An enterprise's reports (visibility depends on role)." })
  async reports(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Args(() => PageArgs) page: PageArgs,
  ): Promise<Connection<Report>> {
    const first = page.first ?? 20;
    return toConnection(await ReportsService.list(ctx, enterpriseId, first, page.after), first, (r) => r.id);
  }

  @Can('reports:read')
  @Query(() => Report)
  report(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Report> {
    return ReportsService.get(ctx, id);
  }

  @Can('reports:generate')
  @Mutation(() => Report, { description: 'Generates JSON + PDF + XLSX from a FINAL inventory.' })
  generateReport(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => GenerateReportInput) input: GenerateReportInput,
  ): Promise<Report> {
    return ReportsService.generate(ctx, { ...input, language: input.language as ReportLanguage });
  }

  @Can('reports:sign')
  @Query(() => ReportTypedData)
  async reportTypedData(@Ctx() ctx: RequestContext, @Arg('reportId', () => ID) reportId: string) {
    const td = await ReportsService.typedData(ctx, reportId);
    return Object.assign(new ReportTypedData(), { json: JSON.stringify(td), primaryType: td.primaryType });
  }

  @Can('reports:sign')
  @Mutation(() => Report, {
    description: 'Stores a verified EIP-712 signature and queues the report anchor.',
  })
  signReport(
    @Ctx() ctx: RequestContext,
    @Arg('reportId', () => ID) reportId: string,
    @Arg('signature', () => String) signature: string,
    @Arg('signer', () => String) signer: string,
  ): Promise<Report> {
    return ReportsService.sign(ctx, reportId, signature, signer);
  }

  @Can('reports:grant')
  @Mutation(() => ReportGrant)
  grantReportAccess(
    @Ctx() ctx: RequestContext,
    @Arg('reportId', () => ID) reportId: string,
    @Arg('verifierUserId', () => ID) verifierUserId: string,
  ): Promise<ReportGrant> {
    return ReportsService.grant(ctx, reportId, verifierUserId);
  }

  @Can('verification:record')
  @Query(() => [Report], { description: 'Reports granted to the calling verifier.' })
  grantedReports(@Ctx() ctx: RequestContext): Promise<Report[]> {
    return ReportsService.granted(ctx);
  }

  @Can('verification:record')
  @Mutation(() => ReportVerification)
  recordVerification(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => RecordVerificationInput) input: RecordVerificationInput,
  ): Promise<ReportVerification> {
    return ReportsService.recordVerification(
      ctx,
      input.reportId,
      input.opinion as Opinion,
      input.documentHash,
    );
  }

  @Can('anchored:read')
  @Query(() => [Report], { description: 'Regulator view: anchored reports with their verification state.' })
  regulatorReports(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID, { nullable: true }) enterpriseId?: string | null,
  ): Promise<Report[]> {
    return ReportsService.regulatorReports(ctx, enterpriseId ?? null);
  }

  @Can('reports:read', { enterprise: 'args.enterpriseId' })
  @Subscription(() => ReportChange, {
    description:
      "An enterprise's reports becoming anchored or superseded on chain (from the chain mirror, once confirmed).",
    subscribe: ({
      args,
      context,
      info,
    }: {
      args: Record<string, unknown>;
      context: RequestContext;
      info: { parentType: { getFields(): Record<string, Parameters<typeof ruleOf>[0]> }; fieldName: string };
    }) => {
      // Subscriptions are authorised here, at subscribe time (permission on this enterprise).
      const field = info.parentType.getFields()[info.fieldName];
      enforceRule(field ? ruleOf(field) : undefined, context, { args, root: undefined }, 'reportChanged');
      const enterpriseId = args.enterpriseId as string;
      return context.events.subscribe(REPORT_CHANGED, (e: BusEvent) => e.enterpriseId === enterpriseId);
    },
  })
  reportChanged(@Root() e: ReportChange, @Arg('enterpriseId', () => ID) _enterpriseId: string): ReportChange {
    return Object.assign(new ReportChange(), e);
  }

  @FieldResolver(() => ReportSupersession, {
    nullable: true,
    description: 'Set once a correction supersedes this report; state RECORDED when the chain has it.',
  })
  supersession(@Ctx() ctx: RequestContext, @Root() r: Report): Promise<ReportSupersession | null> {
    return ReportsService.supersession(ctx, r);
  }

  @FieldResolver(() => Report, { nullable: true, description: 'The correction, if visible to the caller.' })
  supersededBy(@Ctx() ctx: RequestContext, @Root() r: Report): Promise<Report | null> {
    return ReportsService.supersededBy(ctx, r);
  }

  @FieldResolver(() => Int, {
    description: 'Open tamper alarms on this report (stored bytes or hashes no longer match its anchor).',
  })
  openTamperAlarms(@Ctx() ctx: RequestContext, @Root() r: Report): Promise<number> {
    return ReportsService.openTamperAlarms(ctx, r);
  }

  @FieldResolver(() => String, { description: 'The canonical JSON (RFC 8785) text.' })
  async json(@Ctx() ctx: RequestContext, @Root() r: Report): Promise<string> {
    return (await ReportsService.content(ctx, r.id)).json;
  }

  @FieldResolver(() => String, { description: 'The PDF, base64.' })
  async pdfBase64(@Ctx() ctx: RequestContext, @Root() r: Report): Promise<string> {
    return (await ReportsService.content(ctx, r.id)).pdf.toString('base64');
  }

  @FieldResolver(() => String, { description: 'The XLSX working, base64.' })
  async xlsxBase64(@Ctx() ctx: RequestContext, @Root() r: Report): Promise<string> {
    return (await ReportsService.content(ctx, r.id)).xlsx.toString('base64');
  }

  @FieldResolver(() => [ReportVerification])
  verifications(@Ctx() ctx: RequestContext, @Root() r: Report): Promise<ReportVerification[]> {
    return ReportsService.verifications(ctx, r.id);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Latest verification opinion (POSITIVE/QUALIFIED/NEGATIVE), null when unverified.',
  })
  async verificationState(@Ctx() ctx: RequestContext, @Root() r: Report): Promise<string | null> {
    return (await ReportsService.verifications(ctx, r.id)).at(-1)?.opinion ?? null;
  }
}

@Resolver(() => ReportVerification)
export class ReportVerificationResolver {
  @FieldResolver(() => Boolean, {
    description:
      "True once the chain mirror holds this statement's StatementRecorded event in a confirmed block.",
  })
  async statementConfirmed(@Ctx() ctx: RequestContext, @Root() v: ReportVerification): Promise<boolean> {
    if (!v.chainTxHash) return false;
    const rows = (await ctx.db.query(
      `SELECT 1 FROM chain.verifier_statement WHERE tx_hash = $1 AND block_number <= chain.confirmed_block() LIMIT 1`,
      [v.chainTxHash.toLowerCase()],
    )) as unknown[];
    return rows.length > 0;
  }
}
