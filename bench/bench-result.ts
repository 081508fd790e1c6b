/** One benchmark's outcome, as BENCHMARKS.md shows it. */
export interface BenchResult {
  name: string;
  figure: string;
  goal: string;
  holds: boolean;
}
