//! Runs the shared registry vectors of `tests/conformance/registry.json` against the Rust API:
//! the promotion policy, release tags of a repository, digests, platforms and docker-config
//! credentials (the parts of the `registry` module that need no network).
#![cfg(feature = "registry")]
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Map, Value, json};
use shiprail::registry::{Credentials, Digest, DockerConfig, Platform, PromotionPolicy};
use shiprail::tag::TagPolicy;
use shiprail::{Error, ErrorKind};

fn str_arg<'a>(args: &'a Map<String, Value>, key: &str) -> &'a str {
    args.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("argument `{key}` must be a string"))
}

fn opt_str<'a>(args: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

fn bool_arg(args: &Map<String, Value>, key: &str, default: bool) -> bool {
    args.get(key).and_then(Value::as_bool).unwrap_or(default)
}

/// The `policy` argument (a `tags:` section as JSON), else the defaults.
fn tag_policy(args: &Map<String, Value>) -> Result<TagPolicy, Error> {
    match args.get("policy") {
        None => Ok(TagPolicy::default()),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| Error::new(ErrorKind::ConfigSyntax, e.to_string())),
    }
}

/// A policy from `namespace`, `template`, `policy` and `release_tags_only`.
fn policy(args: &Map<String, Value>) -> Result<PromotionPolicy, Error> {
    let mut policy = PromotionPolicy {
        namespace: opt_str(args, "namespace").unwrap_or_default().to_string(),
        tags: tag_policy(args)?,
        release_tags_only: bool_arg(args, "release_tags_only", true),
        ..PromotionPolicy::default()
    };
    if let Some(template) = opt_str(args, "template") {
        policy.template = template.parse()?;
    }
    Ok(policy)
}

fn run(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    Ok(match op {
        "registry.request" => {
            json!(policy(args)?.request(str_arg(args, "source"), opt_str(args, "destination"))?)
        }
        "registry.check_tag" => json!(policy(args)?.check_tag(str_arg(args, "tag"))?),
        "registry.highest_release" => {
            let tags: Vec<&str> = args["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            json!(shiprail::registry::highest_release(
                &tags,
                &tag_policy(args)?,
                opt_str(args, "service"),
                bool_arg(args, "include_prereleases", false),
            ))
        }
        "registry.digest" => {
            let digest: Digest = str_arg(args, "digest").parse()?;
            json!({"digest": digest, "algorithm": digest.algorithm(), "hex": digest.hex(),
                   "tag_form": digest.tag_form()})
        }
        "registry.platform" => json!(str_arg(args, "platform").parse::<Platform>()?),
        "registry.credentials" => {
            let config = DockerConfig::from_json_str(&args["config"].to_string())?;
            match config.credentials_for(str_arg(args, "registry"))? {
                Credentials::Anonymous => json!({"kind": "anonymous"}),
                Credentials::Basic { username, .. } => {
                    json!({"kind": "basic", "username": username})
                }
                Credentials::Bearer(_) => json!({"kind": "bearer"}),
                other => panic!("unexpected credentials {other:?}"),
            }
        }
        other => panic!("unknown op `{other}`"),
    })
}

#[test]
fn registry_vectors() {
    let count = common::check_file("registry", run);
    assert!(count >= 60, "registry.json has only {count} cases");
}
