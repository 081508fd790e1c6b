import { Type } from 'class-transformer';
import { ValidateNested, registerDecorator, type ValidationArguments } from 'class-validator';

/** Longest accepted string argument, by what the argument holds. */
export const ARGUMENT_LIMITS = {
  /** names of backups, repositories and notification targets (the configuration allows 64) */
  name: 128,
  /** file paths, restore targets, include patterns */
  path: 4096,
  /** anything else: ids, cursors, snapshot references */
  text: 1024,
  /** items in one list argument */
  listItems: 1000,
} as const;

type StringKind = 'name' | 'path' | 'text';

/**
 * Checks a path argument: no NUL byte and no `..` component, so that a path can never climb out
 * of where it is checked to be. Returns a problem, or null when the path is acceptable.
 */
export function pathProblem(path: string): string | null {
  if (path.includes('\0')) return 'must not contain a NUL character';
  if (path.split(/[/\\]/).includes('..')) return 'must not contain a ".." component';
  return null;
}

/** What is wrong with one string of the given kind, or null. */
function stringProblem(value: string, kind: StringKind): string | null {
  const limit = ARGUMENT_LIMITS[kind];
  if (value.length > limit) return `is too long: ${value.length} characters, at most ${limit}`;
  if (value.includes('\0')) return 'must not contain a NUL character';
  return kind === 'path' ? pathProblem(value) : null;
}

/** What is wrong with a string or a list of strings of the given kind, or null. */
function valueProblem(value: unknown, kind: StringKind): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return stringProblem(value, kind);
  if (Array.isArray(value)) {
    if (value.length > ARGUMENT_LIMITS.listItems) {
      return `has ${value.length} items, at most ${ARGUMENT_LIMITS.listItems}`;
    }
    for (const [index, item] of value.entries()) {
      const problem = typeof item === 'string' ? stringProblem(item, kind) : null;
      if (problem) return `[${index}] ${problem}`;
    }
  }
  return null;
}

/**
 * A class-validator rule for a string argument (or a list of them): bounded by what it holds,
 * never a NUL, and for paths never a `..` component. Its message leaves out the property's name:
 * the validation pipe puts the argument's whole path in front (`input.include[1] must not ...`).
 */
function stringRule(kind: StringKind): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: `${kind}Argument`,
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => valueProblem(value, kind) === null,
        defaultMessage: (args?: ValidationArguments) => valueProblem(args?.value, kind) ?? '',
      },
    });
  };
}

/** A backup, repository or notification target name, or a list of them. */
export const IsNameArgument = (): PropertyDecorator => stringRule('name');
/** A path inside a snapshot or on the host, or a list of them. */
export const IsPathArgument = (): PropertyDecorator => stringRule('path');
/** Any other string: ids, cursors, snapshot references, or a list of them. */
export const IsTextArgument = (): PropertyDecorator => stringRule('text');

/** An optional integer within [min, max]. */
export function IsIntBetween(min: number, max: number): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'intBetween',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) =>
          value === null ||
          value === undefined ||
          (Number.isInteger(value) && (value as number) >= min && (value as number) <= max),
        defaultMessage: () => `must be between ${min} and ${max}`,
      },
    });
  };
}

/** An input object inside arguments: validated with its own rules. */
export function IsNestedArgument(type: () => new () => object): PropertyDecorator {
  const nested = ValidateNested();
  const typed = Type(type);
  return (target: object, propertyName: string | symbol) => {
    nested(target, propertyName);
    typed(target, propertyName);
  };
}
