//! Failed-attempt limits (log-ins per correo and source, linkages per user and per Infomex
//! account, refused registrations per source), on the injected clock.
//!
//! Kept in memory: a restart forgets them, which only ever favours the user, and a scenario's
//! clock hook controls them like everything else time-related.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::Timestamp;

use crate::config::{Limite, LimiteLogin};

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

    /// Growing delays: `Err(seconds)` while `clave`'s latest failure is more recent than its
    /// delay — none for the first `l.libres` failures, then `l.espera`, doubling with each
    /// further failure, at most `l.espera_maxima`. All are forgotten once the latest is older
    /// than `l.espera_maxima`: a quiet period as long as the longest delay starts afresh.
    pub(crate) fn verificar_creciente(
        &self,
        clave: &str,
        l: LimiteLogin,
        ahora: Timestamp,
    ) -> Result<(), u64> {
        let mut fallos = self.fallos.lock().unwrap_or_else(|e| e.into_inner());
        let Some(lista) = fallos.get_mut(clave) else {
            return Ok(());
        };
        olvidar_si_quieto(lista, l, ahora);
        let n = lista.len() as u32;
        let (Some(ultimo), true) = (lista.last(), n >= l.libres.max(1)) else {
            return Ok(());
        };
        let duplicaciones = (n - l.libres.max(1)).min(20);
        let espera = l
            .espera
            .saturating_mul(1u32 << duplicaciones)
            .min(l.espera_maxima);
        let libera = *ultimo + espera;
        if libera <= ahora {
            return Ok(());
        }
        let segundos = libera.duration_since(ahora).as_secs_f64().ceil().max(1.0) as u64;
        Err(segundos)
    }

    /// Records a failure for a [`Limitador::verificar_creciente`] key.
    pub(crate) fn fallo_creciente(&self, clave: &str, l: LimiteLogin, ahora: Timestamp) {
        let mut fallos = self.fallos.lock().unwrap_or_else(|e| e.into_inner());
        let lista = fallos.entry(clave.to_owned()).or_default();
        olvidar_si_quieto(lista, l, ahora);
        lista.push(ahora);
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

fn olvidar_si_quieto(lista: &mut Vec<Timestamp>, l: LimiteLogin, ahora: Timestamp) {
    if lista.last().is_some_and(|u| *u + l.espera_maxima <= ahora) {
        lista.clear();
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

    #[test]
    fn delays_grow_after_the_free_failures_and_are_forgotten() {
        let l = Limitador::default();
        let p = LimiteLogin {
            libres: 3,
            espera: Duration::from_secs(60),
            espera_maxima: Duration::from_secs(300),
            ..LimiteLogin::default()
        };
        let mut t: Timestamp = "2021-09-20T18:00:00Z".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.verificar_creciente("a", p, t), Ok(()));
            l.fallo_creciente("a", p, t);
        }
        // 60 s, then 120 s, then 240 s, then the 300 s cap.
        for espera in [60, 120, 240] {
            assert_eq!(l.verificar_creciente("a", p, t), Err(espera));
            t += Duration::from_secs(espera - 1);
            assert_eq!(l.verificar_creciente("a", p, t), Err(1));
            t += Duration::from_secs(1);
            assert_eq!(l.verificar_creciente("a", p, t), Ok(()));
            l.fallo_creciente("a", p, t);
        }
        assert_eq!(l.verificar_creciente("a", p, t), Err(300));
        assert_eq!(l.verificar_creciente("b", p, t), Ok(()));
        // A quiet period as long as the longest delay forgets every failure.
        t += Duration::from_secs(300);
        assert_eq!(l.verificar_creciente("a", p, t), Ok(()));
        l.fallo_creciente("a", p, t);
        assert_eq!(l.verificar_creciente("a", p, t), Ok(()));
    }
}
