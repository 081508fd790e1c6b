import { Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HenConfig } from '../../config/config.types';
import { LiveConfig } from '../../config/live-config';
import { allows, type Principal } from './principal';

/** Without configured tokens the API only listens on loopback, and whoever reaches it is admin. */
const LOCAL_ADMIN: Principal = { name: 'local', role: 'admin' };

export type Authentication =
  { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'malformed' | 'invalid' };

/** RFC 6750: the scheme is case-insensitive, one or more spaces, then the token. */
const BEARER = /^Bearer +(\S+)$/i;

@Injectable()
export class TokenAuthenticator {
  private readonly logger = new Logger('Auth');
  private tokens: KnownToken[];

  constructor(config: LiveConfig) {
    this.tokens = knownTokens(config.current);
    // A reload may revoke or add tokens; HTTP requests see the change at once, long-lived
    // websockets at their next event (see stillAccepted).
    config.onChange(({ current }) => (this.tokens = knownTokens(current)));
  }

  get required(): boolean {
    return this.tokens.length > 0;
  }

  /**
   * `Bearer <token>`, from an Authorization header or the `authorization` of a graphql-ws
   * connection_init payload; a bare token or another scheme is refused, not guessed at.
   */
  authenticate(credential: unknown, from: string): Authentication {
    if (!this.required) return { ok: true, principal: LOCAL_ADMIN };
    if (credential === undefined || credential === null || credential === '') {
      return { ok: false, reason: 'missing' };
    }
    const token = typeof credential === 'string' ? BEARER.exec(credential.trim())?.[1] : undefined;
    if (!token) {
      this.logger.log({ msg: 'authentication failed: not a Bearer credential', from });
      return { ok: false, reason: 'malformed' };
    }
    const presented = createHash('sha256').update(token).digest();
    // Compare against every token, always, so the time taken says nothing about which matched.
    let match: (typeof this.tokens)[number] | undefined;
    for (const candidate of this.tokens) {
      if (timingSafeEqual(candidate.hash, presented) && !match) match = candidate;
    }
    if (!match) {
      this.logger.log({ msg: 'authentication failed: unknown token', from });
      return { ok: false, reason: 'invalid' };
    }
    return {
      ok: true,
      principal: { name: match.name, role: match.role, tokenSha256: match.hash.toString('hex') },
    };
  }

  /**
   * For a connection authenticated earlier: is what it showed still accepted, as the same role
   * or higher? False once a reload removed its token or lowered its role.
   */
  stillAccepted(principal: Principal): boolean {
    if (!this.required) return true;
    if (!principal.tokenSha256) return false;
    const presented = Buffer.from(principal.tokenSha256, 'hex');
    return this.tokens.some(
      (token) =>
        token.hash.length === presented.length &&
        timingSafeEqual(token.hash, presented) &&
        allows(token.role, principal.role),
    );
  }
}

interface KnownToken {
  name: string;
  role: Principal['role'];
  hash: Buffer;
}

function knownTokens(config: HenConfig): KnownToken[] {
  return config.api.tokens.map((t) => ({
    name: t.name,
    role: t.role,
    hash: Buffer.from(t.sha256, 'hex'),
  }));
}

/** Why a caller was refused, in words a client can act on. */
const REFUSAL: Record<Exclude<Authentication, { ok: true }>['reason'], string> = {
  missing: 'a bearer token is required (Authorization: Bearer <token>)',
  malformed: 'the Authorization header must be "Bearer <token>"',
  invalid: 'the token is not valid',
};

export const authenticationMessage = (auth: Authentication): string =>
  auth.ok ? '' : REFUSAL[auth.reason];
