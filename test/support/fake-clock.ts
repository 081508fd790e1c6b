import { Clock } from '../../src/common/clock';

/** A clock for unit tests: time moves only when the test says so. */
export class FakeClock extends Clock {
  private time: number;
  private timers: { at: number; every?: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    super();
    this.time = start;
  }

  override now(): number {
    return this.time;
  }

  override setTimeout(fn: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return () => this.clear(id);
  }

  override setInterval(fn: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, every: ms, fn, id });
    return () => this.clear(id);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      if (due.every) due.at += due.every;
      else this.clear(due.id);
      due.fn();
    }
    this.time = target;
  }

  get pending(): number {
    return this.timers.length;
  }

  private clear(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }
}
