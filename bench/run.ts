import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { Benchmark, BenchResult } from './bench-result';

/**
 * Runs every `bench/*.bench.ts` in one go and writes BENCHMARKS.md; `npm run bench`, never part
 * of the tests. `npm run bench -- <id> ...` runs only those benchmarks and prints their figures
 * without writing the file, for working on one benchmark.
 */
async function main(only: string[]): Promise<void> {
  const benchmarks = (await loadBenchmarks()).filter(
    (b) => only.length === 0 || only.includes(b.id),
  );
  if (benchmarks.length === 0) throw new Error(`no benchmark matches ${only.join(', ')}`);
  const done: { bench: Benchmark; results: BenchResult[] }[] = [];
  for (const bench of benchmarks) {
    process.stdout.write(`${bench.id}: running\n`);
    const results = await bench.run();
    for (const result of results) {
      process.stdout.write(
        `${result.name}: ${result.figure} — goal ${result.goal}: ${result.holds ? 'holds' : 'MISSED'}\n`,
      );
    }
    done.push({ bench, results });
  }
  if (only.length > 0) return;
  const restic = execFileSync(process.env.RESTIC_BIN ?? 'restic', ['version'])
    .toString()
    .trim();
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (not part of the tests). Each figure stands beside its goal.',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    `- restic: ${restic}`,
    '- Datasets: generated at run time, described per benchmark below',
    '',
    '| benchmark | figure | goal | holds |',
    '| --- | --- | --- | --- |',
    ...done.flatMap(({ results }) =>
      results.map((r) => `| ${r.name} | ${r.figure} | ${r.goal} | ${r.holds ? 'yes' : '**no**'} |`),
    ),
    '',
    '## What each benchmark does',
    '',
    ...done.flatMap(({ bench }) => [`**${bench.id}**: ${bench.describe}`, '']),
  ];
  // Formatted as `npm run lint` checks it, so that a fresh run can be committed as it is.
  const target = join(__dirname, '..', 'BENCHMARKS.md');
  const options = (await resolveConfig(target)) ?? {};
  writeFileSync(target, await format(lines.join('\n'), { ...options, filepath: target }));
}

async function loadBenchmarks(): Promise<Benchmark[]> {
  const files = readdirSync(__dirname).filter((file) => file.endsWith('.bench.ts'));
  const modules = await Promise.all(
    files.map((file) => import(join(__dirname, file)) as Promise<{ benchmark: Benchmark }>),
  );
  return modules.map((module) => module.benchmark).sort((a, b) => a.order - b.order);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
