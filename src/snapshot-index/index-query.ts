/** Checking search input: name patterns, ranges and path prefixes a client gives. */
import type { NameMatch } from './snapshot-index-store';

/** A search argument that cannot be used; the API answers it with BAD_USER_INPUT. */
export class IndexQueryError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'IndexQueryError';
  }
}

const MAX_PATTERN = 1024;

/** FTS5 phrase syntax: the text in double quotes, quotes doubled. */
const phrase = (text: string): string => `"${text.replaceAll('"', '""')}"`;

function checkPattern(value: string, what: string): void {
  if (value.length === 0) throw new IndexQueryError(`${what} must not be empty`);
  if (value.length > MAX_PATTERN) {
    throw new IndexQueryError(`${what} is longer than ${MAX_PATTERN} characters`);
  }
  if (value.includes('\0')) throw new IndexQueryError(`${what} contains a NUL character`);
  if (value.includes('/')) throw new IndexQueryError(`${what} matches names, which hold no "/"`);
}

/**
 * Checks a glob in SQLite's (and the shell's) syntax: `*`, `?`, `[abc]`, `[a-z]`, `[^abc]`.
 * Returns the longest literal run, used to narrow the search through the trigram index.
 */
function readGlob(glob: string): string {
  let longest = '';
  let run = '';
  const endRun = () => {
    if (run.length > longest.length) longest = run;
    run = '';
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' || c === '?') {
      endRun();
    } else if (c === '[') {
      endRun();
      let j = i + 1;
      if (glob[j] === '^') j++;
      if (glob[j] === ']') j++; // a leading ] is a member, not the end
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) {
        throw new IndexQueryError(`glob "${glob}" has a "[" without its closing "]" (at ${i + 1})`);
      }
      if (j === i + 1) throw new IndexQueryError(`glob "${glob}" has an empty "[]"`);
      i = j;
    } else if (c === ']') {
      throw new IndexQueryError(`glob "${glob}" has a "]" without its opening "[" (at ${i + 1})`);
    } else {
      run += c;
    }
  }
  endRun();
  return longest;
}

/** How names are matched: a substring (case-insensitive), a glob (case-sensitive), or all. */
export function nameMatch(name?: string | null, glob?: string | null): NameMatch {
  if (name != null && glob != null) throw new IndexQueryError('give name or glob, not both');
  if (name != null) {
    checkPattern(name, 'name');
    // the trigram index needs three characters; shorter substrings scan the names instead
    if ([...name].length >= 3) return { kind: 'trigram', phrase: phrase(name) };
    return { kind: 'like', pattern: `%${name.replace(/[\\%_]/g, (c) => `\\${c}`)}%` };
  }
  if (glob != null) {
    checkPattern(glob, 'glob');
    const literal = readGlob(glob);
    if (/^\*+$/.test(glob)) return { kind: 'all' };
    return [...literal].length >= 3
      ? { kind: 'glob', pattern: glob, trigram: phrase(literal) }
      : { kind: 'glob', pattern: glob };
  }
  return { kind: 'all' };
}

export interface Range<T> {
  min?: T | null;
  max?: T | null;
}

/** A range whose bounds are in order; either bound may be absent. */
export function checkRange<T extends number | Date>(
  range: Range<T> | null | undefined,
  what: string,
): Range<T> {
  if (!range) return {};
  const { min, max } = range;
  for (const bound of [min, max]) {
    if (bound == null) continue;
    const value = bound instanceof Date ? bound.getTime() : bound;
    if (!Number.isFinite(value)) throw new IndexQueryError(`${what}: a bound is not a valid value`);
    if (typeof bound === 'number' && bound < 0) {
      throw new IndexQueryError(`${what}: a bound is negative`);
    }
  }
  if (min != null && max != null && +min > +max) {
    throw new IndexQueryError(`${what}: min is after max`);
  }
  return range;
}

export const inRange = (value: number, range: Range<number | Date>): boolean =>
  (range.min == null || value >= +range.min) && (range.max == null || value <= +range.max);

/** A path prefix: absolute, normalised, no "..". */
export function checkPrefix(path: string | null | undefined): string | undefined {
  if (path == null || path === '' || path === '/') return undefined;
  if (path.length > 4096 || path.includes('\0'))
    throw new IndexQueryError('under is not a valid path');
  if (!path.startsWith('/')) throw new IndexQueryError('under must be absolute (start with /)');
  if (path.split('/').includes('..')) throw new IndexQueryError('under must not contain ".."');
  const trimmed = path.replace(/\/+/g, '/').replace(/\/$/, '');
  return trimmed === '' ? undefined : trimmed;
}
