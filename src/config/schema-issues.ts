import type { z } from 'zod/v4';
import type { ConfigPath } from './config-path';
import type { ReaderIssue } from './config-reader';
import { CONFIG_SCHEMA, keysOf } from './config-schema';
import { unknownKey } from './did-you-mean';
import { typeName } from './value-type';

/**
 * What the config schema finds wrong with a document (after `${VAR}` substitution), in the
 * readers' words where the issue has a common kind. Messages name kinds and keys, never values.
 */
export function schemaIssues(document: unknown): ReaderIssue[] {
  const result = CONFIG_SCHEMA.safeParse(document, { error: describeIssue });
  if (result.success) return [];
  const issues: ReaderIssue[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((key) => typeof key !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      // describeIssue left the mapping's known keys in the message.
      const known = JSON.parse(issue.message) as string[];
      for (const key of issue.keys)
        issues.push({ path: [...path, key], message: unknownKey(key, known) });
    } else {
      issues.push({ path, message: issue.message });
    }
  }
  return issues;
}

/**
 * The schema's issues the readers did not already report in their own words: those outside every
 * path, and every ancestor and descendant of a path, that already has an issue.
 */
export function uncoveredIssues(schema: ReaderIssue[], reported: ReaderIssue[]): ReaderIssue[] {
  const overlaps = (a: ConfigPath, b: ConfigPath): boolean => {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  return schema.filter((issue) => !reported.some((other) => overlaps(issue.path, other.path)));
}

function describeIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return JSON.stringify(issue.inst ? keysOf(issue.inst as z.ZodType) : []);
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `expected ${article(issue.expected)}, got ${typeName(issue.input)}`;
    case 'invalid_value': {
      const shown =
        typeof issue.input === 'string' ? JSON.stringify(issue.input) : typeName(issue.input);
      return `${shown} is not one of ${issue.values.map(String).join(', ')}`;
    }
    case 'too_small':
      return issue.origin === 'array'
        ? 'must not be empty'
        : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_key':
      return 'is not a valid name: use up to 64 letters, digits, "_", "." or "-", starting with a letter or digit';
    case 'custom':
      return issue.message ?? 'is not valid';
    default:
      return 'is not a form this setting takes (see hen-backup.schema.json)';
  }
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping';
  if (expected === 'array') return 'a list';
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
