#![allow(clippy::unwrap_used)]

use super::build::{ci_tag, split_tag};
use super::*;
use crate::config::Config;
use crate::trigger::ChangedPath;

const SCENARIO: &str = concat!(
    "registry: myrepo.azurecr.io\n",
    "services:\n",
    "  delivery: {paths: {include: ['src/shipping/delivery/**']}}\n",
    "  package: {paths: {include: ['src/shipping/package/**']}}\n",
    "environments:\n",
    "  dev: {cluster: dev-aks, namespace: shipping-dev}\n",
    "  qa: {cluster: dev-aks, namespace: shipping-qa}\n",
    "  prod: {cluster: prod-aks, namespace: shipping, registry_namespace: prod, production: true,\n",
    "         approval: {required: true}}\n",
);

fn scenario() -> Config {
    Config::from_yaml_str(SCENARIO).unwrap()
}

#[test]
fn triggers_parse() {
    let cases: &[(&str, Option<Trigger>)] = &[
        ("push", Some(Trigger::Push)),
        ("pull_request", Some(Trigger::PullRequest)),
        ("pr", Some(Trigger::PullRequest)),
        ("pull_request_target", Some(Trigger::PullRequest)),
        ("merge_request", Some(Trigger::PullRequest)),
        ("tag", Some(Trigger::Tag)),
        ("manual", Some(Trigger::Manual)),
        ("workflow_dispatch", Some(Trigger::Manual)),
        ("Push", None),
        ("", None),
        ("schedule", None),
    ];
    for (input, want) in cases {
        assert_eq!(input.parse::<Trigger>().ok(), *want, "{input}");
    }
    for t in Trigger::ALL {
        assert_eq!(t.to_string().parse::<Trigger>().ok(), Some(*t));
    }
    assert_eq!(
        "schedule".parse::<Trigger>().unwrap_err().to_string(),
        "unknown event `schedule`: expected push, pull_request, tag or manual"
    );
}

#[test]
fn ci_formats_parse() {
    for f in CiFormat::ALL {
        assert_eq!(f.to_string().parse::<CiFormat>().ok(), Some(*f));
    }
    assert_eq!(
        "jenkins".parse::<CiFormat>().unwrap_err().to_string(),
        "unknown CI format `jenkins`: expected github, azure or gitlab"
    );
}

#[test]
fn ci_tags() {
    let cases: &[(Option<&str>, &str, &str)] = &[
        (
            Some("4F2A9C1E0B7D3C2A"),
            "refs/heads/main",
            "ci-4f2a9c1e0b7d",
        ),
        (Some("4f2a9c1"), "refs/heads/main", "ci-4f2a9c1"),
        (None, "refs/heads/main", "ci-main"),
        (
            None,
            "refs/heads/feature/delivery/ETA_v2",
            "ci-feature-delivery-eta_v2",
        ),
        (Some("not-hex"), "refs/heads/topic/x.y", "ci-topic-x.y"),
        (None, "refs/heads/ünïcode/✓", "ci-n-code"),
        (None, "refs/heads/---", "ci"),
    ];
    for (commit, reference, want) in cases {
        assert_eq!(ci_tag(*commit, reference), *want, "{reference}");
    }
    let long = format!("refs/heads/{}", "a".repeat(500));
    assert_eq!(ci_tag(None, &long).len(), 128);
}

#[test]
fn image_tags_split() {
    let cases = [
        (
            "myrepo.azurecr.io/delivery:v1.0.2",
            ("myrepo.azurecr.io/delivery", "v1.0.2"),
        ),
        (
            "127.0.0.1:5000/prod/delivery:v1",
            ("127.0.0.1:5000/prod/delivery", "v1"),
        ),
        ("127.0.0.1:5000/delivery", ("127.0.0.1:5000/delivery", "")),
        ("delivery", ("delivery", "")),
    ];
    for (image, want) in cases {
        assert_eq!(split_tag(image), want, "{image}");
    }
}

#[test]
fn rule_events_are_one_or_many() {
    let config = Config::from_yaml_str(concat!(
        "services:\n  delivery: {paths: {include: ['src/**']}}\n",
        "pipelines:\n  rules:\n",
        "    - {event: push, branch: [trunk], pipeline: trunk}\n",
        "    - {event: [tag, manual], pipeline: none}\n",
    ))
    .unwrap();
    let rules = &config.pipelines.rules;
    assert_eq!(rules[0].event.0, [Trigger::Push]);
    assert_eq!(rules[1].event.0, [Trigger::Tag, Trigger::Manual]);
    let err = Config::from_yaml_str(concat!(
        "services:\n  delivery: {paths: {include: ['src/**']}}\n",
        "pipelines:\n  rules:\n    - {event: [], pipeline: none}\n",
    ))
    .unwrap_err();
    assert_eq!(err.code(), "config_syntax");
}

#[test]
fn kinds_merge_with_the_defaults() {
    let config = Config::from_yaml_str(concat!(
        "services:\n  delivery: {paths: {include: ['src/**']}}\n",
        "pipelines:\n  kinds:\n    deploy: null\n    nightly: {steps: [build]}\n",
    ))
    .unwrap();
    let names: Vec<&str> = config.pipelines.kinds.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["nightly", "pull_request", "release", "trunk", "validation"]
    );
    // Serialized and read back (as JSON), the same configuration.
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(
        json["pipelines"]["kinds"]["deploy"],
        serde_json::Value::Null
    );
    let back: Config = serde_json::from_value(json).unwrap();
    assert_eq!(back.pipelines, config.pipelines);
}

#[test]
fn exact_errors() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "pipelines:\n  rules:\n    - {event: push, branch: [hotfix], pipeline: release}\n",
            "config_invalid",
            "line 5, column 30: pipelines.rules[0].branch names `hotfix`, which is not a branch kind (kinds: `trunk`, `feature`, `release`, `topic`)",
        ),
        (
            "pipelines:\n  rules:\n    - {event: push, base: [trunk], pipeline: trunk}\n",
            "config_invalid",
            "line 5, column 7: pipelines.rules[0] has `base`, which only a pull_request has, but its events are `push`",
        ),
        (
            "pipelines:\n  kinds:\n    trunk: {steps: [build, build]}\n",
            "config_invalid",
            "line 5, column 28: pipeline kind `trunk` lists step `build` twice",
        ),
        (
            "pipelines:\n  chart_repository: /helm\n",
            "config_invalid",
            "pipelines.chart_repository `/helm` is a repository path: no leading, trailing or double `/`",
        ),
    ];
    for (extra, code, message) in cases {
        let text = format!("services:\n  delivery: {{paths: {{include: ['src/**']}}}}\n{extra}");
        let err = Config::from_yaml_str(&text).unwrap_err();
        assert_eq!((err.code(), err.to_string().as_str()), (*code, *message));
    }
}

/// No input makes planning or recording panic: empty, huge, control characters, non-ASCII.
#[test]
fn hostile_inputs_never_panic() {
    let config = scenario();
    let huge = "a/".repeat(500_000);
    let inputs = [
        "",
        " ",
        "\0",
        "\u{1b}[31mred",
        "release/delivery/v1.0.2\n",
        "release/delivery/v1.0.2\u{0}",
        "relèase/delivery/v1.0.2",
        "refs/tags/",
        "refs/tags/\u{7f}",
        "refs/heads/",
        "refs/pull/1/merge",
        huge.as_str(),
        "release/delivery/v99999999999999999999999.0.0",
    ];
    for kind in Trigger::ALL {
        for input in inputs {
            let mut event = PlanEvent::new(*kind, input);
            event.base_ref = Some(input.to_string());
            event.commit = Some(input.to_string());
            event.changed = Some(vec![ChangedPath::modified(input)]);
            let _ = config.plan(&event);
        }
    }
    let plan = config
        .plan(&PlanEvent::new(Trigger::Push, "release/delivery/v1.0.2"))
        .unwrap();
    let mut state = ReleaseState::new(&plan, InitOptions::default()).unwrap();
    let t: Timestamp = "2024-06-11T09:00:00Z".parse().unwrap();
    for input in inputs {
        for result in [GateResult::Passed, GateResult::Failed] {
            let _ = state.record_gate(input, result, Some(input), input, t);
            let _ = state.record_gate("ci/image_push", result, Some(input), "ci", t);
        }
        let _ = state.record_approval(input, input, input, Some(input), t);
        let _ = state.record_promotion(input, input, input, t);
        let _ = state.record_deployment(input, input, input, t);
        let _ = state.rollback_plan(input);
        let _ = ReleaseState::from_json(input);
        let _ = Plan::from_json(input);
        let _ = input.parse::<Timestamp>();
        let _ = input.parse::<crate::config::Duration>();
    }
    assert_eq!(state.audit().len(), 1, "nothing hostile was recorded");
    let _ = state.next(t);
    let _ = ci::render(&plan, CiFormat::Github);
}

#[test]
fn actors_and_digests_are_checked() {
    let plan = scenario()
        .plan(&PlanEvent::new(Trigger::Push, "release/delivery/v1.0.2"))
        .unwrap();
    let mut state = ReleaseState::new(&plan, InitOptions::default()).unwrap();
    let t: Timestamp = "2024-06-11T09:00:00Z".parse().unwrap();
    let err = state
        .record_gate("ci/build", GateResult::Passed, None, "bob\nsmith", t)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`bob\\nsmith` is not an actor: a name of 1 to 256 characters without control characters"
    );
    let err = state
        .record_gate("ci/build", GateResult::Passed, Some("sha256:AB"), "ci", t)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_event");
}

#[test]
fn saves_atomically_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let plan = scenario()
        .plan(&PlanEvent::new(Trigger::Push, "release/delivery/v1.0.2"))
        .unwrap();
    let mut state = ReleaseState::new(&plan, InitOptions::default()).unwrap();
    state.save(&path).unwrap();
    let t: Timestamp = "2024-06-11T09:00:00Z".parse().unwrap();
    state
        .record_gate("ci/build", GateResult::Passed, None, "ci", t)
        .unwrap();
    state.save(&path).unwrap();
    assert_eq!(ReleaseState::load(&path).unwrap(), state);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["state.json"]);
    let err = state
        .save(dir.path().join("missing/state.json"))
        .unwrap_err();
    assert_eq!(err.code(), "io");
}
