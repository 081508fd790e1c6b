import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** The built client, run as a user runs it (`npm run build` first, as scripts/test-all.sh does). */
export const HENCTL = join(ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(HENCTL)) throw new Error(`${HENCTL} is missing: run npm run build first`);
}

/**
 * Runs `node dist/cli/main.js ...args` without a terminal. Asynchronous on purpose: the daemons
 * under test write their logs to this process, which must keep reading them meanwhile.
 */
export function henctl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [HENCTL, ...args],
      { env: cliEnv(env), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs henctl inside a pseudo-terminal (util-linux `script`), as on a person's terminal; `output`
 * is everything the terminal received, escape codes included.
 */
export function henctlInTerminal(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; output: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, HENCTL, ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qfec', command, '/dev/null'],
      // a terminal that says it has colours, as a person's has
      { env: cliEnv({ TERM: 'xterm-256color', COLUMNS: '160', ...env }), timeout: 120_000 },
      (error, stdout) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, output: stdout });
      },
    );
  });
}

/**
 * The test's environment without anything that would choose a daemon or colours for henctl: Node
 * takes a terminal under `CI` (and the CI systems it knows) for a two-colour one, so a CI run
 * would otherwise see plain output where a person's terminal sees colour.
 */
const CHOOSERS = [
  'HEN_BACKUP_URL',
  'HEN_BACKUP_TOKEN',
  'NO_COLOR',
  'FORCE_COLOR',
  'NODE_DISABLE_COLORS',
  'CI',
  'TEAMCITY_VERSION',
  'TF_BUILD',
  'TMUX',
  'COLORTERM',
];

function cliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of CHOOSERS) {
    delete base[key];
  }
  return { ...base, ...env };
}

/** An ANSI escape sequence, which plain output must not contain. */
// eslint-disable-next-line no-control-regex
export const ESCAPE = /\u001b\[/;
