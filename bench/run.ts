import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './bench-result';
import { limitsBenchmark } from './limits.bench';

/** Runs every benchmark in one go and writes BENCHMARKS.md; `npm run bench`, never part of the tests. */
async function main(): Promise<void> {
  const results: BenchResult[] = [];
  for (const bench of [limitsBenchmark]) {
    const result = await bench();
    process.stdout.write(
      `${result.name}: ${result.figure} — goal ${result.goal}: ${result.holds ? 'holds' : 'MISSED'}\n`,
    );
    results.push(result);
  }
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
    '- Dataset: generated at run time (random, incompressible bytes), described per benchmark',
    '',
    '| benchmark | figure | goal | holds |',
    '| --- | --- | --- | --- |',
    ...results.map(
      (r) => `| ${r.name} | ${r.figure} | ${r.goal} | ${r.holds ? 'yes' : '**no**'} |`,
    ),
    '',
  ];
  writeFileSync(join(__dirname, '..', 'BENCHMARKS.md'), lines.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
