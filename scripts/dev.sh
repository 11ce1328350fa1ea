#!/usr/bin/env bash
# Builds the node (release) and runs a one-node dev chain; extra args go to the node.
#   scripts/dev.sh                      RPC on 127.0.0.1:9944, state in ~/.local/share/ecochain/dev
#   RPC_PORT=9955 BASE_PATH=/tmp/eco scripts/dev.sh --block-time-ms 500
# CARGO_TARGET_DIR defaults to ~/.cache/ecochain-target so builds are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecochain-target}"

scripts/setup.sh
cargo build --release -p ecochain-node
exec "$CARGO_TARGET_DIR/release/ecochain" --dev \
  --base-path "${BASE_PATH:-$HOME/.local/share/ecochain/dev}" \
  --rpc-port "${RPC_PORT:-9944}" "$@"
