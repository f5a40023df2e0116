//! "¿Quiso decir …?": the nearest known word to a typo — the one definition the scenario loader,
//! the jurisdiction parser and the simulator's error messages all use, so a typo is judged the
//! same everywhere.

/// The candidate nearest to `input`, when it is close enough to be a likely typo: a normalized
/// Damerau–Levenshtein similarity of at least 0.7, or a Jaro–Winkler one of at least 0.88 (which
/// favours a shared prefix, as in `vinculacion` for `vincular`).
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let input = input.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let score = strsim::normalized_damerau_levenshtein(&input, c)
                .max(strsim::jaro_winkler(&input, c) - 0.18);
            (c, score)
        })
        .filter(|(_, score)| *score >= 0.7)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word_and_nonsense_finds_none() {
        let steps = [
            "register", "login", "logout", "vincular", "history", "details",
        ];
        assert_eq!(did_you_mean("vinular", steps), Some("vincular"));
        assert_eq!(did_you_mean("hsitory", steps), Some("history"));
        assert_eq!(did_you_mean("Login", steps), Some("login"));
        assert_eq!(did_you_mean("logut", steps), Some("logout"));
        assert_eq!(did_you_mean("zzz", steps), None);
        assert_eq!(did_you_mean("descargar", steps), None);
    }
}
