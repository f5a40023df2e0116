//! A PNT target for the runner's tests: the reference's router (with whatever defect a test
//! layers on it) served on a loopback port, and a free port for the simulator the runner starts.

use std::net::SocketAddr;

/// A free loopback port for the simulator `run` or `load` starts (the target must know it
/// first).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Serves `router` on a free loopback port until the test ends, keeping `keep` (its database's
/// folder) alive as long; the base URL.
pub(crate) async fn serve(router: axum::Router, keep: impl Send + 'static) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _keep = keep;
        // With the peer's address: the reference's test-hook guard answers loopback peers only.
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    url
}
