import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Schedule } from './config.types';
import type { ConfigPath } from './config-path';
import { unknownKey } from './did-you-mean';
import { formatDuration, parseDuration } from './duration';
import { type Priority, parsePriority } from './priority';
import { parseSchedule } from './schedule';
import { parseSize } from './size';
import { typeName } from './value-type';

export interface ReaderIssue {
  path: ConfigPath;
  message: string;
}

export type Mapping = Record<string, unknown>;

/** A key that was written with a value; YAML's `key:` with nothing after it counts as absent. */
export function given(value: unknown): boolean {
  return value !== undefined && value !== null;
}

export function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads the parsed document one value at a time. Every reader records what is wrong with the value
 * at its path and returns undefined, so that loading goes on and reports every problem at once.
 */
export class ConfigReader {
  readonly issues: ReaderIssue[] = [];

  /** @param baseDir folder of the config file, against which relative paths are resolved */
  constructor(readonly baseDir: string) {}

  issue(path: ConfigPath, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  /** A mapping whose keys must all be among `known`; unknown keys are reported one by one. */
  mapping(value: unknown, path: ConfigPath, known: readonly string[]): Mapping | undefined {
    if (!isMapping(value)) return this.issue(path, `expected a mapping, got ${typeName(value)}`);
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      this.issue([...path, key], unknownKey(key, known));
    }
    return value;
  }

  /** `read` applied to `map[key]` when given, else the fallback (also used when it is invalid). */
  optional<T, F = T>(
    map: Mapping,
    key: string,
    path: ConfigPath,
    read: (value: unknown, path: ConfigPath) => T | undefined,
    fallback: F,
  ): T | F {
    const value = map[key];
    if (!given(value)) return fallback;
    return read(value, [...path, key]) ?? fallback;
  }

  /** `read` applied to `map[key]`, which must be given. */
  required<T>(
    map: Mapping,
    key: string,
    path: ConfigPath,
    read: (value: unknown, path: ConfigPath) => T | undefined,
  ): T | undefined {
    const value = map[key];
    if (!given(value)) return this.issue([...path, key], 'is required');
    return read(value, [...path, key]);
  }

  string = (value: unknown, path: ConfigPath): string | undefined => {
    if (typeof value !== 'string')
      return this.issue(path, `expected a string, got ${typeName(value)}`);
    if (value.trim() === '') return this.issue(path, 'must not be empty');
    return value;
  };

  /** true or false; also the text "true"/"false", which is what `${ENV}` substitution yields. */
  boolean = (value: unknown, path: ConfigPath): boolean | undefined => {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    return this.issue(path, `expected true or false, got ${typeName(value)}`);
  };

  /** Numbers, booleans and strings, as strings: environment variables and parameters are text. */
  scalar = (value: unknown, path: ConfigPath): string | undefined => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return this.issue(path, `expected a string, number or boolean, got ${typeName(value)}`);
  };

  integer(min: number, max: number) {
    return (value: unknown, path: ConfigPath): number | undefined => {
      // Substituted variables are strings, so `port: ${PORT}` must be accepted as a number.
      const number =
        typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isInteger(number)) {
        return this.issue(path, `expected a whole number, got ${typeName(value)}`);
      }
      if (number < min || number > max) {
        return this.issue(path, `${number} is outside ${min}..${max}`);
      }
      return number;
    };
  }

  oneOf<T extends string>(allowed: readonly T[]) {
    return (value: unknown, path: ConfigPath): T | undefined => {
      if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
        return value as T;
      }
      const shown = typeof value === 'string' ? JSON.stringify(value) : typeName(value);
      return this.issue(path, `${shown} is not one of ${allowed.join(', ')}`);
    };
  }

  list = (value: unknown, path: ConfigPath): unknown[] | undefined => {
    if (!Array.isArray(value)) return this.issue(path, `expected a list, got ${typeName(value)}`);
    return value as unknown[];
  };

  /** The items `read` accepts; rejected items are reported at their index and left out. */
  listOf<T>(read: (value: unknown, path: ConfigPath) => T | undefined) {
    return (value: unknown, path: ConfigPath): T[] | undefined => {
      const items = this.list(value, path);
      if (!items) return undefined;
      const out: T[] = [];
      items.forEach((item, index) => {
        const read_ = read(item, [...path, index]);
        if (read_ !== undefined) out.push(read_);
      });
      return out;
    };
  }

  nonEmptyListOf<T>(read: (value: unknown, path: ConfigPath) => T | undefined) {
    return (value: unknown, path: ConfigPath): T[] | undefined => {
      if (Array.isArray(value) && value.length === 0) return this.issue(path, 'must not be empty');
      return this.listOf(read)(value, path);
    };
  }

  duration(minMs = 1) {
    return (value: unknown, path: ConfigPath): number | undefined => {
      const ms = parseDuration(value);
      if (typeof ms === 'string') return this.issue(path, ms);
      if (ms < minMs) return this.issue(path, `must be at least ${formatDuration(minMs)}`);
      return ms;
    };
  }

  size = (value: unknown, path: ConfigPath): number | undefined => {
    const bytes = parseSize(value);
    return typeof bytes === 'string' ? this.issue(path, bytes) : bytes;
  };

  schedule = (value: unknown, path: ConfigPath): Schedule | undefined => {
    const schedule = parseSchedule(value);
    return typeof schedule === 'string' ? this.issue(path, schedule) : schedule;
  };

  schedules = this.listOf(this.schedule);

  priority = (value: unknown, path: ConfigPath): Priority | undefined => {
    const priority = parsePriority(value);
    return typeof priority === 'string' ? this.issue(path, priority) : priority;
  };

  /** A mapping of names to scalar values (environment variables, headers); all valid or nothing. */
  scalarMap = (value: unknown, path: ConfigPath): Record<string, string> | undefined => {
    if (!isMapping(value)) return this.issue(path, `expected a mapping, got ${typeName(value)}`);
    const out: Record<string, string> = {};
    let valid = true;
    for (const [key, item] of Object.entries(value)) {
      const text = this.scalar(item, [...path, key]);
      if (text === undefined) valid = false;
      else out[key] = text;
    }
    return valid ? out : undefined;
  };

  /** A filesystem path, made absolute against the config file's folder. */
  absolutePath = (value: unknown, path: ConfigPath): string | undefined => {
    const text = this.string(value, path);
    if (text === undefined) return undefined;
    return this.resolvePath(text);
  };

  /** `~/` is the daemon user's home, as in a shell; other relative paths follow the config file. */
  resolvePath(text: string): string {
    if (text === '~' || text.startsWith('~/')) return join(homedir(), text.slice(1));
    return isAbsolute(text) ? resolve(text) : resolve(this.baseDir, text);
  }
}
