#!/usr/bin/env bash
# Performance benchmarks on this machine; writes a markdown table to OUT
# (default bench-results.md) and prints it. The numbers come from
# ecochain-bench; nothing here asserts on them.
#   scripts/bench.sh                  storage read/write costs, extrinsic overhead, block import (2,000 transfers), then a dev chain
#                                     with 500 funded senders under 20,000 transfers
#   TXS=5000 ACCOUNTS=200 RATE=2000 PACED_RATE=500 scripts/bench.sh
#   PERF=1 scripts/bench.sh           also samples the node with `perf` during the load
#   SKIP_BUILD=1 scripts/bench.sh     use the release binaries already built
#   NODE_ARGS="--block-time-ms 500" scripts/bench.sh   extra node options
#   RPC_SECS=30 RPC_CONNS=128 scripts/bench.sh   RPC read benchmark knobs (RPC_BENCH=0 skips it;
#                                     RPC_BATCH=100 RPC_BATCH_CONNS=16 for the batched runs)
#   SUBS=1000 SUBS_SECS=20 scripts/bench.sh    WebSocket subscriptions held on the node (SUBS=0 skips)
#   LOAD=0 NETWORK=0 SKIP_BUILD=1 scripts/bench.sh   the RPC rows only, quickly
#   NET_TXS=30000 NET_PACED_RATE=1000 scripts/bench.sh   4-validator load knobs (NETWORK=0 skips it)
# 4 validators: scripts/local-testnet.sh (FULL_NODE=0: the validators only) on a spec from `ecochain-bench spec --local`
# (free ports, temporary dir), loaded round-robin through the four validators' RPC.
# RPC reads: after the load, `wrk` (HTTP keep-alive, scripts/bench/jsonrpc.lua) calls
# `ect_balance` and `state_getStorage` (System.Account) of Alice on the node, then
# `eth_getBalance` of account 0 on anvil (node_modules, `npm ci`) as a baseline.
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
RPC_BENCH="${RPC_BENCH:-1}"        # RPC read benchmark with wrk (0: skip)
RPC_SECS="${RPC_SECS:-10}"         # per method
RPC_CONNS="${RPC_CONNS:-64}"
RPC_THREADS="${RPC_THREADS:-2}"
RPC_BATCH="${RPC_BATCH:-100}"      # calls per batch request in the batched runs
RPC_BATCH_CONNS="${RPC_BATCH_CONNS:-16}"
SUBS="${SUBS:-1000}"               # WebSocket subscriptions held open (0: skip)
SUBS_CONNS="${SUBS_CONNS:-10}"
SUBS_SECS="${SUBS_SECS:-20}"
LOAD="${LOAD:-1}"                  # storage/overhead/import and the dev-chain load runs (0: skip, RPC only)
RPC_CHECK="${RPC_CHECK:-1}"        # wrk reads every answer and counts JSON-RPC errors (1: ~3% of a core)
ANVIL="${ANVIL:-node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil}"
NETWORK="${NETWORK:-1}"            # 4-validator load run (0: skip)
NET_TXS="${NET_TXS:-60000}"        # saturated run (about 24 s at 2,500/s)
NET_PACED_RATE="${NET_PACED_RATE:-1000}"
NET_PACED_SECS="${NET_PACED_SECS:-15}"
# 400 ms heights: at 1 s, a transaction waits 500 ms on average for the next proposal,
# the whole p50 budget at 1,000 tx/s; a full block (2,038 transfers) still builds and
# imports well inside it with signatures cached.
NET_BLOCK_TIME_MS="${NET_BLOCK_TIME_MS:-400}"
NODE="${NODE:-$CARGO_TARGET_DIR/release/ecochain}"
BENCH="${BENCH:-$CARGO_TARGET_DIR/release/ecochain-bench}"

if [ -z "${SKIP_BUILD:-}" ]; then
  scripts/setup.sh
  cargo build --release --locked -p ecochain-node -p ecochain-bench
fi

WORK="$(mktemp -d)"
NODE_PID=""
PERF_PID=""
ANVIL_PID=""
NET_DIR=""
net_env() {
  NODE_ARGS="--rpc-max-connections 1000 --rpc-max-connections-per-ip 1000" \
  CHAIN="$WORK/bench-local.json" TESTNET_DIR="$NET_DIR" ECOCHAIN_BIN="$NODE" BLOCK_TIME_MS="$NET_BLOCK_TIME_MS" FULL_NODE=0 \
    BASE_RPC_PORT="$NET_PORT" BASE_P2P_PORT=$((NET_PORT + 10)) BASE_PROM_PORT=$((NET_PORT + 30)) "$@"
}
cleanup() {
  if [ -n "$NET_DIR" ]; then
    net_env scripts/local-testnet.sh stop >/dev/null 2>&1 || true
  fi
  if [ -n "$ANVIL_PID" ] && kill -0 "$ANVIL_PID" 2>/dev/null; then
    kill -TERM "$ANVIL_PID"
    wait "$ANVIL_PID" 2>/dev/null || true
  fi
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

if [ "$LOAD" != 0 ]; then
  echo "== storage read and write costs (the runtime's DbWeight)" >&2
  timeout 300 "$BENCH" storage --accounts "${STORAGE_ACCOUNTS:-20000}" --rows "$WORK/import.rows" >&2

  echo "== extrinsic overhead: a signed remark and a transfer, executed natively (the runtime's weights)" >&2
  timeout 300 "$BENCH" overhead --extrinsics "$TRANSFERS" --rows "$WORK/import.rows" >&2

  echo "== block import: $TRANSFERS transfers" >&2
  timeout 300 "$BENCH" import --transfers "$TRANSFERS" --rows "$WORK/import.rows" | tee "$WORK/import.txt" >&2
fi
touch "$WORK/import.rows" "$WORK/load.rows"

"$BENCH" spec --accounts "$ACCOUNTS" > "$WORK/bench.json"
# start_node BASE [ARGS…]: a node of the bench spec on BASE; sets NODE_PID and rpc_addr.
# Every load generator connects from loopback: lift the per-IP shares of a public node.
start_node() {
  local base="$1"
  shift
  "$NODE" --chain "$WORK/bench.json" --base-path "$base" --rpc-port 0 --no-prometheus \
    --rpc-max-connections 1000 --rpc-max-connections-per-ip 1000 --rpc-max-subscriptions-per-ip 8192 \
    "$@" ${NODE_ARGS:-} > "$base.log" 2>&1 &
  NODE_PID=$!
  rpc_addr=""
  for _ in $(seq 100); do
    rpc_addr="$(strip "$base.log" | grep -o 'rpc_addr=[0-9.:]*' | head -1 | cut -d= -f2 || true)"
    [ -n "$rpc_addr" ] && break
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$base.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$rpc_addr" ] || { echo "the node did not start" >&2; cat "$base.log" >&2; exit 1; }
}
stop_node() {
  if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill -TERM "$NODE_PID"
    wait "$NODE_PID" 2>/dev/null || true
  fi
  NODE_PID=""
}
start_node "$WORK/base"
if [ "$LOAD" != 0 ]; then
  echo "== dev chain: $ACCOUNTS senders, $TXS transfers" >&2
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
fi

# RPC reads over HTTP keep-alive: the node (still running; idle but for its
# empty blocks), then anvil's eth_getBalance as a baseline on the same cores.
touch "$WORK/rpc.rows"
rpc_desc=""
# The answer of one call, as curl gets it (the body is the one wrk sends).
rpc_curl() {
  curl -sS --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1"
}
# The answer of a batch of N such calls (N = RPC_BATCH), as curl gets it.
rpc_batch() {
  local calls="" i
  for i in $(seq "$RPC_BATCH"); do
    calls="$calls${calls:+,}{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"$2\",\"params\":$3}"
  done
  curl -sS --max-time 10 -H 'Content-Type: application/json' -d "[$calls]" "$1"
}
# CPU time (clock ticks) a process has used so far.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# wrk_run LABEL URL PID METHOD PARAMS RATE_TARGET LATENCY_TARGET [BATCH]:
# appends three rows to rpc.rows and sets wrk_rps (requests/s) and wrk_calls
# (calls/s: requests/s times BATCH, the calls in each batch request).
wrk_run() {
  local label="$1" url="$2" pid="$3" method="$4" params="$5" batch="${8:-0}"
  local out="$WORK/wrk.$4.$batch.$RANDOM.txt" conns="$RPC_CONNS"
  [ "$batch" -gt 0 ] && conns="$RPC_BATCH_CONNS"
  echo "== RPC: $label, wrk $RPC_THREADS threads, $conns connections, $RPC_SECS s" >&2
  local t0 t1 ticks
  ticks="$(getconf CLK_TCK)"
  t0="$(cpu_ticks "$pid")"
  # wrk's Lua sees a large (batch) answer in pieces: batches are checked once with curl instead.
  local check="$RPC_CHECK"
  [ "$batch" -gt 0 ] && check=0
  if ! { TIMEFORMAT='%U %S'; time RPC_CHECK="$check" wrk -t"$RPC_THREADS" -c"$conns" -d"${RPC_SECS}s" \
      -s scripts/bench/jsonrpc.lua "$url" -- "$method" "$params" "$batch" > "$out" 2>&1; } 2> "$out.time"; then
    cat "$out" >&2
    echo "| RPC $label | wrk failed | |" >> "$WORK/rpc.rows"
    wrk_rps=0
    wrk_calls=0
    return 0
  fi
  t1="$(cpu_ticks "$pid")"
  cat "$out" >&2
  v() { grep -m1 "^$1=" "$out" | cut -d= -f2-; }
  wrk_rps="$(v rps)"
  wrk_calls="$(awk -v r="$wrk_rps" -v b="$batch" 'BEGIN { printf "%.0f", r * (b > 0 ? b : 1) }')"
  local secs server_cores wrk_cores rpc_errors="" what="requests/s"
  secs="$(v duration_s)"
  server_cores="$(awk -v t=$((t1 - t0)) -v hz="$ticks" -v s="$secs" 'BEGIN { printf "%.2f", t / hz / s }')"
  wrk_cores="$(awk '{ printf "%.2f", ($1 + $2) / s }' s="$secs" "$out.time")"
  [ "$check" = 1 ] && rpc_errors=" / $(v rpc_errors) of $(v checked) answers$( [ "$(v rpc_errors)" = 0 ] || echo ", first: \`$(v first_error | tr '|' '/' | cut -c1-120)\`")"
  [ "$batch" -gt 0 ] && what="batches/s of $batch calls (calls/s)"
  {
    if [ "$batch" -gt 0 ]; then
      printf '| RPC %s: %s | %.0f (%s calls/s; %s batches in %s s) | %s |\n' "$label" "$what" "$wrk_rps" "$wrk_calls" "$(v requests)" "$secs" "$6"
    else
      printf '| RPC %s: %s | %.0f (%s requests in %s s) | %s |\n' "$label" "$what" "$wrk_rps" "$(v requests)" "$secs" "$6"
    fi
    echo "| RPC $label: latency p50 / p90 / p99 / max | $(v p50_ms) / $(v p90_ms) / $(v p99_ms) / $(v max_ms) ms | $7 |"
    echo "| RPC $label: HTTP ≥ 400 / socket errors / JSON-RPC errors; CPU | $(v non2xx) / $(v socket_errors)${rpc_errors:- / not counted (RPC_CHECK=0)}; server $server_cores cores, wrk $wrk_cores | 0 / 0 / 0 |"
  } >> "$WORK/rpc.rows"
}
# ratio_row LABEL OURS ANVIL: one row comparing two rates.
ratio_row() {
  awk -v l="$1" -v e="$2" -v a="$3" 'BEGIN { if (a > 0 && e > 0) printf "| RPC %s | %.2f× (%.0f vs %.0f) | ≥ 1× |\n", l, e / a, e, a }' >> "$WORK/rpc.rows"
}
# start_anvil: sets anvil_url (empty if it did not start) and ANVIL_PID.
start_anvil() {
  anvil_url=""
  # Quiet (anvil logs every call otherwise, ~10% of its throughput): find
  # its port with ss; without ss, read it from the log and let it log.
  anvil_note="quiet"
  if command -v ss >/dev/null; then
    "$ANVIL" --port 0 --quiet > "$WORK/anvil.log" 2>&1 &
  else
    "$ANVIL" --port 0 > "$WORK/anvil.log" 2>&1 &
    anvil_note="logging every call"
  fi
  ANVIL_PID=$!
  local anvil_addr=""
  for _ in $(seq 100); do
    if [ "$anvil_note" = quiet ]; then
      anvil_addr="$(ss -Hltnp 2>/dev/null | grep "pid=$ANVIL_PID," | awk '{ print $4 }' | head -1 || true)"
    else
      anvil_addr="$(grep -o 'Listening on [0-9.:]*' "$WORK/anvil.log" | head -1 | cut -d' ' -f3 || true)"
    fi
    [ -n "$anvil_addr" ] && break
    kill -0 "$ANVIL_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$anvil_addr" ] && anvil_url="http://$anvil_addr"
  return 0
}
if [ "$RPC_BENCH" != 0 ]; then
  missing=""
  for tool in wrk curl python3; do command -v "$tool" >/dev/null || missing="$missing $tool"; done
  if [ -n "$missing" ]; then
    echo "== RPC read benchmark skipped: missing$missing (scripts/setup.sh installs wrk)" >&2
    echo "| RPC reads | not run: missing$missing | |" >> "$WORK/rpc.rows"
  else
    url="http://$rpc_addr"
    alice=5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY   # endowed by the development genesis
    alice_key="$(python3 scripts/bench/rpc.py account-key "$alice")"
    # One call of each with curl first: a real answer, not an error. Each
    # rate is then compared with anvil's eth_getBalance, single or batched.
    declare -A ours=()
    if free="$(rpc_curl "$url" ect_balance "[\"$alice\"]" | python3 scripts/bench/rpc.py expect ect-balance)"; then
      echo "== RPC: ect_balance: Alice holds $free" >&2
      wrk_run "ect_balance(Alice)" "$url" "$NODE_PID" ect_balance "[\"$alice\"]" "≥ anvil eth_getBalance" "p99 ≤ 5 ms"
      ours[ect_balance]="$wrk_rps"
    else
      echo "| RPC ect_balance(Alice) | not run: the call failed (see the log) | |" >> "$WORK/rpc.rows"
    fi
    if stored="$(rpc_curl "$url" state_getStorage "[\"$alice_key\"]" | python3 scripts/bench/rpc.py expect account-info)"; then
      echo "== RPC: state_getStorage $alice_key: AccountInfo with free $stored" >&2
      [ "$stored" = "${free:-}" ] || echo "warning: ect_balance and System.Account disagree on Alice's free balance" >&2
      wrk_run "state_getStorage(System.Account(Alice))" "$url" "$NODE_PID" state_getStorage "[\"$alice_key\"]" "≥ anvil eth_getBalance" "p99 ≤ 5 ms"
      ours[state_getStorage]="$wrk_rps"
      if rpc_batch "$url" state_getStorage "[\"$alice_key\"]" | python3 scripts/bench/rpc.py expect-batch "$RPC_BATCH" account-info >/dev/null; then
        wrk_run "state_getStorage(System.Account(Alice)), batched" "$url" "$NODE_PID" state_getStorage "[\"$alice_key\"]" \
          "≥ anvil's batched calls/s" "" "$RPC_BATCH"
        ours[batch]="$wrk_calls"
      else
        echo "| RPC state_getStorage batched | not run: the batch failed (see the log) | |" >> "$WORK/rpc.rows"
      fi
    else
      echo "| RPC state_getStorage(System.Account(Alice)) | not run: the call failed (see the log) | |" >> "$WORK/rpc.rows"
    fi
    if rpc_curl "$url" system_accountNextIndex "[\"$alice\"]" | python3 scripts/bench/rpc.py expect number >/dev/null; then
      wrk_run "system_accountNextIndex(Alice)" "$url" "$NODE_PID" system_accountNextIndex "[\"$alice\"]" "≥ anvil eth_getBalance" "p99 ≤ 5 ms"
      ours[system_accountNextIndex]="$wrk_rps"
    else
      echo "| RPC system_accountNextIndex(Alice) | not run: the call failed (see the log) | |" >> "$WORK/rpc.rows"
    fi
    if rpc_curl "$url" chain_getHeader "[]" | python3 scripts/bench/rpc.py expect header >/dev/null; then
      wrk_run "chain_getHeader()" "$url" "$NODE_PID" chain_getHeader "[]" "≥ anvil eth_getBalance" "p99 ≤ 5 ms"
      ours[chain_getHeader]="$wrk_rps"
    else
      echo "| RPC chain_getHeader() | not run: the call failed (see the log) | |" >> "$WORK/rpc.rows"
    fi
    rpc_desc="RPC reads: \`wrk\` $RPC_THREADS threads, $RPC_CONNS HTTP keep-alive connections for single calls and $RPC_BATCH_CONNS for batches of $RPC_BATCH, $RPC_SECS s per method, against the node after the load"
    if [ -x "$ANVIL" ]; then
      start_anvil
      if [ -z "$anvil_url" ]; then
        cat "$WORK/anvil.log" >&2
        echo "| RPC eth_getBalance (anvil) | not run: anvil did not start | |" >> "$WORK/rpc.rows"
      elif account0="$(rpc_curl "$anvil_url" eth_accounts '[]' | python3 scripts/bench/rpc.py expect first)" &&
          wei="$(rpc_curl "$anvil_url" eth_getBalance "[\"$account0\",\"latest\"]" | python3 scripts/bench/rpc.py expect eth-balance)"; then
        echo "== RPC: anvil account 0 $account0 holds $wei wei" >&2
        wrk_run "eth_getBalance(account 0, latest) on anvil" "$anvil_url" "$ANVIL_PID" eth_getBalance \
          "[\"$account0\",\"latest\"]" "baseline" "baseline"
        anvil_single="$wrk_rps"
        rpc_batch "$anvil_url" eth_getBalance "[\"$account0\",\"latest\"]" | python3 scripts/bench/rpc.py expect-batch "$RPC_BATCH" eth-balance >/dev/null ||
          echo "warning: anvil's batch answer is not $RPC_BATCH balances" >&2
        wrk_run "eth_getBalance(account 0, latest) on anvil, batched" "$anvil_url" "$ANVIL_PID" eth_getBalance \
          "[\"$account0\",\"latest\"]" "baseline" "baseline" "$RPC_BATCH"
        anvil_batch="$wrk_calls"
        for m in ect_balance state_getStorage system_accountNextIndex chain_getHeader; do
          [ -n "${ours[$m]:-}" ] && ratio_row "$m vs anvil eth_getBalance (requests/s)" "${ours[$m]}" "$anvil_single"
        done
        [ -n "${ours[batch]:-}" ] && ratio_row "batched state_getStorage vs anvil batched eth_getBalance (calls/s)" "${ours[batch]}" "$anvil_batch"
        rpc_desc="$rpc_desc, then anvil $("$ANVIL" --version | awk '/Version/ { print $3; exit }') ($anvil_note) on \`eth_getBalance\`"
      else
        echo "| RPC eth_getBalance (anvil) | not run: the call failed (see the log) | |" >> "$WORK/rpc.rows"
      fi
      if [ -n "$ANVIL_PID" ]; then
        kill -TERM "$ANVIL_PID"
        wait "$ANVIL_PID" 2>/dev/null || true
        ANVIL_PID=""
      fi
    else
      echo "| RPC eth_getBalance (anvil) | not run: no $ANVIL (npm ci) | |" >> "$WORK/rpc.rows"
    fi
    rpc_desc="$rpc_desc; wrk and the servers share the cores."
  fi
fi

# WebSocket subscriptions: SUBS of them, half new heads and half storage
# (Timestamp.Now), for SUBS_SECS seconds, on a fresh node at 2 blocks/s.
if [ "$SUBS" != 0 ]; then
  echo "== RPC: $SUBS WebSocket subscriptions for $SUBS_SECS s, 2 blocks/s" >&2
  stop_node
  start_node "$WORK/subs" --block-time-ms 500
  timeout 300 "$BENCH" subs --rpc "ws://$rpc_addr" --subscriptions "$SUBS" --connections "$SUBS_CONNS" \
    --secs "$SUBS_SECS" --pid "$NODE_PID" --rows "$WORK/rpc.rows" >&2 ||
    echo "| RPC subscriptions | failed (see the log) | |" >> "$WORK/rpc.rows"
fi

# Where the node's time went: the sealer logs one line per block (txs, ms to build and commit).
blocks="$(strip "$WORK/base.log" | { grep 'sealed block' || true; } | sed -E 's/.*txs=([0-9]+) ms=([0-9]+).*/\1 \2/' | awk '$1 > 0')"
block_row="$(echo "$blocks" | awk 'NF == 2 { n++; t += $1; ms += $2; if ($1 > max) max = $1 }
  END { if (n) printf "%d blocks, %.0f transfers/block (max %d), %.0f ms to build+commit each, %.0f transfers/s while sealing", n, t / n, max, ms / n, (ms ? t * 1000 / ms : 0) }')"

rate_desc="$RATE/s"
[ "$RATE" = 0 ] && rate_desc="as fast as accepted"
# 4 validators and the load generator on this machine, sharing its cores.
touch "$WORK/net.rows"
net_desc=""
if [ "$NETWORK" != 0 ]; then
  for pid in "$NODE_PID" "$ANVIL_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  NODE_PID=""
  ANVIL_PID=""
  "$BENCH" spec --local --accounts "$ACCOUNTS" > "$WORK/bench-local.json"
  # 40 consecutive free ports in 20000-31999 (RPC +0..4, p2p +10..19, metrics +30..34).
  for _ in $(seq 50); do
    NET_PORT=$((20000 + (RANDOM % 300) * 40))
    busy="$(ss -Htln 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | awk -v lo="$NET_PORT" '$1 >= lo && $1 < lo + 40' | head -1)"
    [ -z "$busy" ] && break
  done
  NET_DIR="$WORK/net"
  echo "== 4 validators (ports $NET_PORT+), $ACCOUNTS senders" >&2
  net_env scripts/local-testnet.sh start >&2
  pids="$(cat "$NET_DIR"/{alice,bob,charlie,dave}/pid | paste -sd,)"
  rpcs="$(for i in 0 1 2 3; do printf 'ws://127.0.0.1:%s,' $((NET_PORT + i)); done)"
  rpcs="${rpcs%,}"
  timeout 400 "$BENCH" load --rpc "$rpcs" --senders bench --accounts "$ACCOUNTS" --txs "$NET_TXS" --rate 0 \
    --pid "$pids" --drain-timeout-secs "$DRAIN_SECS" --rows "$WORK/net.rows" --label "4 validators, saturated" \
    | tee "$WORK/net.txt" >&2
  if [ "$NET_PACED_RATE" != 0 ]; then
    timeout 400 "$BENCH" load --rpc "$rpcs" --senders bench --accounts "$ACCOUNTS" \
      --txs $((NET_PACED_RATE * NET_PACED_SECS)) --rate "$NET_PACED_RATE" --pid "$pids" \
      --drain-timeout-secs "$DRAIN_SECS" --rows "$WORK/net.rows" --label "4 validators, paced $NET_PACED_RATE/s" \
      | tee -a "$WORK/net.txt" >&2
  fi
  net_env scripts/local-testnet.sh stop >&2
  NET_DIR=""
  net_desc="4 validators: \`scripts/local-testnet.sh\` (BFT, $NET_BLOCK_TIME_MS ms target) on \`ecochain-bench spec --local --accounts $ACCOUNTS\`, $NET_TXS transfers as fast as accepted, then $NET_PACED_RATE/s for $NET_PACED_SECS s, round-robin over the four validators' RPC; CPU and peak RSS per validator."
fi

{
  echo "# EcoChain benchmark results"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)'),"
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM."
  echo "Import: $TRANSFERS transfers from distinct senders, in as many blocks as the runtime's weight limit needs. Load: one dev node (\`ecochain --chain\` a spec from"
  echo "\`ecochain-bench spec --accounts $ACCOUNTS\`), $TXS pre-signed transfers, rate $rate_desc, then $PACED_RATE/s"
  echo "for $PACED_SECS s (latency below saturation); client on the same machine, sharing the cores."
  [ -n "$rpc_desc" ] && echo "$rpc_desc"
  [ -n "$net_desc" ] && echo "$net_desc"
  echo
  echo "| Metric | Value | Target (issue / SPEC) |"
  echo "|---|---|---|"
  cat "$WORK/import.rows" "$WORK/load.rows"
  [ -n "$block_row" ] && echo "| Dev sealer (node log) | $block_row | |"
  cat "$WORK/rpc.rows"
  cat "$WORK/net.rows"
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
