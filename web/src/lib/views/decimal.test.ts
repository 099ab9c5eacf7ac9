import { describe, expect, it } from 'vitest';
import { compareDecimals, sumDecimals } from './decimal';

describe('sumDecimals', () => {
  it('adds exactly where binary floats would not', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumDecimals(['57.030000001', '1', '-0.000000001'])).toBe('58.03');
    expect(sumDecimals(['-5', '2.5'])).toBe('-2.5');
    expect(sumDecimals([])).toBe('0');
  });
  it('refuses what is not decimal text', () => {
    expect(() => sumDecimals(['1e3'])).toThrow(/not a decimal/);
  });
  it('compares exactly', () => {
    expect(compareDecimals('10.0000000001', '10')).toBe(1);
    expect(compareDecimals('-1', '0.5')).toBe(-1);
    expect(compareDecimals('2.50', '2.5')).toBe(0);
  });
});
