/** Building restic's arguments and environment; pure, so the rules are easy to test. */
import type { Limits } from '../config/config.types';

/**
 * Variables restic may inherit from the daemon: locale, certificates, proxies and the ssh agent.
 * Everything else (the daemon's own secrets included) stays out of restic's environment.
 */
export const PASS_THROUGH_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSH_AUTH_SOCK',
] as const;

export function passThroughEnv(source: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASS_THROUGH_ENV) {
    const value = source[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** restic takes whole KiB/s; rounding down keeps the limit a limit, and 0 would mean none. */
export function toKibPerSecond(bytesPerSecond: number): number {
  return Math.max(1, Math.floor(bytesPerSecond / 1024));
}

export function limitFlags(limits: Limits | undefined): string[] {
  const flags: string[] = [];
  if (limits?.upload !== undefined && limits.upload > 0) {
    flags.push('--limit-upload', String(toKibPerSecond(limits.upload)));
  }
  if (limits?.download !== undefined && limits.download > 0) {
    flags.push('--limit-download', String(toKibPerSecond(limits.download)));
  }
  return flags;
}
