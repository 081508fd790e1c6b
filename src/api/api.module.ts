import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { SecretScrubber } from '../common/secret-scrubber';
import { JobsModule } from '../jobs/jobs.module';
import { formatGraphQLError } from './error-formatter';
import { StatusResolver } from './status.resolver';

export const GRAPHQL_PATH = '/graphql';

@Module({
  imports: [
    JobsModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [SecretScrubber],
      useFactory: (scrubber: SecretScrubber) => ({
        path: GRAPHQL_PATH,
        // The committed schema.gql is written by `npm run schema`, not by a running daemon.
        autoSchemaFile: true,
        sortSchema: true,
        playground: false,
        introspection: true,
        includeStacktraceInErrorResponses: false,
        plugins: [ApolloServerPluginLandingPageLocalDefault({ embed: true })],
        subscriptions: { 'graphql-ws': { path: GRAPHQL_PATH } },
        formatError: formatGraphQLError(scrubber),
      }),
    }),
  ],
  providers: [StatusResolver],
})
export class ApiModule {}
