import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HenConfig } from '../src/config/config.types';
import { ProcessRunner } from '../src/process/process-runner';
import { ResticService } from '../src/repositories/restic.service';
import type { Benchmark, BenchResult } from './bench-result';
import { LiveConfig } from '../src/config/live-config';

const MB = 1024 * 1024;
const DATA_BYTES = 50_000_000;
const RUNS = 3;
const UPLOAD_LIMIT = 2 * MB;
const EXPECTED_SECONDS = 24;
const TOLERANCE = 0.15;

/**
 * A 50 MB backup of incompressible data under `limits.upload: 2M` should take about 24 s: the
 * limit reaches restic as whole KiB/s, and restic applies it to everything it uploads, the local
 * backend included. The same backup without a limit shows what restic itself costs. The figure
 * is the median of three runs, each into a new repository so that nothing is deduplicated.
 */
async function limitsBenchmark(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'hen-bench-limits-'));
  try {
    const data = join(root, 'data');
    mkdirSync(data);
    for (let i = 0; i < 50; i++)
      writeFileSync(join(data, `file-${i}.bin`), randomBytes(DATA_BYTES / 50));
    const config = {
      dataDir: join(root, 'state'),
      secrets: [],
      limits: {},
    } as unknown as HenConfig;
    const restic = new ResticService(new LiveConfig(config), new ProcessRunner());
    let runs = 0;
    const run = async (kind: string, upload?: number) => {
      const name = `${kind}-${runs++}`;
      const target = {
        name,
        location: join(root, name),
        env: { RESTIC_PASSWORD: 'bench-password' },
      };
      await restic.init(target);
      const started = process.hrtime.bigint();
      await restic.backup(
        target,
        { paths: [data], excludes: [], host: 'bench', tags: [] },
        { limits: upload ? { upload } : {} },
      );
      return Number(process.hrtime.bigint() - started) / 1e9;
    };
    const unlimited = await run('unlimited');
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await run('limited', UPLOAD_LIMIT));
    const limited = times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
    const low = EXPECTED_SECONDS * (1 - TOLERANCE);
    const high = EXPECTED_SECONDS * (1 + TOLERANCE);
    return [
      {
        name: 'Bandwidth limit',
        figure: `50 MB under limits.upload 2M: median ${limited.toFixed(1)} s of ${times.map((t) => t.toFixed(1)).join(', ')} (without a limit: ${unlimited.toFixed(1)} s)`,
        goal: `${EXPECTED_SECONDS} s ± ${TOLERANCE * 100}% (${low.toFixed(1)}–${high.toFixed(1)} s)`,
        holds: limited >= low && limited <= high,
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  order: 10,
  id: 'limits',
  describe:
    'A 50 MB backup of incompressible data (50 random files) under `limits.upload: 2M`, three runs each into a new local repository, median wall time; one unlimited run for comparison.',
  run: limitsBenchmark,
};
