//! Runs the shared vectors of `tests/conformance/image.json` against the Rust API.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Map, Value};
use shiprail::image::{ImageReference, PromotionTemplate};

/// The string argument `key`; the vectors always supply the ones an op needs.
fn arg<'a>(args: &'a Map<String, Value>, key: &str) -> &'a str {
    args.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("argument `{key}` missing or not a string"))
}

fn run(op: &str, args: &Map<String, Value>) -> Result<Value, shiprail::Error> {
    match op {
        "image.parse" => {
            let image: ImageReference = arg(args, "input").parse()?;
            Ok(serde_json::to_value(image.parts()).unwrap())
        }
        "image.promotion_target" => {
            let source: ImageReference = arg(args, "source").parse()?;
            let template = match args.get("template") {
                Some(_) => arg(args, "template").parse()?,
                None => PromotionTemplate::default(),
            };
            let target = source.promotion_target(&template, arg(args, "namespace"))?;
            Ok(Value::String(target.to_string()))
        }
        other => panic!("unknown op `{other}`"),
    }
}

#[test]
fn image_vectors() {
    let cases = common::check_file("image", run);
    assert!(cases >= 60, "image.json has only {cases} cases");
}
