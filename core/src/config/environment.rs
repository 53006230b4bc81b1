//! Deployment environments (dev, qa, staging, prod): where a release runs and what guards it.

use serde::{Deserialize, Serialize};

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
}

/// The manual approval an environment requires before a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Whether an approval is required at all.
    #[serde(default)]
    pub required: bool,
    /// How many distinct reviewers must approve.
    #[serde(default = "one")]
    pub reviewers: u32,
    /// Whether the author of a release may approve it (off by default: four eyes).
    #[serde(default)]
    pub allow_self_approval: bool,
}

fn one() -> u32 {
    1
}

impl Default for Approval {
    fn default() -> Self {
        Approval {
            required: false,
            reviewers: 1,
            allow_self_approval: false,
        }
    }
}
