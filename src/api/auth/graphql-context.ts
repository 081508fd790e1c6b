import type { IncomingMessage } from 'node:http';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  type OperationDefinitionNode,
} from 'graphql';
import type { Context } from 'graphql-ws';
import {
  authenticationMessage,
  type Authentication,
  type TokenAuthenticator,
} from '../../common/auth/token-authenticator';

type Request = IncomingMessage & {
  ip?: string;
  body?: unknown;
  query?: Record<string, unknown>;
};

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
 * An HTTP request that fails authentication is answered 401 with a GraphQL error body before
 * anything runs, introspection included, unless `api.openIntrospection` lets an
 * introspection-only operation through.
 */
export function graphqlContext(
  authenticator: TokenAuthenticator,
  openIntrospection: () => boolean,
) {
  return (input: { req?: Request } | WebSocketContext): RequestContext => {
    if ('extra' in input && input.extra) {
      return { auth: input.extra.auth ?? { ok: false, reason: 'missing' } };
    }
    const req = (input as { req?: Request }).req;
    const auth = authenticator.authenticate(req?.headers.authorization, req?.ip ?? 'http');
    if (!auth.ok && !(openIntrospection() && isIntrospectionOnly(req))) {
      throw new GraphQLError(authenticationMessage(auth), {
        extensions: {
          code: 'UNAUTHENTICATED',
          http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) },
        },
      });
    }
    return { req, auth };
  };
}

/** Every selection of the operation to run is `__schema`, `__type` or `__typename`. */
export function isIntrospectionOnly(req: Request | undefined): boolean {
  const params = (req?.method === 'GET' ? req.query : req?.body) as
    { query?: unknown; operationName?: unknown } | undefined;
  if (typeof params?.query !== 'string') return false;
  try {
    const operations = parse(params.query, { maxTokens: 2000 }).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const operation =
      operations.length === 1
        ? operations[0]
        : operations.find((o) => o.name?.value === params.operationName);
    return (
      operation?.operation === OperationTypeNode.QUERY &&
      operation.selectionSet.selections.every(
        (s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'),
      )
    );
  } catch {
    return false;
  }
}

/** graphql-ws `onConnect`: refuses the socket (4403) before any subscription can start. */
export function authenticateConnection(authenticator: TokenAuthenticator) {
  return (ctx: Context<Record<string, unknown> | undefined, unknown>): boolean => {
    const params = ctx.connectionParams ?? {};
    // the same value as the HTTP header, under either spelling clients use for headers
    const credential = params.authorization ?? params.Authorization;
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
