import {
  ApolloServer,
  type ApolloServerOptionsWithTypeDefs,
  type ApolloServerPlugin,
  type BaseContext,
} from '@apollo/server';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { Server } from 'node:http';
import {
  AbstractGraphQLDriver,
  type GqlModuleOptions,
  type SubscriptionConfig,
} from '@nestjs/graphql';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema, printSchema } from 'graphql';
import { GraphqlWsServer, type WebSocketOptions } from './graphql-ws-server';

/**
 * The options of {@link ApolloDriver}: @nestjs/apollo's ApolloDriverConfig without the
 * playground and GraphiQL landing pages (the IDE is served by ide/ from the package itself).
 */
export interface ApolloDriverConfig
  extends
    Omit<
      ApolloServerOptionsWithTypeDefs<BaseContext>,
      'typeDefs' | 'schema' | 'resolvers' | 'gateway' | 'context'
    >,
    GqlModuleOptions {
  path?: string;
  subscriptions?: SubscriptionConfig;
  /** the message size and per-client set-ups of the graphql-ws endpoint (GraphqlWsServer) */
  webSockets?: WebSocketOptions;
  /** HttpExceptions thrown by resolvers become GraphQL errors with Apollo's codes */
  autoTransformHttpErrors?: boolean;
  /** execution errors answer HTTP 200 with `{ data, errors }` */
  preserveHttpStatusForExecutionErrors?: boolean;
}

const APOLLO_CODES: Record<number, string> = {
  [HttpStatus.BAD_REQUEST]: ApolloServerErrorCode.BAD_REQUEST,
  [HttpStatus.UNPROCESSABLE_ENTITY]: ApolloServerErrorCode.BAD_USER_INPUT,
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHENTICATED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
};

type ContextFunction = (...args: unknown[]) => unknown;
/** the options once Nest has built the schema; `context` is Apollo's context function */
type Options = ApolloDriverConfig & { context?: unknown; schema: GraphQLSchema };

/**
 * Nest's Apollo driver for Express, as @nestjs/apollo 13 has it (drivers/apollo.driver.js and
 * apollo-base.driver.js), without its landing pages. @nestjs/apollo 13 requires, at load time,
 * the deprecated GraphQL Playground plugin, whose package asks for @apollo/server 4: every
 * install of hen-backup printed a peer warning for a page the daemon never serves. The rest
 * (context with `req`, HttpException mapping, HTTP 200 for execution errors, request hooks,
 * graphql-ws subscriptions (GraphqlWsServer: Nest's own, but with the keep-alive spread out),
 * draining on stop) is kept as it was. Providers decorated with
 * @Plugin() are not collected: the daemon passes its Apollo plugins in the options.
 */
@Injectable()
export class ApolloDriver extends AbstractGraphQLDriver<ApolloDriverConfig> {
  private apolloServer?: ApolloServer<BaseContext>;
  private graphqlWs?: GraphqlWsServer;

  get instance(): ApolloServer<BaseContext> | undefined {
    return this.apolloServer;
  }

  override async mergeDefaultOptions(options: ApolloDriverConfig): Promise<ApolloDriverConfig> {
    const defaults = {
      path: '/graphql',
      fieldResolverEnhancers: [],
      stopOnTerminationSignals: false,
    };
    const merged = (await super.mergeDefaultOptions(options, defaults)) as Options;
    this.wrapContextResolver(merged);
    this.wrapFormatErrorFn(merged);
    const plugins: ApolloServerPlugin<BaseContext>[] = [...(merged.plugins ?? [])];
    if (merged.preserveHttpStatusForExecutionErrors !== false) {
      plugins.push(preserveHttpStatusPlugin());
    }
    plugins.push(this.requestLifecycleHooksPlugin());
    merged.plugins = plugins;
    return merged;
  }

  async start(options: ApolloDriverConfig): Promise<void> {
    const opts = options as Options;
    if (opts.definitions?.path) {
      await this.graphQlFactory.generateDefinitions(printSchema(opts.schema), opts);
    }
    const httpAdapter = this.httpAdapterHost.httpAdapter;
    if (httpAdapter.getType() !== 'express') {
      throw new Error(`No support for current HttpAdapter: ${httpAdapter.getType()}`);
    }
    await this.registerExpress(opts);
    if (opts.subscriptions) {
      // without them ws would take 100 MB messages and nothing would bound or ping a client
      if (!opts.webSockets) throw new Error('graphql-ws subscriptions need the webSockets option');
      this.graphqlWs = new GraphqlWsServer(
        {
          schema: opts.schema,
          path: opts.path ?? '/graphql',
          context: opts.context as never,
          subscriptions: opts.subscriptions,
          webSockets: opts.webSockets,
        },
        httpAdapter.getHttpServer() as Server,
      );
    }
  }

  async stop(): Promise<void> {
    await this.graphqlWs?.stop();
    await this.apolloServer?.stop();
  }

  override subscriptionWithFilter(
    instanceRef: unknown,
    filterFn: (
      payload: unknown,
      variables: unknown,
      context: unknown,
    ) => boolean | Promise<boolean>,
    createSubscribeContext: () => (...args: unknown[]) => unknown,
  ): (...args: unknown[]) => Promise<AsyncIterator<unknown>> {
    return (...args: unknown[]) =>
      filteredIterator(
        createSubscribeContext()(...args) as Promise<AsyncIterator<unknown>>,
        (payload) => filterFn.call(instanceRef, payload, args[1], args[2]),
      );
  }

  private async registerExpress(options: Options): Promise<void> {
    const httpAdapter = this.httpAdapterHost.httpAdapter;
    const path = options.path ?? '/graphql';
    // body-parser leaves req.body unset without a payload; Apollo's middleware insists on one
    httpAdapter.use(path, (req: { body?: unknown }, _res: unknown, next: () => void) => {
      req.body = req.body ?? {};
      next();
    });
    const drain = ApolloServerPluginDrainHttpServer({
      httpServer: httpAdapter.getHttpServer() as Server,
    });
    const { webSockets: _webSockets, ...apolloOptions } = options;
    const server = new ApolloServer<BaseContext>({
      ...apolloOptions,
      schema: options.schema,
      plugins: [...(options.plugins ?? []), drain],
    } as never);
    await server.start();
    const app = httpAdapter.getInstance<{ use: (path: string, handler: unknown) => void }>();
    app.use(
      path,
      expressMiddleware(server, {
        context: options.context as never,
      }),
    );
    this.apolloServer = server;
  }

  /** Exposes the request start and end hooks registered through Nest's ResolverDecoratorHost. */
  private requestLifecycleHooksPlugin(): ApolloServerPlugin<BaseContext> {
    const host = () => this.resolverDecoratorHost;
    return {
      requestDidStart(requestContext) {
        const hooks = host();
        if (!hooks?.hasRequestHooks()) return Promise.resolve();
        const hookContext = {
          query: requestContext.request?.query,
          operationName: requestContext.request?.operationName,
          variables: requestContext.request?.variables,
          context: requestContext.contextValue,
        };
        const state = hooks.onRequestStart(hookContext);
        return Promise.resolve({
          willSendResponse(end) {
            const body = end.response?.body;
            const errors =
              end.errors ?? (body?.kind === 'single' ? body.singleResult?.errors : undefined);
            hooks.onRequestEnd({
              ...hookContext,
              operationName: end.operationName ?? hookContext.operationName,
              errors,
              state,
            } as never);
            return Promise.resolve();
          },
        });
      },
    };
  }

  private wrapFormatErrorFn(options: Options): void {
    if (options.autoTransformHttpErrors === false) return;
    const original = options.formatError;
    options.formatError = (formatted: GraphQLFormattedError, error: unknown) => {
      const transformed = transformHttpError(formatted, error);
      return original ? original(transformed, error) : transformed;
    };
  }

  private wrapContextResolver(options: Options): void {
    const original: unknown = options.context;
    const reqOf = (arg: unknown): unknown => (arg as { req?: unknown }).req ?? arg;
    if (!original) {
      options.context = (arg: unknown) => Promise.resolve({ req: reqOf(arg) });
    } else if (typeof original === 'function') {
      options.context = async (...args: unknown[]) =>
        assignReq(await (original as ContextFunction)(...args), reqOf(args[0]));
    } else {
      options.context = (arg: unknown) => Promise.resolve(assignReq(original, reqOf(arg)));
    }
  }
}

function assignReq(ctx: unknown, req: unknown): unknown {
  if (!ctx) return { req };
  if (typeof ctx !== 'object') return ctx;
  const withReq = ctx as { req?: unknown };
  if (withReq.req && typeof withReq.req === 'object') return ctx;
  withReq.req = req;
  return ctx;
}

/** Execution errors keep the `{ data, errors }` shape on HTTP 200, whatever status they carry. */
function preserveHttpStatusPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse(requestContext) {
          const body = requestContext.response?.body;
          if (
            body?.kind === 'single' &&
            'data' in (body.singleResult ?? {}) &&
            requestContext.response?.http
          ) {
            requestContext.response.http.status = 200;
          }
          return Promise.resolve();
        },
      });
    },
  };
}

/** A Nest HttpException thrown in a resolver, as a GraphQL error with Apollo's code. */
function transformHttpError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const exception = unwrapResolverError(error) as
    { response?: { statusCode?: number }; status?: number; message: string } | undefined;
  if (!exception?.response?.statusCode || !exception.status) return formatted;
  const status = exception.status;
  const known = APOLLO_CODES[status];
  const result = new GraphQLError(exception.message, {
    path: formatted.path,
    extensions: known
      ? { ...formatted.extensions, code: known }
      : {
          ...formatted.extensions,
          code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR,
          status,
        },
  });
  result.extensions['originalError'] = exception.response;
  (result as { locations?: unknown }).locations = formatted.locations;
  return result;
}

/** The source's items that pass `filter`, as @nestjs/apollo's createAsyncIterator gives them. */
async function filteredIterator(
  source: Promise<AsyncIterator<unknown>> | AsyncIterator<unknown>,
  filter: (payload: unknown) => boolean | Promise<boolean>,
): Promise<AsyncIterableIterator<unknown>> {
  const iterator = await source;
  const next = async (): Promise<IteratorResult<unknown>> => {
    for (;;) {
      const item = await iterator.next();
      if (item.done) return item;
      const pass = await Promise.resolve(filter(item.value)).catch(() => false);
      if (pass === true) return item;
    }
  };
  const filtered: AsyncIterableIterator<unknown> = {
    next,
    return: () =>
      iterator.return
        ? iterator.return()
        : Promise.resolve({ done: true as const, value: undefined }),
    throw: (error?: unknown) =>
      iterator.throw
        ? iterator.throw(error)
        : Promise.reject(error instanceof Error ? error : new Error(String(error))),
    [Symbol.asyncIterator]: () => filtered,
  };
  return filtered;
}
