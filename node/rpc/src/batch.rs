//! Batches answered in one worker job.
//!
//! jsonrpsee answers a batch one call after another, and each of our reads
//! then makes its own trip to the worker pool: a queue push, a thread
//! wake-up, a reply through a channel and a task wake-up, per call. A batch
//! of 100 `state_getStorage` took 20 ms that way, five times the cost of the
//! same calls sent alone.
//!
//! [`Batches`] is an RPC middleware that takes every call of a batch whose
//! method is answered synchronously ([`Direct`]: registered with
//! [`crate::method`] or [`crate::read`]: reads, runtime calls, submissions)
//! and runs them all in one worker job, in order, through the worker's view
//! of the best block ([`crate::view`]). Everything else in the batch
//! (subscriptions, asynchronous methods, calls refused by the rate limit,
//! malformed entries) goes the usual way. The answers keep the batch's order, and the
//! response size limit applies as jsonrpsee applies it.

use crate::{
    error::{server_error, RpcResult},
    params::Args,
    Ctx,
};
use jsonrpsee::{
    core::middleware::{Batch, BatchEntry, Notification, RpcServiceT},
    server::{BatchResponseBuilder, MethodResponse},
    types::{ErrorObjectOwned, Params, Request},
    ResponsePayload,
};
use std::{future::Future, panic::AssertUnwindSafe, sync::Arc};

/// A method answered synchronously, on a worker thread or (for [`crate::read`]) on the caller's.
pub(crate) type MethodFn = fn(&Ctx, Args) -> RpcResult;

/// A registered synchronous method: its function and most positional parameters.
#[derive(Clone, Copy)]
pub(crate) struct Direct {
    pub(crate) max_params: usize,
    pub(crate) f: MethodFn,
}

impl Direct {
    /// Answer one call (a panic answers with an error, as a single call would).
    pub(crate) fn answer(&self, ctx: &Ctx, params: &Params<'_>) -> RpcResult {
        std::panic::catch_unwind(AssertUnwindSafe(|| (self.f)(ctx, Args::parse(params, self.max_params)?)))
            .unwrap_or_else(|_| Err(server_error("internal error: the call panicked")))
    }
}

/// What becomes of one entry of a batch.
enum Plan<'a> {
    /// Answered by the batch's worker job (its answers come in this order).
    Direct(jsonrpsee::types::Id<'a>),
    /// Answered by the inner service, as jsonrpsee would.
    Call(Request<'a>),
    Notification(Notification<'a>),
    Refused(jsonrpsee::types::Id<'a>, ErrorObjectOwned),
}

/// The middleware (see the module documentation).
#[derive(Clone)]
pub(crate) struct Batches<S> {
    pub(crate) inner: S,
    pub(crate) ctx: Arc<Ctx>,
    pub(crate) max_response_bytes: usize,
}

impl<S> RpcServiceT for Batches<S>
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
        self.inner.call(request)
    }

    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        let (inner, ctx, limit) = (self.inner.clone(), self.ctx.clone(), self.max_response_bytes);
        async move {
            let mut jobs: Vec<(Direct, Params<'static>)> = Vec::new();
            let plan: Vec<Plan<'a>> = batch
                .into_iter()
                .map(|entry| match entry {
                    Ok(BatchEntry::Call(request)) => match ctx.direct(request.method_name()) {
                        Some(direct) => {
                            jobs.push((direct, request.params().into_owned()));
                            Plan::Direct(request.id)
                        }
                        None => Plan::Call(request),
                    },
                    Ok(BatchEntry::Notification(n)) => Plan::Notification(n),
                    Err(err) => {
                        let (err, id) = err.into_parts();
                        Plan::Refused(id, err.into_owned())
                    }
                })
                .collect();
            let answers: Vec<RpcResult> = if jobs.is_empty() {
                Vec::new()
            } else {
                let job_ctx = ctx.clone();
                let count = jobs.len();
                match ctx
                    .workers
                    .run(move || Ok(jobs.iter().map(|(direct, params)| direct.answer(&job_ctx, params)).collect()))
                    .await
                {
                    Ok(answers) => answers,
                    // Busy or shutting down: every read of the batch gets that answer.
                    Err(e) => vec![Err(e); count],
                }
            };
            let mut answers = answers.into_iter();
            let mut response = BatchResponseBuilder::new_with_limit(limit);
            let mut notified = false;
            for entry in plan {
                let answer = match entry {
                    Plan::Direct(id) => match answers.next().unwrap_or_else(|| Err(server_error("no answer"))) {
                        Ok(value) => MethodResponse::response(id, ResponsePayload::success(value), limit),
                        Err(e) => MethodResponse::error(id, e),
                    },
                    Plan::Call(request) => inner.call(request).await,
                    Plan::Notification(n) => {
                        notified = true;
                        inner.notification(n).await;
                        continue;
                    }
                    Plan::Refused(id, e) => MethodResponse::error(id, e),
                };
                if let Err(too_big) = response.append(answer) {
                    return too_big;
                }
            }
            if response.is_empty() && notified {
                MethodResponse::notification()
            } else {
                MethodResponse::from_batch(response.finish())
            }
        }
    }

    fn notification<'a>(&self, n: Notification<'a>) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        self.inner.notification(n)
    }
}
