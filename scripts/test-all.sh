#!/usr/bin/env bash
# The whole suite from a fresh clone: system packages, npm packages, static checks, then every
# test (unit, integration against the real restic, end to end through GraphQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh restic setpriv script
# servers the backend tests run on loopback: SFTP (sshd + keys), REST and rclone:, HTTPS for S3
bash scripts/ensure-system-deps.sh sshd ssh ssh-keygen rclone openssl
# Debian's prometheus package: promtool checks /metrics and the alert rules, and the fleet test
# runs the prometheus server itself
bash scripts/ensure-system-deps.sh prometheus promtool
# the browser test of the GraphQL IDE drives Debian's Chromium (never a downloaded browser)
bash scripts/ensure-system-deps.sh chromium
# the Node LTS smoke run compiles better-sqlite3 for that Node (scripts/node-lts-smoke.sh)
bash scripts/ensure-system-deps.sh make g++ python3
npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm run build
npm test
# besides the machine's Node: build, unit tests and the core end-to-end tests on the Node LTS the
# Docker image uses, taken from the npm registry's `node` package
bash scripts/node-lts-smoke.sh
