//! Input splitting helpers: `splitCommitMessages` and `splitLines`.

use napi_derive::napi;
use shiprail::release as core;

/// Splits commit messages as `git log --format=%B%x00` prints them (NUL-separated); text with
/// no NUL is one message a line. Empty messages are dropped.
#[napi]
pub fn split_commit_messages(text: String) -> Vec<String> {
    core::split_commit_messages(&text)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Splits a list given one item a line (as `git tag` prints it), trimmed, blank lines dropped.
#[napi]
pub fn split_lines(text: String) -> Vec<String> {
    core::split_lines(&text)
        .into_iter()
        .map(str::to_string)
        .collect()
}
