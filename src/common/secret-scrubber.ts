/**
 * Replaces every known secret, and any credentials embedded in URLs, with a mask. Applied to each
 * string that leaves the process: log lines, job logs, error messages and API answers.
 */
export const SECRET_MASK = '***';

/**
 * `user:password@` right after `://`, whatever the scheme before it. The scheme used to be part
 * of the pattern (`[a-z][a-z0-9+.-]*://`): the regex then tried every letter of a long word as
 * a scheme's start and scanned the word to its end each time, quadratic in the word's length
 * (257 ms for one 10 KB line a hook printed, the event loop waiting).
 */
const URL_CREDENTIALS = /:\/\/([^/\s:@]+):([^/\s@]+)@/g;

export class SecretScrubber {
  private secrets: string[] = [];

  constructor(secrets: readonly string[]) {
    this.add(secrets);
  }

  /** Masks these too from now on (a reloaded configuration's secrets). */
  add(secrets: readonly string[]): void {
    // Longest first so that a secret containing another is masked whole.
    this.secrets = [...new Set([...this.secrets, ...secrets])]
      .filter((s) => s.length >= 4)
      .sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(SECRET_MASK);
    }
    // most lines hold no URL at all
    if (!out.includes('://')) return out;
    return out.replace(URL_CREDENTIALS, `://$1:${SECRET_MASK}@`);
  }

  /** Scrubs every string inside a plain value (objects, arrays), leaving the shape as it is. */
  scrubDeep<T>(value: T): T {
    if (typeof value === 'string') return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.scrubDeep(v)) as T;
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.scrubDeep(v);
      return out as T;
    }
    return value;
  }
}
