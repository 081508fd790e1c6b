import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/**
 * Hands errors thrown by resolvers back to GraphQL as they are. Nest's default filter would log
 * each one at `error` with its stack, a NOT_FOUND or FORBIDDEN included; formatGraphQLError
 * logs instead, by code: client mistakes at debug, the rest at error, one line each.
 * HTTP routes keep Nest's own handling.
 */
@Catch()
export class GraphQLExceptionFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    return super.catch(exception, host);
  }
}
