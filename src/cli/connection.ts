import { CliError, ExitCode } from './exit-codes';
import { readContexts, type Context } from './contexts';

export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

/** Where one command talks to, and under which name it is shown (`--all`'s host column). */
export interface Target extends Context {
  name: string;
}

export interface ConnectionOptions {
  url?: string;
  token?: string;
  context?: string;
}

/** `http://host:4000` means its `/graphql`; a URL with a path is taken as it is. */
export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`"${url}" is not a URL (e.g. http://127.0.0.1:4000)`, ExitCode.USAGE);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`"${url}" is not an http:// or https:// URL`, ExitCode.USAGE);
  }
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/graphql';
  return parsed.toString();
}

function fromContext(name: string, env: NodeJS.ProcessEnv, token?: string): Target {
  const file = readContexts();
  const context = file.contexts[name];
  if (!context) {
    throw new CliError(`no context named "${name}" (see: henctl context list)`, ExitCode.USAGE);
  }
  return { name, url: normaliseUrl(context.url), token: token ?? context.token };
}

/**
 * `--url` wins, then `--context`, then HEN_BACKUP_URL, then the current context, then the
 * daemon's default address. The token follows the address it belongs to unless `--token` is given.
 */
export function resolveTarget(
  options: ConnectionOptions,
  env: NodeJS.ProcessEnv = process.env,
): Target {
  const envToken = env.HEN_BACKUP_TOKEN || undefined;
  if (options.url) {
    const url = normaliseUrl(options.url);
    return { name: new URL(url).host, url, token: options.token ?? envToken };
  }
  if (options.context) return fromContext(options.context, env, options.token);
  if (env.HEN_BACKUP_URL) {
    const url = normaliseUrl(env.HEN_BACKUP_URL);
    return { name: new URL(url).host, url, token: options.token ?? envToken };
  }
  const current = readContexts().current;
  if (current) return fromContext(current, env, options.token);
  return { name: new URL(DEFAULT_URL).host, url: DEFAULT_URL, token: options.token ?? envToken };
}

/** Every context, for `--all`. */
export function allTargets(): Target[] {
  const file = readContexts();
  const names = Object.keys(file.contexts);
  if (names.length === 0) {
    throw new CliError(
      '--all needs contexts (see: henctl context add NAME --url URL)',
      ExitCode.USAGE,
    );
  }
  return names.map((name) => ({
    name,
    url: normaliseUrl(file.contexts[name].url),
    token: file.contexts[name].token,
  }));
}
