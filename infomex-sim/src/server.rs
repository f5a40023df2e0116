//! The HTTP server: accept loop, connection handling, and the transport-level faults.
//!
//! The accept loop is our own (not `axum::serve`) for one reason: the `reset` fault must end a
//! connection with a real TCP RST, which needs the socket. Each connection's stream is wrapped in
//! [`ResettableStream`]; a handler that wants a reset raises the connection's flag, and when
//! hyper drops the aborted connection the wrapper sets `SO_LINGER` to zero so the kernel sends RST.
//!
//! The loop also bounds what a client can hold (docs/infomex-sim.md, "Limits"): hyper's
//! `header_read_timeout` drops a connection that never completes a request head (and an idle
//! kept-alive one), tower-http's `TimeoutBody` one that stalls mid-body, and a semaphore caps
//! the connections served at once. None of these runs while a handler delays its answer on
//! purpose (the `delay` and `hang` faults): the head has been read and the body is not awaited.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, header};
use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

use crate::fault::FaultKind;
use crate::state::SimState;
use crate::wire::Wire;

/// The per-connection flag a handler raises to have the connection reset.
#[derive(Debug, Clone)]
pub(crate) struct ConnReset(Arc<AtomicBool>);

impl ConnReset {
    pub(crate) fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// What a handler knows of its connection.
#[derive(Debug, Clone)]
pub(crate) struct ConnCtx {
    pub(crate) reset: ConnReset,
    pub(crate) stopping: Stopping,
}

/// Tells long-waiting handlers (the `hang` fault) that the server is stopping.
#[derive(Debug, Clone)]
pub(crate) struct Stopping(pub(crate) watch::Receiver<bool>);

impl Stopping {
    pub(crate) async fn wait(mut self) {
        while !*self.0.borrow_and_update() {
            if self.0.changed().await.is_err() {
                return;
            }
        }
    }
}

struct ResettableStream {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            // Zero linger: closing sends RST instead of FIN. It cannot block, unlike a non-zero
            // linger (which is why tokio deprecates the general setter).
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The configured limits of one connection.
#[derive(Debug, Clone, Copy)]
struct Limits {
    header: Duration,
    body: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets in-flight
/// requests finish and releases hanging ones.
pub(crate) async fn run(
    app: Router,
    state: Arc<SimState>,
    listener: TcpListener,
    stop_tx: watch::Sender<bool>,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let (limits, slots) = {
        let inner = state.lock();
        let c = &inner.config;
        (
            Limits {
                header: Duration::from_millis(c.espera_cabeceras_ms),
                body: Duration::from_millis(c.espera_cuerpo_ms),
            },
            Arc::new(Semaphore::new(c.max_conexiones)),
        )
    };
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Too many open files and the like: give closing connections a moment
                        // instead of spinning on an accept that keeps failing.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = slots.clone().try_acquire_owned() else {
                    refuse(&stream);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                spawn_connection(app.clone(), state.clone(), stream, stop_tx.subscribe(), limits, permit);
            }
            () = &mut shutdown => break,
        }
    }
    stop_tx.send_replace(true);
    Ok(())
}

/// Beyond the cap: one non-blocking write of a `503` in the modern dialect's error shape (a fresh
/// socket's send buffer takes it whole), then the socket closes as it is dropped. Refusing at
/// once rather than queueing keeps a flood from holding descriptors.
fn refuse(stream: &TcpStream) {
    let wire = crate::wire::SimError::NoDisponible(503).render(pnt_model::Dialect::Modern);
    let mut bytes = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: {}\r\ncontent-length: {}\r\n\
         retry-after: 1\r\nconnection: close\r\n\r\n",
        wire.content_type,
        wire.body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(&wire.body);
    let _ = stream.try_write(&bytes);
}

fn spawn_connection(
    app: Router,
    state: Arc<SimState>,
    stream: TcpStream,
    mut stop: watch::Receiver<bool>,
    limits: Limits,
    permit: OwnedSemaphorePermit,
) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResettableStream {
        inner: stream,
        reset: reset.clone(),
    });
    // What every request of the connection needs, behind one reference count.
    let shared = Arc::new((
        app,
        state,
        ConnCtx {
            reset: ConnReset(reset),
            stopping: Stopping(stop.clone()),
        },
    ));
    tokio::spawn(async move {
        let _permit = permit;
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let shared = shared.clone();
            let req = req.map(|body| TimeoutBody::new(limits.body, body));
            async move {
                let (app, state, ctx) = &*shared;
                let path = req.uri().path();
                if path == "/health" || path.starts_with("/__admin/") {
                    app.clone()
                        .oneshot(req.map(Body::new))
                        .await
                        .map(|r| r.map(Either::Right))
                } else {
                    Ok(crate::handler::infomex(state, ctx, req).await)
                }
            }
        });
        // No `Date` header: it is the one part of a response that would differ between two runs
        // with the same seed and requests.
        let conn = http1::Builder::new()
            .auto_date_header(false)
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(limits.header)
            .serve_connection(io, service);
        let mut conn = std::pin::pin!(conn);
        tokio::select! {
            _ = conn.as_mut() => {}
            _ = async { stop.wait_for(|s| *s).await.map(|_| ()) } => {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
        }
    });
}

/// A response body: the whole body at once (every answer but the transport faults), or axum's
/// boxed body (the admin API, `truncated` and `reset`). The first keeps the hot path free of a
/// boxed, dynamically dispatched body.
pub(crate) type SimBody = Either<Full<Bytes>, Body>;

/// [`wire_response`] for axum handlers (the admin API), which want axum's body type.
pub(crate) fn respond(
    wire: Wire,
    transport: Option<&FaultKind>,
    conn: Option<&ConnReset>,
) -> Response<Body> {
    wire_response(wire, transport, conn).map(|body| match body {
        Either::Left(full) => Body::new(full),
        Either::Right(body) => body,
    })
}

/// Turns a rendered response into an HTTP response, applying a transport fault if one fired.
pub(crate) fn wire_response(
    wire: Wire,
    transport: Option<&FaultKind>,
    conn: Option<&ConnReset>,
) -> Response<SimBody> {
    let full_len = wire.body.len();
    let body = match transport {
        Some(kind @ (FaultKind::Truncated | FaultKind::Reset)) => {
            let reset = matches!(kind, FaultKind::Reset);
            if reset && let Some(conn) = conn {
                conn.raise();
            }
            // The declared length is the full one; half the body goes out, then the stream either
            // ends (truncated: hyper closes the connection with the body short) or fails (reset).
            let half = wire.body.slice(..full_len / 2);
            let stream = futures_util::stream::unfold(0u8, move |step| {
                let half = half.clone();
                async move {
                    match step {
                        0 => Some((Ok(half), 1)),
                        1 => {
                            // Give hyper a moment to put the first half on the wire before the
                            // connection is torn down.
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            reset.then(|| {
                                (
                                    Err(io::Error::new(
                                        io::ErrorKind::ConnectionReset,
                                        "reset fault",
                                    )),
                                    2,
                                )
                            })
                        }
                        _ => None,
                    }
                }
            });
            Either::Right(Body::from_stream(stream))
        }
        _ => Either::Left(Full::new(wire.body)),
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        axum::http::StatusCode::from_u16(wire.status).unwrap_or(axum::http::StatusCode::OK);
    let headers = response.headers_mut();
    let content_type = match wire.content_type {
        std::borrow::Cow::Borrowed(s) => Ok(HeaderValue::from_static(s)),
        std::borrow::Cow::Owned(s) => HeaderValue::try_from(s),
    };
    if let Ok(v) = content_type
        && !v.is_empty()
    {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if matches!(transport, Some(FaultKind::Truncated | FaultKind::Reset)) {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full_len));
    }
    for (name, value) in wire.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    response
}
