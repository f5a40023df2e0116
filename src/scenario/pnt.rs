//! The PNT side of a scenario: the users who register (`registrar`) and log in
//! (`iniciar_sesion`).

use schemars::JsonSchema;
use serde::Deserialize;

use super::de::OrderedMap;

/// The PNT side.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pnt {
    /// Users by the short name steps use (`registrar: ana`). Every field has a default.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, User>")]
    pub users: OrderedMap<String, User>,
}

/// A PNT user, as `POST /api/v1/usuarios` takes it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Default: `{name}@pnt-suite.example`.
    #[serde(default)]
    pub correo: Option<String>,
    /// Default: `Contrasena-{name}-2021`.
    #[serde(default)]
    pub contrasena: Option<String>,
    /// Default: the short name.
    #[serde(default)]
    pub nombre: Option<String>,
}

/// A PNT user's credentials and name, every default filled in: what `registrar` and
/// `iniciar_sesion` send. (Not an Infomex account: those are `infomex.accounts`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub correo: String,
    pub contrasena: String,
    pub nombre: String,
}

impl User {
    /// This user's correo, contraseña and nombre, defaults filled in from `name`.
    pub fn credentials(&self, name: &str) -> Credentials {
        Credentials {
            correo: self
                .correo
                .clone()
                .unwrap_or_else(|| format!("{name}@pnt-suite.example")),
            contrasena: self
                .contrasena
                .clone()
                .unwrap_or_else(|| format!("Contrasena-{name}-2021")),
            nombre: self.nombre.clone().unwrap_or_else(|| name.to_owned()),
        }
    }
}
