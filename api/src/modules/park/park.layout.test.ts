import { describe, expect, it } from 'vitest';
import { checkPosition, layoutStatus, PARK_STALE_MS } from './park.layout';
import { ParkLayoutStatus } from './park.layout.types';

const now = Date.parse('2026-06-01T12:00:00Z');
const base = {
  sharing: true,
  quotaWarning: false,
  openAlarms: 0,
  lastReadingAt: new Date(now - 60_000),
  now,
};

describe('park layout status', () => {
  it('orders conditions: no consent, quota warning, alarm, no data, stale, ok', () => {
    expect(layoutStatus({ ...base, sharing: false, quotaWarning: true })).toBe(ParkLayoutStatus.NOT_SHARING);
    expect(layoutStatus({ ...base, quotaWarning: true, openAlarms: 3 })).toBe(ParkLayoutStatus.QUOTA_WARNING);
    expect(layoutStatus({ ...base, openAlarms: 1, lastReadingAt: null })).toBe(ParkLayoutStatus.ALARM);
    expect(layoutStatus({ ...base, openAlarms: null, lastReadingAt: null })).toBe(ParkLayoutStatus.NO_DATA);
    expect(layoutStatus({ ...base, lastReadingAt: new Date(now - PARK_STALE_MS - 1) })).toBe(
      ParkLayoutStatus.STALE,
    );
    expect(layoutStatus({ ...base, lastReadingAt: new Date(now - PARK_STALE_MS) })).toBe(ParkLayoutStatus.OK);
  });

  it('keeps valid positions exactly and trims labels', () => {
    expect(checkPosition({ x: 0.29, y: 600, label: '  A  ' })).toEqual({
      x: 0.29,
      y: 600,
      label: 'A',
      outline: null,
    });
    expect(() => checkPosition({ x: Number.NaN, y: 1 })).toThrow(/outside/);
    expect(() => checkPosition({ x: 0.001, y: 1 })).toThrow(/decimals/);
  });
});
