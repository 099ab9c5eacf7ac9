import type { ApiModule } from '../../core/module';
import { AlarmsResolver } from '../alarms/alarms.resolver';
import { TopologyListResolver } from '../topology/topology-list.resolver';
import { TopologyResolver } from '../topology/topology.resolver';
import { EnergyResolver } from './energy.resolver';
import { registerEnergyHooks } from './tou-hook';

export { AlarmEvaluator, ALARM_TOPIC } from '../alarms';
export { classifyTouSlots, registerEnergyHooks, touPeriodFor } from './tou-hook';

// Loading the module installs the TOU classifier metering calls while it maintains rollups.
registerEnergyHooks();

/** Energy management: energy views and tariffs, alarms, topology (one registry entry). */
export const energyModule: ApiModule = {
  name: 'energy',
  resolvers: [EnergyResolver, AlarmsResolver, TopologyResolver, TopologyListResolver],
  entities: [],
};
