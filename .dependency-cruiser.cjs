/**
 * The layers of DESIGN.md, bottom up: a folder of src/ imports only from folders on its own rank's
 * left or below. `npm run lint` fails on an import against them, and on any cycle between files.
 * A new folder must be placed here, or the "every folder has a layer" rule fails.
 */
const LAYERS = [
  ['config'],
  ['common'],
  ['process', 'restic'],
  ['state', 'jobs'],
  ['repositories', 'snapshot-index', 'snapshots', 'restores', 'downloads', 'backups'],
  ['triggers'],
  ['notifications'],
  ['health', 'metrics', 'api'],
];
// The command-line client talks to daemons over GraphQL only: it shares no code with the daemon.
const SEPARATE = ['cli'];

const known = [...LAYERS.flat(), ...SEPARATE];
const folder = (names) => `^src/(${names.join('|')})/`;

// A folder may import the folders of lower ranks, and the folders before it in its own rank (so
// that backups may use repositories, but not the other way round).
const forbidden = LAYERS.flatMap((rank, level) =>
  rank.map((name, index) => {
    const above = [...LAYERS.slice(level + 1).flat(), ...rank.slice(index + 1), ...SEPARATE];
    return {
      name: `layer-${name}`,
      comment: `${name}/ imports only from the layers below it (DESIGN.md's layers)`,
      severity: 'error',
      // a spec may put its layer together with what it needs from above to test it
      from: { path: folder([name]), pathNot: '\\.spec\\.ts$' },
      to: { path: folder(above) },
    };
  }),
);

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: 'features-never-import-api',
      comment: 'the shared GraphQL kit lives in common/; api/ sits on top and imports features',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: folder(['api']) },
      to: { path: folder(['api']) },
    },
    {
      name: 'config-imports-no-feature',
      comment:
        'config/ is the bottom layer: repositories (or anything else) never come back into it',
      severity: 'error',
      from: { path: folder(['config']) },
      to: { path: '^src/', pathNot: folder(['config']) },
    },
    {
      name: 'cli-is-separate',
      comment: 'henctl talks to daemons over GraphQL only',
      severity: 'error',
      from: { path: folder(SEPARATE) },
      to: { path: '^src/', pathNot: folder(SEPARATE) },
    },
    {
      name: 'no-circular',
      comment: 'a cycle between files is a bug',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'every-folder-has-a-layer',
      comment: 'a new folder of src/ is placed in .dependency-cruiser.cjs LAYERS',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: folder(known) },
      to: {},
    },
    {
      name: 'no-test-code-in-src',
      comment: 'fakes and test helpers live in test/',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
