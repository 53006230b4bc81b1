//! Changed paths from git: what a push, a pull request or a new branch changed.
//!
//! shiprail runs the `git` binary (found on `PATH`, or the program given to
//! [`Git::with_program`]) and reads its NUL-separated output, so every file name survives
//! intact: spaces, newlines, quotes, non-ASCII. There is no cap on the number of files: a
//! change set of 100,000 paths is read whole, unlike the file lists of hosted CI APIs that stop
//! at a few thousand.
//!
//! # Which comparison for which event
//!
//! | event | function | compares |
//! |---|---|---|
//! | a push of `head` onto a branch that was at `base` | [`changed_between`] | the trees of `base` and `head` (two dots: `base..head`) |
//! | a pull request of `head` into `base` | [`changed_for_pull_request`] | the merge-base of the two with `head` (three dots: `base...head`), so that what landed on `base` meanwhile is not counted |
//! | the push that creates branch `head` | [`changed_for_new_branch`] | the merge-base with the default branch with `head`; a branch with no common history (an orphan) changed every file it holds |
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! # let git = |args: &[&str]| std::process::Command::new("git").current_dir(dir.path())
//! #     .args(["-c", "user.name=t", "-c", "user.email=t@example.com"]).args(args).output();
//! # git(&["init", "-q", "-b", "main"])?;
//! # std::fs::create_dir_all(dir.path().join("src/shipping/delivery"))?;
//! # std::fs::write(dir.path().join("README.md"), "x")?;
//! # git(&["add", "-A"])?; git(&["commit", "-q", "-m", "one"])?;
//! # std::fs::write(dir.path().join("src/shipping/delivery/app.cs"), "y")?;
//! # git(&["add", "-A"])?; git(&["commit", "-q", "-m", "two"])?;
//! use shiprail::changes::changed_between;
//! use shiprail::trigger::ChangeStatus;
//! let changed = changed_between(dir.path(), "HEAD~1", "HEAD")?;
//! assert_eq!(changed.len(), 1);
//! assert_eq!(changed[0].path, "src/shipping/delivery/app.cs");
//! assert_eq!(changed[0].status, ChangeStatus::Added);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Statuses
//!
//! One table reads git's status letters, for the NUL-separated output git gives shiprail
//! ([`parse_name_status`]), for its line form ([`parse_name_status_lines`]) and for the change
//! lists of `--changed-from` ([`crate::trigger::event::parse_changed_lines`]):
//!
//! | status | paths | becomes |
//! |---|---|---|
//! | `A` | 1 | [`ChangeStatus::Added`] |
//! | `M`, `M<score>` | 1 | [`ChangeStatus::Modified`] (the score is the dissimilarity of a rewrite that `-B` found) |
//! | `T` | 1 | [`ChangeStatus::Modified`]: a type change, such as a file becoming a symlink |
//! | `U` | 1 | [`ChangeStatus::Modified`]: unmerged (`git diff` in a work tree with a merge conflict); the path differs on at least one side, so it counts as changed |
//! | `D` | 1 | [`ChangeStatus::Deleted`] |
//! | `R<score>` | 2: old, new | [`ChangeStatus::Renamed`]; both paths count as changed, see [`ChangedPath::paths`] |
//! | `C<score>` | 2: source, copy | [`ChangeStatus::Added`] for the copy; its source is untouched |
//! | `X` | | refused: git's "unknown" change type, which git prints only when it has a bug |
//! | `B` | | refused: a `--diff-filter` letter for broken pairs, never printed (git prints `M<score>`) |
//!
//! A score is a percentage, 0 to 100, of one to three digits (git prints three: `R100`,
//! `C075`); `R` and `C` are read without one too. `A`, `D`, `T` and `U` take none. Rename
//! detection only shapes the status: when git gives it up on a huge change set, the rename
//! shows as a delete plus an add, which touches the same two paths.
//!
//! ```
//! use shiprail::changes::parse_name_status;
//! use shiprail::trigger::ChangeStatus;
//! let changed = parse_name_status(b"R087\0old name.cs\0new\nname.cs\0D\0gone.md\0")?;
//! assert_eq!(changed[0].status, ChangeStatus::Renamed);
//! assert_eq!(changed[0].path, "new\nname.cs");
//! assert_eq!(changed[0].previous_path.as_deref(), Some("old name.cs"));
//! assert_eq!(changed[0].paths().collect::<Vec<_>>(), ["new\nname.cs", "old name.cs"]);
//! assert_eq!(changed[1].status, ChangeStatus::Deleted);
//! let err = parse_name_status(b"M\0a\0X\0b\0").unwrap_err();
//! assert_eq!(
//!     err.message(),
//!     "malformed `git diff --name-status -z` output, entry 2: status `X` is git's \"unknown\" change type, which git prints only when it has a bug; the change cannot be read"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! Every failure is [`ErrorKind::Git`], naming what went wrong and quoting git's own message:
//! a revision git does not know (named in backticks), a folder that is not a repository, git not
//! installed, a revision that starts with `-` (refused before git runs, so it can never be read
//! as an option) or that holds `..` (a range, not a revision).
//!
//! ```
//! use shiprail::changes::changed_between;
//! use shiprail::ErrorKind;
//! # let dir = tempfile::tempdir()?;
//! # std::process::Command::new("git").current_dir(dir.path()).args(["init", "-q"]).output()?;
//! let err = changed_between(dir.path(), "--output=/tmp/x", "HEAD").unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Git);
//! assert_eq!(
//!     err.message(),
//!     "invalid revision `--output=/tmp/x`: a revision cannot start with `-`"
//! );
//! let err = changed_between(dir.path(), "v9.9.9", "HEAD").unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Git);
//! assert!(err.message().starts_with("unknown revision `v9.9.9` in `"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, ErrorKind, Result};
use crate::trigger::{ChangeStatus, ChangedPath};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The paths changed from `base` to `head` (two dots: a plain comparison of the two trees), the
/// comparison of a push that moved a branch from `base` to `head`.
pub fn changed_between(repo: impl AsRef<Path>, base: &str, head: &str) -> Result<Vec<ChangedPath>> {
    Git::new(repo.as_ref()).changed_between(base, head)
}

/// Every file of the repository at `repo` (see [`Git::repository_files`]).
pub fn repository_files(repo: impl AsRef<Path>) -> Result<Vec<String>> {
    Git::new(repo.as_ref()).repository_files()
}

/// The paths a pull request of `head` into `base` changes (three dots: from the merge-base of
/// the two to `head`), as CI systems show a pull request's files.
pub fn changed_for_pull_request(
    repo: impl AsRef<Path>,
    base: &str,
    head: &str,
) -> Result<Vec<ChangedPath>> {
    Git::new(repo.as_ref()).changed_for_pull_request(base, head)
}

/// The paths a newly pushed branch `head` changed since it forked from `default_branch`; every
/// file of `head` when the two share no history.
pub fn changed_for_new_branch(
    repo: impl AsRef<Path>,
    head: &str,
    default_branch: &str,
) -> Result<Vec<ChangedPath>> {
    Git::new(repo.as_ref()).changed_for_new_branch(head, default_branch)
}

/// A repository and the git program that reads it.
///
/// The free functions of this module use `git` from `PATH`; a `Git` lets a caller name another
/// binary. The child process gets `LC_ALL=C` (so quoted messages are stable) and none of
/// `GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE` (so the repository is always the folder given,
/// even when shiprail itself runs inside a git hook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Git {
    program: PathBuf,
    repo: PathBuf,
}

/// What git printed and how it ended.
struct Run {
    ok: bool,
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Git {
    /// The repository (any folder inside its work tree, or a bare repository), read with `git`
    /// from `PATH`.
    pub fn new(repo: impl Into<PathBuf>) -> Git {
        Git {
            program: PathBuf::from("git"),
            repo: repo.into(),
        }
    }

    /// Uses another git binary (a path, or a name looked up on `PATH`).
    #[must_use]
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Git {
        self.program = program.into();
        self
    }

    /// See [`changed_between`].
    pub fn changed_between(&self, base: &str, head: &str) -> Result<Vec<ChangedPath>> {
        check_revision(base)?;
        check_revision(head)?;
        self.diff_trees(base, head, &[base, head])
    }

    /// See [`changed_for_pull_request`].
    pub fn changed_for_pull_request(&self, base: &str, head: &str) -> Result<Vec<ChangedPath>> {
        check_revision(base)?;
        check_revision(head)?;
        match self.merge_base(base, head)? {
            Some(fork) => self.diff_trees(&fork, head, &[base, head]),
            None => Err(Error::new(
                ErrorKind::Git,
                format!(
                    "`{}` and `{}` have no common history in `{}`: a pull request is compared from their merge-base",
                    base.escape_debug(),
                    head.escape_debug(),
                    self.repo.display()
                ),
            )),
        }
    }

    /// See [`changed_for_new_branch`].
    pub fn changed_for_new_branch(
        &self,
        head: &str,
        default_branch: &str,
    ) -> Result<Vec<ChangedPath>> {
        check_revision(head)?;
        check_revision(default_branch)?;
        match self.merge_base(default_branch, head)? {
            Some(fork) => self.diff_trees(&fork, head, &[default_branch, head]),
            None => self.all_files(head),
        }
    }

    /// Every file of the work tree under this folder that git knows or would add (tracked
    /// files plus untracked ones not ignored), `/`-separated and relative to the folder (which
    /// may be a monorepo inside a larger repository): what lint checks path filters against.
    pub fn repository_files(&self) -> Result<Vec<String>> {
        let run = self.run(&[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])?;
        if !run.ok {
            return Err(self.explain_failure("ls-files", &[], &run.stderr));
        }
        let mut files: Vec<String> = run
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(path_text)
            .collect();
        files.sort();
        files.dedup();
        Ok(files)
    }

    /// The best common ancestor of two revisions, or `None` when they share no history.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<String>> {
        check_revision(a)?;
        check_revision(b)?;
        let run = self.run(&["merge-base", a, b])?;
        if run.ok {
            let sha = String::from_utf8_lossy(&run.stdout).trim().to_string();
            return Ok(Some(sha));
        }
        if run.code == Some(1) && run.stderr.is_empty() {
            return Ok(None);
        }
        Err(self.explain_failure("merge-base", &[a, b], &run.stderr))
    }

    fn diff_trees(&self, from: &str, to: &str, named: &[&str]) -> Result<Vec<ChangedPath>> {
        let run = self.run(&[
            "diff-tree",
            "-r",
            "-z",
            "--name-status",
            "--find-renames",
            "--no-ext-diff",
            from,
            to,
        ])?;
        if !run.ok {
            return Err(self.explain_failure("diff-tree", named, &run.stderr));
        }
        parse_name_status(&run.stdout)
    }

    fn all_files(&self, head: &str) -> Result<Vec<ChangedPath>> {
        let tree = format!("{head}^{{tree}}");
        let run = self.run(&["ls-tree", "-r", "-z", "--name-only", "--full-tree", &tree])?;
        if !run.ok {
            return Err(self.explain_failure("ls-tree", &[head], &run.stderr));
        }
        Ok(run
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| ChangedPath {
                path: path_text(p),
                status: ChangeStatus::Added,
                previous_path: None,
            })
            .collect())
    }

    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<Run> {
        let output = Command::new(&self.program)
            .arg("-C")
            .arg(&self.repo)
            .args(["-c", "core.quotepath=off"])
            .args(args)
            .env("LC_ALL", "C")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    "git is not installed or not on PATH".to_string()
                } else {
                    e.to_string()
                };
                Error::new(
                    ErrorKind::Git,
                    format!("cannot run `{}`: {why}", self.program.display()),
                )
                .with_input(self.program.display().to_string())
            })?;
        Ok(Run {
            ok: output.status.success(),
            code: output.status.code(),
            stdout: output.stdout,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        })
    }

    /// Turns a failed git command into the most specific message: not a repository, an unknown
    /// revision (probed one by one, only now that something failed), or git's own words.
    fn explain_failure(&self, command: &str, revisions: &[&str], stderr: &str) -> Error {
        let repo = self.repo.display();
        let said = if stderr.is_empty() {
            String::from("git printed nothing")
        } else {
            format!("git says: {}", stderr.escape_debug())
        };
        match self.run(&["rev-parse", "--git-dir"]) {
            Ok(run) if !run.ok => {
                let why = if run.stderr.is_empty() {
                    said
                } else {
                    format!("git says: {}", run.stderr.escape_debug())
                };
                return Error::new(
                    ErrorKind::Git,
                    format!("`{repo}` is not a git repository: {why}"),
                )
                .with_input(repo.to_string());
            }
            Err(e) => return e,
            Ok(_) => {}
        }
        for rev in revisions {
            let probe = format!("{rev}^{{commit}}");
            let known = self
                .run(&["rev-parse", "--verify", "--quiet", &probe])
                .is_ok_and(|run| run.ok);
            if !known {
                return Error::new(
                    ErrorKind::Git,
                    format!(
                        "unknown revision `{}` in `{repo}`: no commit has that name ({said})",
                        rev.escape_debug()
                    ),
                )
                .with_input(*rev);
            }
        }
        Error::new(
            ErrorKind::Git,
            format!(
                "git {command} failed in `{repo}` for {}: {said}",
                revisions
                    .iter()
                    .map(|r| format!("`{}`", r.escape_debug()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }
}

/// Refuses revisions git could read as an option, or that cannot be a name at all.
fn check_revision(rev: &str) -> Result<()> {
    let why = if rev.is_empty() {
        "a revision cannot be empty"
    } else if rev.starts_with('-') {
        "a revision cannot start with `-`"
    } else if rev.chars().any(char::is_control) {
        "a revision cannot contain control characters"
    } else if rev.contains("..") {
        "a revision names one commit; `..` would make it a range (pass its ends as base and head)"
    } else {
        return Ok(());
    };
    Err(Error::new(
        ErrorKind::Git,
        format!("invalid revision `{}`: {why}", rev.escape_debug()),
    )
    .with_input(rev))
}

/// git paths are bytes; a name that is not UTF-8 keeps its valid parts (the rest becomes
/// U+FFFD), which only wildcards can match.
fn path_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What one status token of `git diff --name-status` means: the single table that both the
/// NUL-separated form ([`parse_name_status`]) and the line form ([`parse_name_status_lines`],
/// and through it [`crate::trigger::event::parse_changed_lines`]) read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// A status followed by one path.
    One(ChangeStatus),
    /// `R<score>`: the old path, then the new one.
    Renamed,
    /// `C<score>`: the source, then the copy.
    Copied,
}

impl Status {
    /// Reads a status token (see the module's "Statuses"); the error is the reason, without
    /// the position, which the caller adds.
    fn read(token: &[u8]) -> std::result::Result<Status, String> {
        let shown = || String::from_utf8_lossy(token).escape_debug().to_string();
        let Some((&letter, score)) = token.split_first() else {
            return Err(String::from("empty status"));
        };
        let (status, scored) = match letter {
            b'A' => (Status::One(ChangeStatus::Added), false),
            b'D' => (Status::One(ChangeStatus::Deleted), false),
            // `M<score>`: a rewrite that `-B` found (the score is the dissimilarity).
            b'M' => (Status::One(ChangeStatus::Modified), true),
            // A type change (a file became a symlink): the path's content changed.
            b'T' => (Status::One(ChangeStatus::Modified), false),
            // Unmerged: the path is in conflict, so it differs on at least one side.
            b'U' => (Status::One(ChangeStatus::Modified), false),
            b'R' => (Status::Renamed, true),
            b'C' => (Status::Copied, true),
            b'X' if score.is_empty() => {
                return Err(String::from(
                    "status `X` is git's \"unknown\" change type, which git prints only when it has a bug; the change cannot be read",
                ));
            }
            b'B' if score.is_empty() => {
                return Err(String::from(
                    "status `B` (broken pair) is a `--diff-filter` letter, never a status git prints; a broken pair is printed as `M<score>`",
                ));
            }
            _ => {
                return Err(format!(
                    "unknown status `{}` (git prints A, C<score>, D, M, R<score>, T or U)",
                    shown()
                ));
            }
        };
        if score.is_empty() {
            return Ok(status);
        }
        if !scored {
            return Err(format!(
                "status `{}`: `{}` takes no score (only C, M and R do)",
                shown(),
                char::from(letter)
            ));
        }
        let percent = std::str::from_utf8(score)
            .ok()
            .filter(|s| s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u8>().ok());
        match percent {
            Some(p) if p <= 100 => Ok(status),
            _ => Err(format!(
                "status `{}` has an invalid score: a score is a percentage from 0 to 100, such as `R100` or `C075`",
                shown()
            )),
        }
    }

    /// How many paths follow the status.
    fn paths(self) -> usize {
        match self {
            Status::One(_) => 1,
            Status::Renamed | Status::Copied => 2,
        }
    }

    /// The change, from the paths in git's order (old before new).
    fn change(self, mut paths: Vec<String>) -> ChangedPath {
        let last = paths.pop().unwrap_or_default();
        match self {
            Status::One(status) => ChangedPath {
                path: last,
                status,
                previous_path: None,
            },
            Status::Renamed => ChangedPath {
                path: last,
                status: ChangeStatus::Renamed,
                previous_path: paths.pop(),
            },
            // A copy leaves its source untouched: only the new path changed.
            Status::Copied => ChangedPath {
                path: last,
                status: ChangeStatus::Added,
                previous_path: None,
            },
        }
    }
}

/// Parses the output of `git diff --name-status -z` (or `git diff-tree -r --name-status -z`):
/// a status token, then one path, or two for a rename or copy (old, then new), each ended by a
/// NUL byte. The statuses are those of the module's "Statuses" section.
///
/// Useful when the diff is produced elsewhere (a CI checkout script, a cached file). Output
/// that does not follow that shape is [`ErrorKind::Git`], naming the entry (the 1-based count
/// of statuses read) where it stops.
pub fn parse_name_status(bytes: &[u8]) -> Result<Vec<ChangedPath>> {
    let mut tokens = bytes.split(|b| *b == 0);
    let mut changed = Vec::new();
    let mut entry = 0usize;
    while let Some(token) = tokens.next() {
        if token.is_empty() {
            // The NUL after the last path leaves one empty token.
            continue;
        }
        entry += 1;
        let malformed = |why: String| {
            let hint = if token.contains(&b'\t') || token.contains(&b'\n') {
                " (this looks like the output of `git diff --name-status` without `-z`)"
            } else {
                ""
            };
            Error::new(
                ErrorKind::Git,
                format!("malformed `git diff --name-status -z` output, entry {entry}: {why}{hint}"),
            )
            .with_input(String::from_utf8_lossy(token).into_owned())
        };
        let status = Status::read(token).map_err(malformed)?;
        let mut paths = Vec::with_capacity(status.paths());
        for _ in 0..status.paths() {
            match tokens.next().filter(|p| !p.is_empty()) {
                Some(path) => paths.push(path_text(path)),
                None => return Err(malformed(missing_paths(token, status, paths.len()))),
            }
        }
        changed.push(status.change(paths));
    }
    Ok(changed)
}

/// Parses the output of `git diff --name-status` without `-z`, one change a line: a status, a
/// tab, and one path (two, tab-separated, for a rename or copy). A line without a tab is a bare
/// path, taken as modified, so the output of `git diff --name-only` reads too.
///
/// git quotes a path that holds a tab, a newline, a `"` or a `\` (and, unless
/// `core.quotePath` is off, any non-ASCII byte) C-style: `"new\ttab"`, `"caf\303\251"`; such
/// a path is unquoted here. Blank lines are skipped and a trailing `\r` is dropped. A line that
/// does not follow that shape is [`ErrorKind::Git`], naming its 1-based line number.
///
/// ```
/// use shiprail::changes::parse_name_status_lines;
/// use shiprail::trigger::ChangeStatus;
/// let changed = parse_name_status_lines("M100\tbig\nR087\t\"old\\tname\"\tnew\nsrc/x\n")?;
/// assert_eq!(changed[0].status, ChangeStatus::Modified);
/// assert_eq!(changed[1].previous_path.as_deref(), Some("old\tname"));
/// assert_eq!(changed[2].path, "src/x");
/// let err = parse_name_status_lines("M\ta\nR100\tonly-old\n").unwrap_err();
/// assert_eq!(
///     err.message(),
///     "malformed `git diff --name-status` output, line 2: status `R100` is followed by 1 path, not 2 (the old path, then the new one)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_name_status_lines(text: &str) -> Result<Vec<ChangedPath>> {
    let mut changed = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        changed.push(parse_name_status_line(line).map_err(|why| {
            Error::new(
                ErrorKind::Git,
                format!(
                    "malformed `git diff --name-status` output, line {}: {why}",
                    index + 1
                ),
            )
            .with_input(line)
        })?);
    }
    Ok(changed)
}

/// One line of [`parse_name_status_lines`] (without its line ending); the error is the reason.
pub(crate) fn parse_name_status_line(line: &str) -> std::result::Result<ChangedPath, String> {
    let Some((token, rest)) = line.split_once('\t') else {
        return Ok(ChangedPath::modified(unquote_path(line)?));
    };
    let status = Status::read(token.as_bytes())?;
    let fields: Vec<&str> = rest.split('\t').collect();
    if fields.len() != status.paths() || fields.iter().any(|f| f.is_empty()) {
        let given = fields.iter().filter(|f| !f.is_empty()).count();
        let why = if fields.len() > status.paths() && given >= status.paths() {
            let unit = if status.paths() == 1 { "path" } else { "paths" };
            format!(
                "status `{}` takes {} {unit}, but {} tab-separated ones follow (git quotes a path that holds a tab)",
                token.escape_debug(),
                status.paths(),
                fields.len()
            )
        } else {
            missing_paths(token.as_bytes(), status, given)
        };
        return Err(why);
    }
    let paths = fields
        .into_iter()
        .map(unquote_path)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(status.change(paths))
}

/// Why a status lacks paths.
fn missing_paths(token: &[u8], status: Status, given: usize) -> String {
    let token = String::from_utf8_lossy(token);
    match (status, given) {
        (Status::One(_), _) | (_, 0) => {
            format!(
                "status `{}` is not followed by a path",
                token.escape_debug()
            )
        }
        _ => format!(
            "status `{}` is followed by 1 path, not 2 (the old path, then the new one)",
            token.escape_debug()
        ),
    }
}

/// A path as git prints it without `-z`: as it is, or C-quoted (`"a\tb"`, `"caf\303\251"`)
/// when it starts with `"`.
fn unquote_path(field: &str) -> std::result::Result<String, String> {
    let Some(inner) = field.strip_prefix('"') else {
        return Ok(field.to_string());
    };
    let bad = |why: &str| format!("quoted path `{}` {why}", field.escape_debug());
    let mut bytes = Vec::with_capacity(inner.len());
    let mut rest = inner.as_bytes().iter().copied().peekable();
    while let Some(b) = rest.next() {
        match b {
            b'"' => {
                return if rest.peek().is_none() {
                    Ok(path_text(&bytes))
                } else {
                    Err(bad("goes on after its closing `\"`"))
                };
            }
            b'\\' => {
                let escaped = match rest.next() {
                    Some(b'a') => 0x07,
                    Some(b'b') => 0x08,
                    Some(b't') => b'\t',
                    Some(b'n') => b'\n',
                    Some(b'v') => 0x0b,
                    Some(b'f') => 0x0c,
                    Some(b'r') => b'\r',
                    Some(b'"') => b'"',
                    Some(b'\\') => b'\\',
                    Some(d @ b'0'..=b'3') => {
                        let mut value = u32::from(d - b'0');
                        for _ in 0..2 {
                            match rest.next() {
                                Some(o @ b'0'..=b'7') => value = value * 8 + u32::from(o - b'0'),
                                _ => return Err(bad("has an octal escape without three digits")),
                            }
                        }
                        u8::try_from(value).map_err(|_| bad("has an octal escape above `\\377`"))?
                    }
                    _ => return Err(bad("has an unknown escape after `\\`")),
                };
                bytes.push(escaped);
            }
            other => bytes.push(other),
        }
    }
    Err(bad("has no closing `\"`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: () = {
        const fn check<T: Send + Sync>() {}
        check::<Git>();
    };

    type Change = (ChangeStatus, String, Option<String>);

    fn triples(changed: Vec<ChangedPath>) -> Vec<Change> {
        changed
            .into_iter()
            .map(|c| (c.status, c.path, c.previous_path))
            .collect()
    }

    type Expected<'a> = &'a [(ChangeStatus, &'a str, Option<&'a str>)];

    fn owned(want: Expected<'_>) -> Vec<Change> {
        want.iter()
            .map(|(s, p, o)| (*s, p.to_string(), o.map(str::to_string)))
            .collect()
    }

    /// Every status in both forms: the `-z` bytes and the line form must read the same.
    #[test]
    fn every_status_in_both_forms() {
        use ChangeStatus::*;
        let cases: &[(&str, &str, Expected<'_>)] = &[
            ("A\0a\0", "A\ta", &[(Added, "a", None)]),
            ("M\0a\0", "M\ta", &[(Modified, "a", None)]),
            ("M100\0a\0", "M100\ta", &[(Modified, "a", None)]),
            ("M072\0a\0", "M072\ta", &[(Modified, "a", None)]),
            ("T\0link\0", "T\tlink", &[(Modified, "link", None)]),
            (
                "U\0conflict\0",
                "U\tconflict",
                &[(Modified, "conflict", None)],
            ),
            ("D\0gone\0", "D\tgone", &[(Deleted, "gone", None)]),
            ("R100\0o\0n\0", "R100\to\tn", &[(Renamed, "n", Some("o"))]),
            ("R087\0o\0n\0", "R087\to\tn", &[(Renamed, "n", Some("o"))]),
            ("R0\0o\0n\0", "R0\to\tn", &[(Renamed, "n", Some("o"))]),
            ("R\0o\0n\0", "R\to\tn", &[(Renamed, "n", Some("o"))]),
            (
                "C075\0src\0copy\0",
                "C075\tsrc\tcopy",
                &[(Added, "copy", None)],
            ),
            (
                "C75\0src\0copy\0",
                "C75\tsrc\tcopy",
                &[(Added, "copy", None)],
            ),
            ("C\0src\0copy\0", "C\tsrc\tcopy", &[(Added, "copy", None)]),
            ("", "", &[]),
            (
                "A\0a b\0D\0c\0",
                "A\ta b\nD\tc\n",
                &[(Added, "a b", None), (Deleted, "c", None)],
            ),
            (
                "M\0caf\u{e9}\0",
                "M\tcaf\u{e9}",
                &[(Modified, "caf\u{e9}", None)],
            ),
            // git quotes special paths only without `-z`.
            (
                "R100\0tab\tname\0new\ttab\0",
                "R100\t\"tab\\tname\"\t\"new\\ttab\"",
                &[(Renamed, "new\ttab", Some("tab\tname"))],
            ),
            (
                "M\0caf\u{e9}\0",
                "M\t\"caf\\303\\251\"",
                &[(Modified, "caf\u{e9}", None)],
            ),
            (
                "M\0a\nb\"c\\\0",
                "M\t\"a\\nb\\\"c\\\\\"",
                &[(Modified, "a\nb\"c\\", None)],
            ),
            (
                "M\0no-final-nul",
                "M\tno-final-nul",
                &[(Modified, "no-final-nul", None)],
            ),
        ];
        for (z, lines, want) in cases {
            let want = owned(want);
            let from_z = parse_name_status(z.as_bytes()).map(triples);
            assert_eq!(from_z.as_ref().ok(), Some(&want), "-z {z:?}: {from_z:?}");
            let from_lines = parse_name_status_lines(lines).map(triples);
            assert_eq!(
                from_lines.as_ref().ok(),
                Some(&want),
                "{lines:?}: {from_lines:?}"
            );
            let lenient = triples(crate::trigger::event::parse_changed_lines(lines));
            assert_eq!(lenient, want, "parse_changed_lines {lines:?}");
        }
    }

    #[test]
    fn line_form_extras() {
        use ChangeStatus::*;
        let cases: &[(&str, Expected<'_>)] = &[
            ("src/a.rs", &[(Modified, "src/a.rs", None)]),
            (
                "\"caf\\303\\251\"\r\n\n  \n",
                &[(Modified, "caf\u{e9}", None)],
            ),
            (
                "M\ta\r\nD\tb\r\n",
                &[(Modified, "a", None), (Deleted, "b", None)],
            ),
            ("\"\\001\\377\"", &[(Modified, "\u{1}\u{fffd}", None)]),
            ("a \"b\"", &[(Modified, "a \"b\"", None)]),
        ];
        for (lines, want) in cases {
            let got = parse_name_status_lines(lines).map(triples);
            assert_eq!(got.ok(), Some(owned(want)), "{lines:?}");
        }
    }

    #[test]
    fn non_utf8_paths_keep_their_valid_parts() {
        let got = parse_name_status(b"M\0bad\xff\0").map(triples);
        assert_eq!(
            got.ok(),
            Some(vec![(
                ChangeStatus::Modified,
                "bad\u{fffd}".to_string(),
                None
            )])
        );
    }

    #[test]
    fn malformed_z_output() {
        let cases: &[(&[u8], &str)] = &[
            (b"M\0", "entry 1: status `M` is not followed by a path"),
            (
                b"A\0a\0M\0",
                "entry 2: status `M` is not followed by a path",
            ),
            (
                b"R100\0",
                "entry 1: status `R100` is not followed by a path",
            ),
            (
                b"R100\0only-old\0",
                "entry 1: status `R100` is followed by 1 path, not 2 (the old path, then the new one)",
            ),
            (
                b"M\0a\0X\0b\0",
                "entry 2: status `X` is git's \"unknown\" change type, which git prints only when it has a bug; the change cannot be read",
            ),
            (
                b"B\0a\0",
                "entry 1: status `B` (broken pair) is a `--diff-filter` letter, never a status git prints; a broken pair is printed as `M<score>`",
            ),
            (
                b"Q\0a\0",
                "entry 1: unknown status `Q` (git prints A, C<score>, D, M, R<score>, T or U)",
            ),
            (
                b"X100\0a\0",
                "entry 1: unknown status `X100` (git prints A, C<score>, D, M, R<score>, T or U)",
            ),
            (
                b"MM\0a\0",
                "entry 1: status `MM` has an invalid score: a score is a percentage from 0 to 100, such as `R100` or `C075`",
            ),
            (
                b"Rx\0a\0b\0",
                "entry 1: status `Rx` has an invalid score: a score is a percentage from 0 to 100, such as `R100` or `C075`",
            ),
            (
                b"R101\0a\0b\0",
                "entry 1: status `R101` has an invalid score: a score is a percentage from 0 to 100, such as `R100` or `C075`",
            ),
            (
                b"C0100\0a\0b\0",
                "entry 1: status `C0100` has an invalid score: a score is a percentage from 0 to 100, such as `R100` or `C075`",
            ),
            (
                b"A100\0a\0",
                "entry 1: status `A100`: `A` takes no score (only C, M and R do)",
            ),
            (
                b"U1\0a\0",
                "entry 1: status `U1`: `U` takes no score (only C, M and R do)",
            ),
            (
                b"M\ta\n",
                "entry 1: status `M\\ta\\n` has an invalid score: a score is a percentage from 0 to 100, such as `R100` or `C075` (this looks like the output of `git diff --name-status` without `-z`)",
            ),
            (
                b"\xff\0a\0",
                "entry 1: unknown status `\u{fffd}` (git prints A, C<score>, D, M, R<score>, T or U)",
            ),
        ];
        for (input, message) in cases {
            let err = parse_name_status(input).err();
            let want = format!("malformed `git diff --name-status -z` output, {message}");
            assert_eq!(err.as_ref().map(Error::message), Some(want.as_str()));
            assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Git));
        }
    }

    #[test]
    fn malformed_lines() {
        let cases: &[(&str, &str)] = &[
            ("M\t", "line 1: status `M` is not followed by a path"),
            (
                "A\ta\n\nM\t\n",
                "line 3: status `M` is not followed by a path",
            ),
            (
                "R100\tonly-old",
                "line 1: status `R100` is followed by 1 path, not 2 (the old path, then the new one)",
            ),
            (
                "C075\t\tnew",
                "line 1: status `C075` is followed by 1 path, not 2 (the old path, then the new one)",
            ),
            (
                "M\ta\tb",
                "line 1: status `M` takes 1 path, but 2 tab-separated ones follow (git quotes a path that holds a tab)",
            ),
            (
                "R100\ta\tb\tc",
                "line 1: status `R100` takes 2 paths, but 3 tab-separated ones follow (git quotes a path that holds a tab)",
            ),
            (
                "a\nX\tb",
                "line 2: status `X` is git's \"unknown\" change type, which git prints only when it has a bug; the change cannot be read",
            ),
            (
                "B\tb",
                "line 1: status `B` (broken pair) is a `--diff-filter` letter, never a status git prints; a broken pair is printed as `M<score>`",
            ),
            (
                "src/a b\tc",
                "line 1: unknown status `src/a b` (git prints A, C<score>, D, M, R<score>, T or U)",
            ),
            (
                "D1\ta",
                "line 1: status `D1`: `D` takes no score (only C, M and R do)",
            ),
            (
                "M\t\"open",
                "line 1: quoted path `\\\"open` has no closing `\"`",
            ),
            (
                "\"a\"b",
                "line 1: quoted path `\\\"a\\\"b` goes on after its closing `\"`",
            ),
            (
                "M\t\"a\\q\"",
                "line 1: quoted path `\\\"a\\\\q\\\"` has an unknown escape after `\\`",
            ),
            (
                "M\t\"a\\12\"",
                "line 1: quoted path `\\\"a\\\\12\\\"` has an octal escape without three digits",
            ),
        ];
        for (input, message) in cases {
            let err = parse_name_status_lines(input).err();
            let want = format!("malformed `git diff --name-status` output, {message}");
            assert_eq!(
                err.as_ref().map(Error::message),
                Some(want.as_str()),
                "{input:?}"
            );
            assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Git));
            // The lenient reader keeps every line, taking the one it cannot read whole.
            assert_eq!(
                crate::trigger::event::parse_changed_lines(input).len(),
                input.lines().filter(|l| !l.trim().is_empty()).count()
            );
        }
        let lenient = crate::trigger::event::parse_changed_lines("R100\tonly-old\nX\tb");
        assert_eq!(
            lenient,
            [
                ChangedPath::modified("R100\tonly-old"),
                ChangedPath::modified("X\tb")
            ]
        );
    }

    #[test]
    fn revisions_are_checked_before_git_runs() {
        let cases = [
            ("", "invalid revision ``: a revision cannot be empty"),
            (
                "-x",
                "invalid revision `-x`: a revision cannot start with `-`",
            ),
            (
                "a\nb",
                "invalid revision `a\\nb`: a revision cannot contain control characters",
            ),
            (
                "a\0b",
                "invalid revision `a\\0b`: a revision cannot contain control characters",
            ),
        ];
        for (rev, message) in cases {
            let err = check_revision(rev).err();
            assert_eq!(err.as_ref().map(Error::message), Some(message));
        }
        assert_eq!(
            check_revision("main...feature").err().map(|e| e.to_string()),
            Some("invalid revision `main...feature`: a revision names one commit; `..` would make it a range (pass its ends as base and head)".to_string())
        );
        assert!(check_revision("HEAD~1").is_ok());
        assert!(check_revision("origin/main").is_ok());
    }

    #[test]
    fn hostile_output_never_panics() {
        let big = vec![b'M'; 1 << 20];
        assert!(parse_name_status(&big).is_err());
        let big_text = "M".repeat(1 << 20);
        assert!(parse_name_status_lines(&big_text).is_ok());
        let quotes = format!("M\t\"{}", "\\".repeat(1 << 19));
        assert!(parse_name_status_lines(&quotes).is_err());
        for input in [
            &b"\0\0\0"[..],
            b"R1\0\0\0",
            b"\xff\0a\0",
            b"A\0\0",
            b"\t\0\t",
        ] {
            let _ = parse_name_status(input);
            let _ = parse_name_status_lines(&String::from_utf8_lossy(input));
            let _ = crate::trigger::event::parse_changed_lines(&String::from_utf8_lossy(input));
        }
        for input in [
            "\t",
            "\t\t",
            "\"",
            "\"\\",
            "\"\\3",
            "\u{0}\t\u{0}",
            "\u{202e}\t\u{1F600}",
        ] {
            let _ = parse_name_status_lines(input);
            // Whitespace-only lines are skipped; anything else is kept.
            assert!(crate::trigger::event::parse_changed_lines(input).len() <= 1);
        }
    }
}
