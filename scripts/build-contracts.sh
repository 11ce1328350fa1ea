#!/usr/bin/env bash
# Compiles the bridge's Solidity contracts (bridge/contracts/src) with the pinned solc-js and
# writes Foundry-format artifacts to bridge/contracts/out.
#   scripts/build-contracts.sh           rebuild the artifacts
#   scripts/build-contracts.sh --check   fail if the committed artifacts differ from a fresh build
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules/solc ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

exec node bridge/contracts/build.mjs "$@"
