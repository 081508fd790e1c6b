import type { ConfigPath } from './config-path';
import type { ConfigReader } from './config-reader';
import { BACKENDS } from './provider-env';

const PREFIX = /^([A-Za-z][A-Za-z0-9]*):([\s\S]*)$/;

/**
 * A restic repository location. Local folders (bare or `local:`) are stored as absolute paths
 * without the prefix; other backends are kept as written. Messages never repeat the location
 * beyond its prefix, since URLs may carry credentials.
 */
export function readLocation(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): string | undefined {
  const location = r.string(value, path);
  if (location === undefined) return undefined;
  const match = PREFIX.exec(location);
  if (!match) return r.resolvePath(location);

  const [, backend, target] = match;
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    return r.issue(
      path,
      `"${backend}:" is not a restic backend (accepted: ${BACKENDS.map((b) => `${b}:`).join(' ')}); ` +
        'write ./ in front of a local folder whose name has a colon',
    );
  }
  if (target.trim() === '') return r.issue(path, `nothing follows "${backend}:"`);
  if (backend === 'local') return r.resolvePath(target);
  if (backend === 'rest' && !isHttpUrl(target)) {
    return r.issue(
      path,
      'the rest backend takes an http or https URL, like rest:https://host:8000/',
    );
  }
  return location;
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
