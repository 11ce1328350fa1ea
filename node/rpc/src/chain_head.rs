//! `chainHead_v1_*`: the chain-head group of the new JSON-RPC spec
//! (paritytech json-rpc-interface-spec), what polkadot-api and dedot use.
//!
//! `chainHead_v1_follow [withRuntime]` opens a subscription that reports
//! `initialized` (the finalized block), then `newBlock` and
//! `bestBlockChanged` for each block above it, and `finalized` as blocks
//! become final. Every reported block is pinned for that subscription until
//! `chainHead_v1_unpin`. `_header`, `_body`, `_storage` and `_call` act on a
//! pinned block; the last three are operations whose results arrive as
//! `operation*` events of the same subscription.
//!
//! The chain is linear (BFT with immediate finality; the dev sealer too), so
//! `prunedBlockHashes` is always empty. A gap in the block events (a lagging
//! subscriber) is filled from the database; a block that does not extend what
//! was reported, or more than [`MAX_PINNED`] pinned blocks, ends the
//! subscription with `stop`, as the spec asks.
//!
//! Limits: [`MAX_FOLLOWS_PER_CONNECTION`] follow subscriptions per connection
//! (the spec asks for at least 2; past it `-32800`), [`MAX_OPERATIONS`]
//! concurrent operations per subscription (each storage item counts as one;
//! past it items are discarded or `limitReached`), descendant queries pause
//! with `operationWaitingForContinue` every [`ITEMS_BEFORE_CONTINUE`] items.
//!
//! Errors: `-32801` a block that is not pinned, `-32803` a continue for an
//! operation that is not waiting, `-32804` duplicate hashes in an unpin,
//! `-32602` malformed parameters. A stale or unknown subscription id answers
//! `null` (`limitReached` for operations), as the spec says.

use crate::{
    chain::notify,
    error::{invalid_params, RpcResult},
    params::{to_hex, Args},
    storage_query::{self, Item},
    Ctx,
};
use codec::Encode;
use ecochain_client::ChainEvent;
use ecochain_runtime::Header;
use jsonrpsee::{types::ErrorObjectOwned, ConnectionId, PendingSubscriptionSink, RpcModule, SubscriptionSink};
use parking_lot::Mutex;
use serde_json::{json, Value};
use sp_core::H256;
use sp_runtime::generic::DigestItem;
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
};
use tokio::sync::{broadcast::error::RecvError, mpsc, oneshot};

/// Follow subscriptions one connection may hold.
pub(crate) const MAX_FOLLOWS_PER_CONNECTION: usize = 4;
/// Blocks one subscription may hold pinned; past it the subscription stops.
/// Below the default pruning window (256 states), so a pinned block's state is there.
pub(crate) const MAX_PINNED: usize = 128;
/// Concurrent operations per subscription (the spec asks for at least 16).
pub(crate) const MAX_OPERATIONS: usize = 16;
/// Items per `operationStorageItems` event.
const ITEMS_PER_EVENT: usize = 256;
/// Items a descendant query sends before it waits for `chainHead_v1_continue`.
pub(crate) const ITEMS_BEFORE_CONTINUE: usize = 1024;
/// Operation events waiting for the subscription to send them.
const EVENT_QUEUE: usize = 64;

const LIMIT_REACHED: i32 = -32800;
const INVALID_BLOCK: i32 = -32801;
const INVALID_CONTINUE: i32 = -32803;
const DUPLICATE_HASHES: i32 = -32804;

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned::<()>(code, message.into(), None)
}

/// What a subscription has reported of a linear chain: the finalized block
/// and the blocks above it, by number. Pure bookkeeping.
#[derive(Debug)]
pub(crate) struct Reported {
    finalized: (u32, H256),
    above: BTreeMap<u32, H256>,
    best: H256,
}

/// A block that does not extend what was reported.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Gap;

impl Reported {
    pub(crate) fn new(number: u32, hash: H256) -> Self {
        Self { finalized: (number, hash), above: BTreeMap::new(), best: hash }
    }

    /// Number of the highest reported block.
    pub(crate) fn last(&self) -> u32 {
        self.above.keys().next_back().copied().unwrap_or(self.finalized.0)
    }

    fn hash_at(&self, number: u32) -> Option<H256> {
        if number == self.finalized.0 {
            Some(self.finalized.1)
        } else {
            self.above.get(&number).copied()
        }
    }

    fn number_of(&self, hash: &H256) -> Option<u32> {
        if *hash == self.finalized.1 {
            return Some(self.finalized.0);
        }
        self.above.iter().find(|(_, h)| *h == hash).map(|(n, _)| *n)
    }

    /// `header` on top of the reported blocks: `Ok(true)` if it is new,
    /// `Ok(false)` if already reported, `Err` if it does not extend them.
    pub(crate) fn extend(&mut self, header: &Header) -> Result<bool, Gap> {
        let hash = header.hash();
        if header.number <= self.last() {
            return if self.hash_at(header.number) == Some(hash) || header.number < self.finalized.0 {
                Ok(false)
            } else {
                Err(Gap)
            };
        }
        if header.number != self.last() + 1 || self.hash_at(header.number - 1) != Some(header.parent_hash) {
            return Err(Gap);
        }
        self.above.insert(header.number, hash);
        Ok(true)
    }

    /// Makes `hash` (reported, at `number`) the best block; false if it already was.
    pub(crate) fn set_best(&mut self, hash: H256) -> bool {
        std::mem::replace(&mut self.best, hash) != hash
    }

    /// Finalizes the reported block `hash`: the newly finalized hashes, oldest
    /// first (empty if it is not above the finalized block).
    pub(crate) fn finalize(&mut self, number: u32, hash: H256) -> Result<Vec<H256>, Gap> {
        if number <= self.finalized.0 {
            return Ok(Vec::new());
        }
        if self.hash_at(number) != Some(hash) {
            return Err(Gap);
        }
        let rest = self.above.split_off(&(number + 1));
        let finalized = std::mem::replace(&mut self.above, rest).into_values().collect();
        self.finalized = (number, hash);
        Ok(finalized)
    }

    /// Whether the best block is below the finalized one (it must then move).
    pub(crate) fn best_behind(&self) -> bool {
        self.number_of(&self.best).is_none_or(|n| n < self.finalized.0)
    }
}

/// An operation in progress.
struct Operation {
    /// Operation slots it holds (storage items, or 1).
    slots: usize,
    /// Set while it waits for `chainHead_v1_continue`.
    resume: Option<oneshot::Sender<()>>,
}

#[derive(Default)]
struct FollowState {
    pinned: HashSet<H256>,
    operations: HashMap<String, Operation>,
    next_operation: u64,
}

/// One follow subscription, as the methods that name it see it.
pub(crate) struct Follow {
    conn: ConnectionId,
    events: mpsc::Sender<Value>,
    state: Mutex<FollowState>,
}

impl Follow {
    fn is_pinned(&self, hash: &H256) -> bool {
        self.state.lock().pinned.contains(hash)
    }

    /// Pins `hash`; false past [`MAX_PINNED`].
    fn pin(&self, hash: H256) -> bool {
        let mut state = self.state.lock();
        state.pinned.insert(hash);
        state.pinned.len() <= MAX_PINNED
    }

    /// Starts an operation holding up to `wanted` slots: its id and the slots it got.
    fn start(&self, wanted: usize) -> Option<(String, usize)> {
        let mut state = self.state.lock();
        let used: usize = state.operations.values().map(|op| op.slots).sum();
        let slots = wanted.min(MAX_OPERATIONS.saturating_sub(used));
        if slots == 0 {
            return None;
        }
        state.next_operation += 1;
        let id = format!("{:x}", state.next_operation);
        state.operations.insert(id.clone(), Operation { slots, resume: None });
        Some((id, slots))
    }

    fn is_running(&self, id: &str) -> bool {
        self.state.lock().operations.contains_key(id)
    }

    fn finish(&self, id: &str) {
        self.state.lock().operations.remove(id);
    }

    /// Sends an operation's event, unless the operation was stopped; false
    /// when the operation should end.
    async fn emit(&self, id: &str, event: Value) -> bool {
        self.is_running(id) && self.events.send(event).await.is_ok()
    }

    /// Sends the operation's last event and frees its slots.
    async fn done(&self, id: &str, event: Value) {
        if self.is_running(id) {
            self.finish(id);
            let _ = self.events.send(event).await;
        }
    }
}

/// Every follow subscription of the node, by subscription id.
#[derive(Default)]
pub(crate) struct Follows {
    subs: Mutex<HashMap<String, Arc<Follow>>>,
    /// Follow subscriptions held (or being opened) per connection.
    held: Mutex<HashMap<ConnectionId, usize>>,
}

impl Follows {
    /// The subscription `id` opened on `conn`, if it is still running.
    fn get(&self, conn: ConnectionId, id: &str) -> Option<Arc<Follow>> {
        self.subs.lock().get(id).filter(|f| f.conn == conn).cloned()
    }

    /// One of `conn`'s follow slots, taken at once (checked and counted under
    /// one lock: a client that sends its subscribes without waiting for the
    /// answers gets no more than the limit), until the guard drops.
    fn reserve(&self, conn: ConnectionId) -> Option<Slot<'_>> {
        let mut held = self.held.lock();
        let n = held.entry(conn).or_default();
        if *n >= MAX_FOLLOWS_PER_CONNECTION {
            return None;
        }
        *n += 1;
        Some(Slot(self, conn))
    }
}

/// A follow slot of a connection, given back on drop.
struct Slot<'a>(&'a Follows, ConnectionId);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut held = self.0.held.lock();
        if let Some(n) = held.get_mut(&self.1) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&self.1);
            }
        }
    }
}

/// Removes a subscription from [`Follows`] when its task ends.
struct Registered<'a>(&'a Follows, String);

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.0.subs.lock().remove(&self.1);
    }
}

/// The runtime as the spec describes it (`type: valid`, `spec` with `apis` an object).
pub(crate) fn runtime_json(version: &sp_version::RuntimeVersion) -> Value {
    let apis: serde_json::Map<String, Value> = version.apis.iter().map(|(id, v)| (to_hex(id), json!(v))).collect();
    json!({
        "type": "valid",
        "spec": {
            "specName": version.spec_name.to_string(),
            "implName": version.impl_name.to_string(),
            "specVersion": version.spec_version,
            "implVersion": version.impl_version,
            "transactionVersion": version.transaction_version,
            "apis": apis,
        }
    })
}

/// The follow loop's view: what to send for the chain's events.
struct Follower<'a> {
    ctx: &'a Arc<Ctx>,
    follow: &'a Follow,
    sink: &'a SubscriptionSink,
    with_runtime: bool,
    reported: Reported,
}

/// Why the loop ends: the client is gone, or the subscription must stop.
enum End {
    Gone,
    Stop,
}

impl Follower<'_> {
    async fn send(&self, event: Value) -> Result<(), End> {
        if notify(self.sink, &event).await {
            Ok(())
        } else {
            Err(End::Gone)
        }
    }

    fn new_runtime(&self, header: &Header) -> Value {
        let updated = header.digest.logs.iter().any(|item| matches!(item, DigestItem::RuntimeEnvironmentUpdated));
        if updated {
            runtime_json(&self.ctx.client.runtime_version())
        } else {
            Value::Null
        }
    }

    /// Reports `header` if it is new (it must extend what was reported).
    async fn report(&mut self, header: &Header) -> Result<(), End> {
        if !self.reported.extend(header).map_err(|Gap| End::Stop)? {
            return Ok(());
        }
        let hash = header.hash();
        if !self.follow.pin(hash) {
            return Err(End::Stop);
        }
        let mut event = json!({ "event": "newBlock", "blockHash": hash, "parentBlockHash": header.parent_hash });
        if self.with_runtime {
            event["newRuntime"] = self.new_runtime(header);
        }
        self.send(event).await
    }

    /// Reports every canonical block up to `header` (read from the database
    /// for any gap), then `header`.
    async fn catch_up(&mut self, header: &Header) -> Result<(), End> {
        let from = self.reported.last() + 1;
        if header.number > from {
            if (header.number - from) as usize > MAX_PINNED {
                return Err(End::Stop);
            }
            let client = self.ctx.client.clone();
            let to = header.number;
            let missing = self
                .ctx
                .workers
                .run(move || {
                    (from..to)
                        .map(|n| {
                            let hash = client.hash(n).map_err(crate::error::client_error)?;
                            let header =
                                hash.map(|h| client.header(&h)).transpose().map_err(crate::error::client_error)?;
                            header.flatten().ok_or_else(|| crate::error::server_error(format!("no block #{n}")))
                        })
                        .collect::<RpcResult<Vec<Header>>>()
                })
                .await
                .map_err(|_| End::Stop)?;
            for missing in &missing {
                self.report(missing).await?;
            }
        }
        self.report(header).await
    }

    async fn best(&mut self, header: &Header) -> Result<(), End> {
        self.catch_up(header).await?;
        let hash = header.hash();
        if self.reported.set_best(hash) {
            self.send(json!({ "event": "bestBlockChanged", "bestBlockHash": hash })).await?;
        }
        Ok(())
    }

    async fn finalized(&mut self, header: &Header) -> Result<(), End> {
        self.catch_up(header).await?;
        let hash = header.hash();
        let finalized = self.reported.finalize(header.number, hash).map_err(|Gap| End::Stop)?;
        if finalized.is_empty() {
            return Ok(());
        }
        if self.reported.best_behind() {
            self.reported.set_best(hash);
            self.send(json!({ "event": "bestBlockChanged", "bestBlockHash": hash })).await?;
        }
        self.send(json!({ "event": "finalized", "finalizedBlockHashes": finalized, "prunedBlockHashes": [] })).await
    }

    async fn run(
        &mut self,
        chain: &mut tokio::sync::broadcast::Receiver<ChainEvent>,
        ops: &mut mpsc::Receiver<Value>,
    ) -> End {
        let best = self.ctx.client.best_header();
        if let Err(end) = self.best(&best).await {
            return end;
        }
        loop {
            let step = tokio::select! {
                _ = self.sink.closed() => return End::Gone,
                Some(event) = ops.recv() => self.send(event).await,
                event = chain.recv() => match event {
                    Ok(ChainEvent::Imported { header, .. }) => self.best(&header).await,
                    Ok(ChainEvent::Finalized { header, .. }) => self.finalized(&header).await,
                    Err(RecvError::Lagged(_)) => {
                        let (best, finalized) = (self.ctx.client.best_header(), self.ctx.client.finalized_header());
                        match self.best(&best).await {
                            Ok(()) => self.finalized(&finalized).await,
                            Err(end) => Err(end),
                        }
                    }
                    Err(RecvError::Closed) => Err(End::Stop),
                },
            };
            if let Err(end) = step {
                return end;
            }
        }
    }
}

async fn follow(
    ctx: Arc<Ctx>,
    params: jsonrpsee::types::Params<'static>,
    pending: PendingSubscriptionSink,
    conn: ConnectionId,
) {
    let with_runtime = match params.one::<bool>() {
        Ok(with_runtime) => with_runtime,
        Err(e) => return pending.reject(invalid_params(e.message())).await,
    };
    let Some(_slot) = ctx.follows.reserve(conn) else {
        let message = format!("at most {MAX_FOLLOWS_PER_CONNECTION} chainHead_v1_follow subscriptions per connection");
        return pending.reject(error(LIMIT_REACHED, message)).await;
    };
    let mut chain = ctx.client.subscribe();
    let Ok(sink) = pending.accept().await else { return };
    let id = match sink.subscription_id() {
        jsonrpsee::types::SubscriptionId::Str(s) => s.into_owned(),
        jsonrpsee::types::SubscriptionId::Num(n) => n.to_string(),
    };
    let (events, mut ops) = mpsc::channel(EVENT_QUEUE);
    let follow = Arc::new(Follow { conn, events, state: Mutex::default() });
    ctx.follows.subs.lock().insert(id.clone(), follow.clone());
    let _registered = Registered(&ctx.follows, id);

    let finalized = ctx.client.finalized_header();
    let hash = finalized.hash();
    follow.pin(hash);
    let mut initialized = json!({ "event": "initialized", "finalizedBlockHashes": [hash] });
    if with_runtime {
        initialized["finalizedBlockRuntime"] = runtime_json(&ctx.client.runtime_version());
    }
    if !notify(&sink, &initialized).await {
        return;
    }
    let mut follower = Follower {
        ctx: &ctx,
        follow: &follow,
        sink: &sink,
        with_runtime,
        reported: Reported::new(finalized.number, hash),
    };
    if let End::Stop = follower.run(&mut chain, &mut ops).await {
        tracing::debug!(target: "rpc", "chainHead_v1_follow stopped");
        let _ = notify(&sink, &json!({ "event": "stop" })).await;
    }
}

/// The follow subscription a method names, and the rest of its parameters.
fn subscription_of(ctx: &Ctx, conn: ConnectionId, args: &Args) -> RpcResult<Option<Arc<Follow>>> {
    let id = match args.get(0) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(invalid_params("missing followSubscription")),
    };
    Ok(ctx.follows.get(conn, &id))
}

fn pinned_block(follow: &Follow, args: &Args) -> RpcResult<H256> {
    let hash = args.hash(1)?.ok_or_else(|| invalid_params("missing block hash"))?;
    if follow.is_pinned(&hash) {
        Ok(hash)
    } else {
        Err(error(INVALID_BLOCK, format!("block {hash:?} is not pinned by this subscription")))
    }
}

fn started(id: String) -> Value {
    json!({ "result": "started", "operationId": id })
}

fn limit_reached() -> Value {
    json!({ "result": "limitReached" })
}

async fn header(ctx: Arc<Ctx>, conn: ConnectionId, args: Args) -> RpcResult {
    let Some(follow) = subscription_of(&ctx, conn, &args)? else { return Ok(Value::Null) };
    let hash = pinned_block(&follow, &args)?;
    let client = ctx.client.clone();
    let header = ctx.workers.run(move || client.header(&hash).map_err(crate::error::client_error)).await?;
    Ok(header.map_or(Value::Null, |h| json!(to_hex(&h.encode()))))
}

async fn body(ctx: Arc<Ctx>, conn: ConnectionId, args: Args) -> RpcResult {
    let Some(follow) = subscription_of(&ctx, conn, &args)? else { return Ok(limit_reached()) };
    let hash = pinned_block(&follow, &args)?;
    let Some((id, _)) = follow.start(1) else { return Ok(limit_reached()) };
    let op = id.clone();
    tokio::spawn(async move {
        let client = ctx.client.clone();
        let block = ctx.workers.run(move || client.block(&hash).map_err(crate::error::client_error)).await;
        let event = match block {
            Ok(Some(block)) => {
                let value: Vec<String> = block.extrinsics.iter().map(|xt| to_hex(xt)).collect();
                json!({ "event": "operationBodyDone", "operationId": op, "value": value })
            }
            Ok(None) | Err(_) => json!({ "event": "operationInaccessible", "operationId": op }),
        };
        follow.done(&op, event).await;
    });
    Ok(started(id))
}

async fn call(ctx: Arc<Ctx>, conn: ConnectionId, args: Args) -> RpcResult {
    let Some(follow) = subscription_of(&ctx, conn, &args)? else { return Ok(limit_reached()) };
    let hash = pinned_block(&follow, &args)?;
    let function = args.required_str(2, "function")?.to_owned();
    let data = args.bytes(3, "callParameters")?;
    let Some((id, _)) = follow.start(1) else { return Ok(limit_reached()) };
    let op = id.clone();
    tokio::spawn(async move {
        let checked = crate::state::check_runtime_call(&function, &data);
        let event = match checked {
            Err(refused) => json!({ "event": "operationError", "operationId": op, "error": refused.message() }),
            Ok(()) => {
                let client = ctx.client.clone();
                let output = ctx
                    .workers
                    .run(move || client.call(&hash, &function, &data).map_err(crate::error::client_error))
                    .await;
                match output {
                    Ok(output) => json!({ "event": "operationCallDone", "operationId": op, "output": to_hex(&output) }),
                    Err(e) => json!({ "event": "operationError", "operationId": op, "error": e.message() }),
                }
            }
        };
        follow.done(&op, event).await;
    });
    Ok(started(id))
}

/// Runs a storage operation's items in order, a page at a time.
async fn run_storage(ctx: Arc<Ctx>, follow: Arc<Follow>, op: String, at: H256, items: Vec<Item>) {
    let mut since_continue = 0;
    for item in items {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let (client, query, from) = (ctx.client.clone(), item.clone(), after.clone());
            let page = ctx
                .workers
                .run(move || storage_query::read_page(&client, &at, &query, from.as_deref(), ITEMS_PER_EVENT))
                .await;
            let (entries, next) = match page {
                Ok(page) => page,
                Err(e) => {
                    let event = json!({ "event": "operationError", "operationId": op, "error": e.message() });
                    return follow.done(&op, event).await;
                }
            };
            if !entries.is_empty() {
                since_continue += entries.len();
                let event = json!({ "event": "operationStorageItems", "operationId": op, "items": entries });
                if !follow.emit(&op, event).await {
                    return;
                }
            }
            let Some(next) = next else { break };
            after = Some(next);
            if since_continue >= ITEMS_BEFORE_CONTINUE {
                since_continue = 0;
                let (resume, resumed) = oneshot::channel();
                match follow.state.lock().operations.get_mut(&op) {
                    Some(operation) => operation.resume = Some(resume),
                    None => return,
                }
                if !follow.emit(&op, json!({ "event": "operationWaitingForContinue", "operationId": op })).await {
                    return;
                }
                // Stopped (its sender dropped) or the subscription ended.
                if resumed.await.is_err() {
                    return;
                }
            }
        }
    }
    follow.done(&op, json!({ "event": "operationStorageDone", "operationId": op })).await;
}

async fn storage(ctx: Arc<Ctx>, conn: ConnectionId, args: Args) -> RpcResult {
    let Some(follow) = subscription_of(&ctx, conn, &args)? else { return Ok(limit_reached()) };
    let hash = pinned_block(&follow, &args)?;
    let mut items = storage_query::parse_items(args.get(2))?;
    if storage_query::parse_child_trie(args.get(3))? {
        // No child tries on this chain: every child trie is empty.
        items.clear();
    }
    let wanted = items.len().max(1);
    let Some((id, slots)) = follow.start(wanted) else { return Ok(limit_reached()) };
    let discarded = items.len().saturating_sub(slots);
    items.truncate(slots);
    tokio::spawn(run_storage(ctx, follow, id.clone(), hash, items));
    Ok(json!({ "result": "started", "operationId": id, "discardedItems": discarded }))
}

fn operation_id(args: &Args) -> RpcResult<String> {
    Ok(args.required_str(1, "operationId")?.to_owned())
}

async fn continue_(ctx: Arc<Ctx>, conn: ConnectionId, args: Args) -> RpcResult {
    let Some(follow) = subscription_of(&ctx, conn, &args)? else { return Ok(Value::Null) };
    let id = operation_id(&args)?;
    let resume = follow.state.lock().operations.get_mut(&id).and_then(|op| op.resume.take());
    match resume {
        Some(resume) => {
            let _ = resume.send(());
            Ok(Value::Null)
        }
        None => Err(error(INVALID_CONTINUE, format!("operation {id} is not waiting for a continue"))),
    }
}

async fn stop_operation(ctx: Arc<Ctx>, conn: ConnectionId, args: Args) -> RpcResult {
    let Some(follow) = subscription_of(&ctx, conn, &args)? else { return Ok(Value::Null) };
    follow.finish(&operation_id(&args)?);
    Ok(Value::Null)
}

async fn unpin(ctx: Arc<Ctx>, conn: ConnectionId, args: Args) -> RpcResult {
    let Some(follow) = subscription_of(&ctx, conn, &args)? else { return Ok(Value::Null) };
    let hashes: Vec<H256> = match args.get(1) {
        Some(Value::String(_)) => vec![args.hash(1)?.unwrap_or_default()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => crate::params::parse_h256(s).map_err(invalid_params),
                other => Err(invalid_params(format!("block hash must be a string, got {other}"))),
            })
            .collect::<RpcResult<_>>()?,
        _ => return Err(invalid_params("missing hashOrHashes")),
    };
    let unique: HashSet<H256> = hashes.iter().copied().collect();
    if unique.len() != hashes.len() {
        return Err(error(DUPLICATE_HASHES, "the same block hash is given twice"));
    }
    let mut state = follow.state.lock();
    if let Some(missing) = hashes.iter().find(|h| !state.pinned.contains(h)) {
        return Err(error(INVALID_BLOCK, format!("block {missing:?} is not pinned by this subscription")));
    }
    for hash in &hashes {
        state.pinned.remove(hash);
    }
    Ok(Value::Null)
}

type Handler = fn(Arc<Ctx>, ConnectionId, Args) -> futures::future::BoxFuture<'static, RpcResult>;

fn register_method(module: &mut RpcModule<()>, ctx: &Arc<Ctx>, name: &'static str, max: usize, f: Handler) {
    let ctx = ctx.clone();
    module
        .register_async_method(name, move |params, _, ext| {
            let ctx = ctx.clone();
            let conn = ext.get::<ConnectionId>().copied().unwrap_or(ConnectionId(usize::MAX));
            async move { f(ctx, conn, Args::parse(&params, max)?).await }
        })
        .map(|_| ())
        .expect("method names are unique");
}

pub(crate) fn register(module: &mut RpcModule<()>, ctx: &Arc<Ctx>) {
    use futures::FutureExt;
    crate::subscription(
        module,
        ctx,
        ["chainHead_v1_follow", "chainHead_v1_followEvent", "chainHead_v1_unfollow"],
        follow,
    );
    register_method(module, ctx, "chainHead_v1_header", 2, |c, conn, a| header(c, conn, a).boxed());
    register_method(module, ctx, "chainHead_v1_body", 2, |c, conn, a| body(c, conn, a).boxed());
    register_method(module, ctx, "chainHead_v1_call", 4, |c, conn, a| call(c, conn, a).boxed());
    register_method(module, ctx, "chainHead_v1_storage", 4, |c, conn, a| storage(c, conn, a).boxed());
    register_method(module, ctx, "chainHead_v1_continue", 2, |c, conn, a| continue_(c, conn, a).boxed());
    register_method(module, ctx, "chainHead_v1_stopOperation", 2, |c, conn, a| stop_operation(c, conn, a).boxed());
    register_method(module, ctx, "chainHead_v1_unpin", 2, |c, conn, a| unpin(c, conn, a).boxed());
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_runtime::{traits::Header as _, Digest};

    fn header(number: u32, parent: H256) -> Header {
        Header::new(number, Default::default(), Default::default(), parent, Digest::default())
    }

    /// A chain of `n` headers above genesis.
    fn chain(n: u32) -> Vec<Header> {
        let mut headers = vec![header(0, H256::zero())];
        for i in 1..=n {
            let parent = headers[i as usize - 1].hash();
            headers.push(header(i, parent));
        }
        headers
    }

    #[test]
    fn blocks_are_reported_once_in_order_and_finalized_oldest_first() {
        let c = chain(5);
        let mut r = Reported::new(0, c[0].hash());
        assert_eq!(r.extend(&c[1]), Ok(true));
        assert_eq!(r.extend(&c[1]), Ok(false), "a block is reported once");
        assert_eq!(r.extend(&c[3]), Err(Gap), "a block above a gap");
        assert_eq!(r.extend(&c[2]), Ok(true));
        assert_eq!(r.extend(&c[3]), Ok(true));
        assert!(r.set_best(c[3].hash()));
        assert!(!r.set_best(c[3].hash()), "no change, no event");
        assert_eq!(r.finalize(2, c[2].hash()), Ok(vec![c[1].hash(), c[2].hash()]));
        assert_eq!(r.finalize(2, c[2].hash()), Ok(vec![]), "finalized once");
        assert_eq!(r.finalize(1, c[1].hash()), Ok(vec![]), "older finality is old news");
        assert!(!r.best_behind());
        assert_eq!(r.extend(&c[1]), Ok(false), "below the finalized block: already known");
        assert_eq!(r.finalize(4, c[4].hash()), Err(Gap), "an unreported block cannot be finalized");
        assert_eq!(r.extend(&c[4]), Ok(true));
        assert_eq!(r.finalize(4, c[4].hash()), Ok(vec![c[3].hash(), c[4].hash()]));
        assert!(r.best_behind(), "best #3 is below the finalized #4");
    }

    #[test]
    fn a_fork_is_a_gap() {
        let c = chain(2);
        let mut r = Reported::new(0, c[0].hash());
        r.extend(&c[1]).expect("extends");
        let sibling = Header::new(1, Default::default(), H256::repeat_byte(9), c[0].hash(), Digest::default());
        assert_eq!(r.extend(&sibling), Err(Gap), "another block at a reported height");
        let orphan = header(2, H256::repeat_byte(7));
        assert_eq!(r.extend(&orphan), Err(Gap), "a parent never reported");
    }

    #[test]
    fn operations_share_sixteen_slots() {
        let (events, _rx) = mpsc::channel(1);
        let f = Follow { conn: ConnectionId(1), events, state: Mutex::default() };
        let (a, got) = f.start(10).expect("room");
        assert_eq!(got, 10);
        let (_, got) = f.start(10).expect("partly");
        assert_eq!(got, MAX_OPERATIONS - 10, "items past the limit are discarded");
        assert!(f.start(1).is_none(), "limit reached");
        f.finish(&a);
        assert_eq!(f.start(3).map(|(_, n)| n), Some(3), "a finished operation frees its slots");
    }

    #[test]
    fn pinning_is_bounded() {
        let (events, _rx) = mpsc::channel(1);
        let f = Follow { conn: ConnectionId(1), events, state: Mutex::default() };
        for i in 0..MAX_PINNED as u64 {
            assert!(f.pin(H256::from_low_u64_be(i)));
        }
        assert!(!f.pin(H256::from_low_u64_be(u64::MAX)), "one more than the limit");
    }

    #[test]
    fn runtime_apis_are_an_object_of_hex_ids() {
        let json = runtime_json(&ecochain_runtime::VERSION);
        assert_eq!(json["type"], "valid");
        assert_eq!(json["spec"]["specName"], "ecochain");
        let apis = json["spec"]["apis"].as_object().expect("object");
        // TaggedTransactionQueue, as the spec's example names it.
        assert!(apis.contains_key("0xd2bc9897eed08f15"), "{apis:?}");
        assert!(apis.keys().all(|k| k.len() == 18));
    }
}
