import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { badUserInput } from '../common/graphql/api-errors';

/** Longest accepted string argument, by what the argument holds. */
export const ARGUMENT_LIMITS = {
  /** names of backups and repositories (the configuration allows 64) */
  name: 128,
  /** file paths, restore targets, include patterns */
  path: 4096,
  /** anything else: ids, cursors, priorities, filters */
  generic: 1024,
  /** items in one list argument */
  listItems: 1000,
} as const;

/** Argument (or input field) names that hold a backup or repository name. */
const NAME_KEY = /^(name|backup|repository|backups|repositories)$/i;
/** Argument (or input field) names that hold file paths. */
const PATH_KEY = /(path|paths|target|include|includes|exclude|excludes|dir|directory)$/i;

/**
 * How Nest describes a GraphQL resolver argument to pipes: @nestjs/graphql's GqlParamtype.ARGS
 * (3), which Nest's context utilities name 'body'. Parents, context and info are left alone.
 */
const isResolverArgument = (type: unknown) => type === 'body' || type === 3;

function limitFor(key: string): number {
  if (NAME_KEY.test(key)) return ARGUMENT_LIMITS.name;
  if (PATH_KEY.test(key)) return ARGUMENT_LIMITS.path;
  return ARGUMENT_LIMITS.generic;
}

/**
 * Checks a path argument: no NUL byte and no `..` component, so that a path can never climb out
 * of where it is checked to be. Returns a problem, or null when the path is acceptable.
 */
export function pathProblem(path: string): string | null {
  if (path.includes('\0')) return 'must not contain a NUL character';
  if (path.split(/[/\\]/).includes('..')) return 'must not contain a ".." component';
  return null;
}

/** Throws BAD_USER_INPUT when a path argument is not acceptable (see pathProblem). */
export function assertSafePath(path: string, what = 'path'): string {
  const problem = pathProblem(path);
  if (problem) throw badUserInput(`${what} ${problem}`);
  return path;
}

/** Every string in a (possibly nested) argument value, with the name of the key holding it. */
function check(value: unknown, key: string, where: string): void {
  if (typeof value === 'string') {
    const limit = limitFor(key);
    if (value.length > limit) {
      throw badUserInput(`${where} is too long: ${value.length} characters, at most ${limit}`);
    }
    if (value.includes('\0')) throw badUserInput(`${where} must not contain a NUL character`);
    if (PATH_KEY.test(key)) {
      const problem = pathProblem(value);
      if (problem) throw badUserInput(`${where} ${problem}`);
    }
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > ARGUMENT_LIMITS.listItems) {
      throw badUserInput(
        `${where} has ${value.length} items, at most ${ARGUMENT_LIMITS.listItems}`,
      );
    }
    value.forEach((item, i) => check(item, key, `${where}[${i}]`));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) check(v, k, where ? `${where}.${k}` : k);
  }
}

/**
 * Applied to every resolver argument (a global pipe), so that no resolver has to remember it:
 * strings are bounded by what they hold (names, paths, anything else), never contain NUL, and
 * path arguments never contain a `..` component. Violations are BAD_USER_INPUT.
 */
@Injectable()
export class ArgumentLimitsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!isResolverArgument(metadata.type)) return value;
    check(value, metadata.data ?? '', metadata.data ?? '');
    return value;
  }
}
