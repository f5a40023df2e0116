//! Failed-attempt limits (log-ins per correo, linkages per user), on the injected clock.
//!
//! Kept in memory: a restart forgets them, which only ever favours the user, and a scenario's
//! clock hook controls them like everything else time-related.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::Timestamp;

use crate::config::Limite;

#[derive(Debug, Default)]
pub(crate) struct Limitador {
    fallos: Mutex<HashMap<String, Vec<Timestamp>>>,
}

impl Limitador {
    /// `Err(seconds)` when `clave` already failed `limite.intentos` times within the window:
    /// the seconds until the oldest of those failures leaves it.
    pub(crate) fn verificar(
        &self,
        clave: &str,
        limite: Limite,
        ahora: Timestamp,
    ) -> Result<(), u64> {
        let mut fallos = self.fallos.lock().unwrap_or_else(|e| e.into_inner());
        let Some(lista) = fallos.get_mut(clave) else {
            return Ok(());
        };
        podar(lista, limite, ahora);
        if (lista.len() as u64) < u64::from(limite.intentos) {
            return Ok(());
        }
        let libera = lista[0] + limite.ventana;
        let segundos = libera.duration_since(ahora).as_secs_f64().ceil().max(1.0) as u64;
        Err(segundos)
    }

    pub(crate) fn fallo(&self, clave: &str, limite: Limite, ahora: Timestamp) {
        let mut fallos = self.fallos.lock().unwrap_or_else(|e| e.into_inner());
        let lista = fallos.entry(clave.to_owned()).or_default();
        podar(lista, limite, ahora);
        lista.push(ahora);
    }

    pub(crate) fn limpiar(&self, clave: &str) {
        self.fallos
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(clave);
    }

    pub(crate) fn reset(&self) {
        self.fallos
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

fn podar(lista: &mut Vec<Timestamp>, limite: Limite, ahora: Timestamp) {
    lista.retain(|t| *t + limite.ventana > ahora);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn five_failures_block_until_the_first_leaves_the_window() {
        let l = Limitador::default();
        let limite = Limite {
            intentos: 5,
            ventana: Duration::from_secs(900),
        };
        let t0: Timestamp = "2021-09-20T18:00:00Z".parse().unwrap();
        for i in 0..5 {
            assert_eq!(l.verificar("a", limite, t0), Ok(()));
            l.fallo("a", limite, t0 + Duration::from_secs(i * 60));
        }
        let t = t0 + Duration::from_secs(300);
        assert_eq!(l.verificar("a", limite, t), Err(600));
        assert_eq!(l.verificar("b", limite, t), Ok(()));
        assert_eq!(
            l.verificar("a", limite, t0 + Duration::from_secs(900)),
            Ok(())
        );
        l.limpiar("a");
        assert_eq!(l.verificar("a", limite, t), Ok(()));
    }
}
