import { typeName } from './value-type';

/**
 * Sizes in binary units (K = 1024), as restic and most people mean them for bandwidth and data
 * subsets. `B`/`iB` are accepted so that `5M`, `5MB` and `5MiB` all mean the same thing.
 */

const UNIT_BYTES: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i;

/** Bytes, or a message saying what is wrong. */
export function parseSize(input: unknown): number | string {
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input > 0) return input;
    return `${String(input)} is not a size: give a positive whole number of bytes or a unit, like 5M`;
  }
  if (typeof input !== 'string') return `expected a size like 50K or 5M, got ${typeName(input)}`;
  const match = SIZE.exec(input.trim());
  if (!match) {
    return `${JSON.stringify(input)} is not a size (like 50K, 5M, 1G, 2T or a number of bytes)`;
  }
  const [, number, unit = ''] = match;
  if (unit === '' && !/^\d+$/.test(number)) {
    return `${JSON.stringify(input)} is not a whole number of bytes`;
  }
  const bytes = Math.round(Number(number) * UNIT_BYTES[unit.toLowerCase()]);
  if (bytes <= 0) return `${JSON.stringify(input)} is not a size above zero`;
  if (!Number.isSafeInteger(bytes)) return `${JSON.stringify(input)} is too large`;
  return bytes;
}

/** The shortest exact spelling restic understands, e.g. 524288000 → "500M". */
export function formatSize(bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K'] as const) {
    const factor = UNIT_BYTES[unit.toLowerCase()];
    if (bytes % factor === 0 && bytes >= factor) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}
