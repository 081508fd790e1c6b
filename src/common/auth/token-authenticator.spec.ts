import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ApiToken, HenConfig } from '../../config/config.types';
import { LiveConfig } from '../../config/live-config';
import { TokenAuthenticator } from './token-authenticator';

const token = (name: string, role: ApiToken['role'], value: string): ApiToken => ({
  name,
  role,
  sha256: createHash('sha256').update(value).digest('hex'),
});
const withTokens = (tokens: ApiToken[]) =>
  ({ api: { tokens }, backups: {}, repositories: {} }) as unknown as HenConfig;

describe('TokenAuthenticator', () => {
  let live: LiveConfig;
  let auth: TokenAuthenticator;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    live = new LiveConfig(
      withTokens([token('grafana', 'viewer', 'view-token'), token('ops', 'operator', 'op-token')]),
    );
    auth = new TokenAuthenticator(live);
  });
  afterEach(() => jest.restoreAllMocks());

  const principalOf = (credential: string) => {
    const result = auth.authenticate(credential, 'test');
    if (!result.ok) throw new Error(`not accepted: ${result.reason}`);
    return result.principal;
  };

  it('accepts known tokens with their role and refuses others', () => {
    expect(principalOf('Bearer op-token')).toMatchObject({ name: 'ops', role: 'operator' });
    expect(auth.authenticate('Bearer nope', 'test')).toEqual({ ok: false, reason: 'invalid' });
    expect(auth.authenticate(undefined, 'test')).toEqual({ ok: false, reason: 'missing' });
    expect(principalOf('bearer   op-token').name).toBe('ops');
  });

  it('takes only the Bearer scheme: a bare token or another scheme is refused', () => {
    for (const credential of ['op-token', 'Basic op-token', 'Token op-token', 'Bearer', 42]) {
      expect(auth.authenticate(credential, 'test')).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('after a reload, refuses a removed token and accepts a new one at once', () => {
    const ops = principalOf('Bearer op-token');
    live.replace(
      withTokens([token('grafana', 'viewer', 'view-token'), token('ci', 'admin', 'ci-token')]),
    );
    expect(auth.authenticate('Bearer op-token', 'test').ok).toBe(false);
    expect(auth.stillAccepted(ops)).toBe(false);
    expect(principalOf('Bearer ci-token').role).toBe('admin');
  });

  it('keeps accepting a connection whose token stays, and not one whose role was lowered', () => {
    const grafana = principalOf('Bearer view-token');
    const ops = principalOf('Bearer op-token');
    live.replace(
      withTokens([token('grafana', 'viewer', 'view-token'), token('ops', 'viewer', 'op-token')]),
    );
    expect(auth.stillAccepted(grafana)).toBe(true);
    expect(auth.stillAccepted(ops)).toBe(false);
  });

  it('without tokens everyone is the local admin, until a reload adds tokens', () => {
    live.replace(withTokens([]));
    const local = principalOf('');
    expect(local).toEqual({ name: 'local', role: 'admin' });
    live.replace(withTokens([token('ops', 'operator', 'op-token')]));
    expect(auth.stillAccepted(local)).toBe(false);
  });
});
