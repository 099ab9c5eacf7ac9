import type { ApiModule } from '../../core/module';
import {
  ActivityRecord,
  EmissionSource,
  InventoryRecord,
  MeasuredFactorRecord,
  ProductionRecord,
  QuotaEntry,
} from './accounting.entity';
import { EmissionSourceResolver, InventoryResolver, QuotaResolver } from './accounting.resolver';

export * from './accounting.errors';
export * from './engine/activity';
export * from './engine/calculate';
export * from './engine/units';
export * from './packs/pack';
export {
  ActivityRecord,
  EmissionSource,
  InventoryRecord,
  MeasuredFactorRecord,
  ProductionRecord,
  QuotaEntry,
} from './accounting.entity';
export {
  AccountingService,
  calculateInEm,
  EMISSIONS_UPDATED,
  markInventoryAnchored,
  markInventoryVerified,
  resolveStandard,
} from './accounting.service';
export { startEmissionsRecalcTrigger } from './recalc-trigger';

export const accountingModule: ApiModule = {
  name: 'accounting',
  resolvers: [InventoryResolver, EmissionSourceResolver, QuotaResolver],
  entities: [
    EmissionSource,
    ActivityRecord,
    MeasuredFactorRecord,
    ProductionRecord,
    InventoryRecord,
    QuotaEntry,
  ],
};
