#![allow(clippy::unwrap_used)]

use super::*;
use crate::branch::BranchRules;
use crate::trigger::lint::Severity;

fn push(r: &str) -> Event {
    Event {
        kind: Some(EventKind::Push),
        git_ref: r.to_owned(),
        ..Event::default()
    }
}

fn push_paths(r: &str, paths: &[&str]) -> Event {
    Event {
        changed: Some(paths.iter().map(|p| ChangedPath::modified(*p)).collect()),
        ..push(r)
    }
}

fn pr(base: &str, paths: Option<&[&str]>) -> Event {
    Event {
        kind: Some(EventKind::PullRequest),
        git_ref: "feature/x".to_owned(),
        base_ref: Some(base.to_owned()),
        changed: paths.map(|ps| ps.iter().map(|p| ChangedPath::modified(*p)).collect()),
        ..Event::default()
    }
}

#[test]
fn evaluation_table() {
    let full = "trigger:\n  branches:\n    include: [main, releases/*]\n    exclude: [releases/old*]\n  paths:\n    include: [docs]\n    exclude: [docs/README.md]\n";
    let cases: &[(&str, Event, bool)] = &[
        ("steps: []\n", push("anything/at/all"), true),
        ("trigger: none\n", push("main"), false),
        ("trigger: [main]\n", push("main"), true),
        ("trigger: [main]\n", push("develop"), false),
        (full, push_paths("main", &["docs/a.md"]), true),
        (full, push_paths("main", &["docs/README.md"]), false),
        (full, push_paths("releases/old-2", &["docs/a.md"]), false),
        (full, push_paths("main", &[]), false),
        (full, push("main"), true),
        (
            "trigger:\n  paths:\n    exclude: [docs]\n",
            push_paths("x", &["src/a"]),
            true,
        ),
        (
            "trigger:\n  paths:\n    exclude: [docs]\n",
            push_paths("x", &["docs/a"]),
            false,
        ),
        (
            "trigger:\n  tags:\n    include: [v*]\n",
            push("main"),
            false,
        ),
        (
            "trigger:\n  tags:\n    include: [v*]\n",
            push("refs/tags/v1"),
            true,
        ),
        ("pr: [main]\n", pr("main", None), true),
        ("pr: [main]\n", pr("develop", None), false),
        (
            "pr:\n  paths:\n    include: [src]\n",
            pr("x", Some(&["src/a"])),
            true,
        ),
        (
            "pr:\n  paths:\n    include: [src]\n",
            pr("x", Some(&["doc/a"])),
            false,
        ),
    ];
    for (yaml, event, want) in cases {
        let pipeline = Pipeline::from_yaml_str(yaml).unwrap();
        let decision = pipeline.evaluate(event).unwrap();
        assert_eq!(
            decision.run, *want,
            "{yaml:?} {event:?}: {}",
            decision.reason
        );
        assert!(!decision.explain.is_empty(), "{yaml:?}: explain is filled");
    }
}

#[test]
fn exact_reasons() {
    let pipeline = Pipeline::from_yaml_str(
        "trigger:\n  batch: true\n  branches:\n    include: [main]\n    exclude: [main]\n",
    )
    .unwrap();
    let decision = pipeline.evaluate(&push("main")).unwrap();
    assert_eq!(
        decision.reason,
        "push to `refs/heads/main` does not run: `trigger.branches.exclude` pattern `main` removes it"
    );
    let pipeline =
        Pipeline::from_yaml_str("trigger:\n  batch: true\n  branches: [main]\n").unwrap();
    let decision = pipeline.evaluate(&push("main")).unwrap();
    assert_eq!(
        decision.reason,
        "push to `refs/heads/main` runs: `trigger.branches.include` pattern `main` matches it; \
         `batch: true`: pushes made while a run is in progress are built together once it completes"
    );
    assert_eq!(decision.explain.len(), 1);
    assert_eq!(decision.explain[0].outcome, "included");
    assert_eq!(decision.explain[0].pattern.as_deref(), Some("main"));
}

#[test]
fn exact_errors() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "trigger: nope\n",
            "invalid_pipeline",
            "line 1, column 10: `trigger` must be `none`, a list of branches, or a mapping of batch, branches, paths and tags; found `nope`",
        ),
        (
            "pr: all\n",
            "invalid_pipeline",
            "line 1, column 5: `pr` must be `none`, a list of branches, or a mapping of autoCancel, branches, paths and drafts; found `all`",
        ),
        (
            "trigger:\n  batch: maybe\n",
            "invalid_pipeline",
            "line 2, column 10: `maybe` is not a boolean: expected true, false, yes, no, on, off, y or n",
        ),
        (
            "trigger:\n  branches:\n    include: ['']\n",
            "invalid_pattern",
            "line 3, column 15: empty branch pattern: a pattern needs at least one character (in `trigger.branches.include`)",
        ),
        (
            "pr:\n  paths:\n    exclude: [\"a\\u0007\"]\n",
            "invalid_pattern",
            "line 3, column 15: path pattern `a\\u{7}` holds the control character \\u{7}: no ref or path can contain it (in `pr.paths.exclude`)",
        ),
    ];
    for (yaml, code, message) in cases {
        let err = Pipeline::from_yaml_str(yaml).unwrap_err();
        assert_eq!(err.code(), *code, "{yaml:?}");
        assert_eq!(err.to_string(), *message, "{yaml:?}");
    }
}

#[test]
fn event_errors() {
    let pipeline = Pipeline::from_yaml_str("steps: []\n").unwrap();
    let err = pipeline.evaluate(&Event::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_event");
    let err = pipeline.evaluate(&push("")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a push event needs `ref`: the branch or tag pushed"
    );
    let err = pipeline
        .evaluate(&Event {
            kind: Some(EventKind::PullRequest),
            git_ref: "x".into(),
            ..Event::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), "invalid_event");
}

#[test]
fn deployments_are_found() {
    let yaml = "trigger:\n  batch: true\nstages:\n- stage: build\n  jobs:\n  - job: b\n- stage: prod\n  jobs:\n  - deployment: deploy\n    environment: prod.shipping\n  - deployment: other\n    environment:\n      name: qa\n  - template: t.yml\njobs:\n- deployment: top\n  environment: dev\n";
    let pipeline = Pipeline::from_yaml_str(yaml).unwrap();
    let envs: Vec<&str> = pipeline
        .deployments()
        .iter()
        .map(|d| d.environment.as_str())
        .collect();
    assert_eq!(envs, ["prod.shipping", "qa", "dev"]);
    assert_eq!(pipeline.deployments()[0].stage.as_deref(), Some("prod"));
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn lint_checks() {
    let rules = BranchRules::default();
    let context = LintContext {
        branch_rules: &rules,
        services: vec!["delivery".into(), "ingestion".into()],
        repo_paths: Some(vec![
            "src/shipping/delivery/main.go".into(),
            "src/shipping/ingestion/main.go".into(),
            "docs/README.md".into(),
        ]),
    };
    let yaml = "trigger:\n  batch: true\n  branches:\n    include: [master, releases/*, 'feature/delivery/*', '$(branch)']\n  paths:\n    include: [/src/Shipping/delivery]\n    exclude: [docz]\nstages:\n- stage: prod\n  jobs:\n  - deployment: deploy\n    environment: prod\ntriger: x\n";
    let pipeline = Pipeline::from_yaml_str(yaml).unwrap();
    let findings = pipeline.lint(&context);
    assert_eq!(
        codes(&findings),
        [
            "unknown_key",
            "batch_with_approvals",
            "variable_in_filter",
            "unmatched_branch_pattern",
            "unmatched_path_pattern",
            "unmatched_path_pattern",
        ],
        "{findings:#?}"
    );
    assert_eq!(findings[0].suggestion.as_deref(), Some("trigger"));
    let unmatchable = &findings[3];
    assert_eq!(
        unmatchable.message,
        "`releases/*` in `trigger.branches.include` matches no branch the branch rules allow (such as `feature/delivery/my-topic`, `feature/ingestion/my-topic`, `main`, `master`, `release/delivery/v1.0.0`, `release/ingestion/v1.0.0`, `topic/delivery/my-topic`, `topic/ingestion/my-topic`)"
    );
    assert_eq!(unmatchable.suggestion.as_deref(), Some("release/*"));
    assert_eq!(
        unmatchable.location.as_ref().map(|l| (l.line, l.column)),
        Some((4, 23))
    );
    let case = &findings[4];
    assert_eq!(
        case.message,
        "`/src/Shipping/delivery` in `trigger.paths.include` matches no path of the repository: paths are case-sensitive, and the repository has `src/shipping/delivery`"
    );
    assert_eq!(case.suggestion.as_deref(), Some("/src/shipping/delivery"));
    assert_eq!(findings[5].suggestion.as_deref(), Some("docs"));
    assert_eq!(findings[1].severity, Severity::Warning);

    let exclude_only = Pipeline::from_yaml_str("pr:\n  branches:\n    exclude: [main]\n").unwrap();
    assert_eq!(codes(&exclude_only.lint(&context)), ["exclude_only_list"]);
    let clean = Pipeline::from_yaml_str(
        "trigger:\n  branches:\n    include: ['release/delivery/v*', main]\n  paths:\n    include: [src/shipping]\n",
    )
    .unwrap();
    assert!(clean.lint(&context).is_empty());
}

#[test]
fn odd_inputs_never_panic() {
    let long = "a".repeat(1 << 20);
    let inputs = [
        String::new(),
        "\n".to_owned(),
        "~\n".to_owned(),
        "[1, 2]\n".to_owned(),
        "trigger: [\"\\u0000\"]\n".to_owned(),
        format!("trigger: ['{long}']\n"),
        format!(
            "trigger:\n  paths:\n    include: ['{}']\n",
            "*".repeat(5000)
        ),
        "trigger: {branches: {include: [é/ü*]}}\npr: [日本]\n".to_owned(),
        "trigger: &a [main]\npr: *a\n".to_owned(),
        "stages: 3\njobs: {a: b}\n".to_owned(),
    ];
    let events = [
        push("main"),
        push(&long),
        push("refs/tags/\u{0}"),
        push_paths("é", &["日本/x", &long]),
        pr("main", Some(&["\u{7f}"])),
        Event {
            kind: Some(EventKind::Manual),
            ..Event::default()
        },
    ];
    let rules = BranchRules::default();
    for input in &inputs {
        if let Ok(pipeline) = Pipeline::from_yaml_str(input) {
            for event in &events {
                let _ = pipeline.evaluate(event);
            }
            let _ = pipeline.lint(&LintContext::new(&rules, Vec::new()));
        }
    }
}
