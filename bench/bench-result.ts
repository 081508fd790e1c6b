/** One figure's outcome, as BENCHMARKS.md shows it. */
export interface BenchResult {
  name: string;
  figure: string;
  goal: string;
  holds: boolean;
}

/**
 * A benchmark file (`bench/*.bench.ts`) exports one of these as `benchmark`; run.ts finds them,
 * runs them in `order`, and writes every result to BENCHMARKS.md.
 */
export interface Benchmark {
  order: number;
  /** short id for `npm run bench -- <id>` */
  id: string;
  /** what was measured and on which dataset, one paragraph for BENCHMARKS.md */
  describe: string;
  run(): Promise<BenchResult[]>;
}
