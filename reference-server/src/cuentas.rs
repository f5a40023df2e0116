//! Registering, logging in and out — shared by the JSON API and the HTML pages.

use jiff::Timestamp;

use crate::auth::nuevo_token;
use crate::db::{self, Usuario};
use crate::error::{ApiError, Intento};
use crate::extract::Origen;
use crate::state::AppState;

/// A correo, trimmed and lower-cased, that looks like an address.
pub(crate) fn parse_correo(correo: &str) -> Result<String, ApiError> {
    let c = correo.trim().to_lowercase();
    let ok = c.len() <= 254
        && !c.chars().any(char::is_whitespace)
        && c.split_once('@').is_some_and(|(local, dominio)| {
            !local.is_empty()
                && dominio.contains('.')
                && !dominio.starts_with('.')
                && !dominio.ends_with('.')
                && !dominio.contains('@')
        });
    if ok {
        Ok(c)
    } else {
        Err(ApiError::DatosInvalidos(
            "El campo «correo» debe ser una dirección de correo válida, como nombre@dominio.mx."
                .to_owned(),
        ))
    }
}

/// Registers a user. PNT answers `correo_ya_registrado` for an existing correo, and scenarios
/// and implementers rely on it, so the answer is kept; what limits enumeration is that each such
/// answer counts against the source address (`Config::limite_registro`), and past the limit every
/// registration from it — new correo or not — is refused alike, so no more is learned.
pub(crate) async fn registrar(
    state: &AppState,
    origen: Origen,
    correo: &str,
    contrasena: &str,
    nombre: &str,
) -> Result<Usuario, ApiError> {
    let clave = format!("registro:{}", origen.clave());
    let limite = state.config().limite_registro;
    state
        .limitador()
        .verificar(&clave, limite, state.clock().now())
        .await?
        .map_err(|segundos| ApiError::DemasiadosIntentos {
            que: Intento::Registro,
            segundos,
        })?;
    let correo = parse_correo(correo)?;
    let largo = contrasena.chars().count();
    if !(8..=128).contains(&largo) {
        return Err(ApiError::DatosInvalidos(
            "El campo «contrasena» debe tener de 8 a 128 caracteres.".to_owned(),
        ));
    }
    let nombre = nombre.trim().to_owned();
    if nombre.is_empty() || nombre.chars().count() > 120 {
        return Err(ApiError::DatosInvalidos(
            "El campo «nombre» debe tener de 1 a 120 caracteres.".to_owned(),
        ));
    }
    let contrasenas = state.contrasenas().clone();
    let contrasena = contrasena.to_owned();
    let hash = tokio::task::spawn_blocking(move || contrasenas.hash(&contrasena))
        .await
        .map_err(|e| ApiError::Interno(e.to_string()))?
        .map_err(|e| ApiError::Interno(e.to_string()))?;
    let ahora = state.clock().now();
    let creado = state
        .db()
        .call(move |c| db::cuentas::crear_usuario(c, &correo, &nombre, &hash, ahora))
        .await?;
    match creado {
        Some(usuario) => Ok(usuario),
        None => {
            state
                .limitador()
                .fallo(&clave, limite, state.clock().now())
                .await?;
            Err(ApiError::CorreoYaRegistrado)
        }
    }
}

/// Checks the credentials and opens a session: `(token, expira, user)`. Failures count per
/// correo and source address (growing delays) and per correo from every address (a looser
/// cap): `Config::limite_login`.
pub(crate) async fn iniciar_sesion(
    state: &AppState,
    origen: Origen,
    correo: &str,
    contrasena: &str,
) -> Result<(String, Timestamp, Usuario), ApiError> {
    // An unparseable correo is just a wrong one: same answer, same rate limit.
    let correo = correo.trim().to_lowercase();
    let clave_origen = format!("login:{correo}|{}", origen.clave());
    let clave_correo = format!("login:{correo}");
    let limite = state.config().limite_login;
    let demasiados = |segundos| ApiError::DemasiadosIntentos {
        que: Intento::Login,
        segundos,
    };
    let ahora = state.clock().now();
    state
        .limitador()
        .verificar_creciente(&clave_origen, limite, ahora)
        .await?
        .map_err(demasiados)?;
    state
        .limitador()
        .verificar(&clave_correo, limite.por_correo, ahora)
        .await?
        .map_err(demasiados)?;
    let buscado = correo.clone();
    let encontrado = state
        .db()
        .call(move |c| db::cuentas::usuario_por_correo(c, &buscado))
        .await?;
    let contrasenas = state.contrasenas().clone();
    let contrasena = contrasena.to_owned();
    let hash = encontrado.as_ref().map(|(_, h)| h.clone());
    let valida =
        tokio::task::spawn_blocking(move || contrasenas.verificar(&contrasena, hash.as_deref()))
            .await
            .map_err(|e| ApiError::Interno(e.to_string()))?;
    let usuario = match encontrado {
        Some((usuario, _)) if valida => usuario,
        _ => {
            let ahora = state.clock().now();
            state
                .limitador()
                .fallo_creciente(&clave_origen, limite, ahora)
                .await?;
            state
                .limitador()
                .fallo(&clave_correo, limite.por_correo, ahora)
                .await?;
            return Err(ApiError::CredencialesInvalidas);
        }
    };
    // The owner's success clears their address's delays, not the per-correo count: that one
    // measures an attack spread over other addresses, which the owner's log-in does not end.
    state.limitador().limpiar(&clave_origen).await?;
    let (token, digest) = nuevo_token().map_err(|e| ApiError::Interno(e.to_string()))?;
    let ahora = state.clock().now();
    let expira = ahora + state.config().duracion_sesion;
    let id = usuario.id;
    state
        .db()
        .call(move |c| db::cuentas::crear_sesion(c, &digest, id, expira, ahora))
        .await?;
    Ok((token, expira, usuario))
}

pub(crate) async fn cerrar_sesion(
    state: &AppState,
    token_sha256: [u8; 32],
) -> Result<(), ApiError> {
    state
        .db()
        .call(move |c| db::cuentas::borrar_sesion(c, &token_sha256))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correos() {
        assert_eq!(
            parse_correo(" Maria@Example.MX ").unwrap(),
            "maria@example.mx"
        );
        for bad in [
            "", "maria", "@x.mx", "a@b", "a b@c.mx", "a@.mx", "a@b.mx.", "a@b@c.mx",
        ] {
            assert!(parse_correo(bad).is_err(), "{bad}");
        }
    }
}
