//! The Azure Pipelines filter-pattern compiler: branch and tag patterns over full refs, path
//! patterns over repository paths. Its own matcher (a small NFA over tokens), not globset's:
//! Azure's `*` crosses `/` in branch names and a path filter names a folder and everything in it,
//! neither of which a shell glob does.

use crate::error::{Error, ErrorKind, Location, Result};
use std::fmt;
use std::str::FromStr;

/// The longest pattern accepted: a guard against feeding a whole file in as one pattern.
const MAX_PATTERN_CHARS: usize = 4096;

/// One token of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// One exact character.
    Lit(char),
    /// `?`: exactly one character (`/` only when `slash`).
    One { slash: bool },
    /// `*` or `**`: zero or more characters (`/` only when `slash`). `skip_slash` marks a `**`
    /// directly followed by `/`, which may also match nothing at all, slash included
    /// (`src/**/app` matches `src/app`).
    Star { slash: bool, skip_slash: bool },
}

/// Compiled tokens plus the NFA simulation that matches them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    /// Adds `state` and everything reachable from it without consuming a character.
    fn close(&self, states: &mut [bool], state: usize) {
        let mut stack = vec![state];
        while let Some(i) = stack.pop() {
            if states[i] {
                continue;
            }
            states[i] = true;
            if let Some(Token::Star { skip_slash, .. }) = self.tokens.get(i) {
                stack.push(i + 1);
                if *skip_slash {
                    stack.push(i + 2);
                }
            }
        }
    }

    fn start(&self) -> Vec<bool> {
        let mut states = vec![false; self.tokens.len() + 1];
        self.close(&mut states, 0);
        states
    }

    /// Moves `states` over `c` into `next` (cleared first); false when no state survives.
    fn step(&self, states: &[bool], next: &mut [bool], c: char, fold: bool) -> bool {
        next.fill(false);
        for (i, token) in self.tokens.iter().enumerate() {
            if !states[i] {
                continue;
            }
            match *token {
                Token::Lit(a) if same(a, c, fold) => self.close(next, i + 1),
                Token::One { slash } if slash || c != '/' => self.close(next, i + 1),
                Token::Star { slash, .. } if slash || c != '/' => self.close(next, i),
                _ => {}
            }
        }
        next.iter().any(|s| *s)
    }

    fn accepts(&self, states: &[bool]) -> bool {
        states[self.tokens.len()]
    }

    /// Whether the whole of `subject` matches.
    fn matches(&self, subject: &str, fold: bool) -> bool {
        let mut states = self.start();
        let mut next = states.clone();
        for c in subject.chars() {
            if !self.step(&states, &mut next, c, fold) {
                return false;
            }
            std::mem::swap(&mut states, &mut next);
        }
        self.accepts(&states)
    }

    /// Whether `subject` or one of its ancestor folders (a prefix ending before a `/`) matches.
    fn matches_path_or_ancestor(&self, subject: &str) -> bool {
        let mut states = self.start();
        let mut next = states.clone();
        for c in subject.chars() {
            if c == '/' && self.accepts(&states) {
                return true;
            }
            if !self.step(&states, &mut next, c, false) {
                return false;
            }
            std::mem::swap(&mut states, &mut next);
        }
        self.accepts(&states)
    }
}

fn same(a: char, b: char, fold: bool) -> bool {
    a == b || (fold && a.to_lowercase().eq(b.to_lowercase()))
}

/// Refuses what can be no pattern at all: empty text, control characters, absurd lengths.
fn check_text(raw: &str, what: &str) -> Result<()> {
    let fail = |message: String| {
        Err(Error::new(ErrorKind::InvalidPattern, message).with_input(raw.to_owned()))
    };
    if raw.trim().is_empty() {
        return fail(format!(
            "empty {what} pattern: a pattern needs at least one character"
        ));
    }
    if raw.chars().count() > MAX_PATTERN_CHARS {
        return fail(format!(
            "{what} pattern is longer than {MAX_PATTERN_CHARS} characters"
        ));
    }
    if let Some(c) = raw.chars().find(|c| c.is_control()) {
        let shown: String = raw.chars().take(80).collect();
        return fail(format!(
            "{what} pattern `{}` holds the control character {}: no ref or path can contain it",
            shown.escape_debug(),
            c.escape_debug()
        ));
    }
    Ok(())
}

/// Which list a ref pattern came from, which decides how a short name is completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefKind {
    /// A `branches` entry: a short name means `refs/heads/<name>`; `refs/...` is kept.
    Branch,
    /// A `tags` entry: a short name means `refs/tags/<name>`; `refs/tags/...` is kept.
    Tag,
}

/// A branch or tag filter entry (`main`, `releases/*`, `refs/tags/v*`, `v2.*`).
///
/// Compiled against the *full* ref: a `branches` entry without `refs/` is completed to
/// `refs/heads/<entry>` and a `tags` entry to `refs/tags/<entry>`, so `*` in `branches` means
/// every branch and never a tag, while `refs/tags/v*` in `branches` filters tags. `*` matches
/// zero or more characters, `/` included; `?` matches exactly one. Everything else, `$(var)`
/// included, is literal. Displayed as written.
///
/// ```
/// use shiprail::trigger::azure::RefPattern;
/// let p: RefPattern = "releases/*".parse()?;
/// assert_eq!(p.full(), "refs/heads/releases/*");
/// assert!(p.matches("refs/heads/releases/2024/q1", false));
/// assert!(!p.matches("refs/tags/releases/1", false));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefPattern {
    raw: String,
    full: String,
    kind: RefKind,
    glob: Glob,
    location: Option<Location>,
}

impl RefPattern {
    /// Compiles a `branches` entry.
    pub fn branch(raw: &str) -> Result<RefPattern> {
        RefPattern::new(raw, RefKind::Branch)
    }

    /// Compiles a `tags` entry.
    pub fn tag(raw: &str) -> Result<RefPattern> {
        RefPattern::new(raw, RefKind::Tag)
    }

    /// Compiles an entry of the given list.
    pub fn new(raw: &str, kind: RefKind) -> Result<RefPattern> {
        check_text(
            raw,
            match kind {
                RefKind::Branch => "branch",
                RefKind::Tag => "tag",
            },
        )?;
        let full = match kind {
            RefKind::Branch if raw.starts_with("refs/") => raw.to_owned(),
            RefKind::Branch => format!("refs/heads/{raw}"),
            RefKind::Tag if raw.starts_with("refs/tags/") => raw.to_owned(),
            RefKind::Tag => format!("refs/tags/{raw}"),
        };
        let tokens = full
            .chars()
            .map(|c| match c {
                '*' => Token::Star {
                    slash: true,
                    skip_slash: false,
                },
                '?' => Token::One { slash: true },
                c => Token::Lit(c),
            })
            .collect();
        Ok(RefPattern {
            raw: raw.to_owned(),
            full,
            kind,
            glob: Glob { tokens },
            location: None,
        })
    }

    pub(crate) fn located(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The pattern completed to a full ref (`refs/heads/main`).
    pub fn full(&self) -> &str {
        &self.full
    }

    /// The list the pattern came from.
    pub fn kind(&self) -> RefKind {
        self.kind
    }

    /// Where the pattern is written, when it was read from a file.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// Whether the pattern holds a wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.raw.contains(['*', '?'])
    }

    /// Whether the full ref `full_ref` matches, optionally ignoring case.
    pub fn matches(&self, full_ref: &str, case_insensitive: bool) -> bool {
        self.glob.matches(full_ref, case_insensitive)
    }

    /// The pattern's tokens in the lint's intersection alphabet (see [`intersects`]).
    pub(crate) fn shape(&self) -> Vec<Shape> {
        self.glob
            .tokens
            .iter()
            .map(|t| match *t {
                Token::Lit(c) => Shape::Lit(c),
                Token::One { slash } => Shape::One { slash },
                Token::Star { slash, .. } => Shape::Many { slash },
            })
            .collect()
    }
}

impl FromStr for RefPattern {
    type Err = Error;

    /// Parses a `branches` entry.
    fn from_str(s: &str) -> Result<Self> {
        RefPattern::branch(s)
    }
}

impl fmt::Display for RefPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl serde::Serialize for RefPattern {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A `paths` filter entry (`docs`, `/src/shipping/delivery/`, `src/app/**/myapp*`).
///
/// Relative to the repository root; one leading `/` (or more) and trailing `/`s are dropped, and
/// `/`, `*` and an entry that is nothing but slashes name the root. An entry names a file or a
/// folder *and everything under it*: it matches a changed path when it matches the path itself
/// or one of the path's ancestor folders, segment by segment (`src/app` matches
/// `src/app/main.go`, not `src/application/main.go`). `**` matches across `/` (and `**/` may
/// match nothing); `*` and `?` stay within a segment unless `star_crosses_slash` is set. Case
/// matters. Displayed as written.
///
/// ```
/// use shiprail::trigger::azure::PathPattern;
/// let p: PathPattern = "/src/app".parse()?;
/// assert!(p.matches("src/app/main.go", false));
/// assert!(!p.matches("src/application/main.go", false));
/// assert!(!p.matches("SRC/app/main.go", false));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    raw: String,
    normalized: String,
    segment_glob: Glob,
    crossing_glob: Glob,
    location: Option<Location>,
}

impl PathPattern {
    /// Compiles a `paths` entry.
    pub fn new(raw: &str) -> Result<PathPattern> {
        check_text(raw, "path")?;
        let trimmed = raw.trim_start_matches('/').trim_end_matches('/');
        let normalized = if trimmed.is_empty() || trimmed == "*" || trimmed == "**" {
            String::new()
        } else {
            trimmed.to_owned()
        };
        Ok(PathPattern {
            raw: raw.to_owned(),
            segment_glob: path_glob(&normalized, false),
            crossing_glob: path_glob(&normalized, true),
            normalized,
            location: None,
        })
    }

    pub(crate) fn located(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The pattern relative to the root, without leading or trailing `/` (empty for the root).
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Where the pattern is written, when it was read from a file.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// Whether the pattern names the repository root, i.e. every path.
    pub fn is_root(&self) -> bool {
        self.normalized.is_empty()
    }

    /// How specific the pattern is: its number of segments, then its number of literal
    /// characters. Of an include and an exclude that both match a path, the more specific one
    /// decides; a tie goes to the exclude.
    pub fn specificity(&self) -> (usize, usize) {
        if self.is_root() {
            return (0, 0);
        }
        let segments = self.normalized.split('/').count();
        let literal = self
            .normalized
            .chars()
            .filter(|c| !matches!(c, '*' | '?'))
            .count();
        (segments, literal)
    }

    /// Whether a changed path (relative to the root; a leading `/` is ignored) falls under
    /// this entry.
    pub fn matches(&self, path: &str, star_crosses_slash: bool) -> bool {
        if self.is_root() {
            return true;
        }
        let path = path.trim_start_matches('/');
        let glob = if star_crosses_slash {
            &self.crossing_glob
        } else {
            &self.segment_glob
        };
        glob.matches_path_or_ancestor(path)
    }
}

fn path_glob(normalized: &str, crossing: bool) -> Glob {
    let chars: Vec<char> = normalized.chars().collect();
    let mut tokens = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                let double = chars.get(i + 1) == Some(&'*');
                let mut end = i + 1;
                while chars.get(end) == Some(&'*') {
                    end += 1;
                }
                let starts_segment = i == 0 || chars[i - 1] == '/';
                let skip_slash = double && starts_segment && chars.get(end) == Some(&'/');
                tokens.push(Token::Star {
                    slash: double || crossing,
                    skip_slash,
                });
                i = end;
            }
            '?' => {
                tokens.push(Token::One { slash: crossing });
                i += 1;
            }
            c => {
                tokens.push(Token::Lit(c));
                i += 1;
            }
        }
    }
    Glob { tokens }
}

impl FromStr for PathPattern {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        PathPattern::new(s)
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl serde::Serialize for PathPattern {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A token of the alphabet in which the lint compares a filter pattern with the branch rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One exact character.
    Lit(char),
    /// Exactly one character (not `/` unless `slash`).
    One { slash: bool },
    /// Zero or more characters (not `/` unless `slash`).
    Many { slash: bool },
}

/// Whether some string matches both `a` and `b` (emptiness of the product automaton).
pub(crate) fn intersects(a: &[Shape], b: &[Shape]) -> bool {
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        if seen[i * width + j] {
            continue;
        }
        seen[i * width + j] = true;
        if i == a.len() && j == b.len() {
            return true;
        }
        if let Some(Shape::Many { .. }) = a.get(i) {
            stack.push((i + 1, j));
        }
        if let Some(Shape::Many { .. }) = b.get(j) {
            stack.push((i, j + 1));
        }
        let (Some(x), Some(y)) = (a.get(i), b.get(j)) else {
            continue;
        };
        if !compatible(*x, *y) {
            continue;
        }
        let ni = if matches!(x, Shape::Many { .. }) {
            i
        } else {
            i + 1
        };
        let nj = if matches!(y, Shape::Many { .. }) {
            j
        } else {
            j + 1
        };
        stack.push((ni, nj));
    }
    false
}

/// Whether one character can satisfy both tokens.
fn compatible(x: Shape, y: Shape) -> bool {
    let allows = |s: Shape, c: char| match s {
        Shape::Lit(a) => a == c,
        Shape::One { slash } | Shape::Many { slash } => slash || c != '/',
    };
    match (x, y) {
        (Shape::Lit(a), other) | (other, Shape::Lit(a)) => allows(other, a),
        // Two classes always share a character other than `/`.
        _ => true,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn branch_patterns() {
        let cases: &[(&str, &str, bool)] = &[
            ("main", "refs/heads/main", true),
            ("main", "refs/heads/main2", false),
            ("main", "refs/heads/Main", false),
            ("releases/*", "refs/heads/releases/a/b", true),
            ("releases/*", "refs/heads/releases/", true),
            ("releases/*", "refs/heads/releases", false),
            ("*", "refs/heads/feature/x/y", true),
            ("*", "refs/tags/v1", false),
            ("refs/tags/v*", "refs/tags/v1.0", true),
            ("refs/heads/main", "refs/heads/main", true),
            ("?", "refs/heads/a", true),
            ("?", "refs/heads/ab", false),
            ("*-releases", "refs/heads/q1-releases", true),
            ("$(branch)", "refs/heads/$(branch)", true),
            ("$(branch)", "refs/heads/main", false),
        ];
        for (pattern, subject, want) in cases {
            let p = RefPattern::branch(pattern).unwrap();
            assert_eq!(p.matches(subject, false), *want, "{pattern} vs {subject}");
        }
    }

    #[test]
    fn path_patterns() {
        let cases: &[(&str, &str, bool, bool)] = &[
            ("docs", "docs/README.md", false, true),
            ("docs", "docs", false, true),
            ("docs", "docsite/a", false, false),
            ("/docs/", "docs/a/b", false, true),
            ("docs/*.md", "docs/a.md", false, true),
            ("docs/*.md", "docs/sub/a.md", false, false),
            ("docs/*.md", "docs/sub/a.md", true, true),
            ("src/app/**/myapp*", "src/app/myapp.cs", false, true),
            ("src/app/**/myapp*", "src/app/x/y/myapp.cs", false, true),
            ("src/app/**/myapp*", "src/app/x/other.cs", false, false),
            ("*", "anything/at/all", false, true),
            ("/", "x", false, true),
            ("src/?pp", "src/app/x", false, true),
            ("src/?pp", "src//pp", false, false),
        ];
        for (pattern, subject, crossing, want) in cases {
            let p = PathPattern::new(pattern).unwrap();
            assert_eq!(
                p.matches(subject, *crossing),
                *want,
                "{pattern} vs {subject}"
            );
        }
    }

    #[test]
    fn errors() {
        let err = RefPattern::branch("").unwrap_err();
        assert_eq!(
            err.to_string(),
            "empty branch pattern: a pattern needs at least one character"
        );
        let err = PathPattern::new("src\u{7}").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPattern);
        assert_eq!(
            err.to_string(),
            "path pattern `src\\u{7}` holds the control character \\u{7}: no ref or path can contain it"
        );
    }

    #[test]
    fn intersection() {
        let a = RefPattern::branch("release/*").unwrap().shape();
        let b = RefPattern::branch("release/delivery/v*").unwrap().shape();
        assert!(intersects(&a, &b));
        let c = RefPattern::branch("releases/*").unwrap().shape();
        assert!(!intersects(&c, &b));
    }

    #[test]
    fn huge_subjects_do_not_blow_up() {
        let p = RefPattern::branch("a*b*c*d").unwrap();
        let subject = format!("refs/heads/{}", "a".repeat(1 << 20));
        assert!(!p.matches(&subject, false));
        let q = PathPattern::new("**/x").unwrap();
        assert!(!q.matches(&"y/".repeat(1 << 18), false));
    }
}
