//! Paths and query strings read in place: the hot path looks at a few short strings per request,
//! so a plain byte loop and on-demand lookups cost less than the general searchers and maps.

use std::borrow::Cow;

/// The parts of `s` between occurrences of the ASCII byte `sep`, like `str::split`. A plain byte
/// loop: on the few dozen bytes of a path or a query it costs a fraction of the general searcher's
/// set-up, and this runs several times per request.
pub(crate) fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    debug_assert!(sep.is_ascii());
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == sep) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// A query string, read on demand: the hot path looks up one or two keys, so parsing the whole
/// string into a map would cost more than the lookups.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Query<'a>(pub(crate) &'a str);

impl<'a> Query<'a> {
    /// The decoded value of `key` (`+` is a space, `%XX` a byte), if present.
    pub(crate) fn get(&self, key: &str) -> Option<Cow<'a, str>> {
        split_ascii(self.0, b'&').find_map(|pair| {
            let (k, v) = match pair.bytes().position(|b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, ""),
            };
            (k == key).then(|| {
                if v.bytes().any(|b| b == b'+' || b == b'%') {
                    let spaced = v.replace('+', " ");
                    Cow::Owned(
                        percent_encoding::percent_decode_str(&spaced)
                            .decode_utf8_lossy()
                            .into_owned(),
                    )
                } else {
                    Cow::Borrowed(v)
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_ascii_splits_like_str_split() {
        for s in ["", "/", "a", "a/b", "/a/b/", "//x//", "años/ñ/ü"] {
            assert_eq!(
                split_ascii(s, b'/').collect::<Vec<_>>(),
                s.split('/').collect::<Vec<_>>(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn query_lookup_decodes_only_what_it_returns() {
        let q = Query("sesion=abc&folio=CDMX%2FUT%2F00001%2F2019&x=a+b&vacio");
        assert_eq!(q.get("sesion").as_deref(), Some("abc"));
        assert_eq!(q.get("folio").as_deref(), Some("CDMX/UT/00001/2019"));
        assert_eq!(q.get("x").as_deref(), Some("a b"));
        assert_eq!(q.get("vacio").as_deref(), Some(""));
        assert_eq!(q.get("nada"), None);
    }
}
