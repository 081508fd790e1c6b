import { resolve } from 'node:path';
import type { ConfigIssue } from './config-error';
import { type ConfigPath, formatPath } from './config-path';

/**
 * Settings that containers and service managers set from outside the file: a flag wins over its
 * environment variable, which wins over the file. They are written into the parsed file before
 * it is validated, so that they meet exactly the checks (and key paths) the file's values meet.
 */
export interface OverrideSetting {
  /** the command-line option, e.g. `--port` */
  flag: string;
  /** the environment variable, e.g. `HEN_BACKUP_PORT` */
  variable: string;
  path: ConfigPath;
  /** a path given on the command line or in the environment is relative to the working folder */
  isPath?: boolean;
}

export const OVERRIDE_SETTINGS: readonly OverrideSetting[] = [
  { flag: '--host', variable: 'HEN_BACKUP_HOST', path: ['api', 'host'] },
  { flag: '--port', variable: 'HEN_BACKUP_PORT', path: ['api', 'port'] },
  { flag: '--data-dir', variable: 'HEN_BACKUP_DATA_DIR', path: ['dataDir'], isPath: true },
];

export interface ConfigOverride {
  path: ConfigPath;
  value: string | number;
  /** where the value came from, as a person would look for it: `--port` or `HEN_BACKUP_PORT` */
  source: string;
}

/**
 * The overrides in force. `flags` holds the command-line values by flag name (`--port`);
 * an empty environment variable counts as unset, as shells and compose files often leave them.
 */
export function collectOverrides(
  flags: Readonly<Record<string, string | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ConfigOverride[] {
  const overrides: ConfigOverride[] = [];
  for (const setting of OVERRIDE_SETTINGS) {
    const fromFlag = flags[setting.flag];
    const fromEnv = env[setting.variable];
    let raw: string | undefined;
    let source: string;
    if (fromFlag !== undefined) {
      raw = fromFlag;
      source = setting.flag;
    } else if (fromEnv !== undefined && fromEnv.trim() !== '') {
      raw = fromEnv;
      source = setting.variable;
    } else {
      continue;
    }
    const text = raw.trim();
    // A whole number is written as one, as YAML would have read it; anything else stays text
    // and meets the validator's own message ("expected a whole number, got ...").
    const value = setting.isPath && text !== '' ? resolve(cwd, text) : asNumber(text);
    overrides.push({ path: setting.path, value, source });
  }
  return overrides;
}

function asNumber(text: string): string | number {
  return /^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

/**
 * A copy of the parsed file with the overrides written in; mappings on the way are created when
 * missing. Where a value on the way is not a mapping, the file is left as it is there: the
 * validator reports that value, and the override cannot apply anyway.
 */
export function applyOverrides(tree: unknown, overrides: readonly ConfigOverride[]): unknown {
  let result = tree;
  for (const override of overrides) result = setAt(result, override.path, override.value);
  return result;
}

function setAt(node: unknown, path: ConfigPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const base = node === undefined || node === null ? {} : node;
  if (typeof base !== 'object' || Array.isArray(base)) return node;
  const [key, ...rest] = path;
  const copy = { ...(base as Record<string, unknown>) };
  copy[String(key)] = setAt(copy[String(key)], rest, value);
  return copy;
}

/** Issues about an overridden value say where the value came from, besides the key path. */
export function attributeIssues(
  issues: readonly ConfigIssue[],
  overrides: readonly ConfigOverride[],
): ConfigIssue[] {
  const sources = new Map(overrides.map((o) => [formatPath(o.path), o.source]));
  return issues.map((issue) => {
    const source = sources.get(issue.path);
    return source ? { ...issue, message: `${issue.message} (set by ${source})` } : issue;
  });
}
