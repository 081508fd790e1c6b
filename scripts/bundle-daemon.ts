import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIST = join(__dirname, '..', 'dist');
/** Written at the top of the bundle, so that a second run does not bundle the bundle. */
const MARK = '// dist/main.js bundled by scripts/bundle-daemon.ts';

/**
 * Left to Node's require: Nest's and Apollo's integrations the daemon does not use and does not
 * install, which they require inside a try (or only when configured), so they fail at run time
 * as without a bundle; and class-transformer, which Nest loads the same way, the daemon uses too
 * (argument rules), and which stays one copy for all of them in node_modules.
 */
const OPTIONAL = [
  '@apollo/subgraph',
  '@nestjs/microservices',
  '@nestjs/websockets',
  'class-transformer',
  'ts-morph',
];
/** Native: its compiled module is found through the package at run time. */
const NATIVE = ['better-sqlite3'];

/**
 * Rewrites dist/main.js (tsc's output) as one file with every module it loads, and
 * dist/index-build-worker.js for the snapshot index's thread, which the bundle starts from its
 * own folder. Node spent about 0.35 s of the daemon's 2.2–2.5 s start on 2 cores finding and
 * reading 2,500 files: the bundle is one read. The rest of dist/ stays as tsc wrote it (henctl,
 * the workers' sources).
 */
async function bundle(): Promise<void> {
  if (readFileSync(join(DIST, 'main.js'), 'utf8').includes(MARK)) {
    throw new Error(
      'dist/main.js is a bundle already: run `npm run build`, which compiles it first',
    );
  }
  const external = [...OPTIONAL, ...NATIVE].flatMap((name) => [name, `${name}/*`]);
  await build({
    entryPoints: {
      main: join(DIST, 'main.js'),
      'index-build-worker': join(DIST, 'snapshot-index', 'index-build-worker.js'),
    },
    outdir: DIST,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Off: esbuild's keepNames wraps every named function in `__name(fn, 'name')`, nested ones each
    // time they are created; with it the daemon's RSS at 2,000 subscribers peaked ~15 MB higher.
    // Names stay without it: our modules and most packages are CommonJS, each in a closure of its
    // own, so esbuild renames nothing of ours (the schema test against schema.gql runs the bundle).
    keepNames: false,
    // escapes non-ASCII in strings and names; regular expressions and comments keep theirs (below)
    charset: 'ascii',
    legalComments: 'none',
    external,
    banner: { js: MARK },
    logLevel: 'warning',
  });
  for (const file of ['main.js', 'index-build-worker.js']) escapeNonAscii(join(DIST, file));
  // tsc's map describes the file the bundle replaced
  rmSync(join(DIST, 'main.js.map'), { force: true });
}

/**
 * Writes every UTF-16 unit above 0x7F as `\uXXXX`. One character beyond Latin-1 anywhere (a
 * regular expression of validator's, a comment of luxon's) makes Node decode the whole 11 MB
 * file to two bytes a character, and V8 scan it so: about 60 ms more to read and compile it on
 * 2 cores (78 and 178 ms against 47 and 145). The escape means the same character in strings,
 * templates, names and regular expressions (a surrogate pair too, with or without the u flag),
 * and nothing in comments; only a tagged template's raw text and a regular expression's
 * `source` read as the escape.
 */
function escapeNonAscii(file: string): void {
  const text = readFileSync(file, 'utf8');
  // a unit after an odd run of backslashes is an identity escape (`\é`): its escape replaces it
  const escaped = text.replace(
    /(\\*)([\u0080-\uffff])/g,
    (_, backslashes: string, unit: string) => {
      const kept = backslashes.length % 2 === 1 ? backslashes.slice(1) : backslashes;
      return `${kept}\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
    },
  );
  if (escaped !== text) writeFileSync(file, escaped);
}

bundle().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
