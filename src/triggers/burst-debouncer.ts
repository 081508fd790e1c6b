import type { Clock } from '../common/clock';

export interface BurstWait {
  /** quiet time after the last change before the burst counts as over */
  minMs: number;
  /** longest time after the first change of a burst before it is closed anyway */
  maxMs: number;
}

export interface Burst {
  /** how many change notifications the burst gathered (one file write may give several) */
  changes: number;
  /** a few of the changed paths, to tell in logs what set the backup off */
  samplePaths: string[];
  startedAt: number;
  endedAt: number;
  /** `settled`: quiet for minMs; `max`: cut at maxMs under a steady stream of changes */
  reason: 'settled' | 'max';
}

const SAMPLE_SIZE = 3;

/**
 * Turns a stream of change notifications into one call per burst: when changes have stopped for
 * `minMs`, or `maxMs` after the burst's first change at the latest. The next change after that
 * starts a new burst. Pure timing logic over the Clock, so it is tested with FakeClock.
 */
export class BurstDebouncer {
  private changes = 0;
  private samplePaths: string[] = [];
  private startedAt = 0;
  private lastChangeAt = 0;
  private cancelQuiet: (() => void) | null = null;
  private cancelMax: (() => void) | null = null;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly wait: BurstWait,
    private readonly onBurst: (burst: Burst) => void,
    /** names its timers in the scheduler registry, e.g. `watch pictures` */
    private readonly name?: string,
  ) {}

  /** True between the first change of a burst and its end. */
  get active(): boolean {
    return this.changes > 0;
  }

  change(path?: string): void {
    // watchers may still deliver a few events while they close
    if (this.disposed) return;
    const now = this.clock.now();
    if (this.changes === 0) {
      this.startedAt = now;
      // not restarted by later changes: it caps the burst
      this.cancelMax = this.clock.setTimeout(
        () => this.end('max'),
        this.wait.maxMs,
        this.name && `${this.name} max wait`,
      );
    }
    this.changes += 1;
    this.lastChangeAt = now;
    if (path !== undefined && this.samplePaths.length < SAMPLE_SIZE) this.samplePaths.push(path);
    // One quiet timer per burst rather than one per change: a burst of 100k notifications would
    // otherwise create and cancel 100k timers. It re-arms itself for the remaining quiet time.
    if (!this.cancelQuiet) this.armQuietTimer(this.wait.minMs);
  }

  /** Forgets the current burst without reporting it, and ignores any later change. */
  dispose(): void {
    this.disposed = true;
    this.reset();
  }

  private armQuietTimer(ms: number): void {
    this.cancelQuiet = this.clock.setTimeout(
      () => {
        this.cancelQuiet = null;
        const quietFor = this.clock.now() - this.lastChangeAt;
        if (quietFor >= this.wait.minMs) this.end('settled');
        else this.armQuietTimer(this.wait.minMs - quietFor);
      },
      ms,
      this.name && `${this.name} settling`,
    );
  }

  private end(reason: Burst['reason']): void {
    const burst: Burst = {
      changes: this.changes,
      samplePaths: this.samplePaths,
      startedAt: this.startedAt,
      endedAt: this.clock.now(),
      reason,
    };
    this.reset();
    this.onBurst(burst);
  }

  private reset(): void {
    this.cancelQuiet?.();
    this.cancelMax?.();
    this.cancelQuiet = null;
    this.cancelMax = null;
    this.changes = 0;
    this.samplePaths = [];
  }
}
