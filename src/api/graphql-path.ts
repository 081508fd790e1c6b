/** Where the GraphQL API answers, over HTTP and graphql-ws. */
export const GRAPHQL_PATH = '/graphql';
