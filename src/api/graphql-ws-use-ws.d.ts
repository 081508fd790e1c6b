// graphql-ws publishes `graphql-ws/use/ws` through package.json `exports`, which this project's
// module resolution (node10, as Nest's CommonJS build) does not read; Node's require does.
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
