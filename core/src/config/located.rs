//! Values that remember where in shiprail.yaml they were written, and the mapping of YAML parser
//! errors to [`Error`]s with file, line and column.

use crate::error::{Error, ErrorKind, Location};
use std::fmt;
use std::ops::Deref;

/// A value together with the line and column it was read from, so that checks which run after
/// parsing (an unknown service in `depends_on`, say) can still point at the offending text.
///
/// Serializes, and appears in the JSON Schema, exactly as the bare value.
#[derive(Clone)]
pub struct Located<T> {
    value: T,
    location: Option<Location>,
}

impl<T> Located<T> {
    /// A value with no known location (built in code rather than read from a file).
    pub fn new(value: T) -> Self {
        Located {
            value,
            location: None,
        }
    }

    /// Where the value was written, when it was read from YAML.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// The bare value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// Attaches this value's location (if any) to an error about it.
    pub(crate) fn locate(&self, error: Error) -> Error {
        match &self.location {
            Some(location) => error.with_location(location.clone()),
            None => error,
        }
    }
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Located<T> {
    /// Locations are not part of a value's identity.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Located<T> {}

impl<T: fmt::Debug> fmt::Debug for Located<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: fmt::Display> fmt::Display for Located<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: serde::Serialize> serde::Serialize for Located<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Located<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let at = spanned.referenced;
        // Outside the YAML deserializer (e.g. from JSON) the location is unknown: line 0.
        let location = (at.line() > 0).then(|| Location {
            file: None,
            line: u32::try_from(at.line()).unwrap_or(u32::MAX),
            column: u32::try_from(at.column()).unwrap_or(u32::MAX),
        });
        Ok(Located {
            value: spanned.value,
            location,
        })
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// Turns a YAML deserialization error into a `config_syntax` error at the reported position.
pub(crate) fn yaml_error(err: &serde_saphyr::Error) -> Error {
    let bare = err.without_snippet();
    let mut message = bare.to_string();
    // The parser appends its own " at line L, column C" to some messages; the location is
    // carried separately, so keep the message itself free of it.
    for tail in [" at line ", ", set DuplicateKeyPolicy"] {
        if let Some(idx) = message.find(tail) {
            message.truncate(idx);
        }
    }
    let error = Error::new(ErrorKind::ConfigSyntax, message.trim().to_string());
    match bare.location() {
        Some(at) if at.line() > 0 => error.with_location(Location {
            file: None,
            line: u32::try_from(at.line()).unwrap_or(u32::MAX),
            column: u32::try_from(at.column()).unwrap_or(u32::MAX),
        }),
        _ => error,
    }
}

/// Checks that `bytes` are UTF-8, pointing at the first bad byte's line and column otherwise.
pub(crate) fn utf8_text(bytes: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        // The prefix is valid UTF-8 by definition of `valid_up_to`.
        let prefix = std::str::from_utf8(good).unwrap_or_default();
        let line = prefix.matches('\n').count() + 1;
        let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::new(
            ErrorKind::InvalidUtf8,
            format!(
                "the file is not UTF-8: invalid byte 0x{:02x}",
                bytes[e.valid_up_to()]
            ),
        )
        .with_location(Location {
            file: None,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        })
    })
}
