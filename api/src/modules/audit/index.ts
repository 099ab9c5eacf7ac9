import type { ApiModule } from '../../core/module';
import { AuditEntry } from './audit.entity';
import { AuditResolver } from './audit.resolver';

export { recordAudit, type AuditRecord } from './audit.service';
export const auditModule: ApiModule = { name: 'audit', resolvers: [AuditResolver], entities: [AuditEntry] };
