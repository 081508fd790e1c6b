#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the daemon on the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh restic
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
exec node dist/main.js --config examples/hen-backup.example.yaml
