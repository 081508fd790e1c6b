import { readCommand, readEnv, readHeaders, readMethod } from './read-request-parts';
import type {
  CommandHook,
  HookConfig,
  HookFailurePolicy,
  HookWhen,
  HttpHook,
} from './config.types';
import type { ConfigPath } from './config-path';
import { type ConfigReader, given, isMapping, type Mapping } from './config-reader';
import { isHttpUrl } from './read-location';
import { typeName } from './value-type';
import {
  AFTER_HOOK_SCHEMAS,
  BACKUP_SCHEMA,
  HOOK_FAILURE_POLICIES,
  HOOK_WHEN,
  keysOf,
} from './config-schema';

export type HookStage = 'before' | 'after';

const MINUTE = 60_000;
// Before hooks take the same keys: the reader explains why `when` is only for after hooks.
const HOOK_KEYS = {
  http: keysOf(AFTER_HOOK_SCHEMAS.http),
  command: keysOf(AFTER_HOOK_SCHEMAS.command),
};
const FAILURE_POLICIES = HOOK_FAILURE_POLICIES;
const WHEN = HOOK_WHEN satisfies readonly HookWhen[];

export function readHooks(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
): { before: HookConfig[]; after: HookConfig[] } | undefined {
  const map = r.mapping(value, path, keysOf(BACKUP_SCHEMA.shape.hooks));
  if (!map) return undefined;
  return {
    before: r.optional(map, 'before', path, r.listOf(readHook(r, 'before')), []),
    after: r.optional(map, 'after', path, r.listOf(readHook(r, 'after')), []),
  };
}

function readHook(r: ConfigReader, stage: HookStage) {
  return (value: unknown, path: ConfigPath): HookConfig | undefined => {
    if (!isMapping(value)) return r.issue(path, `expected a mapping, got ${typeName(value)}`);
    if (!given(value.type)) return r.issue([...path, 'type'], 'is required (http or command)');
    if (value.type !== 'http' && value.type !== 'command') {
      const shown =
        typeof value.type === 'string' ? JSON.stringify(value.type) : typeName(value.type);
      return r.issue([...path, 'type'], `${shown} is not a hook type (http or command)`);
    }
    // Keys of the other type are unknown here: mixing both is a likely mistake.
    const http = value.type === 'http';
    r.mapping(value, path, HOOK_KEYS[value.type]);
    return http ? readHttpHook(r, value, path, stage) : readCommandHook(r, value, path, stage);
  };
}

/**
 * Before hooks break the backup when they fail, since they usually prepare what is backed up;
 * after hooks only report. `stop` reads naturally for `break`, so both are accepted.
 */
function readCommon(r: ConfigReader, map: Mapping, path: ConfigPath, stage: HookStage) {
  const policy = r.optional(map, 'onFailure', path, r.oneOf(FAILURE_POLICIES), undefined);
  const onFailure: HookFailurePolicy =
    policy === undefined
      ? stage === 'before'
        ? 'break'
        : 'continue'
      : policy === 'stop'
        ? 'break'
        : policy;
  let when: HookWhen = 'always';
  if (stage === 'before' && given(map.when)) {
    r.issue([...path, 'when'], 'only after hooks take "when"; before hooks always run');
  } else {
    when = r.optional(map, 'when', path, r.oneOf(WHEN), 'always');
  }
  return { onFailure, when };
}

function readHttpHook(
  r: ConfigReader,
  map: Mapping,
  path: ConfigPath,
  stage: HookStage,
): HttpHook | undefined {
  const common = readCommon(r, map, path, stage);
  const url = r.required(map, 'url', path, (v, p) => {
    const text = r.string(v, p);
    if (text === undefined) return undefined;
    return isHttpUrl(text) ? text : r.issue(p, 'expected an http or https URL');
  });
  const hook: HttpHook = {
    type: 'http',
    url: url ?? '',
    method: r.optional(map, 'method', path, (v, p) => readMethod(r, v, p), 'POST'),
    headers: r.optional(map, 'headers', path, (v, p) => readHeaders(r, v, p), {}),
    retries: r.optional(map, 'retries', path, r.integer(0, 10), 0),
    expectedStatus: r.optional(map, 'expectedStatus', path, (v, p) => readStatuses(r, v, p), []),
    timeoutMs: r.optional(map, 'timeout', path, r.duration(1_000), MINUTE),
    ...common,
  };
  const body = r.optional(
    map,
    'body',
    path,
    (v, p) => (typeof v === 'string' ? v : r.string(v, p)),
    undefined,
  );
  if (body !== undefined) hook.body = body;
  return url === undefined ? undefined : hook;
}

function readCommandHook(
  r: ConfigReader,
  map: Mapping,
  path: ConfigPath,
  stage: HookStage,
): CommandHook | undefined {
  const common = readCommon(r, map, path, stage);
  const command = r.required(map, 'command', path, (v, p) => readCommand(r, v, p));
  const hook: CommandHook = {
    type: 'command',
    command: command ?? [],
    env: r.optional(map, 'env', path, (v, p) => readEnv(r, v, p), {}),
    timeoutMs: r.optional(map, 'timeout', path, r.duration(1_000), 5 * MINUTE),
    ...common,
  };
  const cwd = r.optional(map, 'cwd', path, r.absolutePath, undefined);
  if (cwd !== undefined) hook.cwd = cwd;
  return command === undefined ? undefined : hook;
}

/** An argument vector (never a shell line): the program must be named, arguments may be empty. */

function readStatuses(r: ConfigReader, value: unknown, path: ConfigPath): number[] | undefined {
  const status = r.integer(100, 599);
  if (!Array.isArray(value)) {
    const one = status(value, path);
    return one === undefined ? undefined : [one];
  }
  return r.listOf(status)(value, path);
}
