import { GraphQLScalarType } from 'graphql';

/** A small JSON object of numbers, as restic reports them; answers only, never input. */
export const GraphQLJSONObjectLike = new GraphQLScalarType({
  name: 'JSONObject',
  description: 'a JSON object (answers only)',
  serialize: (value) => value,
  parseValue: () => {
    throw new TypeError('JSONObject is not accepted as input');
  },
});
