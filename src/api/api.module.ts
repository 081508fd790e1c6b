import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from './apollo-driver';
import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { SecretScrubber } from '../common/secret-scrubber';
import { LiveConfig } from '../config/live-config';
import { JobsModule } from '../jobs/jobs.module';
import { AuthModule } from '../common/auth/auth.module';
import { authenticateConnection, graphqlContext } from './auth/graphql-context';
import { ApiWarmUp } from './api-warm-up';
import { HttpKeepAlive } from './http-keep-alive';
import { GRAPHQL_PATH } from './graphql-path';
import { LoopbackRequest } from './loopback-request';
import { SnapshotIndexModule } from '../snapshot-index/snapshot-index.module';
import { RevocableSubscriptionsInterceptor } from './auth/revocable-subscriptions.interceptor';
import { RoleGuard } from './auth/role.guard';
import { TokenAuthenticator } from '../common/auth/token-authenticator';
import { formatGraphQLError } from './error-formatter';
import { IdeController } from './ide/ide.controller';
import { IdePageMiddleware } from './ide/ide-page.middleware';
import { GraphQLExceptionFilter } from './graphql-exception.filter';
import { QUERY_LIMITS, queryLimitsRule } from './query-limits';
import { ConfigReloadResolver } from './config-reload.resolver';
import { NodeFetchers, NodeResolver } from './node.resolver';
import { describeRootTypes } from './root-type-descriptions';
import { SharedExecution } from './shared-execution';
import { SubscriptionWriter } from './subscription-writer';
import { WebSocketClientsModule } from './websocket-clients.module';
import { WebSocketHeartbeat } from './websocket-heartbeat';
import { WebSocketOutboxes } from './websocket-outbox';
import { MAX_BODY_BYTES } from './http-body';
import { SubscriptionDocuments } from './subscription-documents';
import { ArgumentValidationPipe } from '../common/graphql/argument-validation.pipe';

@Module({
  imports: [
    DiscoveryModule,
    JobsModule,
    AuthModule,
    SnapshotIndexModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [AuthModule, WebSocketClientsModule],
      inject: [
        SecretScrubber,
        TokenAuthenticator,
        LiveConfig,
        WebSocketOutboxes,
        WebSocketHeartbeat,
      ],
      useFactory: (
        scrubber: SecretScrubber,
        authenticator: TokenAuthenticator,
        config: LiveConfig,
        outboxes: WebSocketOutboxes,
        heartbeat: WebSocketHeartbeat,
      ) => {
        // one parse and validation per distinct subscription document, not per subscriber
        const documents = new SubscriptionDocuments();
        return {
          path: GRAPHQL_PATH,
          // The committed schema.gql is written by `npm run schema`, not by a running daemon.
          autoSchemaFile: true,
          sortSchema: true,
          transformSchema: describeRootTypes,
          // Introspection needs a token like any query once tokens are configured, unless
          // api.openIntrospection says otherwise (see graphqlContext).
          introspection: true,
          includeStacktraceInErrorResponses: false,
          // Automatic persisted queries are off: a request carrying a hash is answered
          // PERSISTED_QUERY_NOT_SUPPORTED, on which Apollo Client's link sends full queries.
          persistedQueries: false,
          // The IDE at GET /graphql is served by IdePageMiddleware, from the package's own files.
          plugins: [ApolloServerPluginLandingPageDisabled()],
          context: graphqlContext(authenticator, () => config.current.api.openIntrospection),
          subscriptions: {
            'graphql-ws': {
              path: GRAPHQL_PATH,
              onConnect: authenticateConnection(authenticator),
              // The same limits as HTTP: tokens (websocket-parse-limits.ts), then depth and cost;
              // message size below (webSockets).
              onSubscribe: documents.onSubscribe,
              parse: documents.parse,
              validate: documents.validate,
              // one execution per event and selection, whatever the number of subscribers
              subscribe: new SharedExecution().subscribe,
              // each result written by the daemon, its payload serialised once per selection
              onOperation: new SubscriptionWriter(outboxes).onOperation,
            },
          },
          webSockets: {
            // a client's messages are held to the HTTP body limit
            maxPayload: MAX_BODY_BYTES,
            // bounded and batched sends (a client that stops reading is dropped); pings spread
            // over graphql-ws's 12 s, a client that does not answer dropped
            setUps: [outboxes.open, heartbeat.add],
          },
          formatError: formatGraphQLError(scrubber),
          // Input limits: document size in tokens, nesting depth and cost (query-limits.ts);
          // arguments are DTO classes checked by ArgumentValidationPipe (class-validator).
          parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
          validationRules: [queryLimitsRule],
        };
      },
    }),
  ],
  controllers: [IdeController],
  providers: [
    ApiWarmUp,
    HttpKeepAlive,
    LoopbackRequest,
    ConfigReloadResolver,
    NodeFetchers,
    NodeResolver,
    { provide: APP_GUARD, useClass: RoleGuard },
    { provide: APP_PIPE, useClass: ArgumentValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: RevocableSubscriptionsInterceptor },
    { provide: APP_FILTER, useClass: GraphQLExceptionFilter },
  ],
})
export class ApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // before Apollo's handler on the same path, which would answer a browser 400
    consumer
      .apply(IdePageMiddleware)
      .forRoutes({ path: GRAPHQL_PATH.slice(1), method: RequestMethod.GET });
  }
}
