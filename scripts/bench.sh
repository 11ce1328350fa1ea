#!/usr/bin/env bash
# Performance benchmarks on this machine; writes a markdown table to OUT
# (default bench-results.md) and prints it. The numbers come from
# ecochain-bench; nothing here asserts on them.
#   scripts/bench.sh                  block import (2,000 transfers), then a dev chain
#                                     with 500 funded senders under 20,000 transfers
#   TXS=5000 ACCOUNTS=200 RATE=2000 PACED_RATE=500 scripts/bench.sh
#   PERF=1 scripts/bench.sh           also samples the node with `perf` during the load
#   SKIP_BUILD=1 scripts/bench.sh     use the release binaries already built
#   NODE_ARGS="--block-time-ms 500" scripts/bench.sh   extra node options
# One node on loopback (free RPC port, temporary base path, stopped by PID).
# CARGO_TARGET_DIR defaults to ~/.cache/ecochain-target so builds are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecochain-target}"
OUT="${OUT:-bench-results.md}"
TRANSFERS="${TRANSFERS:-2000}"
ACCOUNTS="${ACCOUNTS:-500}"
TXS="${TXS:-20000}"
RATE="${RATE:-0}"
DRAIN_SECS="${DRAIN_SECS:-30}"
PACED_RATE="${PACED_RATE:-1000}"   # second load run, open-loop at this rate (0: skip)
PACED_SECS="${PACED_SECS:-15}"
NODE="$CARGO_TARGET_DIR/release/ecochain"
BENCH="$CARGO_TARGET_DIR/release/ecochain-bench"

if [ -z "${SKIP_BUILD:-}" ]; then
  scripts/setup.sh
  cargo build --release --locked -p ecochain-node -p ecochain-bench
fi

WORK="$(mktemp -d)"
NODE_PID=""
PERF_PID=""
cleanup() {
  if [ -n "$PERF_PID" ] && kill -0 "$PERF_PID" 2>/dev/null; then
    kill -INT "$PERF_PID"
    wait "$PERF_PID" 2>/dev/null || true
  fi
  if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill -TERM "$NODE_PID"
    wait "$NODE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
strip() { sed 's/\x1b\[[0-9;]*m//g' "$@"; }

echo "== block import: $TRANSFERS transfers" >&2
timeout 300 "$BENCH" import --transfers "$TRANSFERS" --rows "$WORK/import.rows" | tee "$WORK/import.txt" >&2

echo "== dev chain: $ACCOUNTS senders, $TXS transfers" >&2
"$BENCH" spec --accounts "$ACCOUNTS" > "$WORK/bench.json"
"$NODE" --chain "$WORK/bench.json" --base-path "$WORK/base" --rpc-port 0 --no-prometheus \
  ${NODE_ARGS:-} > "$WORK/node.log" 2>&1 &
NODE_PID=$!
rpc_addr=""
for _ in $(seq 100); do
  rpc_addr="$(strip "$WORK/node.log" | grep -o 'rpc_addr=[0-9.:]*' | head -1 | cut -d= -f2 || true)"
  [ -n "$rpc_addr" ] && break
  kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/node.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$rpc_addr" ] || { echo "the node did not start" >&2; cat "$WORK/node.log" >&2; exit 1; }

if [ -n "${PERF:-}" ]; then
  perf record -F 199 -g -p "$NODE_PID" -o "$WORK/perf.data" -- sleep 20 >/dev/null 2>&1 &
  PERF_PID=$!
fi
timeout 300 "$BENCH" load --rpc "ws://$rpc_addr" --senders bench --accounts "$ACCOUNTS" --txs "$TXS" \
  --rate "$RATE" --pid "$NODE_PID" --drain-timeout-secs "$DRAIN_SECS" --rows "$WORK/load.rows" \
  --label "Saturated" | tee "$WORK/load.txt" >&2
# Latency means little when the client floods the pool (it measures queueing):
# measure it again open-loop at a fixed rate below capacity.
if [ "$PACED_RATE" != 0 ]; then
  echo "== dev chain: paced at $PACED_RATE/s for $PACED_SECS s" >&2
  timeout 300 "$BENCH" load --rpc "ws://$rpc_addr" --senders bench --accounts "$ACCOUNTS" \
    --txs $((PACED_RATE * PACED_SECS)) --rate "$PACED_RATE" --pid "$NODE_PID" --drain-timeout-secs "$DRAIN_SECS" \
    --rows "$WORK/load.rows" --label "Paced $PACED_RATE/s" | tee -a "$WORK/load.txt" >&2
fi

# Where the node's time went: the sealer logs one line per block (txs, ms to build and commit).
blocks="$(strip "$WORK/node.log" | grep 'sealed block' | sed -E 's/.*txs=([0-9]+) ms=([0-9]+).*/\1 \2/' | awk '$1 > 0')"
block_row="$(echo "$blocks" | awk 'NF == 2 { n++; t += $1; ms += $2; if ($1 > max) max = $1 }
  END { if (n) printf "%d blocks, %.0f transfers/block (max %d), %.0f ms to build+commit each, %.0f transfers/s while sealing", n, t / n, max, ms / n, (ms ? t * 1000 / ms : 0) }')"

rate_desc="$RATE/s"
[ "$RATE" = 0 ] && rate_desc="as fast as accepted"
{
  echo "# EcoChain benchmark results"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)'),"
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM."
  echo "Import: $TRANSFERS transfers from distinct senders, in as many blocks as the runtime's weight limit needs. Load: one dev node (\`ecochain --chain\` a spec from"
  echo "\`ecochain-bench spec --accounts $ACCOUNTS\`), $TXS pre-signed transfers, rate $rate_desc, then $PACED_RATE/s"
  echo "for $PACED_SECS s (latency below saturation); client on the same machine, sharing the cores."
  echo
  echo "| Metric | Value | Target (issue / SPEC) |"
  echo "|---|---|---|"
  cat "$WORK/import.rows" "$WORK/load.rows"
  [ -n "$block_row" ] && echo "| Dev sealer (node log) | $block_row | |"
} > "$OUT"

if [ -n "${PERF:-}" ]; then
  wait "$PERF_PID" 2>/dev/null || true
  {
    echo
    echo "Hottest symbols in the node during the load (\`perf report --no-children\`, ≥ 2%):"
    echo
    echo '```'
    perf report -i "$WORK/perf.data" --no-children --percent-limit 2 --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -30
    echo '```'
  } >> "$OUT"
fi

cat "$OUT"
