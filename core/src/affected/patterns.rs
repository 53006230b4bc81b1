//! One matcher for every path pattern of every service.
//!
//! Monorepo globs are overwhelmingly of a few literal shapes: a folder (`src/delivery/**`), a
//! file name anywhere (`**/Dockerfile`), an extension anywhere (`**/*.md`), one file
//! (`shiprail.yaml`). Those are answered by hash lookups on the path's own prefixes and
//! suffixes, and the folder lookups are cached per directory, since a change set holds many
//! files of few folders. Every other glob goes into one `globset::GlobSet`, and regular
//! expressions into one `regex::RegexSet`; each path is examined once against all three.
//!
//! The shapes are recognised only where the answer is provably the one `globset` gives for the
//! glob (compiled with `literal_separator(true)`, `backslash_escape(true)`); a unit test
//! compares the two on generated globs and paths.

use super::PatternSource;
use std::collections::HashMap;

/// What a glob is, for matching purposes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape<'a> {
    /// No wildcard at all: the path equals it.
    Exact(&'a str),
    /// `<literal>/**`: the path starts with the literal and a `/` (the key keeps the `/`).
    Folder(String),
    /// `**/<literal>`: the path is the literal or ends with `/` and the literal.
    Tail(&'a str),
    /// `**/*<literal without />`: the path ends with the literal.
    Suffix(&'a str),
    /// `**`: every path.
    Everything,
    /// Anything else: compiled by globset.
    General,
}

fn is_literal(s: &str) -> bool {
    !s.is_empty() && !s.contains(['*', '?', '[', ']', '{', '}', '\\'])
}

fn shape(glob: &str) -> Shape<'_> {
    if glob == "**" {
        return Shape::Everything;
    }
    if let Some(folder) = glob.strip_suffix("/**")
        && is_literal(folder)
    {
        return Shape::Folder(format!("{folder}/"));
    }
    if let Some(rest) = glob.strip_prefix("**/") {
        if let Some(suffix) = rest.strip_prefix('*')
            && is_literal(suffix)
            && !suffix.contains('/')
        {
            return Shape::Suffix(suffix);
        }
        if is_literal(rest) {
            return Shape::Tail(rest);
        }
    }
    if is_literal(glob) {
        return Shape::Exact(glob);
    }
    Shape::General
}

/// Compiles a glob exactly as `shiprail.yaml` globs are compiled for set matching.
pub(crate) fn build_glob(glob: &str) -> Result<globset::Glob, String> {
    globset::GlobBuilder::new(glob)
        .literal_separator(true)
        .backslash_escape(true)
        .empty_alternates(false)
        .build()
        .map_err(|e| e.kind().to_string())
}

type Ids = Vec<u32>;

/// The compiled patterns; ids are the caller's.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatternSet {
    exact: HashMap<Box<str>, Ids>,
    folders: HashMap<Box<str>, Ids>,
    tails: HashMap<Box<str>, Ids>,
    suffixes: HashMap<Box<str>, Ids>,
    suffix_lengths: Vec<usize>,
    /// The longest folder key and tail: no longer prefix or suffix of a path is looked up, so
    /// a deep path costs time linear in its length, not quadratic.
    longest_folder: usize,
    longest_tail: usize,
    everything: Ids,
    globs: Option<(globset::GlobSet, Ids)>,
    regexes: Option<(regex::RegexSet, Ids)>,
}

/// Collects patterns before compiling them together.
#[derive(Debug, Default)]
pub(crate) struct PatternSetBuilder {
    set: PatternSet,
    globs: Vec<globset::Glob>,
    glob_ids: Ids,
    regexes: Vec<String>,
    regex_ids: Ids,
}

impl PatternSetBuilder {
    /// Adds a pattern under `id`; the error says why it does not compile.
    pub(crate) fn add(&mut self, id: u32, source: &PatternSource) -> Result<(), String> {
        let set = &mut self.set;
        match source {
            PatternSource::Glob(glob) => match shape(glob) {
                Shape::Exact(lit) => set.exact.entry(lit.into()).or_default().push(id),
                Shape::Folder(key) => {
                    set.longest_folder = set.longest_folder.max(key.len());
                    set.folders.entry(key.into()).or_default().push(id);
                }
                Shape::Tail(lit) => {
                    set.longest_tail = set.longest_tail.max(lit.len());
                    set.tails.entry(lit.into()).or_default().push(id);
                }
                Shape::Suffix(lit) => {
                    set.suffixes.entry(lit.into()).or_default().push(id);
                    if !set.suffix_lengths.contains(&lit.len()) {
                        set.suffix_lengths.push(lit.len());
                    }
                }
                Shape::Everything => set.everything.push(id),
                Shape::General => {
                    self.globs.push(build_glob(glob)?);
                    self.glob_ids.push(id);
                }
            },
            PatternSource::Regex(regex) => {
                regex::Regex::new(regex).map_err(|e| e.to_string())?;
                self.regexes.push(format!("^(?:{regex})$"));
                self.regex_ids.push(id);
            }
        }
        Ok(())
    }

    /// Compiles the globs and regexes that need a set matcher.
    pub(crate) fn build(mut self) -> Result<PatternSet, String> {
        if !self.glob_ids.is_empty() {
            let mut globs = globset::GlobSetBuilder::new();
            for glob in self.globs {
                globs.add(glob);
            }
            let globs = globs.build().map_err(|e| e.to_string())?;
            self.set.globs = Some((globs, self.glob_ids));
        }
        if !self.regex_ids.is_empty() {
            let regexes = regex::RegexSet::new(&self.regexes).map_err(|e| e.to_string())?;
            self.set.regexes = Some((regexes, self.regex_ids));
        }
        self.set.suffix_lengths.sort_unstable();
        Ok(self.set)
    }
}

/// Per-evaluation state: buffers, and the folder patterns matched by each directory seen.
#[derive(Debug, Default)]
pub(crate) struct Scratch<'a> {
    folders: HashMap<&'a str, (u32, u32)>,
    arena: Ids,
    globs: Vec<usize>,
}

/// Beyond this many distinct directories the cache stops growing (a bound on memory for
/// change sets of unusual shape); lookups still work, uncached.
const FOLDER_CACHE_LIMIT: usize = 1 << 20;

impl PatternSet {
    /// The ids of every pattern matching `path`, into `out` (cleared first; each id once).
    pub(crate) fn matches_into<'a>(&self, path: &'a str, out: &mut Ids, scratch: &mut Scratch<'a>) {
        out.clear();
        if !self.folders.is_empty()
            && let Some(slash) = path.rfind('/')
        {
            let dir = &path[..=slash];
            match scratch.folders.get(dir) {
                Some(&(start, end)) => {
                    out.extend_from_slice(&scratch.arena[start as usize..end as usize]);
                }
                None => {
                    let start = out.len();
                    let window = &dir[..floor_boundary(dir, self.longest_folder)];
                    for (i, _) in window.match_indices('/') {
                        if let Some(ids) = self.folders.get(&dir[..=i]) {
                            out.extend_from_slice(ids);
                        }
                    }
                    if scratch.folders.len() < FOLDER_CACHE_LIMIT {
                        let from = scratch.arena.len() as u32;
                        scratch.arena.extend_from_slice(&out[start..]);
                        let to = scratch.arena.len() as u32;
                        scratch.folders.insert(dir, (from, to));
                    }
                }
            }
        }
        for &len in &self.suffix_lengths {
            if len > path.len() {
                break;
            }
            if let Some(ids) = path
                .get(path.len() - len..)
                .and_then(|end| self.suffixes.get(end))
            {
                out.extend_from_slice(ids);
            }
        }
        if !self.tails.is_empty() {
            if let Some(ids) = self.tails.get(path) {
                out.extend_from_slice(ids);
            }
            // A tail `x` matches after a `/` that is at most `longest_tail + 1` bytes from the end.
            let from = ceil_boundary(path, path.len().saturating_sub(self.longest_tail + 1));
            for (i, _) in path[from..].match_indices('/') {
                if let Some(ids) = self.tails.get(&path[from + i + 1..]) {
                    out.extend_from_slice(ids);
                }
            }
        }
        if !self.exact.is_empty()
            && let Some(ids) = self.exact.get(path)
        {
            out.extend_from_slice(ids);
        }
        out.extend_from_slice(&self.everything);
        if let Some((globs, ids)) = &self.globs {
            globs.matches_into(path, &mut scratch.globs);
            out.extend(scratch.globs.iter().map(|&i| ids[i]));
        }
        if let Some((regexes, ids)) = &self.regexes {
            out.extend(regexes.matches(path).iter().map(|i| ids[i]));
        }
    }
}

/// The largest char boundary of `s` at or below `at` (clamped to the length).
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `s` at or above `at` (clamped to the length).
fn ceil_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn shapes() {
        let cases = [
            ("src/delivery/**", Shape::Folder("src/delivery/".into())),
            ("a//**", Shape::Folder("a//".into())),
            ("**/*.md", Shape::Suffix(".md")),
            ("**/*_test.go", Shape::Suffix("_test.go")),
            ("**/Dockerfile", Shape::Tail("Dockerfile")),
            ("**/docs/index.md", Shape::Tail("docs/index.md")),
            ("shiprail.yaml", Shape::Exact("shiprail.yaml")),
            ("**", Shape::Everything),
            ("**/*", Shape::General),
            ("**/*/x.md", Shape::General),
            ("*.md", Shape::General),
            ("src/*/x/**", Shape::General),
            ("src/**/x", Shape::General),
            ("src/{a,b}/**", Shape::General),
            ("src/\\*/**", Shape::General),
            ("src/[ab]/**", Shape::General),
            ("src/a?/**", Shape::General),
            ("**/**", Shape::General),
        ];
        for (glob, want) in cases {
            assert_eq!(shape(glob), want, "{glob}");
        }
    }

    /// A small deterministic generator (xorshift), enough to explore the shapes.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }

    #[test]
    fn fast_shapes_agree_with_globset() {
        let glob_parts = [
            "a", "b", ".md", "a.md", "/", "**", "*", "*.md", "?", ".", "é", "[ab]", "x y",
        ];
        let path_parts = ["a", "b", ".md", "a.md", "/", ".", "é", "x y", "\n", "ab"];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let literal_parts = ["a", "b", ".md", "a.md", "/", ".", "é", "x y", "ab"];
        let mut globs = Vec::new();
        for _ in 0..200 {
            let n = 1 + rng.next() % 5;
            let glob: String = (0..n).map(|_| rng.pick(&glob_parts)).collect();
            if build_glob(&glob).is_ok() {
                globs.push(glob);
            }
        }
        // Every fast shape, built from random literals, not only what chance gives.
        for _ in 0..400 {
            let n = 1 + rng.next() % 3;
            let lit: String = (0..n).map(|_| rng.pick(&literal_parts)).collect();
            let glob = match rng.next() % 4 {
                0 => format!("{lit}/**"),
                1 => format!("**/{lit}"),
                2 => format!("**/*{lit}"),
                _ => lit,
            };
            if build_glob(&glob).is_ok() {
                globs.push(glob);
            }
        }
        globs.push("**".to_string());
        let mut paths = Vec::new();
        for _ in 0..1500 {
            let n = rng.next() % 7;
            paths.push((0..n).map(|_| rng.pick(&path_parts)).collect::<String>());
        }
        let mut builder = PatternSetBuilder::default();
        for (id, g) in globs.iter().enumerate() {
            builder
                .add(id as u32, &PatternSource::Glob(g.clone()))
                .unwrap();
        }
        let set = builder.build().unwrap();
        // General globs are globset's own business (its set strategies differ from the
        // single-glob matcher on odd names such as `..`); the fast shapes must agree with the
        // single-glob matcher exactly.
        let singles: Vec<_> = globs
            .iter()
            .map(|g| (shape(g) != Shape::General).then(|| build_glob(g).unwrap().compile_matcher()))
            .collect();
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        let mut fast = 0;
        for path in &paths {
            set.matches_into(path, &mut out, &mut scratch);
            out.sort_unstable();
            let want: Vec<u32> = (0..globs.len() as u32)
                .filter(|&i| {
                    singles[i as usize]
                        .as_ref()
                        .is_some_and(|m| m.is_match(path.as_str()))
                })
                .collect();
            let diff: Vec<&String> = globs
                .iter()
                .enumerate()
                .filter(|(_, g)| shape(g) != Shape::General)
                .filter(|(i, _)| out.contains(&(*i as u32)) != want.contains(&(*i as u32)))
                .map(|(_, g)| g)
                .collect();
            assert!(
                diff.is_empty(),
                "path {path:?}: the globs {diff:?} disagree"
            );
            fast += out
                .iter()
                .filter(|&&i| shape(&globs[i as usize]) != Shape::General)
                .count();
        }
        assert!(fast > 1000, "the fast shapes matched only {fast} times");
    }
}
