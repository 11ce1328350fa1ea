//! The transport: HTTP and WebSocket on one port, limits, CORS and the per-IP
//! rate limit.
//!
//! The accept loop is ours (jsonrpsee's tower service underneath) so every
//! request carries its peer's IP ([`PeerIp`]) into the RPC middleware, where
//! [`RateLimit`] spends one token per call, batch entries included.

use crate::{
    error::{rate_limited, Error, Result},
    Config,
};
use hyper::{header, header::HeaderValue, Method};
use jsonrpsee::{
    core::middleware::{Batch, BatchEntry, BatchEntryErr, Notification, RpcServiceBuilder, RpcServiceT},
    server::{
        serve_with_graceful_shutdown, stop_channel, BatchRequestConfig, MethodResponse, Server, ServerConfig,
        ServerHandle,
    },
    types::Request,
};
use parking_lot::Mutex;
use std::{
    collections::HashMap,
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Instant,
};
use tower::Service;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The IP a request came from (a request extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PeerIp(pub(crate) IpAddr);

/// A token bucket: `rate` tokens per second, at most `rate` saved up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    pub(crate) fn full(rate: u32, now: Instant) -> Self {
        Self { tokens: f64::from(rate), updated: now }
    }

    /// Refills for the time since the last call, then takes one token if there is one.
    pub(crate) fn try_take(&mut self, rate: u32, now: Instant) -> bool {
        self.try_take_n(rate, now, 1)
    }

    /// Refills, then takes `cost` tokens if there are that many (a cost above
    /// the bucket's size needs a full bucket).
    pub(crate) fn try_take_n(&mut self, rate: u32, now: Instant, cost: u32) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * f64::from(rate)).min(f64::from(rate));
        self.updated = now;
        let cost = f64::from(cost.min(rate.max(1)));
        if self.tokens >= cost {
            self.tokens -= cost;
            true
        } else {
            false
        }
    }
}

/// Token buckets per IP.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    rate: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

/// Buckets kept before idle (full) ones are forgotten.
const MAX_BUCKETS: usize = 10_000;

impl RateLimiter {
    pub(crate) fn new(rate: u32) -> Self {
        Self { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Whether `ip` may make one more call now (always, when the rate is 0).
    #[cfg(test)]
    pub(crate) fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        self.allow_cost(ip, now, 1)
    }

    /// Whether `ip` may make a call costing `cost` tokens now.
    pub(crate) fn allow_cost(&self, ip: IpAddr, now: Instant, cost: u32) -> bool {
        if self.rate == 0 {
            return true;
        }
        let mut buckets = self.buckets.lock();
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&ip) {
            let rate = self.rate;
            buckets.retain(|_, bucket| {
                let mut probe = *bucket;
                probe.try_take(rate, now);
                probe.tokens + 1.0 < f64::from(rate)
            });
        }
        buckets.entry(ip).or_insert_with(|| Bucket::full(self.rate, now)).try_take_n(self.rate, now, cost)
    }
}

/// Tokens a call of `method` spends from its IP's bucket: a read of one value
/// is 1; calls that read many blocks or keys, or run the runtime, pay for the
/// work their largest allowed request does, so a client cannot buy a
/// 1,024-block `state_queryStorage` for the price of a `state_getStorage`.
pub(crate) fn call_cost(method: &str) -> u32 {
    match method {
        "state_queryStorage" => crate::state::MAX_QUERY_BLOCKS,
        "state_getKeys"
        | "state_getKeysPaged"
        | "state_getKeysPagedAt"
        | "state_queryStorageAt"
        | "state_getReadProof" => 100,
        "state_call"
        | "state_callAt"
        | "state_getMetadata"
        | "chain_getBlock"
        | "author_submitExtrinsic"
        | "author_submitAndWatchExtrinsic"
        | "transaction_v1_broadcast"
        | "txpool_inspect" => 10,
        _ => 1,
    }
}

/// RPC middleware refusing calls over the per-IP rate with `-32029`.
#[derive(Clone)]
pub(crate) struct RateLimit<S> {
    inner: S,
    limiter: Arc<RateLimiter>,
    counter: Option<(prometheus::IntCounterVec, Arc<std::collections::HashSet<String>>)>,
}

impl<S> RateLimit<S> {
    fn count(&self, method: &str) {
        if let Some((counter, known)) = &self.counter {
            let label = if known.contains(method) { method } else { "unknown" };
            counter.with_label_values(&[label]).inc();
        }
    }

    fn allow(&self, method: &str, extensions: &jsonrpsee::Extensions) -> bool {
        match extensions.get::<PeerIp>() {
            Some(PeerIp(ip)) => self.limiter.allow_cost(*ip, Instant::now(), call_cost(method)),
            None => true,
        }
    }
}

impl<S> RpcServiceT for RateLimit<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Send
        + Sync
        + Clone
        + 'static,
{
    type MethodResponse = MethodResponse;
    type NotificationResponse = MethodResponse;
    type BatchResponse = MethodResponse;

    fn call<'a>(&self, request: Request<'a>) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        self.count(request.method_name());
        let allowed = self.allow(request.method_name(), request.extensions());
        let inner = self.inner.clone();
        async move {
            if allowed {
                inner.call(request).await
            } else {
                MethodResponse::error(request.id, rate_limited())
            }
        }
    }

    fn batch<'a>(&self, mut batch: Batch<'a>) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        for entry in batch.iter_mut() {
            if let Ok(BatchEntry::Call(request)) = entry {
                self.count(request.method_name());
            }
            let refused = match entry {
                Ok(BatchEntry::Call(request)) if !self.allow(request.method_name(), request.extensions()) => {
                    Some(request.id.clone())
                }
                _ => None,
            };
            if let Some(id) = refused {
                *entry = Err(BatchEntryErr::new(id, rate_limited()));
            }
        }
        self.inner.batch(batch)
    }

    fn notification<'a>(&self, n: Notification<'a>) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        self.inner.notification(n)
    }
}

/// Whether `origin` is allowed by `pattern`: equal, or `pattern` ends in `:*`
/// and `origin` is the same scheme and host with any port (or none).
pub(crate) fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.strip_suffix(":*") {
        Some(base) => {
            origin == base
                || origin
                    .strip_prefix(base)
                    .and_then(|rest| rest.strip_prefix(':'))
                    .is_some_and(|port| !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()))
        }
        None => pattern == origin,
    }
}

/// The CORS layer: any origin when `origins` is `None`; else the listed
/// origins, where `http://localhost:*` allows every port of that host.
pub(crate) fn cors_layer(origins: Option<&[String]>) -> Result<CorsLayer> {
    let layer = CorsLayer::new()
        .allow_methods([Method::POST, Method::GET, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE]);
    Ok(match origins {
        None => layer.allow_origin(AllowOrigin::any()),
        Some(origins) => {
            for o in origins {
                HeaderValue::from_str(o).map_err(|_| Error::Cors(o.clone()))?;
            }
            let patterns: Arc<Vec<String>> = Arc::new(origins.to_vec());
            layer.allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
                origin.to_str().is_ok_and(|origin| patterns.iter().any(|p| origin_matches(p, origin)))
            }))
        }
    })
}

/// Serves `module` over HTTP and WebSocket on `config.addr` until the returned
/// handle is stopped (or dropped). Returns the bound address (useful with port 0).
pub async fn start(config: Config, rpc: crate::Rpc) -> Result<(SocketAddr, ServerHandle)> {
    let crate::Rpc { module, ctx } = rpc;
    let listener =
        tokio::net::TcpListener::bind(config.addr).await.map_err(|source| Error::Bind { addr: config.addr, source })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind { addr: config.addr, source })?;

    let batch = match config.max_batch_len {
        0 => BatchRequestConfig::Disabled,
        n => BatchRequestConfig::Limit(n),
    };
    let server_config = ServerConfig::builder()
        .max_request_body_size(config.max_request_bytes)
        .max_response_body_size(config.max_response_bytes)
        .max_connections(config.max_connections)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .set_batch_request_config(batch)
        // Subscription ids are opaque strings, as Substrate nodes give them
        // (the new JSON-RPC spec passes them back as `followSubscription`).
        .set_id_provider(jsonrpsee::server::RandomStringIdProvider::new(16))
        .build();
    let limiter = Arc::new(RateLimiter::new(config.rate_limit_per_ip_per_sec));
    let known: Arc<std::collections::HashSet<String>> =
        Arc::new(module.method_names().map(|m| m.to_string()).collect());
    let counter = config.call_counter.clone().map(|c| (c, known));
    let max_response_bytes = config.max_response_bytes as usize;
    let rpc_middleware = RpcServiceBuilder::new()
        .layer_fn(move |inner| RateLimit { inner, limiter: limiter.clone(), counter: counter.clone() })
        .layer_fn(move |inner| crate::batch::Batches { inner, ctx: ctx.clone(), max_response_bytes });
    let http_middleware = tower::ServiceBuilder::new().layer(cors_layer(config.cors.as_deref())?);
    let builder = Server::builder()
        .set_config(server_config)
        .set_rpc_middleware(rpc_middleware)
        .set_http_middleware(http_middleware)
        .to_service_builder();

    let (stop, handle) = stop_channel();
    let methods: jsonrpsee::Methods = module.into();
    let connections =
        crate::budget::Budget::new(config.max_connections as usize, config.max_connections_per_ip as usize);
    tokio::spawn(async move {
        loop {
            let (socket, remote) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::debug!(target: "rpc", error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = stop.clone().shutdown() => break,
            };
            // Answers go out as soon as they are written (as jsonrpsee's own
            // server sets it): with Nagle's algorithm a WebSocket answer
            // written in two pieces waited for the client's delayed ACK, and
            // opening a subscription took 22 ms.
            if let Err(e) = socket.set_nodelay(true) {
                tracing::debug!(target: "rpc", %remote, error = %e, "TCP_NODELAY not set");
            }
            // Connections past the node's or the IP's share are closed at once.
            let slot = match connections.take(Some(remote.ip())) {
                Ok(slot) => slot,
                Err(why) => {
                    tracing::debug!(target: "rpc", %remote, %why, "connection refused");
                    drop(socket);
                    continue;
                }
            };
            let shutdown = stop.clone().shutdown();
            let (builder, methods, stop) = (builder.clone(), methods.clone(), stop.clone());
            let peer = PeerIp(remote.ip());
            // The slot is held by the connection's service: returned when the connection ends.
            let slot = Arc::new(slot);
            // One service per connection (one connection id, as jsonrpsee's
            // own server has it), cloned for each of its requests.
            let per_connection = builder.build(methods, stop);
            let service = tower::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                let _held = &slot;
                request.extensions_mut().insert(peer);
                let mut service = per_connection.clone();
                async move { service.call(request).await }
            });
            tokio::spawn(serve_with_graceful_shutdown(socket, service, shutdown));
        }
        tracing::debug!(target: "rpc", "rpc server stopped");
    });
    tracing::info!(target: "rpc", %addr, "rpc listening on {addr}");
    Ok((addr, handle))
}
