import { INSTALL_HINT, ResticError } from '../restic-error';
import type { ResticRunner } from '../restic-runner';
import { MIN_RESTIC_VERSION, compareVersions, parseResticVersion } from '../restic-version';
import type { ResticCallOptions } from '../restic.types';

/** `restic version` → "0.14.0". */
export async function version(
  restic: ResticRunner,
  opts: Pick<ResticCallOptions, 'signal'> = {},
): Promise<string> {
  const lines: string[] = [];
  await restic.run(null, ['version'], {
    signal: opts.signal,
    onStdoutLine: (line) => lines.push(line),
  });
  const output = lines.join('\n');
  const found = parseResticVersion(output);
  if (!found) {
    throw new ResticError(
      'RESTIC_FAILED',
      `"${restic.binary} version" printed no restic version: ${output.slice(0, 200)}`,
    );
  }
  return found;
}

/** The version, when it is one hen-backup supports; otherwise a ResticError saying what to do. */
export async function assertSupportedVersion(restic: ResticRunner): Promise<string> {
  const found = await version(restic);
  if (compareVersions(found, MIN_RESTIC_VERSION) < 0) {
    throw new ResticError(
      'RESTIC_TOO_OLD',
      `restic ${found} is too old: hen-backup needs ${MIN_RESTIC_VERSION} or newer; ${INSTALL_HINT}`,
    );
  }
  return found;
}
