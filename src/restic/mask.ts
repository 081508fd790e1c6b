/** Shorter values are not masked: hiding every "ab" would garble text and protect nothing. */
const MIN_SECRET_LENGTH = 4;

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]+):([^\s@/]+)@/gi;

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces `scheme://user:password@` passwords and the given secret values with `***`. */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let masked = text.replace(URL_CREDENTIALS, '$1$2:***@');
  const values = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  if (values.length > 0) {
    masked = masked.replace(new RegExp(values.map(escapeRegExp).join('|'), 'g'), '***');
  }
  return masked;
}
