import type { ApiModule } from '../../core/module';
import { PathwaysResolver } from './pathways.resolver';

export * from './pathways.catalogue';
export * from './pathways.math';
export { PathwaysService } from './pathways.service';
export const pathwaysModule: ApiModule = { name: 'pathways', resolvers: [PathwaysResolver], entities: [] };
