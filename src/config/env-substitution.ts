import { isAbsolute, resolve } from 'node:path';
import { type ConfigPath, formatPath } from './config-path';
import { readSecretFile } from './read-secret-file';

export interface SubstitutionIssue {
  path: ConfigPath;
  message: string;
}

export interface SubstitutionResult {
  value: unknown;
  issues: SubstitutionIssue[];
  /** by formatted path, every string that received a substitution: as written, and as it became */
  templates: Map<string, { template: string; value: string }>;
  /** every value taken from the environment or a `*_FILE`, to keep out of error messages */
  injected: string[];
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// `$${` first so that it wins over the `${` it contains.
const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;

/**
 * Replaces `${VAR}` in the string values of an already parsed document. Working on values rather
 * than on the file's text means a variable cannot inject YAML structure, whatever it holds. Keys
 * are left alone: they are names, not settings.
 */
export function substituteEnv(tree: unknown, env: NodeJS.ProcessEnv): SubstitutionResult {
  const result: SubstitutionResult = {
    value: undefined,
    issues: [],
    templates: new Map(),
    injected: [],
  };
  result.value = walk(tree, [], env, result);
  return result;
}

function walk(
  value: unknown,
  path: ConfigPath,
  env: NodeJS.ProcessEnv,
  result: SubstitutionResult,
): unknown {
  if (typeof value === 'string') return substituteString(value, path, env, result);
  if (Array.isArray(value))
    return value.map((item, index) => walk(item, [...path, index], env, result));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = walk(item, [...path, key], env, result);
    return out;
  }
  return value;
}

function substituteString(
  text: string,
  path: ConfigPath,
  env: NodeJS.ProcessEnv,
  result: SubstitutionResult,
): string {
  if (!text.includes('${')) return text;
  let substituted = false;
  const out = text.replace(REFERENCE, (match: string, name: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined || !VARIABLE_NAME.test(name)) {
      result.issues.push({
        path,
        message:
          'malformed ${...} reference: write ${NAME} for a variable, or $${ for a literal ${',
      });
      return match;
    }
    const value = lookup(name, path, env, result);
    substituted = true;
    if (value !== undefined) result.injected.push(value);
    return value ?? '';
  });
  if (substituted) result.templates.set(formatPath(path), { template: text, value: out });
  return out;
}

/** `VAR`, or else the content of the file named by `VAR_FILE` (the Docker secrets convention). */
function lookup(
  name: string,
  path: ConfigPath,
  env: NodeJS.ProcessEnv,
  result: SubstitutionResult,
): string | undefined {
  const direct = env[name];
  if (direct !== undefined) return direct;
  const file = env[`${name}_FILE`];
  if (file === undefined) {
    result.issues.push({
      path,
      message: `environment variable ${name} is not set (nor ${name}_FILE)`,
    });
    return undefined;
  }
  const read = readSecretFile(isAbsolute(file) ? file : resolve(file));
  if ('error' in read) {
    result.issues.push({ path, message: `environment variable ${name}_FILE: ${read.error}` });
    return undefined;
  }
  return read.value;
}
