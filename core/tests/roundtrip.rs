//! Fuzz-style round trips, deterministic so they run in every test run: random inputs built
//! from each grammar's own alphabet (plus hostile characters) must never panic, and whatever
//! parses must display to a string that parses back to the same value.
//!
//! (cargo-fuzz needs a nightly toolchain, which these machines cannot install; a seeded
//! generator over a million inputs covers the same property here.)
#![allow(clippy::unwrap_used)]

use shiprail::branch::{BranchKind, BranchPattern, BranchRules};
use shiprail::config::{PathGlob, RepoPath, ServiceName};
use shiprail::image::{ImageReference, PromotionTemplate};
use shiprail::tag::TagTemplate;
use shiprail::version::ReleaseVersion;
use std::fmt::Display;
use std::str::FromStr;

/// xorshift64*: tiny, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A string of up to `max` pieces drawn from `alphabet`.
    fn string(&mut self, alphabet: &[&str], max: usize) -> String {
        let len = self.below(max + 1);
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }
}

const HOSTILE: &[&str] = &["\0", "\n", "\u{7f}", "é", "\u{202e}", " ", "\\", "\u{feff}"];

fn round_trip<T>(inputs: impl Iterator<Item = String>) -> usize
where
    T: FromStr + Display + PartialEq + std::fmt::Debug,
{
    let mut parsed = 0;
    for input in inputs {
        if let Ok(value) = input.parse::<T>() {
            parsed += 1;
            let shown = value.to_string();
            let again = shown.parse::<T>().unwrap_or_else(|_| {
                panic!("{input:?} displayed as {shown:?}, which does not parse")
            });
            assert_eq!(value, again, "{input:?} -> {shown:?}");
        }
    }
    parsed
}

fn inputs(
    seed: u64,
    alphabet: &'static [&'static str],
    max: usize,
    n: usize,
) -> impl Iterator<Item = String> {
    let mut rng = Rng(seed);
    let mut all: Vec<&str> = alphabet.to_vec();
    all.extend_from_slice(HOSTILE);
    (0..n).map(move |i| {
        // One input in eight draws hostile characters too.
        if i % 8 == 0 {
            rng.string(&all, max)
        } else {
            rng.string(alphabet, max)
        }
    })
}

#[test]
fn versions_round_trip() {
    const A: &[&str] = &[
        "0", "1", "2", "9", "10", ".", ".", "-", "+", "v", "rc", "alpha", "a", "Z", "00",
    ];
    const NUM: &[&str] = &["0", "1", "7", "10", "01", "99999999999999999999", ""];
    const IDENT: &[&str] = &["rc", "1", "0", "alpha", "x-y", "01", "", "A", "é", "-"];
    round_trip::<ReleaseVersion>(inputs(1, A, 14, 100_000));
    // Structured inputs: MAJOR.MINOR.PATCH with random pre-release and build parts.
    let mut rng = Rng(11);
    let structured = (0..100_000).map(|_| {
        let mut s = String::from(["", "v", "V"][rng.below(3)]);
        s.push_str(
            &[
                NUM[rng.below(NUM.len())],
                NUM[rng.below(NUM.len())],
                NUM[rng.below(NUM.len())],
            ]
            .join("."),
        );
        if rng.below(2) == 0 {
            s.push('-');
            s.push_str(
                &(0..=rng.below(3))
                    .map(|_| IDENT[rng.below(IDENT.len())])
                    .collect::<Vec<_>>()
                    .join("."),
            );
        }
        if rng.below(3) == 0 {
            s.push('+');
            s.push_str(
                &(0..=rng.below(3))
                    .map(|_| IDENT[rng.below(IDENT.len())])
                    .collect::<Vec<_>>()
                    .join("."),
            );
        }
        s
    });
    let parsed = round_trip::<ReleaseVersion>(structured);
    assert!(
        parsed > 5_000,
        "the generator must reach valid versions ({parsed})"
    );
}

#[test]
fn image_references_round_trip() {
    const A: &[&str] = &[
        "a",
        "b",
        "z",
        "0",
        "9",
        "/",
        "/",
        ".",
        "_",
        "__",
        "-",
        ":",
        "@",
        "sha256:",
        "localhost",
        "io",
        "A",
        "[",
        "]",
        "::1",
        "5000",
        "latest",
        "v1.0.2",
    ];
    let parsed = round_trip::<ImageReference>(inputs(2, A, 12, 200_000));
    assert!(
        parsed > 1_000,
        "the generator must reach valid references ({parsed})"
    );
    // Digests are too long to hit by chance: add them to parsed references explicitly.
    let digest = format!("sha256:{}", "ab".repeat(32));
    for input in [
        "myrepo.azurecr.io/delivery:v1.0.2",
        "ubuntu",
        "localhost:5000/a/b",
    ] {
        let with = format!("{input}@{digest}");
        assert_eq!(round_trip::<ImageReference>(std::iter::once(with)), 1);
    }
}

#[test]
fn templates_and_patterns_round_trip() {
    const T: &[&str] = &[
        "{service}",
        "{version}",
        "{name}",
        "{tag}",
        "{registry}",
        "{namespace}",
        "{repository}",
        "-",
        "/",
        "v",
        "_",
        "x",
        "{",
        "}",
        ":",
        "@",
    ];
    round_trip::<TagTemplate>(inputs(3, T, 6, 50_000));
    round_trip::<PromotionTemplate>(inputs(4, T, 8, 50_000));
    const B: &[&str] = &[
        "{service}",
        "{topic}",
        "{version}",
        "release",
        "feature",
        "/",
        "v",
        "-",
        "*",
        "{",
        "}",
        ".",
    ];
    round_trip::<BranchPattern>(inputs(5, B, 6, 50_000));
    const K: &[&str] = &[
        "trunk", "feature", "topic", "release", "hotfix", "-", "_", "A", "1",
    ];
    round_trip::<BranchKind>(inputs(6, K, 3, 20_000));
}

#[test]
fn config_values_round_trip() {
    const P: &[&str] = &[
        "src", "a", "/", "*", "**", "?", "[", "]", "!", ".", "..", "\\", "{", "}", ",", "-",
    ];
    for input in inputs(7, P, 8, 50_000) {
        if let Ok(glob) = input.parse::<PathGlob>() {
            assert_eq!(glob.to_string().parse::<PathGlob>().unwrap(), glob);
        }
    }
    round_trip::<RepoPath>(inputs(8, P, 8, 50_000));
    const S: &[&str] = &["a", "z", "0", "-", "A", "_", "."];
    round_trip::<ServiceName>(inputs(9, S, 10, 50_000));
}

/// A branch that classifies renders back to itself from its parts.
#[test]
fn classified_branches_render_back() {
    const A: &[&str] = &[
        "feature/",
        "topic/",
        "release/",
        "hotfix/",
        "main",
        "master",
        "delivery",
        "package",
        "/",
        "v1.0.2",
        "v1.0.3-rc.1",
        "x",
        "-",
        ".",
        "refs/heads/",
        "refs/tags/",
    ];
    let rules = BranchRules::default();
    let mut classified = 0;
    for input in inputs(10, A, 5, 100_000) {
        let Ok(branch) = rules.classify(&input, None) else {
            continue;
        };
        classified += 1;
        if branch.kind == BranchKind::Trunk {
            continue;
        }
        let rendered = rules
            .render(
                &branch.kind,
                branch.service.as_deref(),
                branch.topic.as_deref(),
                branch.version.as_ref(),
            )
            .unwrap();
        assert_eq!(rendered, branch.name, "{input:?}");
    }
    assert!(
        classified > 1_000,
        "the generator must reach valid branches ({classified})"
    );
}
