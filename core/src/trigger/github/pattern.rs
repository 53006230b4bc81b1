//! GitHub's filter pattern language: the patterns of `branches`, `tags` and `paths`.

use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use std::str::FromStr;

/// Patterns longer than this (in characters) are echoed shortened in error messages.
const SHOWN_CHARS: usize = 120;

/// The pattern as shown in messages: control characters escaped, long patterns shortened.
pub(super) fn shown(text: &str) -> String {
    let escaped: String = text.escape_debug().collect();
    if escaped.chars().count() <= SHOWN_CHARS {
        escaped
    } else {
        let head: String = escaped.chars().take(SHOWN_CHARS).collect();
        format!("{head}…")
    }
}

/// What a `[...]` class or a plain character matches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    /// One literal character (escaped or not).
    Char(char),
    /// One character in one of the inclusive ranges (a single character is a range of one).
    Class(Vec<(char, char)>),
}

/// `?` or `+` after an atom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quantifier {
    /// `?`: zero or one of the preceding character.
    Optional,
    /// `+`: one or more of the preceding character.
    OneOrMore,
}

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A character or a class, once.
    Atom(Atom),
    /// A character or a class with `?` or `+`.
    Repeat(Atom, Quantifier),
    /// `*`: zero or more characters other than `/`.
    Star,
    /// `**`: zero or more of any character, `/` included.
    GlobStar,
    /// `**/` at the start of a segment: zero or more whole directories.
    GlobStarDir,
}

/// Whether `c` may appear in `[]`: the documentation allows alphanumeric characters only.
fn class_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// The ASCII group a range end belongs to (ranges stay inside one group).
fn range_group(c: char) -> Option<u8> {
    if c.is_ascii_lowercase() {
        Some(0)
    } else if c.is_ascii_uppercase() {
        Some(1)
    } else if c.is_ascii_digit() {
        Some(2)
    } else {
        None
    }
}

/// Patterns up to this many bytes compile their regex on first use.
const EAGER_COMPILE_LEN: usize = 256;

/// A GitHub Actions filter pattern, as written in `branches`, `branches-ignore`, `tags`,
/// `tags-ignore`, `paths` and `paths-ignore`.
///
/// GitHub's own language, not a shell glob: `*` matches any run of characters except `/`, `**`
/// any run including `/`, `?` makes the *preceding character* optional and `+` repeats it,
/// `[0-9a-z]` matches one listed letter or digit, `\` escapes a special character, and a leading
/// `!` negates the pattern inside an ordered list. A pattern matches the whole name or path.
/// `**/` at the start of a segment matches zero or more whole directories, so `**/README.md`
/// matches `README.md` at the root too (the cheat sheet's example).
///
/// Displayed and serialized exactly as written.
///
/// ```
/// use shiprail::trigger::github::GithubPattern;
/// let js: GithubPattern = "*.jsx?".parse()?;
/// assert!(js.is_match("page.js") && js.is_match("page.jsx") && !js.is_match("src/page.js"));
/// let semver: GithubPattern = "v[12].[0-9]+.[0-9]+".parse()?;
/// assert!(semver.is_match("v1.10.1") && !semver.is_match("v3.0.0"));
/// let not_docs: GithubPattern = "!docs/**".parse()?;
/// assert!(not_docs.is_negated() && not_docs.is_match("docs/a.md"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct GithubPattern {
    text: String,
    negated: bool,
    tokens: Vec<Token>,
    /// Compiled on first use: a monorepo config holds thousands of patterns and most are
    /// matched through a set matcher, never one by one.
    regex: std::sync::OnceLock<regex::Regex>,
}

impl GithubPattern {
    /// Compiles a pattern; the same as [`str::parse`].
    ///
    /// Refused ([`ErrorKind::InvalidPattern`]): an empty pattern or a lone `!`; `?` or `+` with no
    /// plain character or class before it (at the start, after `*`, `**` or another
    /// quantifier); an unclosed or empty `[]`; a character other than a letter or digit inside
    /// `[]`; a range that is reversed or mixes letters and digits; a trailing lone `\`.
    pub fn parse(text: &str) -> Result<GithubPattern> {
        let invalid = |message: String| {
            Error::new(
                ErrorKind::InvalidPattern,
                format!("invalid pattern `{}`: {message}", shown(text)),
            )
            .with_input(text)
        };
        if text.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidPattern,
                "a filter pattern cannot be empty",
            )
            .with_input(text));
        }
        let chars: Vec<char> = text.chars().collect();
        let negated = chars[0] == '!';
        let start = usize::from(negated);
        if negated && chars.len() == 1 {
            return Err(invalid(
                "`!` negates nothing: at least one character must follow it".to_owned(),
            ));
        }
        let mut tokens: Vec<Token> = Vec::new();
        let mut i = start;
        while i < chars.len() {
            let column = i + 1;
            match chars[i] {
                '*' => {
                    let run = chars[i..].iter().take_while(|&&c| c == '*').count();
                    if run == 1 {
                        tokens.push(Token::Star);
                        i += 1;
                        continue;
                    }
                    let segment_start = match tokens.last() {
                        None => true,
                        Some(Token::Atom(Atom::Char('/')) | Token::GlobStarDir) => true,
                        Some(_) => false,
                    };
                    if segment_start && chars.get(i + run) == Some(&'/') {
                        tokens.push(Token::GlobStarDir);
                        i += run + 1;
                    } else {
                        tokens.push(Token::GlobStar);
                        i += run;
                    }
                }
                c @ ('?' | '+') => {
                    let quantifier = if c == '?' {
                        Quantifier::Optional
                    } else {
                        Quantifier::OneOrMore
                    };
                    match tokens.pop() {
                        Some(Token::Atom(atom)) => tokens.push(Token::Repeat(atom, quantifier)),
                        _ => {
                            let meaning = if c == '?' {
                                "zero or one"
                            } else {
                                "one or more"
                            };
                            return Err(invalid(format!(
                                "`{c}` at column {column} has no character before it to repeat \
                                 (`{c}` matches {meaning} of the preceding character; write `\\{c}` \
                                 for a literal `{c}`)"
                            )));
                        }
                    }
                    i += 1;
                }
                '[' => {
                    let (atom, next) = parse_class(&chars, i).map_err(invalid)?;
                    tokens.push(Token::Atom(atom));
                    i = next;
                }
                '\\' => match chars.get(i + 1) {
                    Some(&c) => {
                        tokens.push(Token::Atom(Atom::Char(c)));
                        i += 2;
                    }
                    None => {
                        return Err(invalid(format!(
                            "the `\\` at column {column} escapes nothing; write `\\\\` for a \
                             literal backslash"
                        )));
                    }
                },
                c => {
                    tokens.push(Token::Atom(Atom::Char(c)));
                    i += 1;
                }
            }
        }
        let regex = std::sync::OnceLock::new();
        // A short pattern always compiles (at most a few hundred small regex items); a long one
        // is compiled now so that a size-limit failure is reported as a pattern error.
        if text.len() > EAGER_COMPILE_LEN {
            let compiled = regex::RegexBuilder::new(&regex_of(&tokens))
                .build()
                .map_err(|e| match e {
                    regex::Error::CompiledTooBig(_) => {
                        invalid("the pattern is too long to compile".to_owned())
                    }
                    other => invalid(format!("cannot be compiled: {other}")),
                })?;
            let _ = regex.set(compiled);
        }
        Ok(GithubPattern {
            text: text.to_owned(),
            negated,
            tokens,
            regex,
        })
    }

    /// `text` with every special character escaped, so that the pattern matches exactly `text`
    /// (`a*b` -> `a\\*b`; a leading `!` becomes `\\!`).
    pub fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for (i, c) in text.chars().enumerate() {
            if matches!(c, '*' | '?' | '+' | '[' | '\\') || (i == 0 && c == '!') {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }

    /// The pattern as written, `!` included.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern starts with `!`: in `branches`, `tags` and `paths` a matching negated
    /// pattern excludes what earlier patterns included.
    pub fn is_negated(&self) -> bool {
        self.negated
    }

    /// The pattern without its leading `!`.
    pub fn body(&self) -> &str {
        &self.text[usize::from(self.negated)..]
    }

    /// Whether the pattern's body matches the whole of `subject` (a branch or tag name, or a
    /// repository path). A negated pattern reports whether its body matches; the list it is in
    /// decides what a match means.
    pub fn is_match(&self, subject: &str) -> bool {
        self.regex
            .get_or_init(|| {
                regex::Regex::new(&regex_of(&self.tokens))
                    // Invariant: patterns longer than EAGER_COMPILE_LEN were compiled in
                    // `parse`; shorter ones are far below the regex size limit.
                    .unwrap_or_else(|e| unreachable!("short pattern failed to compile: {e}"))
            })
            .is_match(subject)
    }

    /// The anchored regular expression (Rust `regex` syntax) that the pattern's body compiles to,
    /// e.g. `docs/**/*.md` -> `(?s)^docs/(?:.*/)?[^/]*\.md$`.
    pub fn to_regex(&self) -> String {
        regex_of(&self.tokens)
    }

    /// An equivalent glob for `globset` with `literal_separator(true)`, when one exists: no `?`
    /// or `+` quantifier, and every `**` either a whole segment or at the start of a segment
    /// followed only by `/`-free text (`**.js` is written `**/*.js`). Literal glob
    /// metacharacters are written as one-character classes (`[*]`). The leading `!` is not part
    /// of the glob: the caller keeps track of negation.
    pub fn as_glob(&self) -> Option<String> {
        let mut glob = String::new();
        let tokens = &self.tokens;
        for (index, token) in tokens.iter().enumerate() {
            let segment_start = index == 0
                || matches!(
                    tokens[index - 1],
                    Token::Atom(Atom::Char('/')) | Token::GlobStarDir
                );
            match token {
                Token::Atom(Atom::Char(c)) => match c {
                    // Glob metacharacters, written as one-character classes.
                    '*' | '?' | '[' | ']' | '{' | '}' => {
                        glob.push('[');
                        glob.push(*c);
                        glob.push(']');
                    }
                    // `\` escapes in globset on Unix only: no portable spelling.
                    '\\' => return None,
                    c => glob.push(*c),
                },
                Token::Atom(Atom::Class(ranges)) => push_class(&mut glob, ranges),
                Token::Repeat(..) => return None,
                Token::Star => glob.push('*'),
                Token::GlobStarDir => {
                    if index + 1 == tokens.len() {
                        return None;
                    }
                    glob.push_str("**/");
                }
                Token::GlobStar => {
                    if !segment_start {
                        return None;
                    }
                    let rest = &tokens[index + 1..];
                    if rest.is_empty() {
                        glob.push_str("**");
                    } else if rest.iter().all(|t| {
                        !matches!(
                            t,
                            Token::Atom(Atom::Char('/')) | Token::GlobStar | Token::GlobStarDir
                        )
                    }) {
                        // `**x` with `/`-free x: x ends the last segment, so this is `**/*x`.
                        glob.push_str("**/*");
                    } else {
                        return None;
                    }
                }
            }
        }
        Some(glob)
    }

    /// A name the pattern's body matches, with `fill` for every `*` and `**`, no directories
    /// for `**/`, the first character of each class, `?` as absent and `+` as once. The lint
    /// uses it to ask the branch rules whether a pattern can match any branch at all.
    pub(crate) fn sample(&self, fill: &str) -> String {
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Atom(atom) | Token::Repeat(atom, Quantifier::OneOrMore) => match atom {
                    Atom::Char(c) => out.push(*c),
                    Atom::Class(ranges) => out.push(ranges.first().map_or('0', |r| r.0)),
                },
                Token::Repeat(_, Quantifier::Optional) | Token::GlobStarDir => {}
                Token::Star | Token::GlobStar => out.push_str(fill),
            }
        }
        out
    }

    /// Whether the body matches everything the lint probes it with (any name, any depth).
    pub(crate) fn matches_anything(&self) -> bool {
        const PROBES: &[&str] = &[
            "a",
            "main",
            "a/b",
            "src/shipping/delivery/main.go",
            ".github/workflows/ci.yml",
            "release/delivery/v1.0.2",
            "X_1-y.z",
        ];
        PROBES.iter().all(|p| self.is_match(p))
    }

    /// Whether the body has no wildcard, class or quantifier: it names exactly one subject.
    pub(crate) fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Atom(Atom::Char(c)) => out.push(*c),
                _ => return None,
            }
        }
        Some(out)
    }

    /// A case-insensitive version of the body's regex, for "did you mean" suggestions.
    pub(crate) fn case_insensitive(&self) -> Option<regex::Regex> {
        regex::RegexBuilder::new(&self.to_regex())
            .case_insensitive(true)
            .build()
            .ok()
    }
}

/// Parses the class starting at `chars[open] == '['`; returns the atom and the index after `]`.
fn parse_class(chars: &[char], open: usize) -> std::result::Result<(Atom, usize), String> {
    let column = open + 1;
    let mut ranges = Vec::new();
    let mut i = open + 1;
    loop {
        match chars.get(i) {
            None => {
                return Err(format!(
                    "the `[` at column {column} is never closed by `]`; write `\\[` for a literal `[`"
                ));
            }
            Some(']') if ranges.is_empty() => {
                return Err(format!(
                    "the `[]` at column {column} is empty; list the letters or digits it matches"
                ));
            }
            Some(']') => return Ok((Atom::Class(ranges), i + 1)),
            Some(&c) if class_char(c) => {
                if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&e| e != ']') {
                    let end = chars[i + 2];
                    let same_group = range_group(c).is_some() && range_group(c) == range_group(end);
                    if !same_group || c > end {
                        return Err(format!(
                            "the range `{}-{}` at column {} is invalid: ranges can only include \
                             a-z, A-Z and 0-9, from low to high",
                            c.escape_debug(),
                            end.escape_debug(),
                            i + 1
                        ));
                    }
                    ranges.push((c, end));
                    i += 3;
                } else if chars.get(i + 1) == Some(&'-') {
                    return Err(format!(
                        "the range starting `{}-` at column {} has no end",
                        c.escape_debug(),
                        i + 1
                    ));
                } else {
                    ranges.push((c, c));
                    i += 1;
                }
            }
            Some(&c) => {
                return Err(format!(
                    "`{}` at column {} cannot appear in `[]`, which matches one alphanumeric \
                     character (letters and digits, or ranges of them)",
                    c.escape_debug(),
                    i + 1
                ));
            }
        }
    }
}

/// Appends a class in both regex and glob syntax (they agree for alphanumeric ranges).
fn push_class(out: &mut String, ranges: &[(char, char)]) {
    out.push('[');
    for &(start, end) in ranges {
        out.push(start);
        if start != end {
            out.push('-');
            out.push(end);
        }
    }
    out.push(']');
}

/// The anchored regex of a token list.
fn regex_of(tokens: &[Token]) -> String {
    let mut out = String::from("(?s)^");
    for token in tokens {
        match token {
            Token::Atom(atom) => push_atom(&mut out, atom),
            Token::Repeat(atom, quantifier) => {
                push_atom(&mut out, atom);
                out.push(match quantifier {
                    Quantifier::Optional => '?',
                    Quantifier::OneOrMore => '+',
                });
            }
            Token::Star => out.push_str("[^/]*"),
            Token::GlobStar => out.push_str(".*"),
            Token::GlobStarDir => out.push_str("(?:.*/)?"),
        }
    }
    out.push('$');
    out
}

/// Appends one atom as a single regex item (so a following quantifier applies to all of it).
fn push_atom(out: &mut String, atom: &Atom) {
    match atom {
        Atom::Char(c) => {
            let mut buf = [0u8; 4];
            let escaped = regex::escape(c.encode_utf8(&mut buf));
            out.push_str(&escaped);
        }
        Atom::Class(ranges) => push_class(out, ranges),
    }
}

impl FromStr for GithubPattern {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        GithubPattern::parse(s)
    }
}

impl fmt::Display for GithubPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for GithubPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GithubPattern({:?})", self.text)
    }
}

impl PartialEq for GithubPattern {
    /// Two patterns are equal when written the same way.
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for GithubPattern {}

impl std::hash::Hash for GithubPattern {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl serde::Serialize for GithubPattern {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for GithubPattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for GithubPattern {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "GithubPattern".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "description": "A GitHub Actions filter pattern: `*`, `**`, `?` and `+` (of the preceding character), `[a-z0-9]`, `\\` escapes, leading `!` negates."
        })
    }
}
