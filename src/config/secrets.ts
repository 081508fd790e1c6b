import type { HenConfig } from './config.types';
import type { NotificationsConfig } from './notifications.types';

/** Shorter values would mask innocent text everywhere and hide little. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Which parameter, header or environment variable names hold a secret. The rule: the name mentions
 * a secret (secret, password, pass, key, token, credential, auth, sas), unless it names where a
 * secret or service lives rather than the secret itself: a file, path, URL, endpoint, name, region,
 * type, version or domain (`authUrl`, `keyFile`, `sharedCredentialsFile`, `applicationCredentialName`).
 * Two restic parameters are paths despite their names: swift's `stAuth` (ST_AUTH, the v1 auth URL)
 * and gs's `applicationCredentials` (GOOGLE_APPLICATION_CREDENTIALS, a file). `accessKeyId` counts
 * as a secret: it is half a credential, and masking it costs nothing.
 */
const SECRET_NAME = /secret|password|pass|key|token|credential|auth|sas|cookie/i;
const NOT_SECRET_NAME =
  /(file|path|url|uri|endpoint|suffix|name|region|type|version|domain|program|args)$/i;
const PATHS_WITH_SECRET_NAMES = new Set(['stAuth', 'applicationCredentials']);

export function isSecretName(name: string): boolean {
  if (PATHS_WITH_SECRET_NAMES.has(name)) return false;
  return SECRET_NAME.test(name) && !NOT_SECRET_NAME.test(name);
}

/**
 * Every secret a loaded config holds, for the scrubber: repository passwords, plain API tokens,
 * credential-like location parameters, hook headers and hook environment variables, and the
 * password part of any URL (locations and HTTP hooks), raw and percent-decoded.
 */
export function collectSecrets(
  config: Omit<HenConfig, 'secrets'>,
  plainTokens: string[],
): string[] {
  const found: string[] = [...plainTokens];
  for (const repository of Object.values(config.repositories)) {
    found.push(repository.password);
    found.push(...urlCredentials(repository.location));
    for (const [key, value] of Object.entries(repository.locationParams)) {
      // REST credentials are written percent-encoded into the URL restic gets
      if (isSecretName(key)) found.push(value, encodeURIComponent(value));
      found.push(...urlCredentials(value));
    }
  }
  for (const backup of Object.values(config.backups)) {
    for (const hook of [...backup.hooks.before, ...backup.hooks.after]) {
      if (hook.type === 'http') {
        found.push(...urlCredentials(hook.url));
        for (const [name, value] of Object.entries(hook.headers)) {
          if (isSecretName(name)) found.push(value, ...authorizationCredentials(value));
        }
      } else {
        for (const [name, value] of Object.entries(hook.env)) {
          if (isSecretName(name)) found.push(value);
        }
      }
    }
  }
  found.push(...notificationSecrets(config.notifications));
  return [...new Set(found)].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

/**
 * A notification target's address is itself the credential for most services (a Slack or
 * Discord webhook, a healthchecks ping URL, an Uptime Kuma push token, an ntfy topic anyone could
 * post to), so whole URLs are secrets, as are tokens, SMTP passwords, secret-named headers and
 * environment variables.
 */
function notificationSecrets(notifications: NotificationsConfig): string[] {
  const found: string[] = [];
  for (const target of Object.values(notifications.targets)) {
    switch (target.type) {
      case 'webhook':
        found.push(target.url, ...urlCredentials(target.url), ...urlPathSecrets(target.url));
        for (const [name, value] of Object.entries(target.headers)) {
          if (isSecretName(name)) found.push(value, ...authorizationCredentials(value));
        }
        break;
      case 'ntfy':
      case 'gotify':
        found.push(target.url, ...urlCredentials(target.url), ...urlPathSecrets(target.url));
        if (target.token) found.push(target.token);
        break;
      case 'healthchecks':
      case 'uptime-kuma':
        found.push(target.url, ...urlCredentials(target.url), ...urlPathSecrets(target.url));
        break;
      case 'email':
        if (target.password) found.push(target.password);
        break;
      case 'command':
        for (const [name, value] of Object.entries(target.env)) {
          if (isSecretName(name)) found.push(value);
        }
        break;
    }
  }
  return found;
}

/**
 * Parts of a URL's path and query that look generated (at least 8 characters with a digit): where
 * webhook services put their key (`/services/T0/B0/XXXX`, `/api/push/TOKEN`, `/<uuid>`). Plain
 * words stay readable, since a topic like `/backups` would otherwise mask every path that has it.
 */
function urlPathSecrets(text: string): string[] {
  const literal = text.split('{{')[0];
  const afterHost = literal.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  return afterHost.split(/[/?&=#]/).filter((part) => part.length >= 8 && /\d/.test(part));
}

const URL_USERINFO = /[a-z][a-z0-9+.-]*:\/\/([^/?#@\s]*)@/gi;

/** `user:password` and `password` from `scheme://user:password@host`, anywhere in the text. */
export function urlCredentials(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(URL_USERINFO)) {
    const userinfo = match[1];
    const colon = userinfo.indexOf(':');
    if (colon < 0) continue;
    const password = userinfo.slice(colon + 1);
    out.push(userinfo, password);
    try {
      out.push(decodeURIComponent(password));
    } catch {
      // Not percent-encoded after all; the raw form is already listed.
    }
  }
  return out;
}

/** The credentials of `Bearer xyz` / `Basic xyz`, which also appear without their scheme. */
function authorizationCredentials(value: string): string[] {
  const match = /^\s*[A-Za-z]+\s+(\S+)\s*$/.exec(value);
  return match ? [match[1]] : [];
}
