import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { SecretScrubber } from '../common/secret-scrubber';
import { JobsModule } from '../jobs/jobs.module';
import { AuthModule } from './auth/auth.module';
import { authenticateConnection, graphqlContext } from './auth/graphql-context';
import { RoleGuard } from './auth/role.guard';
import { TokenAuthenticator } from './auth/token-authenticator';
import { formatGraphQLError } from './error-formatter';
import { StatusResolver } from './status.resolver';

export const GRAPHQL_PATH = '/graphql';

@Module({
  imports: [
    JobsModule,
    AuthModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [AuthModule],
      inject: [SecretScrubber, TokenAuthenticator],
      useFactory: (scrubber: SecretScrubber, authenticator: TokenAuthenticator) => ({
        path: GRAPHQL_PATH,
        // The committed schema.gql is written by `npm run schema`, not by a running daemon.
        autoSchemaFile: true,
        sortSchema: true,
        playground: false,
        introspection: true,
        includeStacktraceInErrorResponses: false,
        plugins: [ApolloServerPluginLandingPageLocalDefault({ embed: true })],
        context: graphqlContext(authenticator),
        subscriptions: {
          'graphql-ws': { path: GRAPHQL_PATH, onConnect: authenticateConnection(authenticator) },
        },
        formatError: formatGraphQLError(scrubber),
      }),
    }),
  ],
  providers: [StatusResolver, { provide: APP_GUARD, useClass: RoleGuard }],
})
export class ApiModule {}
