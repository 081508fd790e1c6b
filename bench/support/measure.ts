/**
 * Small measuring helpers for the benchmarks (Linux: reads /proc).
 *
 * API (stable, other benchmarks use it):
 * - `median(xs)`, `percentile(xs, p)` (p in 0..100, nearest rank), `mean(xs)`: of a number array
 *   (not modified); NaN when empty.
 * - `rssBytes(pid)`: resident set size of a process (VmRSS of /proc/<pid>/status), in bytes.
 * - `cpuSeconds(pid, { children? })`: CPU time the process used so far (utime + stime of
 *   /proc/<pid>/stat; with `children: true` plus cutime + cstime of its waited-for children), s.
 * - `sinceSeconds(start)`: seconds elapsed since `start = process.hrtime.bigint()`.
 * - `sleep(ms)`, `mb(bytes)` (bytes → MB as a string with one decimal, 1 MB = 2^20 bytes).
 * - `note(text)`: a progress line on stderr when `HEN_BENCH_VERBOSE` is set, else nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  if (p === 50 && sorted.length % 2 === 0) {
    const mid = sorted.length / 2;
    return (sorted[mid - 1] + sorted[mid]) / 2;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function mean(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export function cpuSeconds(pid: number, options: { children?: boolean } = {}): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces; fields after its closing parenthesis start at 3
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  let ticks = field(14) + field(15);
  if (options.children) ticks += field(16) + field(17);
  return ticks / ticksPerSecond();
}

export function sinceSeconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

export function note(text: string): void {
  if (process.env.HEN_BENCH_VERBOSE)
    process.stderr.write(`[${new Date().toISOString()}] ${text}\n`);
}
