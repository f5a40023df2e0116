//! PNT passwords (argon2id) and session tokens.
//!
//! Tokens are 32 random bytes, shown to the client in URL-safe hex and stored only as their
//! SHA-256: whoever reads the database cannot open a session with what is in it.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use pnt_model::Sha256;

use crate::config::Argon2Params;

/// Hashes and verifies PNT passwords with fixed argon2id parameters.
#[derive(Debug, Clone)]
pub(crate) struct Contrasenas {
    params: Argon2Params,
    /// A hash of nothing in particular, verified against when the correo does not exist, so a
    /// failed log-in takes as long whether or not the account exists.
    ficticio: String,
}

#[derive(Debug, thiserror::Error)]
#[error("argon2: {0}")]
pub(crate) struct HashError(String);

impl Contrasenas {
    pub(crate) fn new(params: Argon2Params) -> Result<Contrasenas, HashError> {
        let mut c = Contrasenas {
            params,
            ficticio: String::new(),
        };
        c.ficticio = c.hash("contraseña ficticia de comparación")?;
        Ok(c)
    }

    fn argon2(&self) -> Result<Argon2<'static>, HashError> {
        let p = Params::new(
            self.params.m_cost,
            self.params.t_cost,
            self.params.p_cost,
            None,
        )
        .map_err(|e| HashError(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
    }

    /// A PHC string (`$argon2id$v=19$…`) with a fresh random salt.
    pub(crate) fn hash(&self, contrasena: &str) -> Result<String, HashError> {
        let hash = self
            .argon2()?
            .hash_password(contrasena.as_bytes())
            .map_err(|e| HashError(e.to_string()))?;
        Ok(hash.to_string())
    }

    /// Whether `contrasena` matches `hash`; `None` compares against the decoy hash and fails.
    pub(crate) fn verificar(&self, contrasena: &str, hash: Option<&str>) -> bool {
        let (phc, real) = match hash {
            Some(h) => (h, true),
            None => (self.ficticio.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        let Ok(argon2) = self.argon2() else {
            return false;
        };
        argon2
            .verify_password(contrasena.as_bytes(), &parsed)
            .is_ok()
            && real
    }
}

/// A new random token (64 hex digits) and the digest to store.
pub(crate) fn nuevo_token() -> Result<(String, [u8; 32]), getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let digest = digest_token(&token);
    Ok((token, digest))
}

pub(crate) fn digest_token(token: &str) -> [u8; 32] {
    Sha256::of(token.as_bytes()).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let c = Contrasenas::new(Argon2Params::cheap()).unwrap();
        let h = c.hash("secreta123").unwrap();
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        assert!(c.verificar("secreta123", Some(&h)));
        assert!(!c.verificar("otra", Some(&h)));
        assert!(!c.verificar("secreta123", None));
        assert_ne!(c.hash("secreta123").unwrap(), h, "salted");
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let (a, da) = nuevo_token().unwrap();
        let (b, _) = nuevo_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(digest_token(&a), da);
    }
}
