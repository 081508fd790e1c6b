import type { GraphQLSchema } from 'graphql';

/** Code-first NestJS leaves the root types undescribed; the schema linter wants every type said. */
export function describeRootTypes(schema: GraphQLSchema): GraphQLSchema {
  const describe = (type: { description?: string | null } | null | undefined, text: string) => {
    if (type) type.description = text;
  };
  describe(
    schema.getQueryType(),
    'what can be read: the daemon, backups, repositories, jobs, snapshots',
  );
  describe(schema.getMutationType(), 'what can be done: queue, cancel and restore work, reload');
  describe(
    schema.getSubscriptionType(),
    'live changes over graphql-ws: job states, progress and log lines',
  );
  return schema;
}
