#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, test and benchmark
# EcoChain (clang for RocksDB's bindings, wrk for the RPC read benchmark).
# Idempotent: does nothing when everything is present.
#   scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in clang libclang-dev wrk; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ]; then
  if command -v npm >/dev/null; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  else
    echo "setup: npm not found; install Node.js >= 20 for the end-to-end tests" >&2
  fi
fi
