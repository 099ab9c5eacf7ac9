import type { ApiModule } from '../../core/module';
import { ParkLayoutResolver } from './park.layout.resolver';
import { ParkAggregationResolver } from './park.resolver';

export * from './forecast';
export * from './park.export';
export { layoutStatus, PARK_STALE_MS, ParkLayoutService } from './park.layout';
export { ParkService } from './park.service';
export { PARK_XLSX_SHEETS, renderParkExportXlsx } from './park.xlsx';
export const parkModule: ApiModule = {
  name: 'park',
  resolvers: [ParkAggregationResolver, ParkLayoutResolver],
  entities: [],
};
