import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IDE_SCRIPT } from './ide-script';

/** Where the IDE's files are served from; outside /graphql, which Apollo answers. */
export const IDE_ASSETS_PATH = 'graphql-ide';

export interface IdeAsset {
  contentType: string;
  body: Buffer;
}

/** A file of an installed package (resolved from its package.json, wherever npm put it). */
function packageFile(pkg: string, file: string): () => Buffer {
  return () => readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file));
}

const JS = 'text/javascript; charset=utf-8';

/**
 * Everything the IDE page loads, each from this daemon's own npm dependencies: GraphiQL's
 * browser bundle (its fonts are inlined in its CSS), React for it, and graphql-ws's browser
 * build for subscriptions. Nothing is fetched from any other host.
 */
const SOURCES: Record<string, { contentType: string; read: () => Buffer }> = {
  'react.js': { contentType: JS, read: packageFile('react', 'umd/react.production.min.js') },
  'react-dom.js': {
    contentType: JS,
    read: packageFile('react-dom', 'umd/react-dom.production.min.js'),
  },
  'graphiql.js': { contentType: JS, read: packageFile('graphiql', 'graphiql.min.js') },
  'graphiql.css': {
    contentType: 'text/css; charset=utf-8',
    read: packageFile('graphiql', 'graphiql.min.css'),
  },
  'graphql-ws.js': { contentType: JS, read: packageFile('graphql-ws', 'umd/graphql-ws.min.js') },
  'start.js': { contentType: JS, read: () => Buffer.from(IDE_SCRIPT) },
};

export const IDE_ASSET_NAMES = Object.keys(SOURCES);

const loaded = new Map<string, IdeAsset>();

/** The asset, read once and kept (a few MB, only once someone opened the IDE). */
export function ideAsset(name: string): IdeAsset | undefined {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (!source) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    asset = { contentType: source.contentType, body: source.read() };
    loaded.set(name, asset);
  }
  return asset;
}

export function idePage(): string {
  const asset = (name: string) => `/${IDE_ASSETS_PATH}/${name}`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>hen-backup GraphQL IDE</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${asset('graphiql.css')}" />
    <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  </head>
  <body>
    <div id="graphiql">Loading the IDE…</div>
    <script src="${asset('react.js')}"></script>
    <script src="${asset('react-dom.js')}"></script>
    <script src="${asset('graphiql.js')}"></script>
    <script src="${asset('graphql-ws.js')}"></script>
    <script src="${asset('start.js')}"></script>
  </body>
</html>
`;
}
