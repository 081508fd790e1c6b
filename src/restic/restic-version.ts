/** Debian bookworm's restic; the oldest whose `--json` output and exit codes hen-backup reads. */
export const MIN_RESTIC_VERSION = '0.14.0';

/** "restic 0.14.0 compiled with go1.19.8 on linux/amd64" → "0.14.0" (also "0.16.0-dev"). */
export function parseResticVersion(output: string): string | undefined {
  const match = /\brestic (\d+\.\d+\.\d+(?:[-+][\w.-]+)?)/.exec(output);
  return match?.[1];
}

/** Compares the numeric part only: a 0.17.0-dev build counts as 0.17.0. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[-+]/)[0].split('.').map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}
