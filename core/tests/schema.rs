//! The JSON Schema of shiprail.yaml published in docs/ must be the one the code generates.
//! Regenerate with `SHIPRAIL_BLESS=1 cargo test -p shiprail --test schema`.

use std::path::PathBuf;

#[test]
fn published_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/shiprail.schema.json");
    let generated = serde_json::to_string_pretty(&shiprail::config::Config::json_schema())
        .expect("schema serializes")
        + "\n";
    if std::env::var_os("SHIPRAIL_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
        return;
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == generated,
        "docs/shiprail.schema.json is out of date: run `SHIPRAIL_BLESS=1 cargo test -p shiprail --test schema`"
    );
}

#[test]
fn example_config_validates_against_its_own_loader() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/drone-delivery/shiprail.yaml");
    let config = shiprail::config::Config::load(&path).expect("the example config is valid");
    assert_eq!(
        config.service_names(),
        [
            "delivery",
            "dronescheduler",
            "ingestion",
            "package",
            "workflow"
        ]
    );
}
