//! Errors of the server and the JSON-RPC error objects the methods answer with.

use jsonrpsee::types::ErrorObjectOwned;
use std::fmt::Display;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The IO error.
        source: std::io::Error,
    },
    /// A configured CORS origin is not a valid header value.
    #[error("invalid CORS origin {0:?}")]
    Cors(String),
}

/// Result with the server [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Result of a method.
pub(crate) type RpcResult<T = serde_json::Value> = std::result::Result<T, ErrorObjectOwned>;

/// Invalid method parameters.
pub(crate) const INVALID_PARAMS: i32 = -32602;
/// Chain, state or runtime error (unknown block, failed runtime call, range too large …).
pub(crate) const SERVER_ERROR: i32 = -32000;
/// An unsafe method called while only safe ones are served.
pub(crate) const UNSAFE_METHOD: i32 = -32601;
/// Too many calls from one IP.
pub(crate) const RATE_LIMITED: i32 = -32029;

/// `-32602` with `message`.
pub(crate) fn invalid_params(message: impl Display) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(INVALID_PARAMS, format!("Invalid params: {message}"), None::<()>)
}

/// `-32000` with `message`.
pub(crate) fn server_error(message: impl Display) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(SERVER_ERROR, message.to_string(), None::<()>)
}

/// A chain access error.
pub(crate) fn client_error(err: ecochain_client::Error) -> ErrorObjectOwned {
    server_error(format!("Client error: {err}"))
}

/// The refusal of an unsafe method.
pub(crate) fn unsafe_method() -> ErrorObjectOwned {
    ErrorObjectOwned::owned(UNSAFE_METHOD, "RPC call is unsafe to be called externally", None::<()>)
}

/// The refusal of a call over the rate limit.
pub(crate) fn rate_limited() -> ErrorObjectOwned {
    ErrorObjectOwned::owned(RATE_LIMITED, "rate limited", None::<()>)
}

/// A transaction the pool refused, with Substrate's `author_*` code.
pub(crate) fn submit_error(err: &ecochain_client::SubmitError) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(err.rpc_code(), err.message(), err.data())
}
