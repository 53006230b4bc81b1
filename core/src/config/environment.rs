//! Deployment environments (dev, qa, staging, prod): where a release runs, what guards it, and
//! which environment it must have passed through first.

use super::located::Located;
use crate::error::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// One environment a service is deployed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// The Kubernetes cluster (a kubeconfig context name).
    pub cluster: String,
    /// The Kubernetes namespace releases are installed into.
    pub namespace: String,
    /// The registry namespace images are promoted into before they may run here (`prod`
    /// turns `myrepo.azurecr.io/delivery:v1.0.2` into `myrepo.azurecr.io/prod/delivery:v1.0.2`);
    /// empty means images run from where CI pushed them.
    #[serde(default)]
    pub registry_namespace: String,
    /// Whether this is a production environment (isolated from dev/test, only promoted images).
    #[serde(default)]
    pub production: bool,
    /// The approval a deployment here needs.
    #[serde(default)]
    pub approval: Approval,
    /// The environments a release must have passed (deployed and verified, with the same image
    /// digest) before it may be deployed here. Unset: the environment before this one in the
    /// default order (dev, test, qa, uat, staging, then others by name, production last); `[]`:
    /// none (a first stage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Vec<Located<String>>>,
    /// The branch kinds (`release`, `hotfix`, `trunk`, ...; `tag` for a release git tag) whose
    /// releases may be deployed here; empty allows every kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_branches: Vec<Located<String>>,
    /// Whether one deployment at a time may run here: pipelines serialize on a lock named after
    /// the environment (a GitHub `concurrency` group, an Azure exclusive-lock check, a GitLab
    /// `resource_group`).
    #[serde(default)]
    pub exclusive_lock: bool,
    /// Environments this one knowingly shares its cluster with: a production environment on
    /// the cluster of a dev/test environment is a lint finding unless declared here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shares_cluster_with: Vec<String>,
    /// Helm values set on every deployment here (`mongodb.host: qa-db.internal`), on top of
    /// the image values the plan sets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
}

/// The manual approval an environment requires before a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Whether an approval is required at all.
    #[serde(default)]
    pub required: bool,
    /// How many distinct reviewers must approve (N of the `approvers`).
    #[serde(default = "one")]
    pub reviewers: u32,
    /// Who may approve (M people); empty: anyone but, by default, the author.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// Whether the author of a release may approve it (off by default: four eyes).
    #[serde(default)]
    pub allow_self_approval: bool,
    /// How long after the environment became reachable approvals are accepted; later ones
    /// are refused and the release must start again.
    #[serde(default = "thirty_days")]
    pub timeout: Duration,
    /// How long to wait after the approval before the deployment may start (a window to
    /// cancel).
    #[serde(default)]
    pub wait_timer: Duration,
}

fn one() -> u32 {
    1
}

fn thirty_days() -> Duration {
    Duration::from_secs(30 * 86_400)
}

impl Default for Approval {
    fn default() -> Self {
        Approval {
            required: false,
            reviewers: 1,
            approvers: Vec::new(),
            allow_self_approval: false,
            timeout: thirty_days(),
            wait_timer: Duration::default(),
        }
    }
}

/// A length of time written as whole units: `30d`, `72h`, `1h30m`, `90s`, `0s`.
///
/// Units are `d` (days), `h`, `m` and `s`, largest first, each at most once; displayed in the
/// same form with the largest units (`90m` displays as `1h30m`). At most 3,650 days.
///
/// ```
/// use shiprail::config::Duration;
/// let d: Duration = "1h30m".parse()?;
/// assert_eq!(d.as_secs(), 5400);
/// assert_eq!("90m".parse::<Duration>()?.to_string(), "1h30m");
/// assert_eq!(Duration::default().to_string(), "0s");
/// assert!("1.5h".parse::<Duration>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(u64);

/// The longest duration accepted: ten years of days.
const MAX_DURATION_SECS: u64 = 3650 * 86_400;

impl Duration {
    /// A duration of `secs` seconds (capped at 3,650 days).
    pub const fn from_secs(secs: u64) -> Duration {
        Duration(if secs > MAX_DURATION_SECS {
            MAX_DURATION_SECS
        } else {
            secs
        })
    }

    /// The length in seconds.
    pub const fn as_secs(self) -> u64 {
        self.0
    }
}

impl FromStr for Duration {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = |why: &str| {
            Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "invalid duration `{}`: {why}; write whole units largest first, e.g. `30d`, `72h`, `1h30m`, `0s`",
                    s.escape_debug()
                ),
            )
            .with_input(s)
        };
        if s.is_empty() {
            return Err(bad("it is empty"));
        }
        let units = [('d', 86_400u64), ('h', 3600), ('m', 60), ('s', 1)];
        let mut total: u64 = 0;
        let mut next_unit = 0;
        let mut digits = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() {
                if digits.len() >= 10 {
                    return Err(bad("a number is too long"));
                }
                digits.push(c);
                continue;
            }
            let Some(pos) = units.iter().position(|(u, _)| *u == c) else {
                return Err(bad(&format!(
                    "`{}` is not a unit (d, h, m, s)",
                    c.escape_debug()
                )));
            };
            if digits.is_empty() {
                return Err(bad(&format!("`{c}` has no number before it")));
            }
            if pos < next_unit {
                return Err(bad("units must appear largest first, each once"));
            }
            next_unit = pos + 1;
            let n: u64 = digits.parse().map_err(|_| bad("a number is too long"))?;
            digits.clear();
            total = total.saturating_add(n.saturating_mul(units[pos].1));
        }
        if !digits.is_empty() {
            return Err(bad("the last number has no unit"));
        }
        if total > MAX_DURATION_SECS {
            return Err(bad("it is longer than 3650 days"));
        }
        Ok(Duration(total))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        for (unit, secs) in [('d', 86_400u64), ('h', 3600), ('m', 60), ('s', 1)] {
            if rest >= secs {
                write!(f, "{}{unit}", rest / secs)?;
                rest %= secs;
            }
        }
        Ok(())
    }
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$",
            "description": "A duration in whole units, largest first: `30d`, `72h`, `1h30m`, `0s`."
        })
    }
}

/// The rank of a well-known environment name in the default order.
fn name_rank(name: &str) -> u8 {
    match name {
        "dev" | "development" => 0,
        "test" | "testing" => 1,
        "qa" => 2,
        "uat" | "acceptance" => 3,
        "staging" | "stage" | "preprod" | "pre-production" => 4,
        "prod" | "production" | "live" => 6,
        _ => 5,
    }
}

/// The default order of environments: non-production first; by well-known name (dev, test,
/// qa, uat, staging, others, prod); then by name.
pub(crate) fn default_order_key<'a>(name: &'a str, env: &Environment) -> (bool, u8, &'a str) {
    (env.production, name_rank(name), name)
}

#[cfg(test)]
mod tests {
    use super::Duration;

    #[test]
    #[allow(clippy::unwrap_used)]
    fn durations() {
        let ok: &[(&str, u64, &str)] = &[
            ("0s", 0, "0s"),
            ("30d", 2_592_000, "30d"),
            ("72h", 259_200, "3d"),
            ("1h30m", 5400, "1h30m"),
            ("90m", 5400, "1h30m"),
            ("1d1s", 86_401, "1d1s"),
            ("3650d", 315_360_000, "3650d"),
        ];
        for (input, secs, shown) in ok {
            let d: Duration = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (d.as_secs(), d.to_string().as_str()),
                (*secs, *shown),
                "{input}"
            );
        }
        let bad: &[(&str, &str)] = &[
            ("", "it is empty"),
            ("5", "the last number has no unit"),
            ("1m1h", "units must appear largest first, each once"),
            ("1h1h", "units must appear largest first, each once"),
            ("1.5h", "`.` is not a unit (d, h, m, s)"),
            ("h", "`h` has no number before it"),
            ("3651d", "it is longer than 3650 days"),
            ("99999999999d", "a number is too long"),
            ("1w", "`w` is not a unit (d, h, m, s)"),
        ];
        for (input, why) in bad {
            let err = input.parse::<Duration>().unwrap_err();
            assert_eq!(err.code(), "config_invalid");
            assert!(err.message().contains(why), "{input}: {}", err.message());
        }
    }
}
