import type { MessageKey, Translate } from '@/i18n';

const ENERGY_TYPES = new Set([
  'electricity',
  'water',
  'natural_gas',
  'steam',
  'compressed_air',
  'diesel',
  'gasoline',
  'coal',
  'heat',
  'lpg',
  'other',
]);
const TOU = new Set(['sharp', 'peak', 'flat', 'valley']);

/** Localised name of an API energy type; unknown types are shown as sent. */
export function energyTypeLabel(t: Translate, type: string): string {
  return ENERGY_TYPES.has(type) ? t(`energyType.${type}` as MessageKey) : type;
}

export function touLabel(t: Translate, period: string): string {
  return TOU.has(period) ? t(`tou.${period}` as MessageKey) : period;
}
