//! The release state: the run record of one release as it moves through its plan, with an
//! append-only, hash-chained audit trail.

use super::model::{Gate, Plan, ReleaseInfo, ServicePlan, Step, StepInputs};
use super::pipelines::Action;
use super::time::Timestamp;
use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The version of the state file format; a newer one is refused with
/// [`ErrorKind::StateVersion`].
pub const STATE_FORMAT: u32 = 1;

/// The `prev` of the first audit entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The largest state file read (a guard against reading a wrong file).
const MAX_STATE_SIZE: u64 = 64 * 1024 * 1024;

/// The outcome of a step recorded with [`Record::Gate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GateResult {
    /// The step succeeded.
    Passed,
    /// The step failed: what waits for it stays blocked until it passes.
    Failed,
}

impl std::str::FromStr for GateResult {
    type Err = Error;

    fn from_str(s: &str) -> Result<GateResult> {
        match s {
            "passed" | "pass" | "success" | "succeeded" => Ok(GateResult::Passed),
            "failed" | "fail" | "failure" => Ok(GateResult::Failed),
            other => Err(Error::new(
                ErrorKind::InvalidEvent,
                format!(
                    "unknown result `{}`: expected passed or failed",
                    other.escape_debug()
                ),
            )
            .with_input(other)),
        }
    }
}

/// What one audit entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Record {
    /// The state was created from a plan; the hash covers the plan, the release and the
    /// previous deployments, so none of them can be changed afterwards.
    Init {
        /// SHA-256 (hex) of the state's header.
        header_sha256: String,
    },
    /// A step's result (a CI step, or an environment's `verify`).
    Gate {
        /// The step (`delivery/qa/verify`).
        step: String,
        /// Passed or failed.
        result: GateResult,
        /// The image digest it ran on (for `image_push`: the digest pushed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        digest: Option<String>,
    },
    /// An approval of a digest for an environment.
    Approve {
        /// The environment approved for.
        environment: String,
        /// The digest approved.
        digest: String,
        /// What the reviewer said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// An image promoted into an environment's registry namespace.
    Promote {
        /// The environment.
        environment: String,
        /// The digest promoted.
        digest: String,
        /// The source reference.
        source: String,
        /// The destination reference.
        target: String,
    },
    /// A deployment done.
    Deploy {
        /// The environment.
        environment: String,
        /// The digest deployed.
        digest: String,
        /// The image reference deployed.
        image: String,
        /// The Helm release name.
        release_name: String,
        /// The chart version.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chart_version: Option<String>,
    },
}

/// One entry of the audit trail: who did what, when, to which digest, chained to the entry
/// before by its hash.
// No `deny_unknown_fields` here: serde cannot combine it with `flatten`; the flattened
// record refuses unknown fields instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEntry {
    /// 0 for the first entry, then one more each.
    pub seq: u64,
    /// When.
    pub at: Timestamp,
    /// Who (a CI user, a reviewer).
    pub actor: String,
    /// The commit of the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// What.
    #[serde(flatten)]
    pub record: Record,
    /// SHA-256 (hex) of the previous entry (64 zeros for the first).
    pub prev: String,
    /// SHA-256 (hex) of this entry without this field.
    pub hash: String,
}

/// The body an entry's hash covers: every field but `hash`, in a fixed order.
#[derive(Serialize)]
struct EntryBody<'a> {
    seq: u64,
    at: Timestamp,
    actor: &'a str,
    commit: &'a Option<String>,
    record: &'a Record,
    prev: &'a str,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl AuditEntry {
    fn compute_hash(&self) -> String {
        let body = EntryBody {
            seq: self.seq,
            at: self.at,
            actor: &self.actor,
            commit: &self.commit,
            record: &self.record,
            prev: &self.prev,
        };
        sha256_hex(&serde_json::to_vec(&body).unwrap_or_default())
    }
}

/// A deployment as the rollback plan needs it: what ran where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    /// The environment.
    pub environment: String,
    /// The service.
    pub service: String,
    /// The release version.
    pub version: String,
    /// The Helm release name.
    pub release_name: String,
    /// The chart version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_version: Option<String>,
    /// The OCI chart reference, when charts are pushed to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_reference: Option<String>,
    /// The chart package file, when the chart was deployed from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_package: Option<String>,
    /// The image reference.
    pub image: String,
    /// The digest deployed.
    pub digest: String,
    /// When.
    pub at: Timestamp,
}

/// The run record of one release: the plan of its service, what happened so far (as audit
/// entries), and the deployments it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseState {
    /// The format version ([`STATE_FORMAT`]).
    pub format: u32,
    /// The release: service, version and its names.
    pub release: ReleaseInfo,
    /// Who started the release (may not approve it unless the environment allows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The commit released.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The release's plan (its service's stages and steps).
    pub plan: ServicePlan,
    /// What ran in each environment before this release, by environment (the rollback
    /// targets).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub previous: BTreeMap<String, Deployment>,
    /// The audit trail, oldest first.
    pub audit: Vec<AuditEntry>,
}

/// The header an `init` entry's hash covers.
#[derive(Serialize)]
struct Header<'a> {
    format: u32,
    release: &'a ReleaseInfo,
    author: &'a Option<String>,
    commit: &'a Option<String>,
    plan: &'a ServicePlan,
    previous: &'a BTreeMap<String, Deployment>,
}

/// How a new state starts.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// The service, when the plan has several (a release plan has one).
    pub service: Option<String>,
    /// Who started the release.
    pub author: Option<String>,
    /// Who creates the state (the CI identity); defaults to the author, else `shiprail`.
    pub actor: Option<String>,
    /// When; defaults to now.
    pub at: Option<Timestamp>,
    /// The state of the release that ran before: its latest deployment in each environment
    /// becomes this release's rollback target there.
    pub previous: Option<ReleaseState>,
}

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepStatus {
    /// It succeeded (for this release's digest).
    Done,
    /// It may run now.
    Ready,
    /// It waits: for steps it needs, a gate, an approval, a wait timer.
    Blocked,
    /// Its last result was a failure.
    Failed,
}

/// One step's standing and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StepState {
    /// The step.
    pub step: String,
    /// Its action.
    pub action: Action,
    /// Where it stands.
    pub status: StepStatus,
    /// Why it is blocked or failed (empty when done or ready).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
}

/// The answer of [`ReleaseState::next`]: what may run now and why the rest may not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NextSteps {
    /// The service.
    pub service: String,
    /// The release version.
    pub version: String,
    /// The digest of the release's image, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The steps that may run now.
    pub ready: Vec<String>,
    /// Whether every step is done.
    pub complete: bool,
    /// Every step, in plan order.
    pub steps: Vec<StepState>,
}

/// How to go back to what ran in an environment before this release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RollbackPlan {
    /// The environment.
    pub environment: String,
    /// What runs there now from this release, if it was deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Deployment>,
    /// What ran before (the target), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Deployment>,
    /// The steps, in order.
    pub steps: Vec<RollbackStep>,
    /// Things to know (no previous release known, nothing deployed yet, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One step of a rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RollbackStep {
    /// `redeploy` (upgrade the previous release to its recorded chart and digest), `verify`,
    /// or `uninstall` (remove this release's side-by-side Helm release).
    pub action: String,
    /// What it works on.
    pub inputs: StepInputs,
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidEvent, message)
}

/// Checks `sha256:<64 lowercase hex>`.
fn check_digest(digest: &str) -> Result<()> {
    let ok = digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "`{}` is not an image digest: expected `sha256:` and 64 lowercase hex digits",
            digest.escape_debug()
        ))
        .with_input(digest))
    }
}

fn check_actor(actor: &str) -> Result<()> {
    if actor.trim().is_empty() || actor.len() > 256 || actor.chars().any(char::is_control) {
        return Err(invalid(format!(
            "`{}` is not an actor: a name of 1 to 256 characters without control characters",
            actor.escape_debug()
        ))
        .with_input(actor));
    }
    Ok(())
}

fn short_digest(digest: &str) -> String {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    format!("sha256:{}", hex.chars().take(12).collect::<String>())
}

impl ReleaseState {
    /// A new state for the release of `plan` (which must be versioned: a release branch or
    /// tag), starting the audit trail with an `init` entry.
    pub fn new(plan: &Plan, options: InitOptions) -> Result<ReleaseState> {
        let Some(release) = plan.release.clone() else {
            return Err(Error::new(
                ErrorKind::NotAReleaseBranch,
                format!(
                    "the plan of `{}` releases nothing (no version): a release state follows a release branch or tag",
                    plan.event.git_ref.escape_debug()
                ),
            ));
        };
        let service = options.service.as_deref().unwrap_or(&release.service);
        let Some(service_plan) = plan.service(service) else {
            return Err(Error::new(
                ErrorKind::UnknownService,
                format!(
                    "the plan has no service `{}`: it plans {}",
                    service.escape_debug(),
                    plan.services
                        .iter()
                        .map(|s| format!("`{}`", s.service))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_input(service));
        };
        if let Some(author) = &options.author {
            check_actor(author)?;
        }
        let actor = options
            .actor
            .clone()
            .or_else(|| options.author.clone())
            .unwrap_or_else(|| "shiprail".to_string());
        check_actor(&actor)?;
        let mut previous = BTreeMap::new();
        if let Some(prev) = &options.previous {
            if prev.release.service != release.service {
                return Err(invalid(format!(
                    "the previous state is a release of `{}`, not of `{}`",
                    prev.release.service, release.service
                )));
            }
            for env in prev.deployed_environments() {
                if let Some(d) = prev.deployment(&env) {
                    previous.insert(env, d);
                }
            }
            // An environment the previous release never reached keeps its own previous.
            for (env, d) in &prev.previous {
                previous.entry(env.clone()).or_insert_with(|| d.clone());
            }
        }
        let mut state = ReleaseState {
            format: STATE_FORMAT,
            release,
            author: options.author.clone(),
            commit: plan.event.commit.clone(),
            plan: service_plan.clone(),
            previous,
            audit: Vec::new(),
        };
        let header_sha256 = state.header_hash();
        state.append(
            Record::Init { header_sha256 },
            &actor,
            options.at.unwrap_or_else(Timestamp::now),
        );
        Ok(state)
    }

    fn header_hash(&self) -> String {
        let header = Header {
            format: self.format,
            release: &self.release,
            author: &self.author,
            commit: &self.commit,
            plan: &self.plan,
            previous: &self.previous,
        };
        sha256_hex(&serde_json::to_vec(&header).unwrap_or_default())
    }

    fn append(&mut self, record: Record, actor: &str, at: Timestamp) -> &AuditEntry {
        let prev = self
            .audit
            .last()
            .map_or_else(|| GENESIS.to_string(), |e| e.hash.clone());
        let mut entry = AuditEntry {
            seq: self.audit.len() as u64,
            at,
            actor: actor.to_string(),
            commit: self.commit.clone(),
            record,
            prev,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        self.audit.push(entry);
        &self.audit[self.audit.len() - 1]
    }

    /// Reads a state from JSON text and checks it (see [`ReleaseState::verify`]): a newer
    /// format is [`ErrorKind::StateVersion`], anything else wrong [`ErrorKind::StateTampered`].
    pub fn from_json(text: &str) -> Result<ReleaseState> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Error::new(
                ErrorKind::StateTampered,
                format!("the release state is not JSON: {e}"),
            )
        })?;
        match value.get("format").and_then(serde_json::Value::as_u64) {
            Some(f) if f > u64::from(STATE_FORMAT) => {
                return Err(Error::new(
                    ErrorKind::StateVersion,
                    format!(
                        "the release state has format {f}, newer than the {STATE_FORMAT} this shiprail reads: upgrade shiprail"
                    ),
                ));
            }
            Some(_) => {}
            None => {
                return Err(Error::new(
                    ErrorKind::StateTampered,
                    "the release state has no `format`: it is not a state shiprail wrote",
                ));
            }
        }
        let state: ReleaseState = serde_json::from_value(value).map_err(|e| {
            Error::new(
                ErrorKind::StateTampered,
                format!("the release state does not fit its format: {e}"),
            )
        })?;
        state.verify()?;
        Ok(state)
    }

    /// Reads and checks a state file.
    pub fn load(path: impl AsRef<Path>) -> Result<ReleaseState> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
        if meta.len() > MAX_STATE_SIZE {
            return Err(Error::new(
                ErrorKind::StateTampered,
                format!(
                    "`{}` is {} bytes; a release state is at most {MAX_STATE_SIZE} bytes",
                    path.display(),
                    meta.len()
                ),
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            Error::new(
                ErrorKind::StateTampered,
                format!("`{}` is not UTF-8", path.display()),
            )
        })?;
        ReleaseState::from_json(text).map_err(|e| e.in_file(path))
    }

    /// The state as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Writes the state atomically: to a temporary file beside `path`, flushed to disk, then
    /// renamed over it, so a reader sees the old state or the new one, never half of one.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map_or_else(|| "state".into(), |n| n.to_string_lossy().into_owned());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(self.to_json().as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            // Make the rename itself durable where directories can be synced.
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::new(
                ErrorKind::Io,
                format!("cannot write `{}`: {e}", path.display()),
            )
            .with_input(path.display().to_string())
        })
    }

    /// Checks the audit trail: entries numbered from 0, each hash the SHA-256 of its entry,
    /// each `prev` the hash of the entry before, the first an `init` whose hash covers the
    /// recorded plan and release, no other `init`; and the format.
    pub fn verify(&self) -> Result<()> {
        let tampered = |why: String| {
            Error::new(
                ErrorKind::StateTampered,
                format!("the release state was changed outside shiprail: {why}"),
            )
        };
        if self.format > STATE_FORMAT {
            return Err(Error::new(
                ErrorKind::StateVersion,
                format!(
                    "the release state has format {}, newer than the {STATE_FORMAT} this shiprail reads: upgrade shiprail",
                    self.format
                ),
            ));
        }
        let mut prev = GENESIS.to_string();
        for (i, entry) in self.audit.iter().enumerate() {
            if entry.seq != i as u64 {
                return Err(tampered(format!(
                    "audit entry {i} is numbered {}",
                    entry.seq
                )));
            }
            if entry.prev != prev {
                return Err(tampered(format!(
                    "audit entry {i} does not follow entry {}: the hash chain is broken",
                    i.saturating_sub(1)
                )));
            }
            if entry.compute_hash() != entry.hash {
                return Err(tampered(format!("audit entry {i} does not match its hash")));
            }
            match (i, &entry.record) {
                (0, Record::Init { header_sha256 }) if *header_sha256 != self.header_hash() => {
                    return Err(tampered(
                        "the plan, release or previous deployments differ from what the trail started with"
                            .to_string(),
                    ));
                }
                (0, Record::Init { .. }) => {}
                (0, _) => return Err(tampered("the trail does not start with `init`".into())),
                (_, Record::Init { .. }) => {
                    return Err(tampered(format!("audit entry {i} is a second `init`")));
                }
                _ => {}
            }
            prev.clone_from(&entry.hash);
        }
        if self.audit.is_empty() {
            return Err(tampered("the audit trail is empty".into()));
        }
        Ok(())
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> &[AuditEntry] {
        &self.audit
    }

    /// The audit trail as JSON lines, one entry a line (for export to a log store).
    pub fn audit_json_lines(&self) -> String {
        self.audit
            .iter()
            .map(|e| serde_json::to_string(e).unwrap_or_default() + "\n")
            .collect()
    }

    // --- reading the records ---------------------------------------------------------------

    fn steps(&self) -> impl Iterator<Item = &Step> {
        self.plan.steps()
    }

    /// The full id of a step given as `delivery/qa/verify` or `qa/verify`.
    fn find_step(&self, id: &str) -> Result<&Step> {
        self.plan.step(id).ok_or_else(|| {
            let ids: Vec<&str> = self.steps().map(|s| s.id.as_str()).collect();
            let mut err = invalid(format!(
                "the release's plan has no step `{}`",
                id.escape_debug()
            ))
            .with_input(id);
            let full = format!("{}/{id}", self.plan.service);
            if let Some(s) = crate::suggest::closest(&full, ids.iter().copied())
                .or_else(|| crate::suggest::closest(id, ids.iter().copied()))
            {
                err = err.with_suggestion(s);
            }
            err
        })
    }

    fn env_step(&self, environment: &str, action: Action) -> Option<&Step> {
        self.steps()
            .find(|s| s.action == action && s.inputs.environment.as_deref() == Some(environment))
    }

    fn has_environment(&self, environment: &str) -> Result<()> {
        if self
            .plan
            .stages
            .iter()
            .any(|s| s.environment.as_deref() == Some(environment))
        {
            return Ok(());
        }
        let envs: Vec<&str> = self
            .plan
            .stages
            .iter()
            .filter_map(|s| s.environment.as_deref())
            .collect();
        let mut err = Error::new(
            ErrorKind::UnknownEnvironment,
            format!(
                "the release's plan does not deploy to `{}` (it deploys to {})",
                environment.escape_debug(),
                if envs.is_empty() {
                    "nothing".to_string()
                } else {
                    envs.iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        )
        .with_input(environment);
        if let Some(s) = crate::suggest::closest(environment, envs) {
            err = err.with_suggestion(s);
        }
        Err(err)
    }

    /// The digest of the release's image: the one `image_push` recorded, else (a deploy-only
    /// pipeline) the first one deployed.
    pub fn digest(&self) -> Option<&str> {
        let pushed = self.audit.iter().find_map(|e| match &e.record {
            Record::Gate {
                step,
                result: GateResult::Passed,
                digest: Some(d),
            } if self
                .plan
                .step(step)
                .is_some_and(|s| s.action == Action::ImagePush) =>
            {
                Some(d.as_str())
            }
            _ => None,
        });
        pushed.or_else(|| {
            self.audit.iter().find_map(|e| match &e.record {
                Record::Deploy { digest, .. } => Some(digest.as_str()),
                _ => None,
            })
        })
    }

    /// The latest gate result of a step (with its digest and time).
    fn last_result(&self, step: &str) -> Option<(GateResult, Option<&str>, Timestamp)> {
        self.audit.iter().rev().find_map(|e| match &e.record {
            Record::Gate {
                step: s,
                result,
                digest,
            } if s == step => Some((*result, digest.as_deref(), e.at)),
            _ => None,
        })
    }

    /// The latest deployment recorded in an environment.
    fn last_deploy(&self, environment: &str) -> Option<(&str, Timestamp)> {
        self.audit.iter().rev().find_map(|e| match &e.record {
            Record::Deploy {
                environment: env,
                digest,
                ..
            } if env == environment => Some((digest.as_str(), e.at)),
            _ => None,
        })
    }

    fn promoted(&self, environment: &str) -> Option<&str> {
        self.audit.iter().rev().find_map(|e| match &e.record {
            Record::Promote {
                environment: env,
                digest,
                ..
            } if env == environment => Some(digest.as_str()),
            _ => None,
        })
    }

    /// When an environment passed with `digest` (its verify step passed for that digest,
    /// after the deployment of it), if it did.
    fn passed_at(&self, environment: &str, digest: &str) -> Option<Timestamp> {
        let verify = self.env_step(environment, Action::Verify)?;
        let (deployed, _) = self.last_deploy(environment)?;
        if deployed != digest {
            return None;
        }
        match self.last_result(&verify.id) {
            Some((GateResult::Passed, Some(d), at)) if d == digest => Some(at),
            _ => None,
        }
    }

    /// Whether a step is done, for the release's digest.
    fn is_done(&self, step: &Step) -> bool {
        match step.action {
            Action::Deploy => {
                let env = step.inputs.environment.as_deref().unwrap_or_default();
                matches!((self.last_deploy(env), self.digest()), (Some((d, _)), Some(r)) if d == r)
            }
            Action::Promote => {
                let env = step.inputs.environment.as_deref().unwrap_or_default();
                matches!((self.promoted(env), self.digest()), (Some(d), Some(r)) if d == r)
            }
            Action::Verify => {
                let env = step.inputs.environment.as_deref().unwrap_or_default();
                self.digest()
                    .is_some_and(|d| self.passed_at(env, d).is_some())
            }
            _ => matches!(self.last_result(&step.id), Some((GateResult::Passed, _, _))),
        }
    }

    /// The approvals that count for an environment and digest: distinct reviewers, in order,
    /// with the time of each.
    fn approvals(&self, environment: &str, digest: &str) -> Vec<(&str, Timestamp)> {
        let mut seen = BTreeSet::new();
        self.audit
            .iter()
            .filter_map(|e| match &e.record {
                Record::Approve {
                    environment: env,
                    digest: d,
                    ..
                } if env == environment && d == digest && seen.insert(e.actor.as_str()) => {
                    Some((e.actor.as_str(), e.at))
                }
                _ => None,
            })
            .collect()
    }

    /// Why the gates of `step` do not (yet) pass for `digest` at `now`; empty when they do.
    /// The kind is that of the first reason (gate, approval).
    fn gate_problems(
        &self,
        step: &Step,
        digest: Option<&str>,
        now: Timestamp,
    ) -> Vec<(ErrorKind, String)> {
        let mut problems = Vec::new();
        for gate in &step.gates {
            match gate {
                Gate::Passed {
                    environment,
                    step: verify,
                    ..
                } => match digest {
                    None => problems.push((
                        ErrorKind::GateNotPassed,
                        format!("`{environment}` has not passed: no digest is known yet"),
                    )),
                    Some(d) => {
                        if self.passed_at(environment, d).is_none() {
                            problems.push((
                                ErrorKind::GateNotPassed,
                                format!(
                                    "`{environment}` has not passed with {}: `{verify}` must pass for this digest first",
                                    short_digest(d)
                                ),
                            ));
                        }
                    }
                },
                Gate::Approval {
                    environment,
                    reviewers,
                    wait_timer,
                    timeout,
                    ..
                } => {
                    let Some(d) = digest else {
                        problems.push((
                            ErrorKind::ApprovalMissing,
                            format!("`{environment}` needs {reviewers} approval(s) of the digest, which is not known yet"),
                        ));
                        continue;
                    };
                    let approvals = self.approvals(environment, d);
                    if approvals.len() < *reviewers as usize {
                        let opened = self.approval_opened(step, d);
                        let closes = opened.map(|o| o.plus(*timeout));
                        let mut why = format!(
                            "`{environment}` needs {reviewers} approval(s) of {}, has {}",
                            short_digest(d),
                            approvals.len()
                        );
                        if let Some(c) = closes
                            && now > c
                        {
                            why.push_str(&format!(
                                "; the approval window closed at {c}: start a new release"
                            ));
                        }
                        problems.push((ErrorKind::ApprovalMissing, why));
                    } else {
                        let approved_at = approvals[*reviewers as usize - 1].1;
                        let ready_at = approved_at.plus(*wait_timer);
                        if now < ready_at {
                            problems.push((
                                ErrorKind::ApprovalMissing,
                                format!(
                                    "`{environment}` was approved at {approved_at}; its wait timer ({wait_timer}) runs until {ready_at}"
                                ),
                            ));
                        }
                    }
                }
                Gate::Lock { .. } => {}
            }
        }
        problems
    }

    /// When the approval window of `step` opened for `digest`: when the environments before
    /// passed with it (the latest of them), else when the release started.
    fn approval_opened(&self, step: &Step, digest: &str) -> Option<Timestamp> {
        let mut opened = self.audit.first().map(|e| e.at);
        for gate in &step.gates {
            if let Gate::Passed { environment, .. } = gate {
                match self.passed_at(environment, digest) {
                    Some(at) => opened = opened.max(Some(at)),
                    None => return None,
                }
            }
        }
        opened
    }

    /// The steps of `step.needs` that are not done.
    fn missing_needs<'s>(&self, step: &'s Step) -> Vec<&'s str> {
        step.needs
            .iter()
            .filter(|n| {
                self.plan
                    .steps()
                    .find(|s| &s.id == *n)
                    .is_none_or(|s| !self.is_done(s))
            })
            .map(String::as_str)
            .collect()
    }

    /// The gates that guard an environment: those of its first step (where the plan puts
    /// them) and of its deploy step.
    fn env_gate_steps(&self, environment: &str) -> Vec<&Step> {
        self.steps()
            .filter(|s| s.inputs.environment.as_deref() == Some(environment))
            .filter(|s| matches!(s.action, Action::Promote | Action::Deploy))
            .collect()
    }

    /// Refuses `step` unless what it needs is done and its gates (and, for a deployment, the
    /// gates of its environment's earlier steps) pass for `digest` at `at`.
    fn check_ready(&self, step: &Step, digest: Option<&str>, at: Timestamp) -> Result<()> {
        let missing = self.missing_needs(step);
        if !missing.is_empty() {
            return Err(Error::new(
                ErrorKind::GateNotPassed,
                format!(
                    "`{}` cannot run yet: it needs {}, which {} not succeeded",
                    step.id,
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if missing.len() == 1 { "has" } else { "have" }
                ),
            )
            .with_input(&step.id));
        }
        let mut problems = Vec::new();
        let env = step.inputs.environment.as_deref();
        let guarded: Vec<&Step> = match (step.action, env) {
            (Action::Deploy | Action::Promote, Some(e)) => self
                .env_gate_steps(e)
                .into_iter()
                .take_while(|s| s.action != Action::Deploy || s.id == step.id)
                .collect(),
            _ => vec![step],
        };
        for s in guarded {
            problems.extend(self.gate_problems(s, digest, at));
        }
        match problems.first() {
            None => Ok(()),
            Some((kind, _)) => Err(Error::new(
                *kind,
                format!(
                    "`{}` is refused: {}",
                    step.id,
                    problems
                        .iter()
                        .map(|(_, w)| w.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )
            .with_input(&step.id)),
        }
    }

    // --- recording ---------------------------------------------------------------------------

    /// Records a step's result (a CI step, or an environment's `verify`).
    ///
    /// The step must be one of the plan's, not a promotion or deployment (those have their own
    /// records), and what it needs must be done. `image_push` needs the digest it pushed
    /// (and a second push of another digest is [`ErrorKind::RegistryClobber`]: tags never
    /// move); `verify` is for the digest deployed in its environment (the default).
    pub fn record_gate(
        &mut self,
        step: &str,
        result: GateResult,
        digest: Option<&str>,
        actor: &str,
        at: Timestamp,
    ) -> Result<&AuditEntry> {
        check_actor(actor)?;
        let step = self.find_step(step)?.clone();
        if let Some(d) = digest {
            check_digest(d)?;
        }
        match step.action {
            Action::Promote | Action::Deploy => {
                return Err(invalid(format!(
                    "`{}` is recorded with `record {}`, not as a gate",
                    step.id,
                    if step.action == Action::Promote {
                        "promote"
                    } else {
                        "deploy"
                    }
                ))
                .with_input(&step.id));
            }
            Action::ImagePush => {
                let Some(d) = digest else {
                    if result == GateResult::Failed {
                        return Ok(self.append_gate(&step.id, result, None, actor, at));
                    }
                    return Err(invalid(format!(
                        "`{}` passed: give the digest it pushed",
                        step.id
                    )));
                };
                if let Some(existing) = self.digest()
                    && existing != d
                    && result == GateResult::Passed
                {
                    return Err(Error::new(
                        ErrorKind::RegistryClobber,
                        format!(
                            "`{}` already pushed {existing}; pushing {d} under the same release tag would move it: tags never move, release a new version",
                            step.id
                        ),
                    )
                    .with_input(d));
                }
            }
            _ => {}
        }
        let mut digest = digest.map(str::to_string);
        if step.action == Action::Verify {
            let env = step.inputs.environment.clone().unwrap_or_default();
            let Some((deployed, _)) = self.last_deploy(&env) else {
                return Err(Error::new(
                    ErrorKind::GateNotPassed,
                    format!(
                        "`{}` cannot have run: nothing is deployed in `{env}` yet",
                        step.id
                    ),
                )
                .with_input(&step.id));
            };
            match &digest {
                Some(d) if d != deployed => {
                    return Err(Error::new(
                        ErrorKind::GateNotPassed,
                        format!(
                            "`{}` reports on {}, but `{env}` runs {}",
                            step.id,
                            short_digest(d),
                            short_digest(deployed)
                        ),
                    )
                    .with_input(d.as_str()));
                }
                Some(_) => {}
                None => digest = Some(deployed.to_string()),
            }
        } else {
            self.check_ready(&step, digest.as_deref().or(self.digest()), at)?;
        }
        Ok(self.append_gate(&step.id, result, digest, actor, at))
    }

    fn append_gate(
        &mut self,
        step: &str,
        result: GateResult,
        digest: Option<String>,
        actor: &str,
        at: Timestamp,
    ) -> &AuditEntry {
        self.append(
            Record::Gate {
                step: step.to_string(),
                result,
                digest,
            },
            actor,
            at,
        )
    }

    /// Records an approval of `digest` for `environment` by `actor`.
    ///
    /// Refused with [`ErrorKind::ApprovalRefused`] when the environment needs no approval, the
    /// actor is the release's author (unless the environment allows it) or not among its
    /// approvers, the digest is not the release's or has not passed the environments before,
    /// or the approval window (`timeout` after they passed) has closed.
    pub fn record_approval(
        &mut self,
        environment: &str,
        digest: &str,
        actor: &str,
        comment: Option<&str>,
        at: Timestamp,
    ) -> Result<&AuditEntry> {
        check_actor(actor)?;
        check_digest(digest)?;
        self.has_environment(environment)?;
        let refused = |why: String| {
            Error::new(
                ErrorKind::ApprovalRefused,
                format!("the approval of `{environment}` by `{actor}` is refused: {why}"),
            )
            .with_input(actor)
        };
        let gated = self.env_gate_steps(environment).into_iter().find_map(|s| {
            s.gates.iter().find_map(|g| match g {
                Gate::Approval {
                    approvers,
                    allow_self_approval,
                    timeout,
                    ..
                } => Some((s.clone(), approvers.clone(), *allow_self_approval, *timeout)),
                _ => None,
            })
        });
        let Some((step, approvers, allow_self, timeout)) = gated else {
            return Err(refused(format!("`{environment}` needs no approval")));
        };
        if !allow_self && self.author.as_deref() == Some(actor) {
            return Err(refused(
                "the author of a release may not approve it (four eyes)".to_string(),
            ));
        }
        if !approvers.is_empty() && !approvers.iter().any(|a| a == actor) {
            return Err(refused(format!(
                "only {} may approve",
                approvers
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if let Some(release) = self.digest()
            && release != digest
        {
            return Err(refused(format!(
                "{} is not the release's image ({})",
                short_digest(digest),
                short_digest(release)
            )));
        }
        let Some(opened) = self.approval_opened(&step, digest) else {
            return Err(refused(format!(
                "{} has not passed the environments before `{environment}`",
                short_digest(digest)
            )));
        };
        let closes = opened.plus(timeout);
        if at > closes {
            return Err(refused(format!(
                "the approval window ({timeout} from {opened}) closed at {closes}"
            )));
        }
        Ok(self.append(
            Record::Approve {
                environment: environment.to_string(),
                digest: digest.to_string(),
                comment: comment.map(str::to_string),
            },
            actor,
            at,
        ))
    }

    /// Records the promotion of `digest` into `environment`'s registry namespace (its
    /// `promote` step, whose gates must pass: the environments before passed with this
    /// digest, approvals given).
    pub fn record_promotion(
        &mut self,
        environment: &str,
        digest: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<&AuditEntry> {
        check_actor(actor)?;
        check_digest(digest)?;
        self.has_environment(environment)?;
        let Some(step) = self.env_step(environment, Action::Promote).cloned() else {
            return Err(invalid(format!(
                "the plan promotes nothing into `{environment}`: its images run from where they are"
            ))
            .with_input(environment));
        };
        self.check_release_digest(&step.id, digest)?;
        self.check_ready(&step, Some(digest), at)?;
        Ok(self.append(
            Record::Promote {
                environment: environment.to_string(),
                digest: digest.to_string(),
                source: step.inputs.source_image.clone().unwrap_or_default(),
                target: step.inputs.target_image.clone().unwrap_or_default(),
            },
            actor,
            at,
        ))
    }

    fn check_release_digest(&self, step: &str, digest: &str) -> Result<()> {
        match self.digest() {
            Some(release) if release != digest => Err(Error::new(
                ErrorKind::GateNotPassed,
                format!(
                    "`{step}` is refused: {} is not the digest that was tested ({})",
                    short_digest(digest),
                    short_digest(release)
                ),
            )
            .with_input(digest)),
            _ => Ok(()),
        }
    }

    /// Records a deployment of `digest` to `environment` (its `deploy` step).
    ///
    /// Refused unless what the step needs is done and every gate of the environment passes
    /// for this digest: the digest is the release's (the one the environments before passed
    /// with, and the one promoted into this environment), and the approvals for it exist
    /// ([`ErrorKind::GateNotPassed`], [`ErrorKind::ApprovalMissing`]).
    pub fn record_deployment(
        &mut self,
        environment: &str,
        digest: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<&AuditEntry> {
        check_actor(actor)?;
        check_digest(digest)?;
        self.has_environment(environment)?;
        let Some(step) = self.env_step(environment, Action::Deploy).cloned() else {
            return Err(invalid(format!(
                "the plan has no deployment to `{environment}`"
            )));
        };
        self.check_release_digest(&step.id, digest)?;
        if let Some(promoted) = self
            .env_step(environment, Action::Promote)
            .and_then(|_| self.promoted(environment))
            && promoted != digest
        {
            return Err(Error::new(
                ErrorKind::GateNotPassed,
                format!(
                    "`{}` is refused: {} was promoted into `{environment}`, not {}",
                    step.id,
                    short_digest(promoted),
                    short_digest(digest)
                ),
            )
            .with_input(digest));
        }
        self.check_ready(&step, Some(digest), at)?;
        Ok(self.append(
            Record::Deploy {
                environment: environment.to_string(),
                digest: digest.to_string(),
                image: step.inputs.image.clone().unwrap_or_default(),
                release_name: step.inputs.release_name.clone().unwrap_or_default(),
                chart_version: step.inputs.chart_version.clone(),
            },
            actor,
            at,
        ))
    }

    // --- questions -------------------------------------------------------------------------

    /// What may run now, and why the other steps may not.
    pub fn next(&self, now: Timestamp) -> NextSteps {
        let digest = self.digest();
        let mut steps = Vec::new();
        for step in self.steps() {
            let (status, why) = if self.is_done(step) {
                (StepStatus::Done, Vec::new())
            } else if match self.last_result(&step.id) {
                Some((GateResult::Failed, d, _)) => step.action != Action::Verify || d == digest,
                _ => false,
            } {
                (
                    StepStatus::Failed,
                    vec![format!("`{}` failed; run it again once fixed", step.id)],
                )
            } else {
                let missing = self.missing_needs(step);
                let mut why: Vec<String> =
                    missing.iter().map(|m| format!("waits for `{m}`")).collect();
                if missing.is_empty() {
                    why.extend(
                        self.gate_problems(step, digest, now)
                            .into_iter()
                            .map(|(_, w)| w),
                    );
                }
                if why.is_empty() {
                    (StepStatus::Ready, why)
                } else {
                    (StepStatus::Blocked, why)
                }
            };
            steps.push(StepState {
                step: step.id.clone(),
                action: step.action,
                status,
                why,
            });
        }
        NextSteps {
            service: self.release.service.clone(),
            version: self.release.version.clone(),
            digest: digest.map(str::to_string),
            ready: steps
                .iter()
                .filter(|s| s.status == StepStatus::Ready)
                .map(|s| s.step.clone())
                .collect(),
            complete: steps.iter().all(|s| s.status == StepStatus::Done),
            steps,
        }
    }

    /// The environments this release was deployed to, in plan order.
    pub fn deployed_environments(&self) -> Vec<String> {
        self.plan
            .stages
            .iter()
            .filter_map(|s| s.environment.clone())
            .filter(|e| self.last_deploy(e).is_some())
            .collect()
    }

    /// This release's latest deployment in `environment`, if any.
    pub fn deployment(&self, environment: &str) -> Option<Deployment> {
        self.audit.iter().rev().find_map(|e| match &e.record {
            Record::Deploy {
                environment: env,
                digest,
                image,
                release_name,
                chart_version,
            } if env == environment => Some(Deployment {
                environment: env.clone(),
                service: self.release.service.clone(),
                version: self.release.version.clone(),
                release_name: release_name.clone(),
                chart_version: chart_version.clone(),
                chart_reference: self
                    .env_step(env, Action::Deploy)
                    .and_then(|s| s.inputs.chart_reference.clone()),
                chart_package: self
                    .env_step(env, Action::Deploy)
                    .and_then(|s| s.inputs.chart_package.clone()),
                image: image.clone(),
                digest: digest.clone(),
                at: e.at,
            }),
            _ => None,
        })
    }

    /// How to return `environment` to what ran there before this release: redeploy the
    /// previous release's chart with its image pinned by digest, verify it, and remove this
    /// release's side-by-side Helm release (when the names differ).
    pub fn rollback_plan(&self, environment: &str) -> Result<RollbackPlan> {
        self.has_environment(environment)?;
        let current = self.deployment(environment);
        let previous = self.previous.get(environment).cloned();
        let deploy_step = self.env_step(environment, Action::Deploy);
        let base = StepInputs {
            environment: Some(environment.to_string()),
            cluster: deploy_step.and_then(|s| s.inputs.cluster.clone()),
            namespace: deploy_step.and_then(|s| s.inputs.namespace.clone()),
            ..StepInputs::default()
        };
        let mut steps = Vec::new();
        let mut notes = Vec::new();
        if current.is_none() {
            notes.push(format!(
                "{} {} was not deployed to `{environment}`: there is nothing to roll back",
                self.release.service, self.release.version
            ));
        }
        match &previous {
            Some(prev) => {
                let (repository, tag) = prev.image.rsplit_once(':').unwrap_or((&prev.image, ""));
                let mut values = BTreeMap::new();
                values.insert("image.repository".to_string(), repository.to_string());
                values.insert("image.tag".to_string(), tag.to_string());
                let pinned = StepInputs {
                    image: Some(format!("{repository}@{}", prev.digest)),
                    release_name: Some(prev.release_name.clone()),
                    ..base.clone()
                };
                if current.is_some() {
                    steps.push(RollbackStep {
                        action: "redeploy".into(),
                        inputs: StepInputs {
                            chart_reference: prev.chart_reference.clone(),
                            chart_package: prev.chart_package.clone(),
                            chart_version: prev.chart_version.clone(),
                            change_cause: Some(format!(
                                "{} v{} to {environment}: rollback from v{}",
                                prev.service, prev.version, self.release.version
                            )),
                            values,
                            ..pinned.clone()
                        },
                    });
                    steps.push(RollbackStep {
                        action: "verify".into(),
                        inputs: pinned,
                    });
                }
            }
            None => notes.push(format!(
                "no earlier release of {} is known in `{environment}` (start the state with --previous): rolling back removes this release",
                self.release.service
            )),
        }
        if let Some(cur) = &current
            && previous
                .as_ref()
                .is_none_or(|p| p.release_name != cur.release_name)
        {
            steps.push(RollbackStep {
                action: "uninstall".into(),
                inputs: StepInputs {
                    release_name: Some(cur.release_name.clone()),
                    ..base
                },
            });
        }
        Ok(RollbackPlan {
            environment: environment.to_string(),
            current,
            previous,
            steps,
            notes,
        })
    }
}
