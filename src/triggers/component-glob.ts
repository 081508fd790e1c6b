/**
 * One path component of a restic exclude pattern, matched the way Go's `filepath.Match` does
 * (restic hands each component to it): `*` any run of characters, `?` one character, `[a-z]` and
 * `[^a-z]` classes, `\` escapes the next character. Nothing else is special — no braces, no
 * extglobs, no `[!...]` — which is why this is not picomatch: its richer syntax would match names
 * restic does not exclude.
 */
export type ComponentMatcher = (component: string) => boolean;

/** Compiles one component; null when Go would reject it as a bad pattern. */
export function compileComponentGlob(glob: string): ComponentMatcher | null {
  if (!/[\\[\]*?]/.test(glob)) return (component) => component === glob;
  const source = globToRegExpSource([...glob]);
  if (source === null) return null;
  const regexp = new RegExp(`^${source}$`, 'su');
  return (component) => regexp.test(component);
}

function globToRegExpSource(chars: string[]): string | null {
  let source = '';
  let i = 0;
  while (i < chars.length) {
    const c = chars[i];
    if (c === '*') {
      source += '.*';
      i += 1;
    } else if (c === '?') {
      source += '.';
      i += 1;
    } else if (c === '\\') {
      if (i + 1 >= chars.length) return null;
      source += literal(chars[i + 1]);
      i += 2;
    } else if (c === '[') {
      const parsed = characterClass(chars, i + 1);
      if (!parsed) return null;
      source += parsed.source;
      i = parsed.next;
    } else {
      source += literal(c);
      i += 1;
    }
  }
  return source;
}

/** Parses a class body starting after `[`; Go requires at least one range and a closing `]`. */
function characterClass(chars: string[], start: number): { source: string; next: number } | null {
  let i = start;
  const negated = chars[i] === '^';
  if (negated) i += 1;
  let body = '';
  let ranges = 0;
  for (;;) {
    if (i >= chars.length) return null;
    if (chars[i] === ']' && ranges > 0) break;
    const lo = escapedChar(chars, i);
    if (!lo) return null;
    i = lo.next;
    let hi = lo;
    if (chars[i] === '-') {
      const end = escapedChar(chars, i + 1);
      if (!end) return null;
      hi = end;
      i = end.next;
    }
    if (hi.char.codePointAt(0)! < lo.char.codePointAt(0)!) return null;
    body += `${literal(lo.char)}-${literal(hi.char)}`;
    ranges += 1;
  }
  return { source: `[${negated ? '^' : ''}${body}]`, next: i + 1 };
}

/** One class member, possibly escaped; `-` and `]` must be escaped there, as in Go. */
function escapedChar(chars: string[], i: number): { char: string; next: number } | null {
  const c = chars[i];
  if (c === undefined || c === '-' || c === ']') return null;
  if (c !== '\\') return { char: c, next: i + 1 };
  const escaped = chars[i + 1];
  return escaped === undefined ? null : { char: escaped, next: i + 2 };
}

/** Any character as a regexp literal; `\u{...}` is valid both inside and outside classes. */
function literal(c: string): string {
  return `\\u{${c.codePointAt(0)!.toString(16)}}`;
}
