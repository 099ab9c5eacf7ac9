import type { ApiModule } from '../../core/module';
import { Area, Enterprise, Equipment, Line, Park, Site } from './org.entity';
import {
  AreaResolver,
  EnterpriseResolver,
  EquipmentResolver,
  LineResolver,
  ParkResolver,
  SiteResolver,
} from './org.resolver';

export { Area, Enterprise, Equipment, Line, Park, Site } from './org.entity';
export { ORG_CHANGED, OrgService } from './org.service';
export const orgModule: ApiModule = {
  name: 'org',
  resolvers: [ParkResolver, EnterpriseResolver, SiteResolver, AreaResolver, LineResolver, EquipmentResolver],
  entities: [Park, Enterprise, Site, Area, Line, Equipment],
};
