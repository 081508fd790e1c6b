import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HEN_CONFIG } from '../../config/config.constants';
import type { HenConfig } from '../../config/config.types';
import type { Principal } from './principal';

/** Without configured tokens the API only listens on loopback, and whoever reaches it is admin. */
const LOCAL_ADMIN: Principal = { name: 'local', role: 'admin' };

export type Authentication =
  { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'invalid' };

@Injectable()
export class TokenAuthenticator {
  private readonly logger = new Logger('Auth');
  private readonly tokens: { name: string; role: Principal['role']; hash: Buffer }[];

  constructor(@Inject(HEN_CONFIG) config: HenConfig) {
    this.tokens = config.api.tokens.map((t) => ({
      name: t.name,
      role: t.role,
      hash: Buffer.from(t.sha256, 'hex'),
    }));
  }

  get required(): boolean {
    return this.tokens.length > 0;
  }

  /** `Bearer <token>` from an Authorization header, or a bare token from a websocket payload. */
  authenticate(credential: unknown, from: string): Authentication {
    if (!this.required) return { ok: true, principal: LOCAL_ADMIN };
    const token =
      typeof credential === 'string' ? credential.replace(/^Bearer\s+/i, '').trim() : '';
    if (!token) return { ok: false, reason: 'missing' };
    const presented = createHash('sha256').update(token).digest();
    // Compare against every token, always, so the time taken says nothing about which matched.
    let match: (typeof this.tokens)[number] | undefined;
    for (const candidate of this.tokens) {
      if (timingSafeEqual(candidate.hash, presented) && !match) match = candidate;
    }
    if (!match) {
      this.logger.warn({ msg: 'authentication failed: unknown token', from });
      return { ok: false, reason: 'invalid' };
    }
    return { ok: true, principal: { name: match.name, role: match.role } };
  }
}
