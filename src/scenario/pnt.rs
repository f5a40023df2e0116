//! The PNT side of a scenario: the users who register and log in.

use schemars::JsonSchema;
use serde::Deserialize;

use super::de::OrderedMap;

/// The PNT side.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pnt {
    /// Users by the short name steps use (`register: ana`). Every field has a default.
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

/// A user with every default filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cuenta {
    pub correo: String,
    pub contrasena: String,
    pub nombre: String,
}

impl User {
    /// This user's correo, contraseña and nombre, defaults filled in from `name`.
    pub fn cuenta(&self, name: &str) -> Cuenta {
        Cuenta {
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
