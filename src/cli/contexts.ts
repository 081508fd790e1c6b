import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CliError, ExitCode } from './exit-codes';

/** One daemon henctl can talk to. */
export interface Context {
  url: string;
  token?: string;
}

export interface ContextsFile {
  current?: string;
  contexts: Record<string, Context>;
}

/** `$XDG_CONFIG_HOME/hen-backup/contexts.yaml`, else `~/.config/hen-backup/contexts.yaml`. */
export function contextsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'hen-backup', 'contexts.yaml');
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkContextName(name: string): void {
  if (!NAME.test(name)) {
    throw new CliError(
      `context name "${name}" must be letters, digits, dots, dashes or underscores`,
      ExitCode.USAGE,
    );
  }
}

function malformed(path: string, problem: string): CliError {
  return new CliError(`contexts file ${path}: ${problem}`, ExitCode.USAGE);
}

/** Reads the contexts file; a missing file is an empty one, a malformed one an input error. */
export function readContexts(path = contextsPath()): ContextsFile {
  if (!existsSync(path)) return { contexts: {} };
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    throw malformed(path, `not valid YAML: ${first}`);
  }
  if (raw === null || raw === undefined) return { contexts: {} };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw malformed(path, 'expected a mapping');
  const { current, contexts, ...rest } = raw as Record<string, unknown>;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) throw malformed(path, `${unknownKey}: unknown key`);
  if (current !== undefined && typeof current !== 'string') {
    throw malformed(path, 'current: expected a context name');
  }
  if (contexts !== undefined && (typeof contexts !== 'object' || Array.isArray(contexts))) {
    throw malformed(path, 'contexts: expected a mapping of names to { url, token }');
  }
  const result: ContextsFile = { current, contexts: {} };
  for (const [name, value] of Object.entries((contexts ?? {}) as Record<string, unknown>)) {
    const entry = value as Record<string, unknown> | null;
    if (!entry || typeof entry !== 'object' || typeof entry.url !== 'string') {
      throw malformed(path, `contexts.${name}.url: expected the daemon's URL`);
    }
    if (entry.token !== undefined && typeof entry.token !== 'string') {
      throw malformed(path, `contexts.${name}.token: expected a string`);
    }
    result.contexts[name] = { url: entry.url, token: entry.token };
  }
  if (current !== undefined && !result.contexts[current]) {
    throw malformed(path, `current: no context named "${current}"`);
  }
  return result;
}

/** Writes the file readable by its owner only (it holds tokens), replacing it in one step. */
export function writeContexts(file: ContextsFile, path = contextsPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, stringify(file), { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
