import { typeName } from './value-type';

/**
 * Durations as people write them in the config: a number with a unit, possibly several in a row
 * (`1h30m`). A bare number is refused because nobody can tell whether `30` meant seconds or minutes.
 */

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

type Unit = keyof typeof UNIT_MS;

// `ms` must come before `m` in the alternation, or `500ms` would read as 500 minutes and an `s`.
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/y;
const BARE_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/** Milliseconds, or a message saying what is wrong (meant to follow the key path). */
export function parseDuration(input: unknown): number | string {
  if (typeof input === 'number') return needsUnit(String(input));
  if (typeof input !== 'string')
    return `expected a duration like 30s or 5m, got ${typeName(input)}`;
  const text = input.trim();
  if (BARE_NUMBER.test(text)) return needsUnit(text);
  if (text === '') return 'expected a duration like 30s or 5m, got an empty string';

  let total = 0;
  let position = 0;
  while (position < text.length) {
    PART.lastIndex = position;
    const match = PART.exec(text);
    if (!match) return `${JSON.stringify(input)} is not a duration (units: ms, s, m, h, d, w)`;
    total += Number(match[1]) * UNIT_MS[match[2] as Unit];
    position = PART.lastIndex;
    while (text[position] === ' ') position++;
  }
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) return `${JSON.stringify(input)} is too long a duration`;
  return ms;
}

function needsUnit(number: string): string {
  return `"${number}" needs a unit, like ${number}s`;
}

/** The shortest exact spelling, e.g. 5400000 → "1h30m", for messages. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms'] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * UNIT_MS[unit];
    }
  }
  return sign + out;
}
