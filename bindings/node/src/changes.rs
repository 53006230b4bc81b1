//! Changed paths from git (`changedBetween`, `changedForPullRequest`, `changedForNewBranch`,
//! `mergeBase`, `repositoryFiles`, each a Promise with a `...Sync` variant) and the parsers of
//! `git diff --name-status` output (`parseNameStatus` for `-z`, `parseNameStatusLines` for
//! lines).
//!
//! git runs as a child process on the libuv thread pool ([`crate::task::blocking`]), never on
//! the main thread. The results are `ChangedPath` objects, the shape a `TriggerEvent`'s
//! `changed` and `Config#affected` take. `{ program }` names another git binary
//! (`shiprail::changes::Git::with_program`).

use crate::convert::ChangedPath;
use crate::error::OrThrow;
use crate::task::{Blocking, blocking};
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi_derive::napi;
use shiprail::changes::{self as core, Git};
use shiprail::trigger::ChangedPath as CorePath;

/// How git is run.
#[napi(object, object_to_js = false)]
pub struct GitOptions {
    /// The git binary: a path, or a name looked up on `PATH` (default `git`).
    pub program: Option<String>,
}

fn git(repo: String, options: Option<GitOptions>) -> Git {
    let git = Git::new(repo);
    match options.and_then(|o| o.program) {
        Some(program) => git.with_program(program),
        None => git,
    }
}

fn changed_paths(list: Vec<CorePath>) -> napi::Result<Vec<ChangedPath>> {
    Ok(list.into_iter().map(ChangedPath::from).collect())
}

type Changes = AsyncTask<Blocking<Vec<CorePath>, Vec<ChangedPath>>>;

/// The paths changed from `base` to `head` (two dots: the trees of the two compared), the
/// comparison of a push that moved a branch from `base` to `head`. Runs git off the main
/// thread; errors (`git`) reject the promise.
#[napi(ts_return_type = "Promise<Array<ChangedPath>>")]
pub fn changed_between(
    repo: String,
    base: String,
    head: String,
    options: Option<GitOptions>,
) -> Changes {
    blocking(
        move || git(repo, options).changed_between(&base, &head),
        changed_paths,
    )
}

/// `changedBetween`, blocking.
#[napi]
pub fn changed_between_sync(
    env: &Env,
    repo: String,
    base: String,
    head: String,
    options: Option<GitOptions>,
) -> napi::Result<Vec<ChangedPath>> {
    changed_paths(
        git(repo, options)
            .changed_between(&base, &head)
            .or_throw(env)?,
    )
}

/// The paths a pull request of `head` into `base` changes (three dots: from the merge-base of
/// the two to `head`), as CI systems show a pull request's files.
#[napi(ts_return_type = "Promise<Array<ChangedPath>>")]
pub fn changed_for_pull_request(
    repo: String,
    base: String,
    head: String,
    options: Option<GitOptions>,
) -> Changes {
    blocking(
        move || git(repo, options).changed_for_pull_request(&base, &head),
        changed_paths,
    )
}

/// `changedForPullRequest`, blocking.
#[napi]
pub fn changed_for_pull_request_sync(
    env: &Env,
    repo: String,
    base: String,
    head: String,
    options: Option<GitOptions>,
) -> napi::Result<Vec<ChangedPath>> {
    changed_paths(
        git(repo, options)
            .changed_for_pull_request(&base, &head)
            .or_throw(env)?,
    )
}

/// The paths a newly pushed branch `head` changed since it forked from `defaultBranch`; every
/// file of `head` (as added) when the two share no history.
#[napi(ts_return_type = "Promise<Array<ChangedPath>>")]
pub fn changed_for_new_branch(
    repo: String,
    head: String,
    default_branch: String,
    options: Option<GitOptions>,
) -> Changes {
    blocking(
        move || git(repo, options).changed_for_new_branch(&head, &default_branch),
        changed_paths,
    )
}

/// `changedForNewBranch`, blocking.
#[napi]
pub fn changed_for_new_branch_sync(
    env: &Env,
    repo: String,
    head: String,
    default_branch: String,
    options: Option<GitOptions>,
) -> napi::Result<Vec<ChangedPath>> {
    changed_paths(
        git(repo, options)
            .changed_for_new_branch(&head, &default_branch)
            .or_throw(env)?,
    )
}

fn sha(found: Option<String>) -> napi::Result<Option<String>> {
    Ok(found)
}

/// The best common ancestor of two revisions (a commit id), `null` when they share no history.
#[napi(ts_return_type = "Promise<string | null>")]
pub fn merge_base(
    repo: String,
    a: String,
    b: String,
    options: Option<GitOptions>,
) -> AsyncTask<Blocking<Option<String>, Option<String>>> {
    blocking(move || git(repo, options).merge_base(&a, &b), sha)
}

/// `mergeBase`, blocking.
#[napi]
pub fn merge_base_sync(
    env: &Env,
    repo: String,
    a: String,
    b: String,
    options: Option<GitOptions>,
) -> napi::Result<Option<String>> {
    git(repo, options).merge_base(&a, &b).or_throw(env)
}

/// Parses the output of `git diff --name-status -z` (or `git diff-tree -r --name-status -z`),
/// as bytes (a file name need not be UTF-8) or text: a status, then one path, or two for a
/// rename or copy, each ended by a NUL. Output of another shape is a `git` error.
#[napi]
pub fn parse_name_status(
    env: &Env,
    output: Either<Buffer, String>,
) -> napi::Result<Vec<ChangedPath>> {
    let bytes: &[u8] = match &output {
        Either::A(buffer) => buffer,
        Either::B(text) => text.as_bytes(),
    };
    changed_paths(core::parse_name_status(bytes).or_throw(env)?)
}

/// Parses `git diff --name-status` output without `-z`, one entry a line (the form of a
/// `--changed-from` file): the same status letters as `parseNameStatus`, quoted paths decoded,
/// a line without a tab read as a bare path. A malformed line is a `git` error naming its
/// line number.
#[napi]
pub fn parse_name_status_lines(env: &Env, text: String) -> napi::Result<Vec<ChangedPath>> {
    changed_paths(core::parse_name_status_lines(&text).or_throw(env)?)
}

fn files(list: Vec<String>) -> napi::Result<Vec<String>> {
    Ok(list)
}

/// Every file of the repository at `repo` (`git ls-files`), the `repoPaths` that
/// `lintConfig` and `Pipeline#lint` check patterns against. Runs git off the main thread.
#[napi(ts_return_type = "Promise<Array<string>>")]
pub fn repository_files(
    repo: String,
    options: Option<GitOptions>,
) -> AsyncTask<Blocking<Vec<String>, Vec<String>>> {
    blocking(move || git(repo, options).repository_files(), files)
}

/// `repositoryFiles`, blocking.
#[napi]
pub fn repository_files_sync(
    env: &Env,
    repo: String,
    options: Option<GitOptions>,
) -> napi::Result<Vec<String>> {
    git(repo, options).repository_files().or_throw(env)
}
