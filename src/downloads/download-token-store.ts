import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock';

/** 32 random bytes in base64url: 43 characters, 256 bits nobody can guess. */
const TOKEN_BYTES = 32;
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** A used or expired link is remembered this long after its expiry, so it answers 410, not 404. */
export const FORGET_AFTER_MS = 10 * 60_000;
export const DEFAULT_MAX_PENDING = 1000;

/** Too many links wait unused; the API answers CONFLICT. */
export class TooManyDownloadsError extends Error {
  readonly code = 'CONFLICT';
  constructor(max: number) {
    super(`${max} download links wait unused; use them or let them expire first`);
    this.name = 'TooManyDownloadsError';
  }
}

export type TakeResult<T> =
  { status: 'ok'; download: T } | { status: 'used' | 'expired' | 'unknown' };

interface Entry<T> {
  /** dropped once used or expired: a spent link keeps nothing but its fate */
  download: T | null;
  expiresAt: number;
  used: boolean;
}

/**
 * Single-use, short-lived download links. The token itself is the credential; only its SHA-256
 * is kept, so neither a heap dump nor a log of this map yields a working link. No HMAC: the
 * server keeps state anyway (single use needs it), so the random token simply names an entry,
 * and a restart forgets every link.
 */
export class DownloadTokenStore<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs: number,
    private readonly maxPending = DEFAULT_MAX_PENDING,
  ) {}

  /** A new link for `download`: the token (give it to the client, keep it nowhere) and its expiry. */
  issue(download: T): { token: string; expiresAt: number } {
    this.sweep();
    if (this.pending >= this.maxPending) throw new TooManyDownloadsError(this.maxPending);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const expiresAt = this.clock.now() + this.ttlMs;
    this.entries.set(hash(token), { download, expiresAt, used: false });
    return { token, expiresAt };
  }

  /** The download behind `token`, at most once, and only before it expires. */
  take(token: string): TakeResult<T> {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return { status: 'unknown' };
    this.sweep();
    const entry = this.entries.get(hash(token));
    if (!entry) return { status: 'unknown' };
    if (entry.used) return { status: 'used' };
    if (this.clock.now() >= entry.expiresAt) {
      entry.download = null;
      return { status: 'expired' };
    }
    const download = entry.download!;
    entry.used = true;
    entry.download = null;
    return { status: 'ok', download };
  }

  /**
   * Makes a taken link usable again, until its first expiry: for a download that failed before
   * sending a byte (a locked or unreachable repository), so that the person can simply retry.
   * False when the link is gone or expired meanwhile.
   */
  giveBack(token: string, download: T): boolean {
    const entry = this.entries.get(hash(token));
    if (!entry || !entry.used || this.clock.now() >= entry.expiresAt) return false;
    entry.used = false;
    entry.download = download;
    return true;
  }

  /** Links that could still be used. */
  get pending(): number {
    const now = this.clock.now();
    let count = 0;
    for (const entry of this.entries.values()) if (!entry.used && now < entry.expiresAt) count++;
    return count;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) {
      if (now >= entry.expiresAt + FORGET_AFTER_MS) this.entries.delete(key);
      else if (now >= entry.expiresAt) entry.download = null;
    }
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
