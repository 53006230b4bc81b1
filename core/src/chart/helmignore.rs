//! `.helmignore` with Helm's own semantics (`helm.sh/helm/pkg/ignore`), which differ from
//! `.gitignore` (see the module section "Ignoring files").

use crate::error::{Error, ErrorKind, Location, Result};
use std::fmt;

/// The name of the ignore file at a chart's root.
pub const HELMIGNORE: &str = ".helmignore";

/// The rule Helm always adds: dot files directly in `templates/`.
const DEFAULT_RULE: &str = "templates/.?*";

/// One parsed rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// The line as written (trimmed).
    raw: String,
    /// The glob, without `!`, trailing `/` and leading `/`.
    glob: Vec<char>,
    negate: bool,
    must_dir: bool,
    /// Matched against the whole path (the glob has a `/`), else against the base name.
    structural: bool,
}

/// The rules of a `.helmignore` file plus Helm's default rule.
///
/// Rules are evaluated in file order and the first decisive rule wins: a plain rule that
/// matches ignores the path; a `!` rule that does *not* match ignores the path (Helm's
/// reading of negation: `!keep.txt` ignores everything but `keep.txt`) and one that matches
/// lets evaluation continue. A rule ending in `/` only applies to directories (and, negated,
/// ignores every file). A rule with a `/` is matched against the whole path relative to the
/// chart root (a leading `/` is dropped), one without against the base name only. Globs are
/// Go's `filepath.Match`: `*` and `?` never cross `/`, `[...]` classes (`^` negates), `\`
/// escapes; `**` is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmIgnore {
    rules: Vec<Rule>,
}

impl Default for HelmIgnore {
    /// No file: only Helm's default rule.
    fn default() -> Self {
        let mut ignore = HelmIgnore { rules: Vec::new() };
        ignore.push_rule(DEFAULT_RULE, 0).unwrap_or_default();
        ignore
    }
}

impl HelmIgnore {
    /// Parses the text of a `.helmignore` file: one rule a line; blank lines and lines
    /// starting with `#` are skipped; surrounding white space is trimmed. A rule with `**` or
    /// a malformed glob is an [`ErrorKind::InvalidPattern`] error at its line.
    pub fn parse(text: &str) -> Result<HelmIgnore> {
        let mut ignore = HelmIgnore { rules: Vec::new() };
        for (i, line) in text.lines().enumerate() {
            ignore.push_rule(line, i + 1)?;
        }
        ignore.push_rule(DEFAULT_RULE, 0)?;
        Ok(ignore)
    }

    fn push_rule(&mut self, line: &str, line_no: usize) -> Result<()> {
        let raw = line.trim();
        if raw.is_empty() || raw.starts_with('#') {
            return Ok(());
        }
        let err = |reason: &str| {
            let mut e = Error::new(
                ErrorKind::InvalidPattern,
                format!(
                    ".helmignore rule `{}` is invalid: {reason}",
                    raw.escape_debug()
                ),
            )
            .with_input(raw);
            if line_no > 0 {
                e = e.with_location(Location {
                    file: None,
                    line: u32::try_from(line_no).unwrap_or(u32::MAX),
                    column: 1,
                });
            }
            e
        };
        if raw.contains("**") {
            return Err(err("double-star (**) syntax is not supported"));
        }
        let chars: Vec<char> = raw.chars().collect();
        if glob_match(&chars, &['a', 'b', 'c']).is_err() {
            return Err(err(
                "malformed glob (an unclosed `[`, a bad range or a trailing `\\`)",
            ));
        }
        let mut rest = raw;
        let negate = rest.starts_with('!');
        if negate {
            rest = &rest[1..];
        }
        let must_dir = rest.ends_with('/');
        if must_dir {
            rest = &rest[..rest.len() - 1];
        }
        let (glob, structural) = if let Some(rooted) = rest.strip_prefix('/') {
            (rooted, true)
        } else {
            (rest, rest.contains('/'))
        };
        self.rules.push(Rule {
            raw: raw.to_string(),
            glob: glob.chars().collect(),
            negate,
            must_dir,
            structural,
        });
        Ok(())
    }

    /// The rules as written, the default rule last.
    pub fn rules(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.raw.as_str()).collect()
    }

    /// Whether `path` (relative to the chart root, `/`-separated) is ignored; `is_dir` tells
    /// whether it is a directory (an ignored directory is skipped with all it contains).
    /// The chart root itself (`""`, `.`, `./`) is never ignored.
    pub fn is_ignored(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        let name: Vec<char> = path.chars().collect();
        let base: Vec<char> = base_name(path).chars().collect();
        for rule in &self.rules {
            let subject = if rule.structural { &name } else { &base };
            let matches = || glob_match(&rule.glob, subject).unwrap_or(false);
            if rule.negate {
                if rule.must_dir && !is_dir {
                    return true;
                }
                if !matches() {
                    return true;
                }
                continue;
            }
            if rule.must_dir && !is_dir {
                continue;
            }
            if matches() {
                return true;
            }
        }
        false
    }
}

impl fmt::Display for HelmIgnore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for rule in &self.rules {
            writeln!(f, "{}", rule.raw)?;
        }
        Ok(())
    }
}

/// Go's `filepath.Base` of a `/` path.
fn base_name(path: &str) -> &str {
    super::helm_rules::filepath_base(path)
}

/// Go's `filepath.Match` (Unix): whether `name` matches `pattern`; `Err` for a malformed
/// pattern (detected even when the match fails early).
pub(crate) fn glob_match(pattern: &[char], name: &[char]) -> std::result::Result<bool, ()> {
    let mut pattern = pattern;
    let mut name = name;
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&'/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != '/' {
                let (t, ok) = match_chunk(chunk, &name[i + 1..])?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                i += 1;
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, &[])?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(pattern: &[char]) -> (bool, &[char], &[char]) {
    let mut p = pattern;
    let mut star = false;
    while p.first() == Some(&'*') {
        p = &p[1..];
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' if i + 1 < p.len() => i += 1,
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &p[..i], &p[i..])
}

fn match_chunk<'a>(chunk: &[char], s: &'a [char]) -> std::result::Result<(&'a [char], bool), ()> {
    let mut chunk = chunk;
    let mut s = s;
    let mut failed = false;
    while let Some(&c) = chunk.first() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            '[' => {
                let r = if failed {
                    None
                } else {
                    let r = s[0];
                    s = &s[1..];
                    Some(r)
                };
                chunk = &chunk[1..];
                let mut negated = false;
                if chunk.first() == Some(&'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&'-') {
                        let (h, rest) = get_esc(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if r.is_some_and(|r| lo <= r && r <= hi) {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    if s[0] == '/' {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                let mut literal = c;
                if c == '\\' {
                    chunk = &chunk[1..];
                    match chunk.first() {
                        None => return Err(()),
                        Some(&escaped) => literal = escaped,
                    }
                }
                if !failed {
                    if literal != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        Ok((&[], false))
    } else {
        Ok((s, true))
    }
}

fn get_esc(chunk: &[char]) -> std::result::Result<(char, &[char]), ()> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some('-') | Some(']') => return Err(()),
        Some('\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(());
            }
        }
        _ => {}
    }
    let r = chunk[0];
    let rest = &chunk[1..];
    if rest.is_empty() {
        return Err(());
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn m(pattern: &str, name: &str) -> std::result::Result<bool, ()> {
        let p: Vec<char> = pattern.chars().collect();
        let n: Vec<char> = name.chars().collect();
        glob_match(&p, &n)
    }

    #[test]
    fn filepath_match_table() {
        let cases: &[(&str, &str, std::result::Result<bool, ()>)] = &[
            ("abc", "abc", Ok(true)),
            ("*", "abc", Ok(true)),
            ("*c", "abc", Ok(true)),
            ("a*", "a", Ok(true)),
            ("a*", "abc", Ok(true)),
            ("a*", "ab/c", Ok(false)),
            ("a*/b", "abc/b", Ok(true)),
            ("a*/b", "a/c/b", Ok(false)),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Ok(false)),
            ("ab[c]", "abc", Ok(true)),
            ("ab[b-d]", "abc", Ok(true)),
            ("ab[e-g]", "abc", Ok(false)),
            ("ab[^c]", "abc", Ok(false)),
            ("ab[^e-g]", "abc", Ok(true)),
            ("a\\*b", "a*b", Ok(true)),
            ("a\\*b", "ab", Ok(false)),
            ("a?b", "a☺b", Ok(true)),
            ("a???b", "a☺b", Ok(false)),
            ("a?b", "a/b", Ok(false)),
            ("[\\]a]", "]", Ok(true)),
            ("[x\\-]", "-", Ok(true)),
            ("[", "a", Err(())),
            ("[^", "a", Err(())),
            ("[]a]", "]", Err(())),
            ("a[", "a", Err(())),
            ("*x", "xxx", Ok(true)),
            ("[a-", "a", Err(())),
            ("\\", "a", Err(())),
            ("a*[", "abc", Err(())),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(m(pattern, name), *want, "{pattern} vs {name}");
        }
    }

    #[test]
    fn helm_ignore_table() {
        let cases: &[(&str, &str, bool, bool)] = &[
            ("helm.txt", "helm.txt", false, true),
            ("helm.*", "helm.txt", false, true),
            ("helm.*", "rudder.txt", false, false),
            ("*.txt", "tiller.txt", false, true),
            ("*.txt", "cargo/a.txt", false, true),
            ("cargo/*.txt", "cargo/a.txt", false, true),
            ("cargo/*.txt", "mast/a.txt", false, false),
            ("ru[c-e]?er.txt", "rudder.txt", false, true),
            ("templates/.?*", "templates/.dotfile", false, true),
            (".*", ".", true, false),
            (".*", "./", true, false),
            (".*", ".joonix", false, true),
            (".*", "helm.txt", false, false),
            (".*", "", false, false),
            ("cargo/", "cargo", true, true),
            ("cargo/", "cargo", false, false),
            ("cargo/", "mast", true, false),
            ("helm.txt/", "helm.txt", false, false),
            ("!helm.txt", "helm.txt", false, false),
            ("!helm.txt", "tiller.txt", false, true),
            ("!*.txt", "cargo", true, true),
            ("!cargo/", "mast", true, true),
            ("!cargo/", "cargo/a.txt", false, true),
            ("/a.txt", "a.txt", false, true),
            ("/a.txt", "cargo/a.txt", false, false),
            ("/cargo/a.txt", "cargo/a.txt", false, true),
            ("ci/", "ci", true, true),
            ("ci/", "deep/ci", true, true),
        ];
        for (rules, path, is_dir, want) in cases {
            let ignore = HelmIgnore::parse(rules).unwrap();
            assert_eq!(ignore.is_ignored(path, *is_dir), *want, "{rules} vs {path}");
        }
    }

    #[test]
    fn parse_errors_and_comments() {
        let ignore =
            HelmIgnore::parse("#ignore\n\n\t#ignore\nfoo\nbar/*\n  baz/bar/foo.txt  \n").unwrap();
        assert_eq!(
            ignore.rules(),
            ["foo", "bar/*", "baz/bar/foo.txt", "templates/.?*"]
        );
        let err = HelmIgnore::parse("ok\nfoo/**/bar\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2, column 1: .helmignore rule `foo/**/bar` is invalid: double-star (**) syntax is not supported"
        );
        assert_eq!(
            HelmIgnore::parse("[z-").unwrap_err().code(),
            "invalid_pattern"
        );
        assert!(HelmIgnore::default().is_ignored("templates/.x", false));
        assert!(!HelmIgnore::default().is_ignored("charts/sub/templates/.x", false));
    }
}
