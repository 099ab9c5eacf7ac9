/**
 * Pure helpers of the topology and distribution-room views: where nodes sit in the SVG, how an
 * alarm state looks (colour plus an icon and a word, never colour alone) and how a sensor value reads.
 */

export type AlarmLevel = 'critical' | 'warning' | 'info' | 'ok' | 'nodata';

/** Open-alarm severity of a node, or ok/nodata when none is open. */
export function alarmLevel(node: {
  alarm: string | null;
  value: string | null;
  meterId: string | null;
}): AlarmLevel {
  if (node.alarm === 'critical' || node.alarm === 'warning' || node.alarm === 'info') return node.alarm;
  return node.meterId && node.value !== null ? 'ok' : 'nodata';
}

/** Fill colour (≥ 4.5:1 against white text) and the non-colour signal of each level. */
export const ALARM_STYLE: Record<AlarmLevel, { fill: string; icon: string }> = {
  critical: { fill: '#a4161a', icon: '‼' },
  warning: { fill: '#8a5300', icon: '!' },
  info: { fill: '#1d4ed8', icon: 'i' },
  ok: { fill: '#146c43', icon: '✓' },
  nodata: { fill: '#4b5750', icon: '?' },
};

export interface Box {
  minX: number;
  minY: number;
  width: number;
  height: number;
}

/** viewBox around every node with margins (labels sit under nodes and are wider than them). */
export function viewBoxOf(nodes: { x: string; y: string }[], padY = 90, padX = 170): Box {
  if (nodes.length === 0) return { minX: 0, minY: 0, width: 100, height: 100 };
  const xs = nodes.map((n) => Number(n.x));
  const ys = nodes.map((n) => Number(n.y));
  const minX = Math.min(...xs) - padX;
  const minY = Math.min(...ys) - padY;
  return {
    minX,
    minY,
    width: Math.max(...xs) + padX - minX,
    height: Math.max(...ys) + padY - minY,
  };
}

export const SENSOR_KINDS = ['temperature', 'humidity', 'leak', 'smoke', 'door', 'switch'] as const;
export type SensorKind = (typeof SENSOR_KINDS)[number];

export function isSensorKind(kind: string): kind is SensorKind {
  return (SENSOR_KINDS as readonly string[]).includes(kind);
}

/**
 * How a sensor's raw value reads: analog sensors carry a number and a display unit; status sensors
 * a state word key (`room.state.<kind>.<0|1>`). Unknown states return null (shown as the raw value).
 */
export function sensorReading(
  kind: string,
  value: string | null,
): { type: 'analog'; unit: string } | { type: 'state'; key: string } | null {
  if (value === null) return null;
  if (kind === 'temperature') return { type: 'analog', unit: '°C' };
  if (kind === 'humidity') return { type: 'analog', unit: '%RH' };
  if (isSensorKind(kind) && (value === '0' || value === '1' || /^[01]\.0+$/.test(value)))
    return { type: 'state', key: `room.state.${kind}.${Number(value)}` };
  return null;
}
