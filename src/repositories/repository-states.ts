import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { describeFailure } from '../jobs/job-failure';

export const REPOSITORY_STATES = [
  'unknown',
  'ready',
  'unreachable',
  'missing',
  'locked',
  'wrong-password',
  'failed',
] as const;
export type RepositoryStateName = (typeof REPOSITORY_STATES)[number];

export interface RepositoryState {
  state: RepositoryStateName;
  /** when the state last changed */
  since: string;
  /** the last failure, kept after the repository is ready again */
  lastError: { code: string; message: string; at: string } | null;
  /** restic's id of the repository, once opened */
  resticId: string | null;
  /** the next automatic try to open it, while it is not ready */
  nextTryAt: string | null;
}

const STATE_OF_CODE: Record<string, RepositoryStateName> = {
  BACKEND_UNREACHABLE: 'unreachable',
  REPOSITORY_NOT_FOUND: 'missing',
  REPOSITORY_MISSING: 'missing',
  REPOSITORY_LOCKED: 'locked',
  WRONG_PASSWORD: 'wrong-password',
};

/** Which state a failure puts a repository in; null for failures that say nothing about it. */
export function stateOfFailure(code: string): RepositoryStateName | null {
  if (code === 'CANCELED' || code === 'PATH_NOT_FOUND' || code === 'DISK_FULL') return null;
  return STATE_OF_CODE[code] ?? 'failed';
}

/** What the daemon last learned about each repository; in memory, rebuilt at each start. */
@Injectable()
export class RepositoryStates {
  private readonly states = new Map<string, RepositoryState>();

  constructor(private readonly clock: Clock) {}

  get(name: string): RepositoryState {
    return (
      this.states.get(name) ?? {
        state: 'unknown',
        since: this.now(),
        lastError: null,
        resticId: null,
        nextTryAt: null,
      }
    );
  }

  isReady(name: string): boolean {
    return this.states.get(name)?.state === 'ready';
  }

  ready(name: string, resticId: string): void {
    const previous = this.get(name);
    this.states.set(name, {
      ...previous,
      state: 'ready',
      since: previous.state === 'ready' ? previous.since : this.now(),
      resticId,
      nextTryAt: null,
    });
  }

  /** Records a failure; returns the new state, or null when the failure changed nothing. */
  failed(name: string, error: unknown): RepositoryStateName | null {
    const { code, message } = describeFailure(error);
    const state = stateOfFailure(code);
    if (!state) return null;
    const previous = this.get(name);
    const now = this.now();
    this.states.set(name, {
      ...previous,
      state,
      since: previous.state === state ? previous.since : now,
      lastError: { code, message, at: now },
    });
    return state;
  }

  retryAt(name: string, at: string | null): void {
    const current = this.states.get(name);
    if (current) this.states.set(name, { ...current, nextTryAt: at });
  }

  /** Forgets what was known (a reload moved the repository, or removed it). */
  reset(name: string): void {
    this.states.delete(name);
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
