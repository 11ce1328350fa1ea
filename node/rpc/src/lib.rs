//! # ecochain-rpc
//!
//! The node's JSON-RPC server. It serves what stock Substrate clients
//! (@polkadot/api, subxt, polkadot.js apps, substrate-api-sidecar) call, with
//! Substrate's method names, aliases and JSON shapes, plus the EcoChain token
//! queries (`ect_*`, `ecs_*`, `ccr_*`, `ecr_*`, `est_*`, `egm_*`, `ecosystem_*`):
//!
//! - [`rpc_module`] builds one jsonrpsee [`RpcModule`] by hand (so aliases are
//!   one line each) from the [`Client`], the [`TransactionPool`] and the
//!   network's [`SystemInfo`], and adds `rpc_methods` listing every method;
//! - [`start`] serves it over HTTP and WebSocket on one port, with size,
//!   connection, subscription and batch limits, CORS, and a per-IP token-bucket
//!   rate limit (JSON-RPC error `-32029 rate limited`).
//!
//! Layout: one module per namespace (`system`, `chain`, `state`, `author`,
//! `chain_spec`, `tokens`, and the new JSON-RPC spec's `chain_head`,
//! `archive`, `transaction`), `storage_query` for the new spec's storage
//! items, `params` for parsing and rendering (pure functions), `error` for
//! error objects, `server` for the transport.
//!
//! Error codes: `-32602` invalid params (bad hex, wrong types, unknown
//! account format, too many params or items), `-32000` chain or runtime
//! errors (unknown block, failed runtime call, range too large), `-32601`
//! unsafe method refused, `-32029` rate limited, and Substrate's `author_*`
//! codes (1001 … 1016) from [`SubmitError::rpc_code`](ecochain_client::SubmitError::rpc_code).

mod archive;
mod author;
mod batch;
mod budget;
mod chain;
mod chain_head;
mod chain_spec;
mod consensus;
mod error;
mod params;
mod server;
mod state;
mod storage_query;
mod system;
mod tokens;
mod transaction;
mod txpool;
mod view;
mod workers;

pub use consensus::ConsensusInfo;
pub use error::{Error, Result};
pub use server::start;
pub use system::{PeerInfo, StaticSystemInfo, SystemInfo};
pub use workers::{WorkersConfig, RUNTIME_STACK_BYTES};

use ecochain_client::{Client, TransactionPool};
use jsonrpsee::RpcModule;
use std::{net::SocketAddr, sync::Arc};

/// Which methods the server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpcMethods {
    /// Read-only and submission methods; unsafe ones (`author_removeExtrinsic`) are refused.
    Safe,
    /// Everything.
    Unsafe,
}

/// Server configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Listening address (HTTP and WebSocket share it).
    pub addr: SocketAddr,
    /// Largest request body or WebSocket message, in bytes.
    pub max_request_bytes: u32,
    /// Largest response, in bytes.
    pub max_response_bytes: u32,
    /// Most concurrent connections.
    pub max_connections: u32,
    /// Most concurrent connections from one IP address.
    pub max_connections_per_ip: u32,
    /// Most subscriptions per WebSocket connection.
    pub max_subscriptions_per_connection: u32,
    /// Most subscriptions open on the node, all connections together.
    pub max_subscriptions: u32,
    /// Most subscriptions open from one IP address.
    pub max_subscriptions_per_ip: u32,
    /// Most calls in a batch request (0 disables batches).
    pub max_batch_len: u32,
    /// Which methods are served.
    pub methods: RpcMethods,
    /// Allowed CORS origins (`None`: any origin).
    pub cors: Option<Vec<String>>,
    /// Calls per second per client IP, also the burst size (0: unlimited).
    pub rate_limit_per_ip_per_sec: u32,
    /// `system_name`.
    pub node_name: String,
    /// `system_version`.
    pub node_version: String,
    /// The node's network peer id (`system_localPeerId` falls back to it).
    pub peer_id: String,
    /// The pool of threads that serves database reads and runtime calls.
    pub workers: WorkersConfig,
    /// Counts calls per method (label `method`; names the module does not
    /// serve count as `unknown`, so the label set stays bounded).
    pub call_counter: Option<prometheus::IntCounterVec>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 9944)),
            max_request_bytes: 15 * 1024 * 1024,
            max_response_bytes: 15 * 1024 * 1024,
            max_connections: 100,
            max_connections_per_ip: 32,
            max_subscriptions_per_connection: 1024,
            max_subscriptions: 8192,
            max_subscriptions_per_ip: 2048,
            max_batch_len: 100,
            methods: RpcMethods::Safe,
            cors: None,
            rate_limit_per_ip_per_sec: 0,
            node_name: "ecochain".into(),
            node_version: env!("CARGO_PKG_VERSION").into(),
            peer_id: String::new(),
            workers: WorkersConfig::default(),
            call_counter: None,
        }
    }
}

/// What the RPC methods read and act on.
#[derive(Clone)]
pub struct RpcDeps {
    /// Chain access.
    pub client: Arc<Client>,
    /// The transaction pool.
    pub pool: Arc<TransactionPool>,
    /// Network and sync status.
    pub system: Arc<dyn SystemInfo>,
    /// The BFT engine, when one runs (not on dev chains).
    pub consensus: Option<Arc<dyn ConsensusInfo>>,
}

/// Shared state of every method.
pub(crate) struct Ctx {
    pub(crate) client: Arc<Client>,
    pub(crate) pool: Arc<TransactionPool>,
    pub(crate) consensus: Option<Arc<dyn ConsensusInfo>>,
    pub(crate) system: Arc<dyn SystemInfo>,
    pub(crate) config: Config,
    /// Best block number when the module was built (`system_syncState.startingBlock`).
    pub(crate) starting_block: u32,
    /// Threads for database reads and runtime calls (see [`workers`]).
    pub(crate) workers: workers::Workers,
    /// Subscriptions open on the node and per IP.
    pub(crate) subscriptions: Arc<budget::Budget>,
    /// `transaction_v1_broadcast` operations.
    pub(crate) broadcasts: transaction::Broadcasts,
    /// `chainHead_v1_follow` subscriptions.
    pub(crate) follows: chain_head::Follows,
    /// The methods answered synchronously (registered with [`method`] or
    /// [`read`]) by name, aliases included: a batch runs its calls of these in
    /// one worker job ([`batch`]).
    pub(crate) direct: parking_lot::RwLock<std::collections::HashMap<&'static str, batch::Direct>>,
}

impl Ctx {
    pub(crate) fn deny_unsafe(&self) -> bool {
        self.config.methods == RpcMethods::Safe
    }

    /// The synchronous method registered as `name`, if it is one.
    pub(crate) fn direct(&self, name: &str) -> Option<batch::Direct> {
        self.direct.read().get(name).copied()
    }
}

/// Registers a method answered on the RPC's worker threads (it reads the
/// database or runs the runtime): at most `max` positional parameters.
pub(crate) fn method(module: &mut RpcModule<()>, ctx: &Arc<Ctx>, name: &'static str, max: usize, f: batch::MethodFn) {
    let direct = batch::Direct { max_params: max, f };
    ctx.direct.write().insert(name, direct);
    let ctx = ctx.clone();
    module
        .register_async_method(name, move |params, _, _| {
            let ctx = ctx.clone();
            async move {
                let worker_ctx = ctx.clone();
                ctx.workers.run(move || direct.answer(&worker_ctx, &params)).await
            }
        })
        .map(|_| ())
        .expect("method names are unique");
}

/// Registers a read of one value (a storage key, a header, a constant),
/// answered on the calling task without the trip to a worker thread: that
/// trip (a queue push, a thread wake-up, a reply and a task wake-up) cost
/// more than such a read. Only bounded work belongs here, never the runtime
/// or a scan; in a batch it runs with the batch's other reads on a worker.
pub(crate) fn read(module: &mut RpcModule<()>, ctx: &Arc<Ctx>, name: &'static str, max: usize, f: batch::MethodFn) {
    let direct = batch::Direct { max_params: max, f };
    ctx.direct.write().insert(name, direct);
    let ctx = ctx.clone();
    module
        .register_method(name, move |params, _, _| direct.answer(&ctx, &params))
        .map(|_| ())
        .expect("method names are unique");
}

/// Registers a subscription (`[subscribe, notification, unsubscribe]`) that
/// holds one slot of the node's subscription budget while it is open; past
/// the budget (node-wide or the caller's IP share) it is refused.
pub(crate) fn subscription<F, Fut>(module: &mut RpcModule<()>, ctx: &Arc<Ctx>, names: [&'static str; 3], f: F)
where
    F: Fn(
            Arc<Ctx>,
            jsonrpsee::types::Params<'static>,
            jsonrpsee::PendingSubscriptionSink,
            jsonrpsee::ConnectionId,
        ) -> Fut
        + Send
        + Sync
        + Clone
        + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let ctx = ctx.clone();
    module
        .register_subscription(names[0], names[1], names[2], move |params, pending, _, extensions| {
            let (ctx, f) = (ctx.clone(), f.clone());
            let ip = extensions.get::<server::PeerIp>().map(|p| p.0);
            let conn =
                extensions.get::<jsonrpsee::ConnectionId>().copied().unwrap_or(jsonrpsee::ConnectionId(usize::MAX));
            async move {
                match ctx.subscriptions.take(ip) {
                    Ok(slot) => {
                        f(ctx.clone(), params, pending, conn).await;
                        drop(slot);
                    }
                    Err(why) => pending.reject(error::server_error(format!("too many subscriptions: {why}"))).await,
                }
            }
        })
        .map(|_| ())
        .expect("subscription names are unique");
}

/// Registers `alias` for the already registered `existing` method.
pub(crate) fn alias(module: &mut RpcModule<()>, ctx: &Ctx, alias: &'static str, existing: &'static str) {
    module.register_alias(alias, existing).expect("aliases are unique and name registered methods");
    if let Some(direct) = ctx.direct(existing) {
        ctx.direct.write().insert(alias, direct);
    }
}

/// The node's JSON-RPC API: what [`start`] serves.
pub struct Rpc {
    /// Every method, aliases included, plus `rpc_methods`.
    pub module: RpcModule<()>,
    /// What answers a batch's synchronous calls in one worker job.
    ctx: Arc<Ctx>,
}

/// Every method of the node, aliases included, plus `rpc_methods`.
///
/// Fails only if the worker threads cannot be started.
pub fn rpc_module(deps: RpcDeps, config: Config) -> std::io::Result<Rpc> {
    let starting_block = deps.client.best_header().number;
    let workers = workers::Workers::start(config.workers)?;
    let ctx = Arc::new(Ctx {
        workers,
        subscriptions: budget::Budget::new(config.max_subscriptions as usize, config.max_subscriptions_per_ip as usize),
        client: deps.client,
        pool: deps.pool,
        system: deps.system,
        consensus: deps.consensus,
        config,
        starting_block,
        broadcasts: Default::default(),
        follows: Default::default(),
        direct: Default::default(),
    });
    let mut module = RpcModule::new(());
    system::register(&mut module, &ctx);
    chain::register(&mut module, &ctx);
    state::register(&mut module, &ctx);
    author::register(&mut module, &ctx);
    chain_spec::register(&mut module, &ctx);
    tokens::register(&mut module, &ctx);
    consensus::register(&mut module, &ctx);
    txpool::register(&mut module, &ctx);
    transaction::register(&mut module, &ctx);
    chain_head::register(&mut module, &ctx);
    archive::register(&mut module, &ctx);

    let mut names: Vec<&'static str> = module.method_names().collect();
    names.push("rpc_methods");
    names.sort_unstable();
    let listing = serde_json::json!({ "methods": names });
    module
        .register_method("rpc_methods", move |_, _, _| listing.clone())
        .map(|_| ())
        .expect("rpc_methods is registered once");
    Ok(Rpc { module, ctx })
}

#[cfg(test)]
mod tests;
