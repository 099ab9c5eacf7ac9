import type { ApiModule } from '../../core/module';
import { Report, ReportGrant, ReportVerification } from './reports.entity';
import { ReportResolver, ReportVerificationResolver } from './reports.resolver';

export * from './report.chain';
export * from './report.content';
export { renderReportPdf } from './report.pdf';
export { renderReportXlsx } from './report.xlsx';
export { Report, ReportGrant, ReportVerification } from './reports.entity';
export { ReportsService } from './reports.service';

export const reportsModule: ApiModule = {
  name: 'reports',
  resolvers: [ReportResolver, ReportVerificationResolver],
  entities: [Report, ReportGrant, ReportVerification],
};
