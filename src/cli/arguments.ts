import { InvalidArgumentError } from 'commander';

/** `--state failed,running` -> ['FAILED', 'RUNNING'], each checked against the API's enum. */
export function enumList<T extends string>(
  allowed: readonly T[],
): (value: string, previous?: T[]) => T[] {
  return (value, previous = []) => {
    const items = value
      .split(',')
      .map((v) => v.trim().toUpperCase().replace(/-/g, '_'))
      .filter(Boolean);
    for (const item of items) {
      if (!(allowed as readonly string[]).includes(item)) {
        throw new InvalidArgumentError(
          `"${item.toLowerCase()}" is not one of ${allowed.map((a) => a.toLowerCase()).join(', ')}.`,
        );
      }
    }
    return [...previous, ...(items as T[])];
  };
}

export function positiveInt(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`expected a whole number from 1 to ${max}.`);
    }
    return n;
  };
}

const PRIORITY_NAMES = ['immediate', 'next', 'superior', 'normal', 'inferior', 'on-idle'];

/** A priority name, or an integer (higher runs first), as the API's Priority scalar takes it. */
export function priority(value: string): string | number {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (PRIORITY_NAMES.includes(value)) return value;
  throw new InvalidArgumentError(`expected ${PRIORITY_NAMES.join(', ')}, or an integer.`);
}

/** `--since 7d` (ago) or an ISO 8601 time -> ISO time. */
export function since(value: string, now = Date.now()): string {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const match = /^(\d+)([smhdw])$/.exec(value);
  if (match) return new Date(now - Number(match[1]) * units[match[2]] * 1000).toISOString();
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new InvalidArgumentError('expected a duration like 7d or 12h, or an ISO 8601 time.');
  }
  return new Date(time).toISOString();
}

/** What the API takes wherever a snapshot is named. */
export const SNAPSHOT_ARGUMENT =
  'a snapshot id, 8 or more of its first hex digits, latest, or latest:BACKUP';
