//! Content digests (`sha256:<hex>`) and hashing content on the way through.

use crate::error::{Error, ErrorKind, Result};
use sha2::Digest as _;
use std::fmt;
use std::str::FromStr;

/// The digest of a manifest or blob, `algorithm:hex`: the name content is stored and verified
/// under. Promotion keeps a manifest's digest, which is why it copies manifests byte for byte.
///
/// Accepted algorithms are those registries verify: `sha256` (64 hex digits), `sha384` (96)
/// and `sha512` (128), lowercase hex only, as the OCI image specification requires.
///
/// ```
/// use shiprail::registry::Digest;
/// let d: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".parse()?;
/// assert_eq!(d.algorithm(), "sha256");
/// assert_eq!(d.tag_form(), "sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// assert_eq!(Digest::of(b""), d);
/// assert!("sha256:E3B0".parse::<Digest>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// The sha256 digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(format!("sha256:{}", hex(&sha2::Sha256::digest(bytes))))
    }

    /// The algorithm (`sha256`).
    pub fn algorithm(&self) -> &str {
        self.0.split_once(':').map_or("", |(a, _)| a)
    }

    /// The hex part.
    pub fn hex(&self) -> &str {
        self.0.split_once(':').map_or("", |(_, h)| h)
    }

    /// The digest as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tag form `sha256-<hex>`: the prefix of the tags under which signatures (`.sig`),
    /// attestations (`.att`), SBOMs (`.sbom`) and the referrers index of this manifest are
    /// stored on registries without the referrers API.
    pub fn tag_form(&self) -> String {
        self.0.replacen(':', "-", 1)
    }

    /// Whether `bytes` hash to this digest.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        let mut hasher = Hasher::new(self);
        hasher.update(bytes);
        hasher.finish() == *self
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

impl FromStr for Digest {
    type Err = Error;

    fn from_str(s: &str) -> Result<Digest> {
        let bad = |why: &str| {
            let shown: String = s.chars().take(200).collect();
            Error::new(
                ErrorKind::InvalidImageReference,
                format!(
                    "`{}` is not a valid digest: {why}; expected `sha256:` and 64 lowercase hex digits",
                    shown.escape_debug()
                ),
            )
            .with_input(s)
        };
        let Some((algorithm, hex)) = s.split_once(':') else {
            return Err(bad("there is no `:` between algorithm and hex"));
        };
        let len = match algorithm {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => return Err(bad("the algorithm is not sha256, sha384 or sha512")),
        };
        if hex.len() != len {
            return Err(bad(&format!(
                "{algorithm} has {len} hex digits, this has {}",
                hex.chars().count()
            )));
        }
        if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad("the hex part holds a character other than 0-9 and a-f"));
        }
        Ok(Digest(s.to_string()))
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Digest {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Digest".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A content digest, `sha256:` and 64 lowercase hex digits.",
            "pattern": "^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$"
        })
    }
}

/// Incremental hashing in the algorithm of an expected digest.
pub(crate) enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub(crate) fn new(expected: &Digest) -> Hasher {
        match expected.algorithm() {
            "sha384" => Hasher::Sha384(sha2::Sha384::new()),
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            _ => Hasher::Sha256(sha2::Sha256::new()),
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> Digest {
        match self {
            Hasher::Sha256(h) => Digest(format!("sha256:{}", hex(&h.finalize()))),
            Hasher::Sha384(h) => Digest(format!("sha384:{}", hex(&h.finalize()))),
            Hasher::Sha512(h) => Digest(format!("sha512:{}", hex(&h.finalize()))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let e = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let cases: &[(&str, bool)] = &[
            (&format!("sha256:{e}"), true),
            (&format!("sha384:{}", "a".repeat(96)), true),
            (&format!("sha512:{}", "0".repeat(128)), true),
            (&format!("sha256:{}", e.to_uppercase()), false),
            (&format!("sha256:{}", &e[1..]), false),
            (&format!("md5:{e}"), false),
            (e, false),
            ("", false),
            ("sha256:", false),
            (&format!("sha256:{e}\n"), false),
            (&format!("sha256:{}é", &e[1..]), false),
        ];
        for (input, ok) in cases {
            assert_eq!(input.parse::<Digest>().is_ok(), *ok, "{input:?}");
        }
        assert_eq!(
            "sha256:E3".parse::<Digest>().unwrap_err().to_string(),
            "`sha256:E3` is not a valid digest: sha256 has 64 hex digits, this has 2; expected `sha256:` and 64 lowercase hex digits"
        );
    }

    #[test]
    fn hashing_matches_known_values() {
        let d = Digest::of(b"hello");
        assert_eq!(
            d.as_str(),
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert!(d.matches(b"hello"));
        assert!(!d.matches(b"hello!"));
        let mut h = Hasher::new(&format!("sha512:{}", "0".repeat(128)).parse().unwrap());
        h.update(b"");
        assert!(h.finish().as_str().starts_with("sha512:cf83e135"));
    }

    #[test]
    fn hostile_input_never_panics() {
        for input in [
            "\0",
            &"x".repeat(1 << 20),
            "sha256:ünïcödé",
            "sha256::",
            ":",
        ] {
            assert!(input.parse::<Digest>().is_err());
        }
    }
}
