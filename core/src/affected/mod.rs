//! Affected services: which services of the monorepo a change set touches.
//!
//! Every service of a [`Config`] is evaluated at once. [`AffectedMatcher`] compiles the path
//! globs of *all* services into one matcher, so each changed path is examined once, whatever
//! the number of services: 1,000 services against 100,000 changed paths take milliseconds
//! (see `docs/benchmarks.md`).
//!
//! # Includes and excludes, per path
//!
//! A service is affected when some changed path matches one of its `paths.include` globs and
//! none of its `paths.exclude` globs. Exclusion is decided per path: a README change next to a
//! code change still affects the service through the code change.
//!
//! ```
//! use shiprail::config::Config;
//! let config = Config::from_yaml_str(
//!     "services:\n  delivery:\n    paths: {include: ['src/delivery/**'], exclude: ['**/*.md']}\n",
//! )?;
//! let affected = |paths: &[&str]| config.affected_paths(paths.iter().copied(), false);
//! assert_eq!(affected(&["src/delivery/README.md"])?.services, Vec::<String>::new());
//! assert_eq!(affected(&["src/delivery/README.md", "src/delivery/app.cs"])?.services, ["delivery"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Glob syntax
//!
//! Globs follow the GitHub Actions filter syntax: `*` matches within one path segment (never a
//! `/`), `**` matches across segments, `?` one character, `[...]` a class. Names starting with
//! `.` are matched like any other (`src/**` matches `src/.env`).
//!
//! ```
//! use shiprail::config::Config;
//! let config = Config::from_yaml_str(
//!     "services:\n  api:\n    paths: {include: ['api/*.go', 'deploy/**']}\n",
//! )?;
//! let affected = |path: &str| config.affected_paths([path], false).map(|a| a.services);
//! assert_eq!(affected("api/main.go")?, ["api"]);
//! assert!(affected("api/cmd/main.go")?.is_empty());
//! assert_eq!(affected("deploy/a/b/.env")?, ["api"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Shared paths in `depends_on`
//!
//! A glob in `depends_on` (`libs/common/**`) is shared code: a changed path matching it affects
//! the service, as an include does, and the service's excludes apply to it too (a README in a
//! shared library releases nothing).
//!
//! ```
//! use shiprail::config::Config;
//! let config = Config::from_yaml_str(concat!(
//!     "services:\n",
//!     "  delivery:\n    paths: {include: ['src/delivery/**'], exclude: ['**/*.md']}\n",
//!     "    depends_on: ['libs/common/**']\n",
//! ))?;
//! let affected = |path: &str| config.affected_paths([path], false).map(|a| a.services);
//! assert_eq!(affected("libs/common/retry.cs")?, ["delivery"]);
//! assert!(affected("libs/common/README.md")?.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Service dependencies, transitively
//!
//! `depends_on: [{service: X}]` makes the service affected whenever `X` is, and so on down the
//! chain: if `workflow` depends on `delivery` and `delivery` on `ingestion`, a change to
//! `ingestion` affects all three. The result is sorted by service name.
//!
//! ```
//! use shiprail::config::Config;
//! let config = Config::from_yaml_str(concat!(
//!     "services:\n",
//!     "  ingestion: {paths: {include: ['src/ingestion/**']}}\n",
//!     "  delivery: {paths: {include: ['src/delivery/**']}, depends_on: [{service: ingestion}]}\n",
//!     "  workflow: {paths: {include: ['src/workflow/**']}, depends_on: [{service: delivery}]}\n",
//! ))?;
//! let affected = config.affected_paths(["src/ingestion/x.cs"], false)?;
//! assert_eq!(affected.services, ["delivery", "ingestion", "workflow"]);
//! assert!(config.affected_paths(["src/workflow/x.cs"], false)?.services == ["workflow"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Renames count twice
//!
//! A renamed file changes both its old and its new path ([`ChangedPath::paths`]): moving a file
//! out of a service affects the service it left and the one it joined.
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::trigger::{ChangeStatus, ChangedPath};
//! let config = Config::from_yaml_str(concat!(
//!     "services:\n",
//!     "  a: {paths: {include: ['a/**']}}\n",
//!     "  b: {paths: {include: ['b/**']}}\n",
//! ))?;
//! let moved = ChangedPath {
//!     path: "b/util.cs".into(),
//!     status: ChangeStatus::Renamed,
//!     previous_path: Some("a/util.cs".into()),
//! };
//! assert_eq!(config.affected(&[moved], false)?.services, ["a", "b"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Explaining
//!
//! With `explain`, every affected service gets one [`Reason`]: the first changed path (in input
//! order) that affected it and the first of its globs that matched that path, or, for a service
//! affected through `depends_on: {service: ...}`, the dependency chain (`via`) down to the
//! service the path affected.
//!
//! ```
//! use shiprail::affected::MatchedBy;
//! use shiprail::config::Config;
//! let config = Config::from_yaml_str(concat!(
//!     "services:\n",
//!     "  delivery: {paths: {include: ['src/delivery/**']}}\n",
//!     "  workflow: {paths: {include: ['src/workflow/**']}, depends_on: [{service: delivery}]}\n",
//! ))?;
//! let affected = config.affected_paths(["docs/x.md", "src/delivery/a.cs"], true)?;
//! let why = &affected.explain[1];
//! assert_eq!((why.service.as_str(), why.path.as_str()), ("workflow", "src/delivery/a.cs"));
//! assert_eq!((why.pattern.as_str(), why.matched_by), ("src/delivery/**", MatchedBy::Include));
//! assert_eq!(why.via, ["delivery"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Pattern sources
//!
//! The matcher takes each glob as a [`PatternSource`]: a glob the set matcher understands, or a
//! regular expression for patterns no glob can express (it is matched against the whole path).
//! Both kinds mix freely; [`AffectedMatcher::from_rules`] builds a matcher from rules that do
//! not come from a configuration file.
//!
//! ```
//! use shiprail::affected::{AffectedMatcher, Pattern, ServiceRules};
//! let mut api = ServiceRules::new("api");
//! api.include.push(Pattern::glob("api/**"));
//! api.exclude.push(Pattern::regex("api/**/*_test.go", r"api/(?:.*/)?[^/]*_test\.go"));
//! let matcher = AffectedMatcher::from_rules(vec![api])?;
//! assert!(matcher.affected(["api/x/y_test.go"], false).services.is_empty());
//! assert_eq!(matcher.affected(["api/x/y.go"], false).services, ["api"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overlapping services
//!
//! A path normally belongs to one service. [`AffectedMatcher::overlaps`] lists the repository
//! paths that two or more services claim (an include matches and no exclude does), a lint for
//! globs that were written too wide.
//!
//! ```
//! use shiprail::config::Config;
//! let config = Config::from_yaml_str(concat!(
//!     "services:\n",
//!     "  a: {paths: {include: ['src/**']}}\n",
//!     "  b: {paths: {include: ['src/b/**']}}\n",
//! ))?;
//! let overlaps = config.overlapping_paths(["src/a/x.cs", "src/b/y.cs"])?;
//! assert_eq!(overlaps.len(), 1);
//! assert_eq!((overlaps[0].path.as_str(), overlaps[0].services.clone()), ("src/b/y.cs", vec!["a".to_string(), "b".to_string()]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod patterns;

use crate::config::{Config, Dependency, PathGlob};
use crate::error::{Error, ErrorKind, Result};
use crate::trigger::ChangedPath;
use patterns::{PatternSet, PatternSetBuilder, Scratch};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// How a pattern is compiled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PatternSource {
    /// A glob in globset syntax, compiled with `/` as a literal separator (`*` stays within a
    /// segment, `**` crosses them), `\` escapes and no empty alternates.
    Glob(String),
    /// A regular expression (`regex` crate syntax) for a pattern that no glob expresses; it must
    /// match the whole path (it is anchored at both ends).
    Regex(String),
}

/// A pattern as written by the user, and how it is compiled.
///
/// The written text is what explanations show; the source is what is matched.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    written: String,
    source: PatternSource,
}

impl Pattern {
    /// A glob, shown and compiled as written.
    pub fn glob(glob: impl Into<String>) -> Pattern {
        let glob = glob.into();
        Pattern {
            written: glob.clone(),
            source: PatternSource::Glob(glob),
        }
    }

    /// A pattern written as `written`, compiled from a regular expression.
    pub fn regex(written: impl Into<String>, regex: impl Into<String>) -> Pattern {
        Pattern {
            written: written.into(),
            source: PatternSource::Regex(regex.into()),
        }
    }

    /// The pattern of a configured [`PathGlob`]: the one place that decides how a
    /// `shiprail.yaml` glob is compiled for set matching.
    pub fn from_path_glob(glob: &PathGlob) -> Pattern {
        let written = glob.as_str().to_string();
        match glob.pattern().as_glob() {
            Some(equivalent) => Pattern {
                written,
                source: PatternSource::Glob(equivalent),
            },
            None => Pattern {
                written,
                source: PatternSource::Regex(glob.pattern().to_regex()),
            },
        }
    }

    /// The pattern as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// How it is compiled.
    pub fn source(&self) -> &PatternSource {
        &self.source
    }
}

/// The path rules of one service, as the matcher consumes them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceRules {
    /// The service name (the output uses it as given; sorting is by it).
    pub name: String,
    /// Paths that belong to the service.
    pub include: Vec<Pattern>,
    /// Paths that never affect it, even when an include or a shared path matches.
    pub exclude: Vec<Pattern>,
    /// Shared paths whose changes affect it.
    pub depends_on_paths: Vec<Pattern>,
    /// Services whose being affected affects it.
    pub depends_on_services: Vec<String>,
}

impl ServiceRules {
    /// Empty rules for a service: add patterns to the public fields.
    pub fn new(name: impl Into<String>) -> ServiceRules {
        ServiceRules {
            name: name.into(),
            ..ServiceRules::default()
        }
    }
}

/// Which kind of rule made a service affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum MatchedBy {
    /// One of the service's `paths.include` globs.
    #[serde(rename = "paths.include")]
    Include,
    /// One of the shared-path globs of its `depends_on`.
    #[serde(rename = "depends_on")]
    DependsOn,
}

/// Why one service is affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The affected service.
    pub service: String,
    /// The first changed path (in input order) that affected it; for a service reached through
    /// `via`, the path that affected the last service of the chain.
    pub path: String,
    /// The glob, as written, that matched the path.
    pub pattern: String,
    /// Whether the glob is an include or a shared `depends_on` path.
    pub matched_by: MatchedBy,
    /// The services depended on, from the service's own dependency to the service the path
    /// affected; empty when the path affected this service itself.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

/// The services a change set affects.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Affected {
    /// The affected services, sorted by name.
    pub services: Vec<String>,
    /// One reason per affected service, in the same order (empty unless asked for).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explain: Vec<Reason>,
}

/// A repository path that several services claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overlap {
    /// The path.
    pub path: String,
    /// The services whose includes match it (and whose excludes do not), sorted.
    pub services: Vec<String>,
}

/// How a pattern id is used by a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Include,
    DependsOn,
}

/// One pattern of a service, in the order the service declares them (includes, then shared
/// paths): the first that matched is the one explained.
#[derive(Debug, Clone)]
struct Positive {
    id: u32,
    written: String,
    role: Role,
}

/// Every service's path rules compiled into one matcher.
///
/// Compiling is done once per configuration; [`AffectedMatcher::affected`] then evaluates a
/// change set in one pass over its paths. Identical patterns shared by several services (a
/// common `**/*.md` exclude, a shared library) are compiled once.
#[derive(Debug, Clone)]
pub struct AffectedMatcher {
    /// Service names, sorted; a service's index is its id.
    names: Vec<String>,
    patterns: PatternSet,
    /// Pattern id -> the services that use it positively, with the role (CSR layout).
    users_start: Vec<u32>,
    users: Vec<(u32, Role)>,
    /// Service id -> its exclude pattern ids.
    excludes: Vec<Vec<u32>>,
    /// Service id -> its positive patterns in declaration order (for explanations).
    positives: Vec<Vec<Positive>>,
    /// Service id -> the services that depend on it, sorted.
    dependents: Vec<Vec<u32>>,
}

const _: () = {
    const fn check<T: Send + Sync>() {}
    check::<AffectedMatcher>();
    check::<Affected>();
    check::<Reason>();
    check::<Overlap>();
    check::<ServiceRules>();
    check::<Pattern>();
};

fn invalid_pattern(service: &str, written: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidPattern,
        format!(
            "invalid path pattern `{}` of service `{}`: {why}",
            written.escape_debug(),
            service.escape_debug()
        ),
    )
    .with_input(written)
}

impl AffectedMatcher {
    /// Compiles the path rules of every service of a configuration.
    pub fn new(config: &Config) -> Result<AffectedMatcher> {
        AffectedMatcher::from_rules(rules_of(config))
    }

    /// Compiles the given rules. Service names must be unique and every service named in
    /// `depends_on_services` must be among them ([`ErrorKind::ConfigInvalid`]); a pattern that
    /// does not compile is [`ErrorKind::InvalidPattern`].
    pub fn from_rules(mut rules: Vec<ServiceRules>) -> Result<AffectedMatcher> {
        rules.sort_by(|a, b| a.name.cmp(&b.name));
        AffectedMatcher::compile(&rules)
    }

    fn compile<'r>(rules: &'r [ServiceRules]) -> Result<AffectedMatcher> {
        if let Some(pair) = rules.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "service `{}` is declared twice",
                    pair[0].name.escape_debug()
                ),
            )
            .with_input(pair[0].name.as_str()));
        }
        let names: Vec<String> = rules.iter().map(|r| r.name.clone()).collect();
        let index: HashMap<&str, u32> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u32))
            .collect();

        // Deduplicate patterns across services: one id per distinct source.
        let mut sources: Vec<(&'r PatternSource, &'r str, &'r str)> = Vec::new();
        let mut ids: HashMap<&'r PatternSource, u32> = HashMap::new();
        let mut excludes = vec![Vec::new(); rules.len()];
        let mut positives = vec![Vec::new(); rules.len()];
        let mut users_of: Vec<Vec<(u32, Role)>> = Vec::new();
        for (svc, rule) in rules.iter().enumerate() {
            let svc = svc as u32;
            let mut id_of = |pattern: &'r Pattern| -> u32 {
                intern(pattern, &rule.name, &mut ids, &mut sources, &mut users_of)
            };
            let mut own = Vec::new();
            for (list, role) in [
                (&rule.include, Role::Include),
                (&rule.depends_on_paths, Role::DependsOn),
            ] {
                for pattern in list {
                    let id = id_of(pattern);
                    own.push(Positive {
                        id,
                        written: pattern.written.clone(),
                        role,
                    });
                }
            }
            for pattern in &rule.exclude {
                let id = id_of(pattern);
                excludes[svc as usize].push(id);
            }
            for p in &own {
                let users = &mut users_of[p.id as usize];
                if !users.iter().any(|(s, r)| *s == svc && *r == p.role) {
                    users.push((svc, p.role));
                }
            }
            positives[svc as usize] = own;
        }

        let mut builder = PatternSetBuilder::default();
        for (id, (source, written, service)) in sources.iter().enumerate() {
            builder
                .add(id as u32, source)
                .map_err(|why| invalid_pattern(service, written, &why))?;
        }
        let patterns = builder.build().map_err(|why| {
            Error::new(
                ErrorKind::InvalidPattern,
                format!("the path patterns of the services cannot be compiled together: {why}"),
            )
        })?;

        let mut users_start = Vec::with_capacity(users_of.len() + 1);
        let mut users = Vec::new();
        users_start.push(0);
        for list in &users_of {
            users.extend_from_slice(list);
            users_start.push(users.len() as u32);
        }

        let mut dependents = vec![Vec::new(); rules.len()];
        for (svc, rule) in rules.iter().enumerate() {
            for dep in &rule.depends_on_services {
                let Some(&target) = index.get(dep.as_str()) else {
                    let mut err = Error::new(
                        ErrorKind::ConfigInvalid,
                        format!(
                            "service `{}` depends on `{}`, which is not a declared service",
                            rule.name.escape_debug(),
                            dep.escape_debug()
                        ),
                    )
                    .with_input(dep.as_str());
                    if let Some(s) = crate::suggest::closest(dep, names.iter().map(String::as_str))
                    {
                        err = err.with_suggestion(s);
                    }
                    return Err(err);
                };
                dependents[target as usize].push(svc as u32);
            }
        }
        for list in &mut dependents {
            list.sort_unstable();
            list.dedup();
        }

        Ok(AffectedMatcher {
            names,
            patterns,
            users_start,
            users,
            excludes,
            positives,
            dependents,
        })
    }

    /// The service names the matcher knows, sorted.
    pub fn service_names(&self) -> &[String] {
        &self.names
    }

    /// The number of distinct patterns compiled (identical globs of several services count once).
    pub fn pattern_count(&self) -> usize {
        self.users_start.len().saturating_sub(1)
    }

    fn users_of(&self, id: u32) -> &[(u32, Role)] {
        let start = self.users_start[id as usize] as usize;
        let end = self.users_start[id as usize + 1] as usize;
        &self.users[start..end]
    }

    fn excluded(&self, svc: u32, matched: &[u32]) -> bool {
        self.excludes[svc as usize]
            .iter()
            .any(|e| matched.contains(e))
    }

    /// The services affected by a set of changed paths (repository-relative, `/`-separated),
    /// sorted; with `explain`, one [`Reason`] per service.
    pub fn affected<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a str>,
        explain: bool,
    ) -> Affected {
        let n = self.names.len();
        // For each directly affected service: (path, pattern id) that affected it.
        let mut direct: Vec<Option<(&'a str, u32)>> = vec![None; n];
        let mut remaining = n;
        let mut matched = Vec::new();
        let mut scratch = Scratch::default();
        for path in paths {
            if remaining == 0 {
                break;
            }
            self.patterns.matches_into(path, &mut matched, &mut scratch);
            for &id in &matched {
                for &(svc, _) in self.users_of(id) {
                    if direct[svc as usize].is_none() && !self.excluded(svc, &matched) {
                        direct[svc as usize] = Some((path, id));
                        remaining -= 1;
                    }
                }
            }
        }

        // Follow `depends_on: {service}` edges from every directly affected service, in name
        // order, breadth first: each dependent records the service it was reached from.
        let mut reached_from: Vec<Option<u32>> = vec![None; n];
        let mut affected: Vec<bool> = direct.iter().map(Option::is_some).collect();
        let mut queue: VecDeque<u32> = (0..n as u32).filter(|&s| affected[s as usize]).collect();
        while let Some(svc) = queue.pop_front() {
            for &dependent in &self.dependents[svc as usize] {
                if !affected[dependent as usize] {
                    affected[dependent as usize] = true;
                    reached_from[dependent as usize] = Some(svc);
                    queue.push_back(dependent);
                }
            }
        }

        let services: Vec<String> = (0..n)
            .filter(|&s| affected[s])
            .map(|s| self.names[s].clone())
            .collect();
        let explain = if explain {
            (0..n as u32)
                .filter(|&s| affected[s as usize])
                .filter_map(|s| self.reason(s, &direct, &reached_from))
                .collect()
        } else {
            Vec::new()
        };
        Affected { services, explain }
    }

    fn reason(
        &self,
        svc: u32,
        direct: &[Option<(&str, u32)>],
        reached_from: &[Option<u32>],
    ) -> Option<Reason> {
        let mut via = Vec::new();
        let mut root = svc;
        while let Some(from) = reached_from[root as usize] {
            via.push(self.names[from as usize].clone());
            root = from;
        }
        let (path, _) = direct[root as usize]?;
        // The first of the root's own patterns (in declaration order) that matches the path.
        let mut matched = Vec::new();
        self.patterns
            .matches_into(path, &mut matched, &mut Scratch::default());
        let positive = self.positives[root as usize]
            .iter()
            .find(|p| matched.contains(&p.id))?;
        Some(Reason {
            service: self.names[svc as usize].clone(),
            path: path.to_string(),
            pattern: positive.written.clone(),
            matched_by: match positive.role {
                Role::Include => MatchedBy::Include,
                Role::DependsOn => MatchedBy::DependsOn,
            },
            via,
        })
    }

    /// The paths that two or more services claim through their includes (a path is claimed when
    /// an include matches it and none of the service's excludes does), in input order.
    pub fn overlaps<'a>(&self, paths: impl IntoIterator<Item = &'a str>) -> Vec<Overlap> {
        let mut matched = Vec::new();
        let mut scratch = Scratch::default();
        let mut claimed: Vec<u32> = Vec::new();
        let mut overlaps = Vec::new();
        for path in paths {
            self.patterns.matches_into(path, &mut matched, &mut scratch);
            claimed.clear();
            for &id in &matched {
                for &(svc, role) in self.users_of(id) {
                    if role == Role::Include
                        && !claimed.contains(&svc)
                        && !self.excluded(svc, &matched)
                    {
                        claimed.push(svc);
                    }
                }
            }
            if claimed.len() > 1 {
                claimed.sort_unstable();
                overlaps.push(Overlap {
                    path: path.to_string(),
                    services: claimed
                        .iter()
                        .map(|&s| self.names[s as usize].clone())
                        .collect(),
                });
            }
        }
        overlaps
    }
}

/// The matcher rules of every service of a configuration, sorted by name.
pub fn rules_of(config: &Config) -> Vec<ServiceRules> {
    config
        .services
        .iter()
        .map(|(name, svc)| {
            let mut rules = ServiceRules::new(name.as_str());
            rules.include = svc
                .paths
                .include
                .iter()
                .map(Pattern::from_path_glob)
                .collect();
            rules.exclude = svc
                .paths
                .exclude
                .iter()
                .map(Pattern::from_path_glob)
                .collect();
            for dep in &svc.depends_on {
                match dep.value() {
                    Dependency::Path(glob) => {
                        rules.depends_on_paths.push(Pattern::from_path_glob(glob));
                    }
                    Dependency::Service(d) => {
                        rules
                            .depends_on_services
                            .push(d.service.as_str().to_string());
                    }
                }
            }
            rules
        })
        .collect()
}

impl Config {
    /// The services affected by a change set (both paths of a rename count), sorted; see
    /// [`crate::affected`].
    pub fn affected(&self, changed: &[ChangedPath], explain: bool) -> Result<Affected> {
        let matcher = AffectedMatcher::new(self)?;
        Ok(matcher.affected(changed.iter().flat_map(ChangedPath::paths), explain))
    }

    /// Like [`Config::affected`], for bare path names.
    pub fn affected_paths<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a str>,
        explain: bool,
    ) -> Result<Affected> {
        Ok(AffectedMatcher::new(self)?.affected(paths, explain))
    }

    /// The repository paths that two or more services claim; see [`AffectedMatcher::overlaps`].
    pub fn overlapping_paths<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<Overlap>> {
        Ok(AffectedMatcher::new(self)?.overlaps(paths))
    }
}

/// The id of a pattern source, assigning the next one (and an empty user list) to a new source.
fn intern<'r>(
    pattern: &'r Pattern,
    service: &'r str,
    ids: &mut HashMap<&'r PatternSource, u32>,
    sources: &mut Vec<(&'r PatternSource, &'r str, &'r str)>,
    users_of: &mut Vec<Vec<(u32, Role)>>,
) -> u32 {
    *ids.entry(&pattern.source).or_insert_with(|| {
        sources.push((&pattern.source, pattern.written.as_str(), service));
        users_of.push(Vec::new());
        (sources.len() - 1) as u32
    })
}
