#!/usr/bin/env bash
# Builds the node and runs a one-node dev chain; extra args go to the node.
#   scripts/dev.sh                      RPC on 127.0.0.1:9944, state in ~/.local/share/ecochain/dev
#   RPC_PORT=9955 BASE_PATH=/tmp/eco scripts/dev.sh --block-time-ms 500
#   PROFILE=release scripts/dev.sh      an optimised node (a second build of the dependency tree)
# The default profile is the one scripts/test.sh builds (crypto optimised), so
# the two README commands share one build of RocksDB and every dependency.
# CARGO_TARGET_DIR defaults to ~/.cache/ecochain-target so builds are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecochain-target}"

scripts/setup.sh
profile="${PROFILE:-dev}"
cargo build --locked --profile "$profile" -p ecochain-node
dir="$profile"
[ "$profile" = dev ] && dir=debug
exec "$CARGO_TARGET_DIR/$dir/ecochain" --dev \
  --base-path "${BASE_PATH:-$HOME/.local/share/ecochain/dev}" \
  --rpc-port "${RPC_PORT:-9944}" "$@"
