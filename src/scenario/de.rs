//! Building blocks for reading scenario files: positions, ordered maps, dates, and values that
//! may be written either as a short scalar or as a full mapping.
//!
//! Every type here deserializes through serde-saphyr's streaming deserializer (no intermediate
//! tree), which is what keeps every error at the exact line and column of the offending node.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use pnt_model::Date;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 1-based line and column in a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A value with the position where the file wrote it, so checks made after parsing can still
/// point at the right line.
#[derive(Debug, Clone, PartialEq)]
pub struct At<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> At<T> {
    pub fn new(value: T, pos: Pos) -> At<T> {
        At { value, pos }
    }
}

impl<T> Deref for At<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let loc = spanned.referenced;
        Ok(At {
            value: spanned.value,
            pos: Pos {
                line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
                column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
            },
        })
    }
}

impl<T: Serialize> Serialize for At<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

/// The position is invisible in the file format: the schema is the inner value's.
impl<T: JsonSchema> JsonSchema for At<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A YAML mapping kept in file order (reports list expectations in the order they were written).
/// Duplicate keys are rejected by the parser before they reach this type.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<K, V> OrderedMap<K, V> {
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);

        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
            type Value = OrderedMap<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry()? {
                    entries.push((k, v));
                }
                Ok(OrderedMap(entries))
            }
        }

        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

impl<K: Serialize, V: Serialize> Serialize for OrderedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<K, V: JsonSchema> JsonSchema for OrderedMap<K, V> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let values = generator.subschema_for::<V>();
        json_schema!({"type": "object", "additionalProperties": values})
    }
}

/// A calendar date written `AAAA-MM-DD`, with a Spanish error when it is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fecha(pub Date);

impl<'de> Deserialize<'de> for Fecha {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        // Only the form the docs and the schema (`format: date`) give: the date parser would
        // also take `20210920`, which YAML and editors read as a number.
        let shaped = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        let parsed = if shaped {
            text.parse::<Date>().ok()
        } else {
            None
        };
        parsed.map(Fecha).ok_or_else(|| {
            de::Error::custom(format!(
                "«{text}» no es una fecha válida; escríbala como AAAA-MM-DD, p. ej. 2021-09-20"
            ))
        })
    }
}

impl Serialize for Fecha {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl JsonSchema for Fecha {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Fecha".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "format": "date", "description": "A date, AAAA-MM-DD."})
    }
}

/// Types that may be written as one scalar instead of a mapping (`iniciar_sesion: ana` for
/// `iniciar_sesion: {user: ana}`).
pub(super) trait Shorthand: Sized {
    /// What the scalar form is, for error messages ("a user name").
    const SCALAR: &'static str;

    /// Every scalar is a valid shorthand: what it names is checked where it is used.
    fn from_scalar(text: String) -> Self;
}

/// Deserializes `T` from either its mapping or its [`Shorthand`] scalar.
pub(super) fn scalar_or_map<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Shorthand + DeserializeOwned,
{
    struct ScalarOrMap<T>(PhantomData<T>);

    impl<'de, T: Shorthand + DeserializeOwned> Visitor<'de> for ScalarOrMap<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} or a mapping", T::SCALAR)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from_scalar(v.to_owned()))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            self.visit_str(&v.to_string())
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            self.visit_str(&v.to_string())
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_any(ScalarOrMap(PhantomData))
}

/// Deserializes a number or a list of numbers (`status: 200` or `status: [200, 409]`).
pub(super) fn one_or_many<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<u16>, D::Error> {
    struct OneOrMany;

    impl<'de> Visitor<'de> for OneOrMany {
        type Value = Vec<u16>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an HTTP status or a list of them")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<u16>, E> {
            u16::try_from(v)
                .ok()
                .filter(|s| (100..=599).contains(s))
                .map(|s| vec![s])
                .ok_or_else(|| E::custom(format!("{v} no es un estado HTTP (100–599)")))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<u16>, E> {
            self.visit_u64(u64::try_from(v).unwrap_or(0))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u16>, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<u16>()? {
                out.extend(self_check::<A::Error>(s)?);
            }
            Ok(out)
        }
    }

    fn self_check<E: de::Error>(s: u16) -> Result<Option<u16>, E> {
        if (100..=599).contains(&s) {
            Ok(Some(s))
        } else {
            Err(E::custom(format!("{s} no es un estado HTTP (100–599)")))
        }
    }

    deserializer.deserialize_any(OneOrMany)
}

/// The schema of a jurisdiction as scenarios write it (pnt-model's, feature `schemars`), named
/// here so the fields that hold a jurisdiction say where their schema comes from.
pub(super) type JurisdiccionSchema = pnt_model::Jurisdiccion;
