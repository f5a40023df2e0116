//! The virtual citizens: each one's credentials, Infomex accounts and browsing choices, drawn
//! from `--seed` and its index alone, so the same seed gives the same plan on any machine and
//! a citizen can be drawn again (for the verification) without having been kept in memory.

use pnt_model::{Jurisdiccion, Sha256};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The most Infomex accounts one citizen links.
pub(super) const MAX_ACCOUNTS: usize = 3;

/// One citizen's plan. Its `rng` goes on drawing the choices that depend on what the target
/// shows (which folio to open, which attachment to download), in the order they are made.
#[derive(Debug, Clone)]
pub(super) struct Citizen {
    /// 1-based: `ciudadano{n}` in the simulator, `carga{n}` in the correo.
    pub(super) n: u64,
    /// The load's seed, which is also the simulator's: the procedural passwords derive from it.
    pub(super) seed: u64,
    pub(super) correo: String,
    pub(super) contrasena: String,
    pub(super) nombre: String,
    /// Distinct jurisdictions, each with the procedural usuario `ciudadano{n}`: no two citizens
    /// share an Infomex account, so none is refused as linked by another user.
    pub(super) accounts: Vec<(Jurisdiccion, String)>,
    /// Mi Historial page size and how many pages to read (fewer when the history ends first).
    pub(super) por_pagina: u32,
    pub(super) paginas: u32,
    /// How many details to open, and how many of their attachments to download.
    pub(super) detalles: usize,
    pub(super) descargas: usize,
    pub(super) rng: ChaCha20Rng,
}

impl Citizen {
    /// Citizen `index` (0-based) of the load with `seed`.
    pub(super) fn new(seed: u64, index: u64) -> Citizen {
        let key = Sha256::of(format!("pnt-suite load:{seed}:{index}").as_bytes()).0;
        let mut rng = ChaCha20Rng::from_seed(key);
        let n = index + 1;
        let count = rng.random_range(1..=MAX_ACCOUNTS);
        let mut accounts: Vec<(Jurisdiccion, String)> = Vec::with_capacity(count);
        while accounts.len() < count {
            let j = Jurisdiccion::ALL[rng.random_range(0..Jurisdiccion::ALL.len())];
            if accounts.iter().all(|(k, _)| *k != j) {
                accounts.push((j, format!("ciudadano{n}")));
            }
        }
        let por_pagina = [5, 10, 20, 50][rng.random_range(0..4usize)];
        let paginas = rng.random_range(1..=4u32);
        let detalles = rng.random_range(0..=4usize);
        let descargas = rng.random_range(0..=3usize);
        Citizen {
            n,
            seed,
            // The seed is in the correo so that loads with different seeds can run one after
            // the other against a target without a `reset` hook.
            correo: format!("carga{n}.s{seed}@ciudadanos.example"),
            contrasena: format!("carga-{seed}-{n}"),
            nombre: format!("Ciudadano de carga {n}"),
            accounts,
            por_pagina,
            paginas,
            detalles,
            descargas,
            rng,
        }
    }

    /// Picks one of `len` items (`len` > 0).
    pub(super) fn pick(&mut self, len: usize) -> usize {
        self.rng.random_range(0..len)
    }

    /// The key that decides whether a linked citizen is in the verified sample: the `verify`
    /// smallest keys among those linked, whatever order they finished in.
    pub(super) fn sample_key(seed: u64, index: u64) -> u64 {
        let digest = Sha256::of(format!("pnt-suite load sample:{seed}:{index}").as_bytes()).0;
        u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(c: &Citizen) -> (String, Vec<(Jurisdiccion, String)>, u32, u32, usize, usize) {
        (
            c.correo.clone(),
            c.accounts.clone(),
            c.por_pagina,
            c.paginas,
            c.detalles,
            c.descargas,
        )
    }

    #[test]
    fn the_same_seed_and_index_give_the_same_citizen() {
        let mut a = Citizen::new(7, 41);
        let mut b = Citizen::new(7, 41);
        assert_eq!(summary(&a), summary(&b));
        assert_eq!(a.pick(1000), b.pick(1000));
        // Another index or another seed is another citizen.
        assert_ne!(summary(&Citizen::new(7, 41)), summary(&Citizen::new(7, 42)));
        assert_ne!(summary(&Citizen::new(7, 41)), summary(&Citizen::new(8, 41)));
    }

    #[test]
    fn accounts_are_one_to_three_distinct_jurisdictions_of_procedural_usuarios() {
        let mut counts = [0usize; MAX_ACCOUNTS + 1];
        for i in 0..300 {
            let c = Citizen::new(1, i);
            counts[c.accounts.len()] += 1;
            let mut js: Vec<_> = c.accounts.iter().map(|(j, _)| *j).collect();
            js.sort();
            js.dedup();
            assert_eq!(js.len(), c.accounts.len());
            for (_, usuario) in &c.accounts {
                assert!(infomex_sim::es_procedural(usuario), "{usuario}");
                assert_eq!(usuario, &format!("ciudadano{}", i + 1));
            }
        }
        assert_eq!(counts[0], 0);
        assert!(counts[1..].iter().all(|n| *n > 0), "{counts:?}");
    }
}
