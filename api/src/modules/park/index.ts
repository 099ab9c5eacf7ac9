import type { ApiModule } from '../../core/module';
import { ParkAggregationResolver } from './park.resolver';

export * from './forecast';
export * from './park.export';
export { ParkService } from './park.service';
export { PARK_XLSX_SHEETS, renderParkExportXlsx } from './park.xlsx';
export const parkModule: ApiModule = { name: 'park', resolvers: [ParkAggregationResolver], entities: [] };
