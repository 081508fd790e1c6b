import type { IncomingMessage } from 'node:http';
import type { Context } from 'graphql-ws';

type Request = IncomingMessage & { ip?: string };
import type { Authentication, TokenAuthenticator } from './token-authenticator';

/** What every resolver call knows about its caller. */
export interface RequestContext {
  req?: Request;
  auth: Authentication;
}

interface WebSocketContext {
  connectionParams?: Record<string, unknown>;
  extra: { auth?: Authentication };
}

/**
 * Builds the GraphQL context for both transports: HTTP requests carry a bearer token in the
 * Authorization header; websocket connections were authenticated once in `connection_init`.
 */
export function graphqlContext(authenticator: TokenAuthenticator) {
  return (input: { req?: Request } | WebSocketContext): RequestContext => {
    if ('extra' in input && input.extra) {
      return { auth: input.extra.auth ?? { ok: false, reason: 'missing' } };
    }
    const req = (input as { req?: Request }).req;
    return { req, auth: authenticator.authenticate(req?.headers.authorization, req?.ip ?? 'http') };
  };
}

/** graphql-ws `onConnect`: refuses the socket (4403) before any subscription can start. */
export function authenticateConnection(authenticator: TokenAuthenticator) {
  return (ctx: Context<Record<string, unknown> | undefined, unknown>): boolean => {
    const params = ctx.connectionParams ?? {};
    const credential = params.authorization ?? params.Authorization ?? params.token;
    const extra = ctx.extra as WebSocketContext['extra'] & {
      request?: { socket?: { remoteAddress?: string } };
    };
    const auth = authenticator.authenticate(
      credential,
      extra.request?.socket?.remoteAddress ?? 'websocket',
    );
    extra.auth = auth;
    return auth.ok;
  };
}
