import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigError, type ConfigIssue } from './config-error';
import { CONFIG_LOADER } from './config.constants';
import type { HenConfig } from './config.types';
import { type ConfigChange, LiveConfig } from './live-config';

export type ReloadOutcome =
  { reloaded: true; change: ConfigChange } | { reloaded: false; issues: ConfigIssue[] };

const RESTART_ONLY: { path: string; value: (config: HenConfig) => unknown }[] = [
  { path: 'dataDir', value: (c) => c.dataDir },
  { path: 'api.host', value: (c) => c.api.host },
  { path: 'api.port', value: (c) => c.api.port },
  { path: 'readOnly', value: (c) => c.readOnly },
];

/**
 * Reads the configuration file again (SIGHUP or the reloadConfig mutation). A valid file replaces
 * the one in force, and the services that depend on it follow (see LiveConfig's listeners); a file
 * with errors changes nothing and its errors are logged and returned. Settings the daemon cannot
 * change while running (where it keeps its state, where it listens, read-only) make the file
 * refused too, rather than half applied.
 */
@Injectable()
export class ConfigReloader {
  private readonly logger = new Logger('Config');
  private readonly refusedListeners = new Set<(issues: ConfigIssue[]) => void>();

  constructor(
    private readonly live: LiveConfig,
    @Inject(CONFIG_LOADER) private readonly load: () => HenConfig,
  ) {}

  reload(requestedBy: string): ReloadOutcome {
    const source = this.live.current.source;
    let next: HenConfig;
    try {
      next = this.load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return this.refuse(source, requestedBy, error.issues);
    }
    const fixed = RESTART_ONLY.filter(({ value }) => value(next) !== value(this.live.current));
    if (fixed.length > 0) {
      return this.refuse(
        source,
        requestedBy,
        fixed.map(({ path }) => ({
          path,
          message: 'cannot change while the daemon runs; restart it to apply this change',
        })),
      );
    }
    const change = this.live.replace(next);
    this.logger.log({
      msg: `configuration reloaded from ${source} (${requestedBy}): ${summary(change)}`,
      requestedBy,
      backups: change.backups,
      repositories: change.repositories,
    });
    return { reloaded: true, change };
  }

  /** Told of every file refused (a successful reload is LiveConfig.onChange's news). */
  onRefused(listener: (issues: ConfigIssue[]) => void): () => void {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  private refuse(source: string, requestedBy: string, issues: ConfigIssue[]): ReloadOutcome {
    this.logger.error({
      msg: `configuration not reloaded (${requestedBy}): ${source} has ${issues.length} problem(s); the one in force stays`,
      requestedBy,
      issues,
    });
    for (const listener of this.refusedListeners) listener(issues);
    return { reloaded: false, issues };
  }
}

function summary({ backups, repositories }: ConfigChange): string {
  const part = (what: string, names: { added: string[]; removed: string[]; changed: string[] }) =>
    `${what} +${names.added.length} -${names.removed.length} ~${names.changed.length}`;
  return `${part('backups', backups)}, ${part('repositories', repositories)}`;
}
