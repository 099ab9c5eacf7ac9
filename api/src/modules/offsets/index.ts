import type { ApiModule } from '../../core/module';
import { OffsetsResolver } from './offsets.resolver';

export * from './offsets.commitment';
export * from './offsets.errors';
export * from './offsets.math';
export { marketInstrumentsFor, OffsetsService, retirementsFor } from './offsets.service';
export const offsetsModule: ApiModule = { name: 'offsets', resolvers: [OffsetsResolver], entities: [] };
