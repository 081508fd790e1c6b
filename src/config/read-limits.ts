import type { Limits } from './config.types';
import type { ConfigPath } from './config-path';
import { type ConfigReader, given, isMapping } from './config-reader';
import { typeName } from './value-type';
import { IONICE_CLASSES, IONICE_SETTING_SCHEMA, keysOf, LIMITS_SCHEMA } from './config-schema';

const LIMIT_KEYS = keysOf(LIMITS_SCHEMA);
/** restic limits bandwidth in whole KiB/s, so less than that cannot be honoured. */
const MIN_BANDWIDTH = 1024;

/** Bandwidth and CPU/IO limits, at the top level, on a repository or on a backup. */
export function readLimits(r: ConfigReader, value: unknown, path: ConfigPath): Limits | undefined {
  const map = r.mapping(value, path, LIMIT_KEYS);
  if (!map) return undefined;
  const limits: Limits = {};
  for (const key of ['upload', 'download'] as const) {
    const bytes = r.optional(map, key, path, r.size, undefined);
    if (bytes === undefined) continue;
    if (bytes < MIN_BANDWIDTH)
      r.issue([...path, key], 'must be at least 1K (restic limits in KiB/s)');
    else limits[key] = bytes;
  }
  const nice = r.optional(map, 'nice', path, r.integer(-20, 19), undefined);
  if (nice !== undefined) limits.nice = nice;
  const ionice = r.optional(map, 'ionice', path, (v, p) => readIonice(r, v, p), undefined);
  if (ionice !== undefined) limits.ionice = ionice;
  return limits;
}

function readIonice(r: ConfigReader, value: unknown, path: ConfigPath): Limits['ionice'] {
  const readClass = r.oneOf(IONICE_CLASSES);
  if (typeof value === 'string') {
    const ioClass = readClass(value, path);
    return ioClass && { class: ioClass };
  }
  if (!isMapping(value)) {
    return r.issue(
      path,
      `expected ${IONICE_CLASSES.join(', ')} or { class, level }, got ${typeName(value)}`,
    );
  }
  r.mapping(value, path, keysOf(IONICE_SETTING_SCHEMA));
  const ioClass = r.required(value, 'class', path, readClass);
  if (!given(value.level)) return ioClass && { class: ioClass };
  if (ioClass === 'idle') return r.issue([...path, 'level'], 'the idle class takes no level');
  const level = r.integer(0, 7)(value.level, [...path, 'level']);
  return ioClass && level !== undefined ? { class: ioClass, level } : undefined;
}
