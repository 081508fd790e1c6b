import type { Writable } from 'node:stream';
import { Clock } from '../common/clock';
import { ProcessRunner } from '../process/process-runner';
import { backup } from './commands/backup';
import { check } from './commands/check';
import { diff } from './commands/diff';
import { dump } from './commands/dump';
import { forget, forgetSnapshots, prune } from './commands/forget';
import { init, repositoryId } from './commands/init';
import { findNode, ls, lsJson, type LsOptions } from './commands/ls';
import { restore } from './commands/restore';
import { snapshots } from './commands/snapshots';
import { stats } from './commands/stats';
import { listLocks, unlock } from './commands/unlock';
import { assertSupportedVersion, version } from './commands/version';
import { ResticRunner } from './restic-runner';
import type { ResticSettings } from './restic-settings';
import type {
  BackupOptions,
  BackupRequest,
  BackupResult,
  DumpRequest,
  ForgetRequest,
  ForgetResult,
  ResticCallOptions,
  ResticDiffChange,
  ResticDiffStatistics,
  ResticLsNode,
  ResticRunOptions,
  ResticRunResult,
  ResticSnapshot,
  ResticStats,
  ResticStatsMode,
  ResticTarget,
  RestoreOptions,
  RestoreRequest,
  RestoreResult,
  SnapshotFilter,
  UnlockOptions,
} from './restic.types';

/**
 * restic, knowing nothing of the app: built from settings (binary, data folder, default limits,
 * read-only, secrets) and a process runner, it takes the repository target of each call as a
 * value. One method per command; each command is a small function in commands/, over the one
 * generic call, ResticRunner.run.
 */
export class Restic {
  protected readonly restic: ResticRunner;

  constructor(
    settings: ResticSettings | (() => ResticSettings),
    processes: ProcessRunner,
    clock: Clock = new Clock(),
  ) {
    const read = typeof settings === 'function' ? settings : () => settings;
    this.restic = new ResticRunner(read, processes, clock);
  }

  /** The restic binary these settings name. */
  get binary(): string {
    return this.restic.binary;
  }

  /** The generic call: `restic [backend args] [limits] ...args`; see ResticRunner.run. */
  run(target: ResticTarget, args: string[], opts: ResticRunOptions = {}): Promise<ResticRunResult> {
    return this.restic.run(target, args, opts);
  }

  version(opts: Pick<ResticCallOptions, 'signal'> = {}): Promise<string> {
    return version(this.restic, opts);
  }

  assertSupportedVersion(): Promise<string> {
    return assertSupportedVersion(this.restic);
  }

  /**
   * Whether a restic repository answers at the target's location. Only a missing repository
   * gives false: a wrong password or an unreachable backend rejects.
   */
  async repositoryExists(target: ResticTarget, opts: ResticCallOptions = {}): Promise<boolean> {
    return (await this.repositoryId(target, opts)) !== null;
  }

  repositoryId(target: ResticTarget, opts: ResticCallOptions = {}): Promise<string | null> {
    return repositoryId(this.restic, target, opts);
  }

  init(target: ResticTarget, opts: ResticCallOptions = {}): Promise<void> {
    return init(this.restic, target, opts);
  }

  backup(
    target: ResticTarget,
    req: BackupRequest,
    opts: BackupOptions = {},
  ): Promise<BackupResult> {
    return backup(this.restic, target, req, opts);
  }

  snapshots(
    target: ResticTarget,
    filter: SnapshotFilter = {},
    opts: ResticCallOptions = {},
  ): Promise<ResticSnapshot[]> {
    return snapshots(this.restic, target, filter, opts);
  }

  forget(
    target: ResticTarget,
    req: ForgetRequest,
    opts: ResticCallOptions = {},
  ): Promise<ForgetResult> {
    return forget(this.restic, target, req, opts);
  }

  forgetSnapshots(
    target: ResticTarget,
    ids: string[],
    opts: ResticCallOptions = {},
  ): Promise<void> {
    return forgetSnapshots(this.restic, target, ids, opts);
  }

  prune(target: ResticTarget, opts: ResticCallOptions = {}): Promise<void> {
    return prune(this.restic, target, opts);
  }

  check(
    target: ResticTarget,
    readDataSubset: string | undefined,
    opts: ResticCallOptions = {},
  ): Promise<void> {
    return check(this.restic, target, readDataSubset, opts);
  }

  unlock(target: ResticTarget, opts: UnlockOptions = {}): Promise<void> {
    return unlock(this.restic, target, opts);
  }

  listLocks(target: ResticTarget, opts: ResticCallOptions = {}): Promise<string[]> {
    return listLocks(this.restic, target, opts);
  }

  ls(
    target: ResticTarget,
    snapshotId: string,
    onNode: (node: ResticLsNode) => void,
    opts: LsOptions = {},
  ): Promise<string> {
    return ls(this.restic, target, snapshotId, onNode, opts);
  }

  lsJson(
    target: ResticTarget,
    snapshotId: string,
    output: Writable,
    opts: ResticCallOptions = {},
  ): Promise<void> {
    return lsJson(this.restic, target, snapshotId, output, opts);
  }

  findNode(
    target: ResticTarget,
    snapshotId: string,
    path: string,
    opts: ResticCallOptions = {},
  ): Promise<{ snapshotId: string; node: ResticLsNode | null }> {
    return findNode(this.restic, target, snapshotId, path, opts);
  }

  diff(
    target: ResticTarget,
    from: string,
    to: string,
    onChange: (change: ResticDiffChange) => void,
    opts: ResticCallOptions = {},
  ): Promise<ResticDiffStatistics> {
    return diff(this.restic, target, from, to, onChange, opts);
  }

  stats(
    target: ResticTarget,
    mode: ResticStatsMode,
    snapshotId?: string,
    opts: ResticCallOptions = {},
  ): Promise<ResticStats> {
    return stats(this.restic, target, mode, snapshotId, opts);
  }

  restore(
    target: ResticTarget,
    req: RestoreRequest,
    opts: RestoreOptions = {},
  ): Promise<RestoreResult> {
    return restore(this.restic, target, req, opts);
  }

  dump(
    target: ResticTarget,
    req: DumpRequest,
    output: Writable,
    opts: ResticCallOptions = {},
  ): Promise<void> {
    return dump(this.restic, target, req, output, opts);
  }
}
