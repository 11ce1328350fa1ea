//! # ecochain-metrics-http
//!
//! The one HTTP responder behind `--prometheus-port` (node) and the relayer's
//! metrics address: `GET <path>` answered by a handler, one response per
//! connection. It is small on purpose and bounded, as everything that faces a
//! socket: at most [`MAX_CONNECTIONS`] connections are served at once (more
//! wait in the kernel's backlog), a request must arrive within
//! [`READ_TIMEOUT`] and fit in [`MAX_REQUEST_BYTES`], and a failing `accept`
//! (out of file descriptors) backs off instead of spinning.

use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::Semaphore,
};

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 64;
/// Longest wait for a request.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest request read (the request line is all that is used).
pub const MAX_REQUEST_BYTES: usize = 2048;
/// Pause after a failed `accept`.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// An HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status line after the version, e.g. `200 OK`.
    pub status: &'static str,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// `200 OK` with `body`.
    pub fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self { status: "200 OK", content_type, body: body.into() }
    }

    /// `503 Service Unavailable` with `body`.
    pub fn unavailable(content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self { status: "503 Service Unavailable", content_type, body: body.into() }
    }

    /// `404 Not Found`.
    pub fn not_found() -> Self {
        Self { status: "404 Not Found", content_type: "text/plain", body: b"not found\n".to_vec() }
    }
}

/// Content type of the Prometheus text format.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4";

/// Answers a request path.
pub type Handler = Arc<dyn Fn(&str) -> Response + Send + Sync>;

/// Serve `handler` on `addr` until the process exits; returns the bound address.
pub async fn serve(addr: SocketAddr, handler: Handler) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            // Wait for a free slot before accepting: extra clients queue in the backlog.
            let Ok(slot) = slots.clone().acquire_owned().await else { return };
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::debug!(target: "metrics", error = %e, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                respond(stream, &handler).await;
                drop(slot);
            });
        }
    });
    Ok(local)
}

async fn respond(mut stream: TcpStream, handler: &Handler) {
    let mut buf = [0u8; MAX_REQUEST_BYTES];
    let n = match tokio::time::timeout(READ_TIMEOUT, stream.read(&mut buf)).await {
        Ok(Ok(n)) if n > 0 => n,
        _ => return,
    };
    let request = String::from_utf8_lossy(&buf[..n]);
    let mut words = request.split_whitespace();
    let response = match (words.next(), words.next()) {
        (Some("GET"), Some(path)) => handler(path),
        _ => Response { status: "405 Method Not Allowed", content_type: "text/plain", body: b"GET only\n".to_vec() },
    };
    let head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.status,
        response.content_type,
        response.body.len()
    );
    let _ = tokio::time::timeout(READ_TIMEOUT, async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&response.body).await
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(addr: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(request).await.expect("write");
        let mut out = String::new();
        tokio::time::timeout(READ_TIMEOUT * 6, stream.read_to_string(&mut out))
            .await
            .expect("answered in time")
            .expect("read");
        out
    }

    async fn server() -> SocketAddr {
        let handler: Handler = Arc::new(|path| match path {
            "/metrics" => Response::ok(PROMETHEUS_TEXT, "up 1\n"),
            _ => Response::not_found(),
        });
        serve("127.0.0.1:0".parse().expect("addr"), handler).await.expect("binds")
    }

    #[tokio::test]
    async fn answers_get_and_refuses_the_rest() {
        let addr = server().await;
        let ok = get(addr, b"GET /metrics HTTP/1.1\r\n\r\n").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n") && ok.ends_with("up 1\n"), "{ok}");
        assert!(ok.contains("Content-Length: 5\r\n"), "{ok}");
        assert!(get(addr, b"GET /nope HTTP/1.1\r\n\r\n").await.starts_with("HTTP/1.1 404"));
        assert!(get(addr, b"POST /metrics HTTP/1.1\r\n\r\n").await.starts_with("HTTP/1.1 405"));
        assert!(get(addr, b"\x00\xff junk").await.starts_with("HTTP/1.1 405"));
    }

    #[tokio::test]
    async fn silent_clients_cannot_lock_out_a_scraper() {
        let addr = server().await;
        // Every slot taken by a client that never sends a request.
        let mut idle = Vec::new();
        for _ in 0..MAX_CONNECTIONS + 10 {
            idle.push(TcpStream::connect(addr).await.expect("connect"));
        }
        // The scraper queues until the idle ones time out, then is answered.
        let ok = get(addr, b"GET /metrics HTTP/1.1\r\n\r\n").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
        drop(idle);
    }
}
