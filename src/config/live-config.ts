import { Logger } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import type { HenConfig } from './config.types';

/** What a reload changed, by name; "changed" means the definition differs in any setting. */
export interface NamedChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface ConfigChange {
  previous: HenConfig;
  current: HenConfig;
  backups: NamedChanges;
  repositories: NamedChanges;
}

/**
 * Repositories a reload kept under the same name but pointed at other storage (location,
 * credentials, login, mount rule): to be opened again, as if new.
 */
export function movedRepositories({ previous, current, repositories }: ConfigChange): string[] {
  return repositories.changed.filter((name) => {
    const [before, after] = [previous.repositories[name], current.repositories[name]];
    return (
      before.location !== after.location ||
      before.password !== after.password ||
      before.requireMount !== after.requireMount ||
      JSON.stringify(before.locationParams) !== JSON.stringify(after.locationParams)
    );
  });
}

type ConfigListener = (change: ConfigChange) => void;

/** How listeners are called: the application runs them outside the request that reloaded. */
export type ListenerScope = (notify: () => void) => void;

/**
 * The configuration in force. A reload replaces it whole, so readers take `current` when they
 * need it (a job takes it once, when it starts, and runs to its end on that one) and services
 * that hold state derived from it (schedules, watchers, tokens) listen for changes.
 */
export class LiveConfig {
  private config: HenConfig;
  private readonly listeners = new Set<ConfigListener>();

  constructor(
    initial: HenConfig,
    private readonly listenerScope: ListenerScope = (notify) => notify(),
  ) {
    this.config = initial;
  }

  get current(): HenConfig {
    return this.config;
  }

  /** Makes `next` current and tells every listener, in the order they subscribed. */
  replace(next: HenConfig): ConfigChange {
    const change: ConfigChange = {
      previous: this.config,
      current: next,
      backups: diffNamed(this.config.backups, next.backups),
      repositories: diffNamed(this.config.repositories, next.repositories),
    };
    this.config = next;
    // Listeners start schedules and watchers: background work, whoever asked for the reload.
    this.listenerScope(() => this.notify(change));
    return change;
  }

  private notify(change: ConfigChange): void {
    for (const listener of this.listeners) {
      // One service failing to follow must not keep the others on the old configuration.
      try {
        listener(change);
      } catch (error) {
        new Logger('Config').error({
          msg: `a service could not apply the reloaded configuration: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
  }

  onChange(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function diffNamed(before: Record<string, unknown>, after: Record<string, unknown>): NamedChanges {
  const added = Object.keys(after).filter((name) => !(name in before));
  const removed = Object.keys(before).filter((name) => !(name in after));
  const changed = Object.keys(after).filter(
    (name) => name in before && !isDeepStrictEqual(before[name], after[name]),
  );
  return { added, removed, changed };
}
