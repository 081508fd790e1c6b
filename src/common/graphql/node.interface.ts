import { Field, ID, InterfaceType } from '@nestjs/graphql';
import { parseGlobalId } from './global-id';

/**
 * Every object that stands for a thing. Its id begins with its type name (global-id.ts), which is
 * how `node(id)` answers tell their concrete type.
 */
@InterfaceType('Node', {
  description:
    'an object with a global id, unique across the whole schema and stable across restarts; fetch any of them with `node(id)`',
  // `node(id)` tags what it fetched with __typename; objects of string ids carry their type in it
  resolveType: (value: { __typename?: string; id?: unknown }) =>
    value.__typename ?? (typeof value.id === 'string' ? parseGlobalId(value.id)?.type : undefined),
})
export abstract class Node {
  @Field(() => ID, {
    description:
      'global id: the type name and the object key, e.g. `Job:42` or `Backup:pictures`; treat it as opaque',
  })
  id!: string;
}
