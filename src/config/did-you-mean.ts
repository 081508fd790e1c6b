/**
 * The known key a misspelt one was probably meant to be. Case, `-` and `_` are ignored so that
 * `password_file` finds `passwordFile`; beyond that, a small edit distance relative to the length.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const normalized = normalize(input);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(normalized, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(normalized.length / 3));
  return best !== undefined && bestDistance <= Math.min(allowed, 3) ? best : undefined;
}

function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/** Levenshtein distance counting a swap of two neighbours as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[i].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, rows[i - 2][j - 2] + 1);
      }
      rows[i].push(value);
    }
  }
  return rows[a.length][b.length];
}

/** The message for a key the mapping does not take, with a hint at what was meant. */
export function unknownKey(key: string, known: readonly string[]): string {
  const suggestion = didYouMean(key, known);
  const hint = suggestion
    ? ` (did you mean "${suggestion}"?)`
    : known.length > 0
      ? ` (known keys: ${known.join(', ')})`
      : '';
  return `unknown key${hint}`;
}
