# syntax=docker/dockerfile:1
# The `ecochain` node image.
#   docker build -t ecochain .
#   docker run -p 9944:9944 -p 30333:30333 -v ecochain-data:/data ecochain
#   docker run ecochain --dev --base-path /data --rpc-addr 0.0.0.0      (one-node dev chain)
# The cache mounts keep the crate registry and target dir between builds
# (a cold build is ~17 min on 2 cores, mostly librocksdb-sys).

FROM rust:1-bookworm AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang libclang-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY . .
# Later: add `-p ecochain-relayer` and copy `ecochain-relayer` out as well.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/build/target \
    cargo build --release --locked -p ecochain-node \
 && install -D -m 0755 target/release/ecochain /out/ecochain

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /home/ecochain --shell /usr/sbin/nologin ecochain \
 && mkdir -p /data \
 && chown ecochain:ecochain /data
COPY --from=builder /out/ecochain /usr/local/bin/ecochain
COPY chain-specs/ /chain-specs/
USER ecochain
VOLUME /data
# JSON-RPC (HTTP + WS), consensus p2p, transaction gossip, Prometheus.
EXPOSE 9944 30333 30334 9615
ENTRYPOINT ["/usr/local/bin/ecochain"]
# RPC on every interface of the container with safe methods only (`--rpc-methods auto`
# refuses unsafe ones off loopback) and CORS limited to localhost and polkadot.js apps;
# Prometheus stays on the container's loopback: add `--prometheus-external` to scrape it.
CMD ["--chain", "/chain-specs/local.json", "--base-path", "/data", "--rpc-external"]
