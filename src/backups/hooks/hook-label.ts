import type { HookConfig } from '../../config/config.types';
import { SECRET_MASK } from '../../common/secret-scrubber';
import type { HookStage } from './hook.types';

/**
 * The name of a hook's step, also used in warnings and errors: `before[0] http POST
 * http://host/dump`, `after[1] command notify-send`. Step names are not scrubbed on their way to
 * the API, so nothing secret may enter them: URL credentials are masked, the query string (where
 * tokens often travel) is left out, and of a command only the program is named.
 */
export function hookLabel(stage: HookStage, index: number, hook: HookConfig): string {
  const what =
    hook.type === 'http'
      ? `http ${hook.method} ${displayUrl(hook.url)}`
      : `command ${hook.command[0]}`;
  return `${stage}[${index}] ${what}`;
}

/** `http://user:***@host/path?…`; a lone user name is masked too, since it is often a token. */
export function displayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The config only holds valid URLs; mask anything between // and @ all the same.
    return url.replace(/\/\/[^/@\s]*@/, `//${SECRET_MASK}@`).replace(/[?#].*$/, '');
  }
  const credentials = parsed.password
    ? `${parsed.username}:${SECRET_MASK}@`
    : parsed.username
      ? `${SECRET_MASK}@`
      : '';
  const query = parsed.search ? '?…' : '';
  return `${parsed.protocol}//${credentials}${parsed.host}${parsed.pathname}${query}`;
}
