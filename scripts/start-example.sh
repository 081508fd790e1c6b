#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the daemon on the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh restic
# again when package-lock.json changed since (a pull that added a package, say)
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
exec node dist/main.js --config examples/hen-backup.example.yaml
