import { GraphQLDateTime, GraphQLSafeInt } from 'graphql-scalars';

/** Every time in the API: an ISO 8601 string with an offset (the daemon answers in UTC, `Z`). */
export const DateTime = GraphQLDateTime;

/**
 * Byte sizes and other large counts: integers up to 2^53 - 1, where GraphQL's Int stops at 2^31
 * (a backup of 2 GiB already passes it).
 */
export const SafeInt = GraphQLSafeInt;
