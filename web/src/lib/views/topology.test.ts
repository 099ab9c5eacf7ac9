import { describe, expect, it } from 'vitest';
import { ALARM_STYLE, alarmLevel, sensorReading, viewBoxOf } from './topology';

describe('topology view helpers', () => {
  it('alarm level: worst open alarm first, else ok with a value, else no data', () => {
    expect(alarmLevel({ alarm: 'critical', value: '1', meterId: 'm' })).toBe('critical');
    expect(alarmLevel({ alarm: 'warning', value: null, meterId: 'm' })).toBe('warning');
    expect(alarmLevel({ alarm: null, value: '3.2', meterId: 'm' })).toBe('ok');
    expect(alarmLevel({ alarm: null, value: null, meterId: 'm' })).toBe('nodata');
    expect(alarmLevel({ alarm: null, value: null, meterId: null })).toBe('nodata');
    // Every level has a distinct icon: colour is never the only signal.
    const icons = Object.values(ALARM_STYLE).map((s) => s.icon);
    expect(new Set(icons).size).toBe(icons.length);
  });

  it('view box encloses every node with the margin', () => {
    expect(
      viewBoxOf(
        [
          { x: '100', y: '50' },
          { x: '400', y: '300' },
        ],
        10,
        20,
      ),
    ).toEqual({ minX: 80, minY: 40, width: 340, height: 270 });
    expect(viewBoxOf([])).toEqual({ minX: 0, minY: 0, width: 100, height: 100 });
  });

  it('sensor readings: analog units and state words', () => {
    expect(sensorReading('temperature', '27.4')).toEqual({ type: 'analog', unit: '°C' });
    expect(sensorReading('humidity', '58')).toEqual({ type: 'analog', unit: '%RH' });
    expect(sensorReading('door', '1')).toEqual({ type: 'state', key: 'room.state.door.1' });
    expect(sensorReading('leak', '0.000')).toEqual({ type: 'state', key: 'room.state.leak.0' });
    expect(sensorReading('smoke', '7')).toBeNull();
    expect(sensorReading('switch', null)).toBeNull();
  });
});
