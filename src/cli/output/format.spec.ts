import { formatBytes, formatDuration, relativeTime } from './format';

describe('henctl formats', () => {
  it('shows sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(8 * 1024 * 1024)).toBe('8.00 MiB');
    expect(formatBytes(150 * 1024 ** 3)).toBe('150 GiB');
    expect(formatBytes(null)).toBe('-');
  });

  it('shows durations compactly', () => {
    expect(formatDuration(4.4)).toBe('4s');
    expect(formatDuration(95)).toBe('1m35s');
    expect(formatDuration(3 * 3600 + 120)).toBe('3h02m');
    expect(formatDuration(3 * 86400 + 3600)).toBe('3d01h');
    expect(formatDuration(undefined)).toBe('-');
  });

  it('shows times relative to now, in the past and the future', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    expect(relativeTime('2026-06-01T11:59:58Z', now)).toBe('just now');
    expect(relativeTime('2026-06-01T11:57:00Z', now)).toBe('3 minutes ago');
    expect(relativeTime('2026-06-01T13:00:00Z', now)).toBe('in 1 hour');
    expect(relativeTime('2026-05-29T12:00:00Z', now)).toBe('3 days ago');
    expect(relativeTime(null, now)).toBe('-');
  });
});
