import type { MessageKey, Translate } from '@/i18n';
import type { TopologyLabels } from '@/components/topology-diagram-client';
import { SENSOR_KINDS } from '@/lib/views/topology';

/** Localised labels of the live diagram (client component), shared by topology and room pages. */
export function topologyLabels(t: Translate): TopologyLabels {
  const states: Record<string, string> = {};
  for (const kind of SENSOR_KINDS.filter((k) => k !== 'temperature' && k !== 'humidity'))
    for (const v of [0, 1]) {
      const key = `room.state.${kind}.${v}`;
      states[key] = t(key as MessageKey);
    }
  return {
    title: t('topology.diagram'),
    live: t('state.live'),
    connecting: t('state.connecting'),
    offline: t('state.offline'),
    noData: t('topology.noData'),
    level: {
      critical: t('topology.level.critical'),
      warning: t('topology.level.warning'),
      info: t('topology.level.info'),
      ok: t('topology.level.ok'),
      nodata: t('topology.level.nodata'),
    },
    states,
    node: t('topology.node'),
    value: t('topology.value'),
    alarm: t('topology.alarm'),
    time: t('topology.time'),
  };
}
