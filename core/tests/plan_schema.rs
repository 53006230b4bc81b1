//! The JSON Schema of the plan published in docs/ must be the one the code generates.
//! Regenerate with `SHIPRAIL_BLESS=1 cargo test -p shiprail --test plan_schema`.
#![allow(clippy::unwrap_used)]

use shiprail::config::Config;
use shiprail::plan::{Plan, PlanEvent, Trigger};
use std::path::PathBuf;

#[test]
fn published_plan_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/plan.schema.json");
    let generated = serde_json::to_string_pretty(&Plan::json_schema()).unwrap() + "\n";
    if std::env::var_os("SHIPRAIL_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == generated,
        "docs/plan.schema.json is out of date: run `SHIPRAIL_BLESS=1 cargo test -p shiprail --test plan_schema`"
    );
}

/// A plan round-trips through its JSON form, so a saved plan (`shiprail plan --save`) reads
/// back as the same plan.
#[test]
fn plans_round_trip_through_json() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/drone-delivery/shiprail.yaml");
    let config = Config::load(&path).unwrap();
    for (kind, reference) in [
        (Trigger::Push, "release/delivery/v1.0.2"),
        (Trigger::Push, "main"),
        (Trigger::Tag, "delivery-v1.0.2"),
        (Trigger::Manual, "feature/package/x"),
    ] {
        let plan = config.plan(&PlanEvent::new(kind, reference)).unwrap();
        let text = serde_json::to_string(&plan).unwrap();
        let back: Plan = serde_json::from_str(&text).unwrap();
        assert_eq!(back, plan, "{reference}");
    }
}
