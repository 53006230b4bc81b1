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
//! git's statuses map onto [`ChangeStatus`]: `A` added, `M` modified, `T` (a type change, such
//! as a file becoming a symlink) modified, `D` deleted, `R<score>` renamed (rename detection is
//! on; both the old and the new path count as changed, see [`ChangedPath::paths`]), `C<score>`
//! copied: the copy is added and its source is untouched. Rename detection only shapes the
//! status: when git gives it up on a huge change set, the rename shows as a delete plus an
//! add, which touches the same two paths.
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

/// Parses the output of `git diff --name-status -z` (or `git diff-tree -r --name-status -z`):
/// a status token, then one path, or two for a rename or copy (old, then new), each ended by a
/// NUL byte.
///
/// Useful when the diff is produced elsewhere (a CI checkout script, a cached file). Output
/// that does not follow that shape is [`ErrorKind::Git`].
pub fn parse_name_status(bytes: &[u8]) -> Result<Vec<ChangedPath>> {
    let mut tokens = bytes.split(|b| *b == 0);
    let mut changed = Vec::new();
    let malformed = |why: String| {
        Error::new(
            ErrorKind::Git,
            format!("malformed `git diff --name-status -z` output: {why}"),
        )
    };
    while let Some(status) = tokens.next() {
        if status.is_empty() {
            // The NUL after the last path leaves one empty token.
            continue;
        }
        let mut path = || {
            tokens
                .next()
                .filter(|p| !p.is_empty())
                .map(path_text)
                .ok_or_else(|| {
                    malformed(format!(
                        "status `{}` is not followed by a path",
                        String::from_utf8_lossy(status).escape_debug()
                    ))
                })
        };
        let letter = status[0];
        let score_ok = status[1..].iter().all(u8::is_ascii_digit);
        let change = match letter {
            b'A' | b'M' | b'T' | b'D' if status.len() == 1 => ChangedPath {
                path: path()?,
                status: match letter {
                    b'A' => ChangeStatus::Added,
                    b'D' => ChangeStatus::Deleted,
                    _ => ChangeStatus::Modified,
                },
                previous_path: None,
            },
            b'R' if score_ok => {
                let old = path()?;
                ChangedPath {
                    path: path()?,
                    status: ChangeStatus::Renamed,
                    previous_path: Some(old),
                }
            }
            b'C' if score_ok => {
                let _source = path()?;
                ChangedPath {
                    path: path()?,
                    status: ChangeStatus::Added,
                    previous_path: None,
                }
            }
            _ => {
                return Err(malformed(format!(
                    "unknown status `{}` (expected A, M, T, D, R<score> or C<score>)",
                    String::from_utf8_lossy(status).escape_debug()
                )));
            }
        };
        changed.push(change);
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: () = {
        const fn check<T: Send + Sync>() {}
        check::<Git>();
    };

    fn statuses(out: &[u8]) -> Vec<(ChangeStatus, String, Option<String>)> {
        parse_name_status(out)
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.status, c.path, c.previous_path))
            .collect()
    }

    type Expected<'a> = &'a [(ChangeStatus, &'a str, Option<&'a str>)];

    #[test]
    fn name_status_table() {
        use ChangeStatus::*;
        let cases: &[(&[u8], Expected<'_>)] = &[
            (b"", &[]),
            (b"M\0a\0", &[(Modified, "a", None)]),
            (
                b"A\0a b\0D\0c\0",
                &[(Added, "a b", None), (Deleted, "c", None)],
            ),
            (b"T\0link\0", &[(Modified, "link", None)]),
            (b"R100\0o\0n\0", &[(Renamed, "n", Some("o"))]),
            (b"R\0o\0n\0", &[(Renamed, "n", Some("o"))]),
            (b"C050\0src\0copy\0", &[(Added, "copy", None)]),
            (b"M\0caf\xc3\xa9\0", &[(Modified, "caf\u{e9}", None)]),
            (b"M\0bad\xff\0", &[(Modified, "bad\u{fffd}", None)]),
            (b"M\0no-final-nul", &[(Modified, "no-final-nul", None)]),
        ];
        for (input, want) in cases {
            let want: Vec<_> = want
                .iter()
                .map(|(s, p, o)| (*s, p.to_string(), o.map(str::to_string)))
                .collect();
            assert_eq!(
                statuses(input),
                want,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn malformed_name_status() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"M\0",
                "malformed `git diff --name-status -z` output: status `M` is not followed by a path",
            ),
            (
                b"R100\0only-old\0",
                "malformed `git diff --name-status -z` output: status `R100` is not followed by a path",
            ),
            (
                b"U\0conflict\0",
                "malformed `git diff --name-status -z` output: unknown status `U` (expected A, M, T, D, R<score> or C<score>)",
            ),
            (
                b"Rx\0a\0b\0",
                "malformed `git diff --name-status -z` output: unknown status `Rx` (expected A, M, T, D, R<score> or C<score>)",
            ),
            (
                b"MM\0a\0",
                "malformed `git diff --name-status -z` output: unknown status `MM` (expected A, M, T, D, R<score> or C<score>)",
            ),
        ];
        for (input, message) in cases {
            let err = parse_name_status(input).err();
            assert_eq!(err.as_ref().map(Error::message), Some(*message));
            assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Git));
        }
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
        for input in [&b"\0\0\0"[..], b"R1\0\0\0", b"\xff\0a\0", b"A\0\0"] {
            let _ = parse_name_status(input);
        }
    }
}
