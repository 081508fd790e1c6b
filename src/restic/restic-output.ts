import type { ResticLogLine } from './restic.types';

/** stderr kept for classifying a failure; restic's verdict is always at the end. */
export const STDERR_TAIL_CHARS = 64 * 1024;
const STDERR_TAIL_LINE_CHARS = 4 * 1024;
/** `snapshots --json` prints the whole list on one line. */
export const JSON_DOCUMENT_MAX_CHARS = 512 * 1024 * 1024;
/** a backup over a tree of unreadable files must not hold millions of warnings in memory */
const MAX_WARNINGS = 1000;
export const FULL_ID = /^[0-9a-f]{64}$/;

export class TailBuffer {
  private lines: string[] = [];
  private size = 0;

  constructor(private readonly maxChars: number) {}

  push(line: string): void {
    const kept =
      line.length > STDERR_TAIL_LINE_CHARS ? line.slice(0, STDERR_TAIL_LINE_CHARS) : line;
    this.lines.push(kept);
    this.size += kept.length + 1;
    while (this.size > this.maxChars && this.lines.length > 1) {
      this.size -= this.lines.shift()!.length + 1;
    }
  }

  text(): string {
    return this.lines.join('\n');
  }
}

/** restic writes informational lines on stderr too; only some of them are problems. */
export function stderrLevel(line: string): ResticLogLine['level'] {
  if (/^(Fatal|error)\b|unable to create lock|^\{/i.test(line)) return 'error';
  if (/warning|skipping|could not|cannot|permission denied|failed|ignoring/i.test(line)) {
    return 'warn';
  }
  return 'info';
}

export class WarningList {
  readonly items: string[] = [];
  private readonly seen = new Set<string>();
  private dropped = 0;

  add(text: string): void {
    if (this.seen.has(text)) return;
    if (this.items.length >= MAX_WARNINGS) {
      this.dropped++;
      return;
    }
    this.seen.add(text);
    this.items.push(text);
  }

  list(): string[] {
    return this.dropped > 0 ? [...this.items, `… and ${this.dropped} more warnings`] : this.items;
  }
}
