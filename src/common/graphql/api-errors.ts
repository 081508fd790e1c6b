import { GraphQLError } from 'graphql';

/** The codes clients can rely on in `extensions.code`. */
export type ApiErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'INTERNAL_SERVER_ERROR';

export const apiError = (code: ApiErrorCode, message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code } });

export const badUserInput = (message: string) => apiError('BAD_USER_INPUT', message);
export const notFound = (message: string) => apiError('NOT_FOUND', message);
export const conflict = (message: string) => apiError('CONFLICT', message);
