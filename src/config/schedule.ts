import { CronExpressionParser } from 'cron-parser';
import type { Schedule } from './config.types';
import { formatDuration, parseDuration } from './duration';
import { typeName } from './value-type';

export const MIN_INTERVAL_MS = 1_000;

/**
 * A schedule is an interval (`5m`, `1d`) or a cron expression with 5 fields, or 6 when the first
 * one is seconds. Anything with spaces is taken for cron, so that the error explains cron, and
 * anything without for a duration.
 */
export function parseSchedule(input: unknown): Schedule | string {
  if (typeof input !== 'string' && typeof input !== 'number') {
    return `expected a duration or cron expression, got ${typeName(input)}`;
  }
  const source = String(input);
  const text = source.trim();
  const notSchedule = `${JSON.stringify(source)} is not a duration or cron expression`;

  const fields = text.split(/\s+/);
  if (fields.length > 1) {
    if (fields.length !== 5 && fields.length !== 6) {
      return `${notSchedule}: cron takes 5 fields, or 6 with seconds first (got ${fields.length})`;
    }
    const expression = fields.join(' ');
    try {
      CronExpressionParser.parse(expression);
    } catch (error) {
      return `${notSchedule}: ${error instanceof Error ? error.message : String(error)}`;
    }
    return { kind: 'cron', expression, source };
  }

  const everyMs = parseDuration(input);
  if (typeof everyMs === 'string') {
    // A bare number is a duration missing its unit; say so rather than a vague refusal.
    return /^\d+(\.\d+)?$/.test(text) ? `${notSchedule}: ${everyMs}` : notSchedule;
  }
  if (everyMs < MIN_INTERVAL_MS) {
    return `${JSON.stringify(source)} is too short: schedules run at most every ${formatDuration(MIN_INTERVAL_MS)}`;
  }
  return { kind: 'interval', everyMs, source };
}
