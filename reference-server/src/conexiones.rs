//! The HTTP/1.1 connection layer: our accept loop over hyper, with the limits a server facing
//! hostile clients needs (docs/reference-server.md, "Security").
//!
//! Our own loop rather than `axum::serve`, which exposes none of hyper's knobs: here hyper's
//! `header_read_timeout` (with its timer) drops a client that never finishes a request head,
//! tower-http's `TimeoutBody` drops one that stalls mid-body, and a semaphore caps the
//! connections served at once. Every request carries its peer address as axum's
//! [`ConnectInfo`], which the test-hook guard reads.
//!
//! hyper answers a request it cannot parse (bad request line or header, head too large, URI too
//! long) by itself, with an empty body, and offers no hook to shape that answer. The connection's
//! stream is therefore wrapped in [`ConForma`], which recognises exactly those automatic answers
//! as hyper writes them and sends the API's JSON error in their place.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

use crate::config::LimitesHttp;
use crate::error::ApiError;

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets in-flight
/// requests finish and closes idle connections.
pub(crate) async fn servir(
    app: Router,
    limites: LimitesHttp,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let cupo = Arc::new(Semaphore::new(limites.max_conexiones));
    let (parar, parada) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            aceptada = listener.accept() => {
                let (stream, peer) = match aceptada {
                    Ok(par) => par,
                    Err(e) => {
                        // Out of descriptors and the like: give the connections being closed a
                        // moment instead of spinning on an accept that keeps failing.
                        tracing::warn!(error = %e, "accept falló");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                match cupo.clone().try_acquire_owned() {
                    Ok(permiso) => {
                        tokio::spawn(conexion(
                            app.clone(),
                            limites,
                            stream,
                            peer,
                            permiso,
                            parada.clone(),
                        ));
                    }
                    Err(_) => rechazar(&stream),
                }
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    parar.send_replace(true);
    drop(parada);
    // Every connection holds a receiver: this completes when the last one has ended.
    parar.closed().await;
    Ok(())
}

/// Beyond the cap: one non-blocking write of `503 demasiadas_conexiones` (a fresh socket's send
/// buffer takes it whole), then the socket closes as it is dropped. Refusing at once rather than
/// queueing keeps a flood from holding descriptors, and tells a real client to retry.
fn rechazar(stream: &TcpStream) {
    let _ = stream.try_write(&respuesta_cruda(&ApiError::DemasiadasConexiones));
}

async fn conexion(
    app: Router,
    limites: LimitesHttp,
    stream: TcpStream,
    peer: SocketAddr,
    _permiso: OwnedSemaphorePermit,
    mut parada: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(ConForma {
        inner: stream,
        pendiente: None,
    });
    let servicio = hyper::service::service_fn(move |req: Request<Incoming>| {
        let app = app.clone();
        async move {
            let mut req = req.map(|b| Body::new(TimeoutBody::new(limites.espera_cuerpo, b)));
            req.extensions_mut().insert(ConnectInfo(peer));
            app.oneshot(req).await
        }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limites.espera_cabeceras)
        .max_header_size(limites.max_cabeceras)
        .serve_connection(io, servicio);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        resultado = conn.as_mut() => {
            if let Err(e) = resultado {
                tracing::debug!(error = %e, %peer, "conexión terminada con error");
            }
        }
        _ = async { parada.wait_for(|p| *p).await.map(|_| ()) } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// A whole HTTP/1.1 response carrying `e` in the API's JSON shape, with the security headers
/// every response has; the connection closes after it.
fn respuesta_cruda(e: &ApiError) -> Bytes {
    let cuerpo = serde_json::to_vec(&e.body()).unwrap_or_default();
    let status = e.status();
    let mut r = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\ncontent-security-policy: {}\r\nx-content-type-options: nosniff\r\n\
         x-frame-options: DENY\r\nreferrer-policy: no-referrer\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        cuerpo.len(),
        crate::seguridad::CSP_DATOS,
    )
    .into_bytes();
    if matches!(e, ApiError::DemasiadasConexiones) {
        r.extend_from_slice(b"retry-after: 1\r\n");
    }
    r.extend_from_slice(b"\r\n");
    r.extend_from_slice(&cuerpo);
    r.into()
}

/// The error hyper's automatic answer in `escrito` stands for, when `escrito` is one: a whole
/// response head with one of the statuses hyper answers parse errors with, `content-length: 0`
/// and no `content-type`. Every response of ours has a body and a `content-type`, so none is
/// mistaken for one of hyper's.
fn automatica(escrito: &[u8]) -> Option<ApiError> {
    let error = if escrito.starts_with(b"HTTP/1.1 400 ") {
        ApiError::PeticionMalformada
    } else if escrito.starts_with(b"HTTP/1.1 414 ") {
        ApiError::UriDemasiadoLarga
    } else if escrito.starts_with(b"HTTP/1.1 431 ") {
        ApiError::CabecerasDemasiadoGrandes
    } else {
        return None;
    };
    let fin = escrito.windows(4).position(|w| w == b"\r\n\r\n")?;
    if fin + 4 != escrito.len() {
        return None;
    }
    let cabecera = String::from_utf8_lossy(escrito).to_ascii_lowercase();
    (cabecera.contains("\r\ncontent-length: 0\r\n") && !cabecera.contains("\r\ncontent-type:"))
        .then_some(error)
}

/// The TCP stream as hyper sees it, but hyper's automatic error answers are replaced by the
/// API's JSON error (module docs). `pendiente` is the replacement still to be sent and how much
/// of it went out.
struct ConForma {
    inner: TcpStream,
    pendiente: Option<(Bytes, usize)>,
}

impl ConForma {
    /// Sends what remains of the replacement.
    fn vaciar(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, enviado)) = &mut self.pendiente {
            if *enviado == bytes.len() {
                self.pendiente = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*enviado..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *enviado += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for ConForma {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConForma {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.vaciar(cx))?;
        if let Some(error) = automatica(buf) {
            self.pendiente = Some((respuesta_cruda(&error), 0));
            // hyper flushes after writing; whatever does not go out now goes out then.
            if let Poll::Ready(Err(e)) = self.vaciar(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.vaciar(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.vaciar(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then writes each response through one buffer, so an automatic answer
    // reaches `poll_write` whole and is recognised.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_empty_error_heads_are_replaced() {
        let hyper_400 = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(automatica(hyper_400), Some(ApiError::PeticionMalformada));
        let con_fecha = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\
                          date: Mon, 30 Nov 2026 12:00:00 GMT\r\n\r\n";
        assert_eq!(
            automatica(con_fecha),
            Some(ApiError::CabecerasDemasiadoGrandes)
        );
        let nuestra = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\
                        content-length: 0\r\n\r\n";
        assert_eq!(automatica(nuestra), None);
        let con_cuerpo = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(automatica(con_cuerpo), None);
        assert_eq!(
            automatica(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"),
            None
        );
    }
}
