#!/usr/bin/env bash
# Random and mutated inputs for every decoder exposed to the network or read
# from disk: extrinsic, block, gossip batch, consensus codec, proposal stream
# assembler, transaction journal (`ecochain-bench fuzz`, stable Rust).
#   scripts/fuzz.sh                 10 s per target
#   FUZZ_SECS=600 scripts/fuzz.sh   the long run
#   FUZZ_TARGET=stream FUZZ_SEED=42 scripts/fuzz.sh   one target, repeatable
# A panic prints the input in hex and fails; a stack overflow aborts and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecochain-target}"
cargo build --locked -q -p ecochain-bench
args=(fuzz --target "${FUZZ_TARGET:-all}" --secs "${FUZZ_SECS:-10}")
[ -n "${FUZZ_SEED:-}" ] && args+=(--seed "$FUZZ_SEED")
"$CARGO_TARGET_DIR/debug/ecochain-bench" "${args[@]}"
