import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Can } from '../../core/auth';
import type { RequestContext } from '../../core/context';
import { ConnectionType, PageArgs } from '../../core/pagination';
import { AuditEntry } from './audit.entity';
import { listAudit } from './audit.service';

export const AuditEntryConnection = ConnectionType(AuditEntry, 'AuditEntry');

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Can('audit:read', { enterprise: 'args.enterpriseId' })
  @Query(() => AuditEntryConnection, { description: 'Append-only change history of an enterprise.' })
  auditLog(
    @Ctx() ctx: RequestContext,
    @Arg('enterpriseId', () => ID) enterpriseId: string,
    @Args(() => PageArgs) page: PageArgs,
  ) {
    return listAudit(ctx, enterpriseId, page.first ?? 20, page.after);
  }
}
