import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { ApiRole, ApiToken, HenConfig } from './config.types';
import type { ConfigPath } from './config-path';
import { type ConfigReader, given } from './config-reader';
import { readSecretFile } from './read-secret-file';
import {
  API_ROLES,
  API_TOKEN_SCHEMA,
  CONFIG_SCHEMA,
  keysOf,
  MIN_TOKEN_LENGTH,
} from './config-schema';

export const API_DEFAULTS = { host: '127.0.0.1', port: 4000 };

const ROLES: readonly ApiRole[] = API_ROLES;
const TOKEN_SOURCES = ['token', 'tokenFile', 'sha256'] as const;

export interface ApiSettings {
  api: HenConfig['api'];
  /** plain tokens as read, for the secrets list; only their hashes are kept in the config */
  plainTokens: string[];
}

export function readApi(r: ConfigReader, value: unknown, path: ConfigPath): ApiSettings {
  const plainTokens: string[] = [];
  const map = given(value) ? r.mapping(value, path, keysOf(CONFIG_SCHEMA.shape.api)) : {};
  if (!map) return { api: { ...API_DEFAULTS, tokens: [], openIntrospection: false }, plainTokens };
  const host = r.optional(map, 'host', path, r.string, API_DEFAULTS.host);
  const port = r.optional(map, 'port', path, r.integer(1, 65535), API_DEFAULTS.port);
  const tokens = r.optional(map, 'tokens', path, (v, p) => readTokens(r, v, p, plainTokens), []);
  // The schema is no secret (schema.gql is public), but who may read it is the operator's call.
  const openIntrospection = r.optional(map, 'openIntrospection', path, r.boolean, false);

  const tokensGiven = Array.isArray(map.tokens) && map.tokens.length > 0;
  if (!tokensGiven && !isLoopback(host)) {
    r.issue(
      [...path, 'host'],
      `${JSON.stringify(host)} is not a loopback address: without api.tokens anyone who can reach ` +
        'it could run and restore backups; add tokens or listen on 127.0.0.1',
    );
  }
  return { api: { host, port, tokens, openIntrospection }, plainTokens };
}

/** Duplicated names would make audit logs ambiguous, duplicated tokens the role ambiguous. */
function readTokens(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  plainTokens: string[],
): ApiToken[] | undefined {
  const items = r.list(value, path);
  if (!items) return undefined;
  const tokens: ApiToken[] = [];
  const indexes: number[] = [];
  items.forEach((item, index) => {
    const token = readToken(r, item, [...path, index], plainTokens);
    if (!token) return;
    const sameName = tokens.findIndex((other) => other.name === token.name);
    if (sameName >= 0) {
      r.issue(
        [...path, index, 'name'],
        `"${token.name}" is already used by tokens[${indexes[sameName]}]`,
      );
    }
    const sameToken = tokens.findIndex((other) => other.sha256 === token.sha256);
    if (sameToken >= 0) r.issue([...path, index], `same token as tokens[${indexes[sameToken]}]`);
    tokens.push(token);
    indexes.push(index);
  });
  return tokens;
}

function readToken(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  plainTokens: string[],
): ApiToken | undefined {
  const map = r.mapping(value, path, keysOf(API_TOKEN_SCHEMA));
  if (!map) return undefined;
  const name = r.required(map, 'name', path, r.string);
  const role = r.required(map, 'role', path, r.oneOf(ROLES));
  const sources = TOKEN_SOURCES.filter((key) => given(map[key]));
  if (sources.length !== 1) {
    return r.issue(
      path,
      sources.length === 0
        ? 'needs one of token, tokenFile or sha256'
        : `give only one of token, tokenFile or sha256 (found ${sources.join(', ')})`,
    );
  }
  const source = sources[0];
  const sourcePath = [...path, source];
  let sha256: string | undefined;
  if (source === 'sha256') {
    const text = r.string(map.sha256, sourcePath);
    if (text !== undefined && /^[0-9a-f]{64}$/i.test(text.trim()))
      sha256 = text.trim().toLowerCase();
    else if (text !== undefined) r.issue(sourcePath, 'expected 64 hexadecimal digits');
  } else {
    const token =
      source === 'token'
        ? readPlainToken(r, map.token, sourcePath)
        : readTokenFile(r, map.tokenFile, sourcePath);
    if (token !== undefined) {
      plainTokens.push(token);
      sha256 = createHash('sha256').update(token, 'utf8').digest('hex');
    }
  }
  if (name === undefined || role === undefined || sha256 === undefined) return undefined;
  return { name, role, sha256 };
}

function readPlainToken(r: ConfigReader, value: unknown, path: ConfigPath): string | undefined {
  const token = r.string(value, path);
  if (token === undefined) return undefined;
  if (token.length < MIN_TOKEN_LENGTH) {
    return r.issue(path, `is shorter than ${MIN_TOKEN_LENGTH} characters; use a long random token`);
  }
  return token;
}

function readTokenFile(r: ConfigReader, value: unknown, path: ConfigPath): string | undefined {
  const file = r.absolutePath(value, path);
  if (file === undefined) return undefined;
  const read = readSecretFile(file);
  if ('error' in read) return r.issue(path, read.error);
  if (read.value.length < MIN_TOKEN_LENGTH) {
    return r.issue(path, `the token in ${file} is shorter than ${MIN_TOKEN_LENGTH} characters`);
  }
  return read.value;
}

/** 127.0.0.0/8, ::1 and localhost: the addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const name = host.trim().toLowerCase();
  if (name === 'localhost') return true;
  if (isIPv4(name)) return name.startsWith('127.');
  try {
    return new URL(`http://[${name.replace(/^\[|\]$/g, '')}]/`).hostname === '[::1]';
  } catch {
    return false;
  }
}
