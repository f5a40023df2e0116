//! Failed-attempt limits (log-ins per correo and source, linkages per user and per Infomex
//! account, refused registrations per source), on the injected clock.
//!
//! The failures are kept in the database (`db::intentos`), so that server instances sharing a
//! PostgreSQL database count them together, and a restart does not forget them. A scenario's
//! clock hook controls them like everything else time-related, and `/__test/reset` clears them.

use jiff::Timestamp;

use crate::config::{Limite, LimiteLogin};
use crate::db::{self, Db, DbResult};

#[derive(Debug, Clone)]
pub(crate) struct Limitador {
    db: Db,
}

impl Limitador {
    pub(crate) fn new(db: Db) -> Limitador {
        Limitador { db }
    }

    async fn fallos(&self, clave: &str) -> DbResult<Vec<Timestamp>> {
        let clave = clave.to_owned();
        self.db.call(move |c| db::intentos::de(c, &clave)).await
    }

    /// `Err(seconds)` when `clave` already failed `limite.intentos` times within the window:
    /// the seconds until the oldest of those failures leaves it.
    pub(crate) async fn verificar(
        &self,
        clave: &str,
        limite: Limite,
        ahora: Timestamp,
    ) -> DbResult<Result<(), u64>> {
        let mut lista = self.fallos(clave).await?;
        podar(&mut lista, limite, ahora);
        if (lista.len() as u64) < u64::from(limite.intentos) {
            return Ok(Ok(()));
        }
        let libera = lista[0] + limite.ventana;
        let segundos = libera.duration_since(ahora).as_secs_f64().ceil().max(1.0) as u64;
        Ok(Err(segundos))
    }

    /// Growing delays: `Err(seconds)` while `clave`'s latest failure is more recent than its
    /// delay — none for the first `l.libres` failures, then `l.espera`, doubling with each
    /// further failure, at most `l.espera_maxima`. All are forgotten once the latest is older
    /// than `l.espera_maxima`: a quiet period as long as the longest delay starts afresh.
    pub(crate) async fn verificar_creciente(
        &self,
        clave: &str,
        l: LimiteLogin,
        ahora: Timestamp,
    ) -> DbResult<Result<(), u64>> {
        let mut lista = self.fallos(clave).await?;
        olvidar_si_quieto(&mut lista, l, ahora);
        let n = lista.len() as u32;
        let (Some(ultimo), true) = (lista.last(), n >= l.libres.max(1)) else {
            return Ok(Ok(()));
        };
        let duplicaciones = (n - l.libres.max(1)).min(20);
        let espera = l
            .espera
            .saturating_mul(1u32 << duplicaciones)
            .min(l.espera_maxima);
        let libera = *ultimo + espera;
        if libera <= ahora {
            return Ok(Ok(()));
        }
        let segundos = libera.duration_since(ahora).as_secs_f64().ceil().max(1.0) as u64;
        Ok(Err(segundos))
    }

    /// Records a failure for a [`Limitador::verificar_creciente`] key.
    pub(crate) async fn fallo_creciente(
        &self,
        clave: &str,
        l: LimiteLogin,
        ahora: Timestamp,
    ) -> DbResult<()> {
        self.registrar(clave, ahora, move |lista| {
            olvidar_si_quieto(lista, l, ahora)
        })
        .await
    }

    pub(crate) async fn fallo(
        &self,
        clave: &str,
        limite: Limite,
        ahora: Timestamp,
    ) -> DbResult<()> {
        self.registrar(clave, ahora, move |lista| podar(lista, limite, ahora))
            .await
    }

    /// Records a failure at `ahora` after `olvidar` drops, from `clave`'s list, the failures
    /// that no longer count.
    async fn registrar(
        &self,
        clave: &str,
        ahora: Timestamp,
        olvidar: impl Fn(&mut Vec<Timestamp>) + Send + 'static,
    ) -> DbResult<()> {
        let clave = clave.to_owned();
        self.db
            .call(move |c| {
                let conservar = |antes: &[Timestamp]| {
                    let mut lista = antes.to_vec();
                    olvidar(&mut lista);
                    lista
                };
                db::intentos::registrar(c, &clave, conservar, ahora)
            })
            .await
    }

    pub(crate) async fn limpiar(&self, clave: &str) -> DbResult<()> {
        let clave = clave.to_owned();
        self.db
            .call(move |c| db::intentos::olvidar(c, &clave))
            .await
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

    use crate::config::Storage;

    fn limitador() -> Limitador {
        Limitador::new(Db::open(&Storage::Memory).unwrap())
    }

    #[tokio::test]
    async fn five_failures_block_until_the_first_leaves_the_window() {
        let l = limitador();
        let limite = Limite {
            intentos: 5,
            ventana: Duration::from_secs(900),
        };
        let t0: Timestamp = "2021-09-20T18:00:00Z".parse().unwrap();
        for i in 0..5 {
            assert_eq!(l.verificar("a", limite, t0).await.unwrap(), Ok(()));
            l.fallo("a", limite, t0 + Duration::from_secs(i * 60))
                .await
                .unwrap();
        }
        let t = t0 + Duration::from_secs(300);
        assert_eq!(l.verificar("a", limite, t).await.unwrap(), Err(600));
        assert_eq!(l.verificar("b", limite, t).await.unwrap(), Ok(()));
        assert_eq!(
            l.verificar("a", limite, t0 + Duration::from_secs(900))
                .await
                .unwrap(),
            Ok(())
        );
        l.limpiar("a").await.unwrap();
        assert_eq!(l.verificar("a", limite, t).await.unwrap(), Ok(()));
    }

    #[tokio::test]
    async fn delays_grow_after_the_free_failures_and_are_forgotten() {
        let l = limitador();
        let p = LimiteLogin {
            libres: 3,
            espera: Duration::from_secs(60),
            espera_maxima: Duration::from_secs(300),
            ..LimiteLogin::default()
        };
        let mut t: Timestamp = "2021-09-20T18:00:00Z".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.verificar_creciente("a", p, t).await.unwrap(), Ok(()));
            l.fallo_creciente("a", p, t).await.unwrap();
        }
        // 60 s, then 120 s, then 240 s, then the 300 s cap.
        for espera in [60, 120, 240] {
            assert_eq!(l.verificar_creciente("a", p, t).await.unwrap(), Err(espera));
            t += Duration::from_secs(espera - 1);
            assert_eq!(l.verificar_creciente("a", p, t).await.unwrap(), Err(1));
            t += Duration::from_secs(1);
            assert_eq!(l.verificar_creciente("a", p, t).await.unwrap(), Ok(()));
            l.fallo_creciente("a", p, t).await.unwrap();
        }
        assert_eq!(l.verificar_creciente("a", p, t).await.unwrap(), Err(300));
        assert_eq!(l.verificar_creciente("b", p, t).await.unwrap(), Ok(()));
        // A quiet period as long as the longest delay forgets every failure.
        t += Duration::from_secs(300);
        assert_eq!(l.verificar_creciente("a", p, t).await.unwrap(), Ok(()));
        l.fallo_creciente("a", p, t).await.unwrap();
        assert_eq!(l.verificar_creciente("a", p, t).await.unwrap(), Ok(()));
    }
}
