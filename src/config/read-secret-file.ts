import { readFileSync } from 'node:fs';

/**
 * The content of a file holding one secret (Docker secrets, `passwordFile`, `tokenFile`), with the
 * trailing newline that editors and `echo` add taken off. The error names the file, never content.
 */
export function readSecretFile(file: string): { value: string } | { error: string } {
  try {
    return { value: readFileSync(file, 'utf8').replace(/\r?\n$/, '') };
  } catch (error) {
    return { error: `cannot read ${file} (${describeFsError(error)})` };
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
