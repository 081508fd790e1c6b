import type { ConfigPath } from './config-path';
import type { ConfigReader } from './config-reader';

/** Parts of the HTTP requests and commands that hooks and notification targets both make. */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ENV_NAME = /^[^=\0]+$/;

export function readMethod(r: ConfigReader, value: unknown, path: ConfigPath): string | undefined {
  const text = r.string(value, path);
  if (text === undefined) return undefined;
  return /^[A-Za-z]+$/.test(text)
    ? text.toUpperCase()
    : r.issue(path, `${JSON.stringify(text)} is not an HTTP method`);
}

export const readHeaders = (r: ConfigReader, value: unknown, path: ConfigPath) =>
  readNamedMap(r, value, path, HEADER_NAME, 'header name');

export const readEnv = (r: ConfigReader, value: unknown, path: ConfigPath) =>
  readNamedMap(r, value, path, ENV_NAME, 'variable name');

/** An argument array (never a shell line) whose program is not empty. */
export function readCommand(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): string[] | undefined {
  if (typeof value === 'string') {
    return r.issue(path, 'expected a list like [program, arg, ...]; it runs without a shell');
  }
  const args = r.nonEmptyListOf(r.scalar)(value, path);
  if (!args || (Array.isArray(value) && args.length !== value.length)) return undefined;
  if (args[0].trim() === '') return r.issue([...path, 0], 'the program must not be empty');
  return args;
}

function readNamedMap(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  namePattern: RegExp,
  what: string,
): Record<string, string> | undefined {
  const map = r.scalarMap(value, path);
  if (!map) return undefined;
  for (const name of Object.keys(map)) {
    if (!namePattern.test(name)) r.issue([...path, name], `not a valid ${what}`);
  }
  return map;
}
