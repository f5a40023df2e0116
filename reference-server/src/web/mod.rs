//! HTML pages.

use axum::Router;
use axum::http::StatusCode;
use axum::response::Html;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
}

pub(crate) fn pagina_no_encontrada() -> (StatusCode, Html<String>) {
    (StatusCode::NOT_FOUND, Html("<h1>No encontrada</h1>".to_owned()))
}
