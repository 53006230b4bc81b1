//! Triggers: the event model (`fullRef`, `parseEventKind`) and path globs (`matchPathGlob`).
//! (Trigger dialect evaluation is added here as the core grows it.)

use crate::error::OrThrow;
use napi::Env;
use napi_derive::napi;
use shiprail::config::PathGlob;

/// The full form of a ref: a name without `refs/` is a branch (`main` -> `refs/heads/main`).
#[napi]
pub fn full_ref(name: String) -> String {
    shiprail::trigger::event::full_ref(&name)
}

/// Whether each repository path matches a `shiprail.yaml` path glob (one result per path).
#[napi]
pub fn match_path_glob(env: &Env, glob: String, paths: Vec<String>) -> napi::Result<Vec<bool>> {
    let glob: PathGlob = glob.parse().or_throw(env)?;
    Ok(paths.iter().map(|p| glob.is_match(p)).collect())
}

/// The canonical name of an event kind (`pr` -> `pull_request`, `workflow_dispatch` -> `manual`).
#[napi(ts_return_type = "'push' | 'pull_request' | 'pull_request_target' | 'manual'")]
pub fn parse_event_kind(env: &Env, kind: String) -> napi::Result<String> {
    kind.parse::<shiprail::trigger::EventKind>()
        .map(|k| k.to_string())
        .or_throw(env)
}
