#!/usr/bin/env bash
# A 4-validator network (Alice, Bob, Charlie, Dave) and 1 full node on loopback.
#   scripts/local-testnet.sh start     build if needed, start all five, wait for blocks
#   scripts/local-testnet.sh stop      stop them (by PID)
#   scripts/local-testnet.sh status    best/finalized height of each node
# FULL_NODE=0 starts the four validators only (benchmarks: no fifth process on the cores).
# RPC ports BASE_RPC_PORT..+4 (default 9944..9948); p2p ports BASE_P2P_PORT+2i
# (consensus) and +1 (transaction gossip); metrics BASE_PROM_PORT+i.
# Data in TESTNET_DIR (default ~/.local/share/ecochain/local-testnet). The dev
# keys used here are accepted on the `local` chain only. CHAIN: `local` or a
# spec file of that chain id (e.g. from `ecochain-bench spec --local`).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ecochain-target}"
BASE_RPC_PORT="${BASE_RPC_PORT:-9944}"
BASE_P2P_PORT="${BASE_P2P_PORT:-30333}"
BASE_PROM_PORT="${BASE_PROM_PORT:-9615}"
DIR="${TESTNET_DIR:-$HOME/.local/share/ecochain/local-testnet}"
BIN="${ECOCHAIN_BIN:-$CARGO_TARGET_DIR/release/ecochain}"
BLOCK_TIME_MS="${BLOCK_TIME_MS:-1000}"
CHAIN="${CHAIN:-local}"   # or a spec file with the id ecochain_local (ecochain-bench spec --local)
FULL_NODE="${FULL_NODE:-1}"
NODES=5
if [ "$FULL_NODE" = 0 ]; then NODES=4; fi
NAMES=(alice bob charlie dave full)
SEEDS=(//Alice //Bob //Charlie //Dave "")

rpc() { curl -s -m 2 -H 'content-type: application/json' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":${3:-[]}}" "http://127.0.0.1:$1"; }

start() {
  if [ ! -x "$BIN" ]; then
    scripts/setup.sh
    cargo build --release --locked -p ecochain-node
  fi
  mkdir -p "$DIR"
  # The full node's identity (a node key, created private), allow-listed by the validators.
  full_key="$DIR/full/chains/ecochain_local/network/node_key"
  if [ ! -f "$full_key" ]; then
    "$BIN" key generate-node-key --file "$full_key" > /dev/null
  fi
  chmod 600 "$full_key"   # a key written by an older script was readable by others
  full_id=$("$BIN" key inspect-node-key --file "$full_key")
  echo "$full_id  # full node" > "$DIR/allowlist"
  peers=()
  for ((i = 0; i < NODES; i++)); do
    if [ "$i" -lt 4 ]; then
      # A dev validator's node key is `<seed>//node`, registered in the local genesis.
      id=$("$BIN" key inspect --scheme ed25519 "${SEEDS[$i]}//node" --json | sed -E 's/.*"peerId":"([^"]+)".*/\1/')
    else
      id="$full_id"
    fi
    peers+=("/ip4/127.0.0.1/tcp/$((BASE_P2P_PORT + 2 * i))/p2p/$id")
  done
  for ((i = 0; i < NODES; i++)); do
    name=${NAMES[$i]}
    base="$DIR/$name"
    mkdir -p "$base"
    boot=()
    for ((j = 0; j < NODES; j++)); do [ "$j" -ne "$i" ] && boot+=("${peers[$j]}"); done
    args=(--chain "$CHAIN" --base-path "$base" --name "$name" --rpc-port $((BASE_RPC_PORT + i))
          --port $((BASE_P2P_PORT + 2 * i)) --listen-ip 127.0.0.1 --prometheus-port $((BASE_PROM_PORT + i))
          --block-time-ms "$BLOCK_TIME_MS" --allowlist "$DIR/allowlist" --bootnodes "$(IFS=,; echo "${boot[*]}")")
    if [ "$i" -lt 4 ]; then
      (umask 077 && printf '%s' "${SEEDS[$i]}" > "$base/consensus.key") && chmod 600 "$base/consensus.key"
      args+=(--validator --key "$base/consensus.key")
    fi
    # NODE_ARGS: extra flags for every node (e.g. the RPC limits of a load test).
    # shellcheck disable=SC2086
    "$BIN" "${args[@]}" ${NODE_ARGS:-} > "$base/node.log" 2>&1 &
    echo $! > "$base/pid"
    echo "started $name (pid $!, rpc $((BASE_RPC_PORT + i)))"
  done
  for _ in $(seq 1 60); do
    n=$(rpc "$BASE_RPC_PORT" chain_getHeader | sed -nE 's/.*"number":"0x([0-9a-f]+)".*/\1/p' || true)
    if [ -n "$n" ] && [ "$((16#$n))" -ge 2 ]; then echo "blocks are finalizing (#$((16#$n)))"; return 0; fi
    sleep 1
  done
  echo "no blocks after 60 s; see $DIR/*/node.log" >&2
  return 1
}

stop() {
  for name in "${NAMES[@]}"; do
    f="$DIR/$name/pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
    echo "stopped $name"
  done
}

status() {
  for i in 0 1 2 3 4; do
    printf '%-8s %s\n' "${NAMES[$i]}" "$(rpc $((BASE_RPC_PORT + i)) chain_getHeader | sed -nE 's/.*"number":"(0x[0-9a-f]+)".*/\1/p')"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
