//! Which scenario instances a run takes: `--filter`, `--matrix k=v`, `--shard K/N`.

use std::fmt;
use std::str::FromStr;

use crate::error::InvalidArgValue;
use crate::scenario::Instance;

/// `--shard K/N`: the K-th of N disjoint parts (1-based), so CI machines split a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub total: usize,
}

impl FromStr for Shard {
    type Err = InvalidArgValue;

    fn from_str(s: &str) -> Result<Shard, InvalidArgValue> {
        let bad = || {
            InvalidArgValue::new(
                s,
                "no es un fragmento: escríbalo como K/N, p. ej. 2/4, con 1 ≤ K ≤ N",
            )
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let total: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || total == 0 || index > total {
            return Err(bad());
        }
        Ok(Shard { index, total })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

/// `--matrix k=v`: only instances whose matrix has that value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixFilter {
    pub name: String,
    pub value: String,
}

impl FromStr for MatrixFilter {
    type Err = InvalidArgValue;

    fn from_str(s: &str) -> Result<MatrixFilter, InvalidArgValue> {
        match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok(MatrixFilter {
                name: k.trim().to_owned(),
                value: v.trim().to_owned(),
            }),
            _ => Err(InvalidArgValue::new(
                s,
                "no es un valor de matriz: escríbalo como nombre=valor, p. ej. jurisdiccion=jalisco",
            )),
        }
    }
}

/// What to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Substrings of the instance's name or file path (any matches; case-insensitive).
    pub filters: Vec<String>,
    /// Matrix values every kept instance has.
    pub matrix: Vec<MatrixFilter>,
    pub shard: Option<Shard>,
}

impl Selection {
    /// The kept instances, in their order. Sharding deals instances round-robin after filtering,
    /// so each shard gets a similar share of every folder and the union of all shards is the
    /// whole selection, each instance exactly once.
    pub fn apply(&self, instances: Vec<Instance>) -> Vec<Instance> {
        let filtered = instances.into_iter().filter(|i| self.keeps(i));
        match self.shard {
            None => filtered.collect(),
            Some(shard) => filtered
                .enumerate()
                .filter(|(n, _)| n % shard.total == shard.index - 1)
                .map(|(_, i)| i)
                .collect(),
        }
    }

    fn keeps(&self, i: &Instance) -> bool {
        let text_ok = self.filters.is_empty() || {
            let name = i.display_name().to_lowercase();
            let file = i.file.display().to_string().to_lowercase();
            self.filters.iter().any(|f| {
                let f = f.to_lowercase();
                name.contains(&f) || file.contains(&f)
            })
        };
        let matrix_ok = self
            .matrix
            .iter()
            .all(|m| i.matrix.iter().any(|(k, v)| *k == m.name && *v == m.value));
        text_ok && matrix_ok
    }
}

/// What a `--shard` report records about its part: `whole` is the selection before sharding.
/// The fingerprint hashes each instance's file, name and seed in order, so parts of the same
/// run (same paths, filters and scenario files) agree and anything else differs.
pub fn shard_info(shard: Shard, whole: &[Instance]) -> crate::report::ShardInfo {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for i in whole {
        hash.update(i.file.display().to_string().as_bytes());
        hash.update([0]);
        hash.update(i.display_name().as_bytes());
        hash.update([0]);
        hash.update(i.scenario.seed.to_string().as_bytes());
        hash.update([b'\n']);
    }
    let selection = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    crate::report::ShardInfo {
        k: shard.index,
        n: shard.total,
        selected: whole.len(),
        selection,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;
    use std::path::Path;

    fn instances() -> Vec<Instance> {
        let matrix = "name: Vinculación en ${j} (${d})\nmatrix:\n  j: [jalisco, oaxaca, federacion]\n  \
                      d: dialects\nsteps:\n  - restart\n";
        let mut all = load_str(Path::new("scenarios/vinculacion/matriz.yaml"), matrix).unwrap();
        all.extend(
            load_str(
                Path::new("scenarios/plazos/queja.yaml"),
                "name: Queja\nsteps:\n  - restart\n",
            )
            .unwrap(),
        );
        all
    }

    fn names(selected: &[Instance]) -> Vec<String> {
        selected.iter().map(Instance::display_name).collect()
    }

    #[test]
    fn filters_match_names_or_paths_case_insensitively() {
        let s = Selection {
            filters: vec!["PLAZOS/".into(), "oaxaca (legacy)".into()],
            ..Selection::default()
        };
        assert_eq!(
            names(&s.apply(instances())),
            [
                "Vinculación en oaxaca (legacy) [j=oaxaca, d=legacy]",
                "Queja"
            ]
        );
    }

    #[test]
    fn matrix_filters_keep_exact_values() {
        let s = Selection {
            matrix: vec!["j=jalisco".parse().unwrap(), "d=modern".parse().unwrap()],
            ..Selection::default()
        };
        assert_eq!(
            names(&s.apply(instances())),
            ["Vinculación en jalisco (modern) [j=jalisco, d=modern]"]
        );
        assert!("sin-igual".parse::<MatrixFilter>().is_err());
    }

    #[test]
    fn shards_partition_the_selection() {
        let all = names(&instances());
        let mut union = Vec::new();
        for k in 1..=3 {
            let s = Selection {
                shard: Some(format!("{k}/3").parse().unwrap()),
                ..Selection::default()
            };
            let part = names(&s.apply(instances()));
            assert!(part.len() == 2 || part.len() == 3, "{part:?}");
            union.extend(part);
        }
        union.sort();
        let mut expected = all.clone();
        expected.sort();
        assert_eq!(union, expected);
        assert_eq!(
            names(
                &Selection {
                    shard: Some("1/1".parse().unwrap()),
                    ..Selection::default()
                }
                .apply(instances())
            ),
            all
        );
    }

    #[test]
    fn malformed_shards_are_refused() {
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(
            "2/4".parse::<Shard>().unwrap(),
            Shard { index: 2, total: 4 }
        );
    }
}
