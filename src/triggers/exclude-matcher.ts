import { posix } from 'node:path';
import { compileComponentGlob, type ComponentMatcher } from './component-glob';

/** `**`: any number of whole components, zero included. */
const GLOBSTAR = Symbol('**');
type Part = ComponentMatcher | typeof GLOBSTAR;

interface CompiledPattern {
  parts: Part[];
  /** starts with `/`: matched from the root only */
  anchored: boolean;
  /** starts with `!`: takes back an earlier match */
  negated: boolean;
}

const ANY: ComponentMatcher = () => true;

/**
 * restic's `--exclude` semantics (internal/filter in restic), so that the watcher ignores exactly
 * what the backup will skip:
 * - patterns are split on `/` and matched component by component (Go `filepath.Match` per
 *   component, see component-glob.ts), against the absolute path;
 * - a pattern must match a run of whole components: `foo` matches `/a/foo/b` but not `/a/foobar`;
 *   a pattern without a leading `/` may match that run at any depth, a leading `/` anchors it at
 *   the root; a trailing `/` is ignored (the pattern is cleaned like Go's `filepath.Clean`);
 * - a `**` component stands for any number of components, none included;
 * - a pattern starting with `!` takes back a match of the patterns before it (restic 0.16+);
 * - an excluded directory excludes everything below it: restic does not descend into it, so a
 *   `!` pattern cannot bring back a file inside it.
 * Patterns Go would reject never match (restic refuses them), and are listed in `invalid`.
 */
export class ExcludeMatcher {
  readonly invalid: string[] = [];
  private readonly patterns: CompiledPattern[] = [];
  private readonly hasNegation: boolean;

  constructor(patterns: readonly string[]) {
    for (const pattern of patterns) {
      if (pattern === '') continue;
      const compiled = compilePattern(pattern);
      if (compiled) this.patterns.push(compiled);
      else this.invalid.push(pattern);
    }
    this.hasNegation = this.patterns.some((p) => p.negated);
  }

  /** Whether restic would leave out `absolutePath` (or a directory above it). */
  matches(absolutePath: string): boolean {
    if (this.patterns.length === 0) return false;
    const components = splitPath(absolutePath);
    // Without `!` a pattern matching a parent also matches the path itself (runs may sit
    // anywhere), so one check is enough; with `!`, each parent must be checked on its own, as
    // restic would have stopped at the first excluded one.
    if (!this.hasNegation) return this.excludes(components);
    for (let length = 1; length <= components.length; length++) {
      if (this.excludes(components.slice(0, length))) return true;
    }
    return false;
  }

  private excludes(components: string[]): boolean {
    let excluded = false;
    for (const pattern of this.patterns) {
      if (pattern.negated) {
        if (excluded && matchParts(pattern, pattern.parts, components)) excluded = false;
      } else if (!excluded && matchParts(pattern, pattern.parts, components)) {
        excluded = true;
        if (!this.hasNegation) return true;
      }
    }
    return excluded;
  }
}

function compilePattern(text: string): CompiledPattern | null {
  const negated = text.startsWith('!');
  const cleaned = cleanPath(negated ? text.slice(1) : text);
  const anchored = cleaned.startsWith('/');
  const parts: Part[] = [];
  for (const component of cleaned.split('/').filter((c) => c !== '')) {
    if (component === '**') {
      parts.push(GLOBSTAR);
      continue;
    }
    const matcher = compileComponentGlob(component);
    if (!matcher) return null;
    parts.push(matcher);
  }
  return { parts, anchored, negated };
}

/** Go's filepath.Clean: no doubled or trailing `/`, no `.`, `..` resolved where possible. */
function cleanPath(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/** Components of an absolute path, without the root. */
function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

/** restic's match(): `**` tried as 0, 1, 2... wildcards, then a run of components anywhere. */
function matchParts(pattern: CompiledPattern, parts: Part[], components: string[]): boolean {
  const star = parts.indexOf(GLOBSTAR);
  if (star >= 0) {
    const before = parts.slice(0, star);
    const after = parts.slice(star + 1);
    for (let n = 0; before.length + n + after.length <= components.length; n++) {
      const expanded = [...before, ...Array<Part>(n).fill(ANY), ...after];
      if (matchParts(pattern, expanded, components)) return true;
    }
    return false;
  }
  if (parts.length === 0) return pattern.anchored; // "/" alone: the root, so everything
  if (parts.length > components.length) return false;
  const lastOffset = pattern.anchored ? 0 : components.length - parts.length;
  for (let offset = lastOffset; offset >= 0; offset--) {
    if (parts.every((part, i) => (part as ComponentMatcher)(components[offset + i]))) return true;
  }
  return false;
}
