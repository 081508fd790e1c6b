/**
 * Seeded, deterministic datasets for the benchmarks: the same seed gives the same files with the
 * same bytes on every machine, so runs compare.
 *
 * API (stable, other benchmarks use it):
 * - `mulberry32(seed)` → `() => number`, a small PRNG giving floats in [0, 1).
 * - `fillRandom(buffer, next)` fills a buffer with PRNG bytes (incompressible, never deduplicated).
 * - `writeDataset(root, { files, bytes, seed?, filesPerDir?, dirsPerLevel? })` writes `files`
 *   files of varied sizes (heavy-tailed, at least 1 byte) totalling exactly `bytes` bytes into
 *   nested folders under `root` (`d<NN>/d<NN>/f<index>.bin`, `filesPerDir` files per leaf
 *   folder, default 100) and returns `{ root, paths, bytes }` (`paths` absolute, in index order).
 *   Default seed 7. The content is PRNG bytes, so restic can neither compress nor dedupe it.
 * - `benchScale()` reads `HEN_BENCH_SCALE` (default 1) for developing on scaled-down datasets;
 *   `scaled(n, min?)` is `max(min ?? 1, round(n * benchScale()))`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fillRandom(buffer: Buffer, next: () => number): Buffer {
  let i = 0;
  for (; i + 4 <= buffer.length; i += 4) buffer.writeUInt32LE((next() * 4294967296) >>> 0, i);
  for (; i < buffer.length; i++) buffer[i] = (next() * 256) >>> 0;
  return buffer;
}

export interface DatasetOptions {
  files: number;
  bytes: number;
  seed?: number;
  filesPerDir?: number;
  dirsPerLevel?: number;
}

export interface Dataset {
  root: string;
  paths: string[];
  bytes: number;
}

/** The relative path of file `index`: two folder levels, `filesPerDir` files per leaf folder. */
export function datasetPath(index: number, filesPerDir = 100, dirsPerLevel = 100): string {
  const leaf = Math.floor(index / filesPerDir);
  const top = Math.floor(leaf / dirsPerLevel);
  const pad = (n: number) => String(n).padStart(2, '0');
  return join(`d${pad(top)}`, `d${pad(leaf % dirsPerLevel)}`, `f${index}.bin`);
}

export function writeDataset(root: string, options: DatasetOptions): Dataset {
  const { files, bytes, seed = 7, filesPerDir = 100, dirsPerLevel = 100 } = options;
  if (files < 1 || bytes < files) throw new Error('dataset needs files ≥ 1 and bytes ≥ files');
  const next = mulberry32(seed);
  // heavy-tailed weights (Pareto, alpha 1.5, capped) so that most files are small and a few big
  const weights = Array.from({ length: files }, () => Math.min(200, (1 - next()) ** (-1 / 1.5)));
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = bytes - files;
  const sizes = weights.map((w) => 1 + Math.floor((w / sum) * spare));
  let rest = bytes - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % files, rest--) sizes[i]++;
  const paths: string[] = [];
  let made = '';
  for (let i = 0; i < files; i++) {
    const path = join(root, datasetPath(i, filesPerDir, dirsPerLevel));
    const dir = join(path, '..');
    if (dir !== made) {
      mkdirSync(dir, { recursive: true });
      made = dir;
    }
    writeFileSync(path, fillRandom(Buffer.allocUnsafe(sizes[i]), next));
    paths.push(path);
  }
  return { root, paths, bytes };
}

export function benchScale(): number {
  const scale = Number(process.env.HEN_BENCH_SCALE ?? '1');
  if (!Number.isFinite(scale) || scale <= 0) throw new Error('HEN_BENCH_SCALE must be > 0');
  return scale;
}

export function scaled(n: number, min = 1): number {
  return Math.max(min, Math.round(n * benchScale()));
}
