import 'reflect-metadata';
import { ApolloDriver, type ApolloDriverConfig } from './apollo-driver';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLModule, Query, Resolver, Subscription } from '@nestjs/graphql';
import { MAX_BODY_BYTES } from './http-body';
import { graphqlWebSocketServer, WebSocketMessageSizeModule } from './websocket-message-size';

@Resolver()
class PingResolver {
  @Query(() => String)
  ping(): string {
    return 'pong';
  }

  @Subscription(() => String)
  pinged(): AsyncIterableIterator<string> {
    return (async function* () {})();
  }
}

@Module({
  imports: [
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      autoSchemaFile: true,
      subscriptions: { 'graphql-ws': { path: '/graphql' } },
    }),
    WebSocketMessageSizeModule,
  ],
  providers: [PingResolver],
})
class TestApiModule {}

/**
 * The limit reaches into @nestjs/graphql's private fields: this fails first if an upgrade of
 * @nestjs/graphql or @nestjs/apollo moves them.
 */
describe('WebSocketMessageSize', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('sets maxPayload on the graphql-ws server of a started GraphQLModule', async () => {
    app = await NestFactory.create(TestApiModule, { logger: false });
    await app.init();
    const server = graphqlWebSocketServer(app.get(GraphQLModule, { strict: false }));
    expect(server.options.maxPayload).toBe(MAX_BODY_BYTES);
    expect(server.options.noServer).toBe(true);
  });

  it('refuses, with an explanation, when there is no graphql-ws server to limit', () => {
    const withoutSubscriptions = { graphQlAdapter: {} } as unknown as GraphQLModule;
    expect(() => graphqlWebSocketServer(withoutSubscriptions)).toThrow(
      /cannot set up websocket clients/,
    );
  });
});
