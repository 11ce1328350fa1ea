#!/usr/bin/env bash
# The one test command: installs what a fresh Debian machine lacks, checks
# formatting and lints, builds, and runs every test layer.
#   scripts/test.sh            everything (bounded chaos and fuzz runs)
#   FUZZ_SECS=600 CHAOS_CYCLES=60 PROPTEST_CASES=20000 scripts/test.sh   the long runs
# CARGO_TARGET_DIR defaults to ~/.cache/ecochain-target so builds are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecochain-target}"

step() { printf '\n==> %s\n' "$*"; }

step "setup"
scripts/setup.sh

step "bridge contracts: committed artifacts reproduce byte for byte"
scripts/build-contracts.sh --check

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "unit, pallet, runtime, client, RPC and bridge tests (anvil + node + 3 relayers)"
cargo test --workspace --locked --exclude ecochain-node

# One test at a time: a network test runs up to nine node processes, and two of
# them side by side on two cores slow block production enough to miss deadlines.
step "node and network tests (real processes on loopback, one test at a time)"
cargo test -p ecochain-node --locked -- --test-threads 1

step "fuzz the decoders exposed to the network (${FUZZ_SECS:-5} s per target)"
FUZZ_SECS="${FUZZ_SECS:-5}" scripts/fuzz.sh

if [ -x scripts/test-e2e.sh ] && [ -d e2e ]; then
  step "end to end with real clients"
  cargo build --locked -p ecochain-node
  ECOCHAIN_BIN="$CARGO_TARGET_DIR/debug/ecochain" scripts/test-e2e.sh
fi

step "all tests passed"
