#!/usr/bin/env bash
# End-to-end tests with real clients (@polkadot/api …) against a built node.
#   scripts/test-e2e.sh                         uses the debug build found by the test
#   ECOCHAIN_BIN=path/to/ecochain scripts/test-e2e.sh
# Installs the pinned npm packages (npm ci) when node_modules is missing or
# package-lock.json is newer than the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm writes node_modules/.package-lock.json on every install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

exec node --test e2e/
