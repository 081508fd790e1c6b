import { Logger } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { outsideRequest } from '../common/outside-request';
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

type ConfigListener = (change: ConfigChange) => void;

/**
 * The configuration in force. A reload replaces it whole, so readers take `current` when they
 * need it (a job takes it once, when it starts, and runs to its end on that one) and services
 * that hold state derived from it (schedules, watchers, tokens) listen for changes.
 */
export class LiveConfig {
  private config: HenConfig;
  private readonly listeners = new Set<ConfigListener>();

  constructor(initial: HenConfig) {
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
    outsideRequest(() => this.notify(change));
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
