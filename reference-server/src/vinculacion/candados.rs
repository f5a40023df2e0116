//! One linkage at a time per Infomex account.
//!
//! Two concurrent linkages of the same account would both fetch everything; the database's
//! UNIQUE constraints already keep one copy, but serializing them also makes the second one a
//! cheap incremental re-link that reports what it really found (nothing new). The map holds an
//! async mutex per account in use and forgets it when the last holder leaves. On PostgreSQL,
//! which several server instances may share, the holder of the process's mutex then takes the
//! database's lock of the account too (`db::PgCandado`), so linkages through different
//! instances wait for each other as well; waiting in the process first means one instance
//! never holds more than one database connection per account.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pnt_model::Jurisdiccion;
use tokio::sync::OwnedMutexGuard;

use crate::db::{Db, DbResult, PgCandado};

type Clave = (Jurisdiccion, String);

#[derive(Debug, Clone)]
pub(crate) struct Candados {
    db: Db,
    mapa: Arc<Mutex<HashMap<Clave, Arc<tokio::sync::Mutex<()>>>>>,
}

/// Held while a linkage runs; releases (and cleans up) on drop.
#[derive(Debug)]
pub(crate) struct Candado {
    clave: Clave,
    mapa: Arc<Mutex<HashMap<Clave, Arc<tokio::sync::Mutex<()>>>>>,
    guard: Option<OwnedMutexGuard<()>>,
    /// Released before the process's mutex, so that a waiter in this process finds the
    /// database's lock free or held by another instance only.
    compartido: Option<PgCandado>,
}

impl Candados {
    pub(crate) fn new(db: Db) -> Candados {
        Candados {
            db,
            mapa: Arc::default(),
        }
    }

    pub(crate) async fn tomar(&self, j: Jurisdiccion, usuario: &str) -> DbResult<Candado> {
        let clave = (j, usuario.to_owned());
        let mutex = {
            let mut mapa = self.mapa.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(mapa.entry(clave.clone()).or_default())
        };
        let guard = mutex.lock_owned().await;
        let mut candado = Candado {
            clave,
            mapa: Arc::clone(&self.mapa),
            guard: Some(guard),
            compartido: None,
        };
        candado.compartido = self
            .db
            .candado(format!("vinculacion|{}|{usuario}", j.slug()))
            .await?;
        Ok(candado)
    }
}

impl Drop for Candado {
    fn drop(&mut self) {
        drop(self.compartido.take());
        drop(self.guard.take());
        let mut mapa = self.mapa.lock().unwrap_or_else(|e| e.into_inner());
        // Only the map's own reference left: nobody holds or waits for this account.
        if mapa
            .get(&self.clave)
            .is_some_and(|m| Arc::strong_count(m) == 1)
        {
            mapa.remove(&self.clave);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_account_waits_other_accounts_do_not() {
        let candados = Candados::new(Db::open(&crate::config::Storage::Memory).unwrap());
        let a = candados.tomar(Jurisdiccion::Jalisco, "u1").await.unwrap();
        let _b = candados.tomar(Jurisdiccion::Jalisco, "u2").await.unwrap();
        let _c = candados.tomar(Jurisdiccion::Colima, "u1").await.unwrap();
        let c2 = candados.clone();
        let waiter =
            tokio::spawn(async move { c2.tomar(Jurisdiccion::Jalisco, "u1").await.unwrap() });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(a);
        let again = waiter.await.unwrap();
        drop(again);
        assert!(
            !candados
                .mapa
                .lock()
                .unwrap()
                .contains_key(&(Jurisdiccion::Jalisco, "u1".to_owned()))
        );
    }
}
