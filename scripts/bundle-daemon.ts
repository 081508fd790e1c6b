import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const DIST = join(__dirname, '..', 'dist');
/** Written at the top of the bundle, so that a second run does not bundle the bundle. */
const MARK = '// dist/main.js bundled by scripts/bundle-daemon.ts';

/**
 * Nest's and Apollo's optional integrations, which they require inside a try (or only when
 * configured): not installed, so left to fail at run time as they do without a bundle.
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
 * dist/index-build-worker.js for the snapshot index's thread, which the bundle starts from its own
 * folder. Node spent about 0.3 s of the daemon's 2 s start on 2 cores finding and reading 2,500
 * files: the bundle is one read. The rest of dist/ stays as tsc wrote it (henctl, the workers'
 * sources). Class names are kept: Nest's messages and the GraphQL type names come from them.
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
    keepNames: true,
    // one byte per character: V8 reads a source with any other character as two bytes a character
    charset: 'ascii',
    legalComments: 'none',
    external,
    banner: { js: MARK },
    logLevel: 'warning',
  });
  // tsc's map describes the file the bundle replaced
  rmSync(join(DIST, 'main.js.map'), { force: true });
}

bundle().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
