import { describe, expect, it } from 'vitest';
import {
  MISSING,
  formatBytes,
  formatDelta,
  formatDuration,
  formatNumber,
  formatPercent,
  formatTimestamp,
  formatValue,
  runDurationMs,
  shortHash,
} from './format';

describe('formatDuration', () => {
  it('uses the largest two units', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4_230)).toBe('4.2 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3m 05s');
    expect(formatDuration(2 * 3600_000 + 7 * 60_000)).toBe('2h 07m');
    expect(formatDuration(3 * 86_400_000 + 4 * 3600_000)).toBe('3d 4h');
  });
  it('prints missing for absent, negative or non-finite input', () => {
    for (const v of [null, undefined, -1, NaN, Infinity]) expect(formatDuration(v)).toBe(MISSING);
  });
});

describe('runDurationMs', () => {
  it('runs until now while open', () => {
    expect(runDurationMs({ startTime: 100, endTime: 400 }, 1000)).toBe(300);
    expect(runDurationMs({ startTime: 100, endTime: null }, 1000)).toBe(900);
  });
});

describe('formatTimestamp', () => {
  it('prints local date and minutes', () => {
    expect(formatTimestamp(new Date(2025, 0, 5, 9, 7, 30).getTime())).toBe('2025-01-05 09:07');
    expect(formatTimestamp(null)).toBe(MISSING);
  });
});

describe('formatNumber', () => {
  it('keeps integers whole and rounds fractions to significant digits', () => {
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(1234.5678)).toBe('1235');
    expect(formatNumber(-0.5)).toBe('-0.5');
  });
  it('uses exponents for tiny and huge values and names the specials', () => {
    expect(formatNumber(0.0000123)).toBe('1.23e-5');
    expect(formatNumber(2.5e12)).toBe('2.5e+12');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-∞');
    expect(formatNumber(null)).toBe(MISSING);
  });
});

describe('formatValue', () => {
  it('prints JSON values compactly', () => {
    expect(formatValue('adam')).toBe('adam');
    expect(formatValue(0.001)).toBe('0.001');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(null)).toBe(MISSING);
    expect(formatValue(undefined)).toBe(MISSING);
    expect(formatValue([1, 2])).toBe('[1,2]');
    expect(formatValue({ depth: 3 })).toBe('{"depth":3}');
  });
});

describe('deltas, percentages, bytes, hashes', () => {
  it('signs deltas', () => {
    expect(formatDelta(0.012)).toBe('+0.012');
    expect(formatDelta(-3)).toBe('-3');
    expect(formatDelta(0)).toBe('0');
    expect(formatDelta(null)).toBe(MISSING);
  });
  it('prints ratios as percentages', () => {
    expect(formatPercent(0.125)).toBe('+12.5%');
    expect(formatPercent(-0.5)).toBe('-50%');
    expect(formatPercent(null)).toBe(MISSING);
  });
  it('prints sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatBytes(-1)).toBe(MISSING);
  });
  it('shortens hashes', () => {
    expect(shortHash('0123456789abcdef')).toBe('01234567');
    expect(shortHash('abc')).toBe('abc');
  });
});
