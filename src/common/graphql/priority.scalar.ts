import { GraphQLScalarType, Kind } from 'graphql';
import { formatPriority, parsePriority, type Priority } from '../../config/priority';
import { badUserInput } from './api-errors';

function parse(value: unknown): Priority {
  const parsed = parsePriority(value);
  if (typeof parsed === 'string') throw badUserInput(parsed);
  return parsed;
}

/**
 * A priority as people write it: `immediate`, `next`, `superior`, `normal`, `inferior`, `on-idle`
 * or an integer. Answers always carry the name when there is one, else the integer as a string.
 */
export const PriorityScalar = new GraphQLScalarType<Priority, string>({
  name: 'Priority',
  description:
    'immediate, next, superior, normal, inferior, on-idle, or an integer (higher runs first)',
  serialize: (value) => formatPriority(value as Priority),
  parseValue: parse,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT) return parse(Number(ast.value));
    if (ast.kind === Kind.STRING || ast.kind === Kind.ENUM) return parse(ast.value);
    throw badUserInput('priority must be a name or an integer');
  },
});
