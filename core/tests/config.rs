//! shiprail.yaml loading: every rejection names the file, line and column and the rule.
#![allow(clippy::unwrap_used)]

use shiprail::config::{Config, Dependency};

const SERVICE: &str =
    "services:\n  delivery:\n    paths: {include: ['src/shipping/delivery/**']}\n";

/// (yaml, expected code, expected "line:column: message" of the Display)
const REJECTED: &[(&str, &str, &str)] = &[
    (
        "",
        "config_syntax",
        "the configuration is empty: at least `services:` is required",
    ),
    (
        "services: {}\n",
        "config_invalid",
        "`services` is empty: declare at least one service",
    ),
    (
        "services:\n  delivery:\n    path: {}\n",
        "config_syntax",
        "line 3, column 5: unknown field `path`, expected one of paths, depends_on, chart, image, dockerfile",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['src/[a']}\n",
        "config_syntax",
        "line 3, column 23: invalid path glob `src/[a`: the `[` at column 5 is never closed by `]`; write `\\[` for a literal `[`",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['/src/**']}\n",
        "config_syntax",
        "line 3, column 23: invalid path glob `/src/**`: globs are relative to the repository root and cannot start with `/` (did you mean `src/**`?)",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['!src/**']}\n",
        "config_syntax",
        "line 3, column 23: invalid path glob `!src/**`: negation is written as an entry of `exclude`, not with a leading `!`",
    ),
    (
        "services:\n  delivery:\n    paths: {include: []}\n",
        "config_invalid",
        "service `delivery` has no `paths.include`: no change could ever affect it",
    ),
    (
        "services:\n  Delivery:\n    paths: {include: ['x']}\n",
        "config_syntax",
        "line 2, column 3: invalid service name `Delivery`: a service name is a DNS-1123 label (lowercase letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters) (did you mean `delivery`?)",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['x']}\n    depends_on:\n      - service: delivry\n",
        "config_invalid",
        "line 5, column 9: service `delivery` depends on `delivry`, which is not a declared service (did you mean `delivery`?)",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['x']}\n    depends_on:\n      - service: delivery\n",
        "config_invalid",
        "line 5, column 9: service `delivery` depends on itself",
    ),
    (
        "services:\n  a:\n    paths: {include: ['x']}\n    depends_on: [{service: b}]\n  b:\n    paths: {include: ['y']}\n    depends_on: [{service: a}]\n",
        "config_invalid",
        "services `a` and `b` depend on each other (a cycle)",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['x']}\n    paths: {include: ['y']}\n",
        "config_syntax",
        "line 4, column 5: duplicate mapping key: paths",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['x']}\n    image: Delivery:v1\n",
        "config_invalid",
        "line 4, column 12: service `delivery` has image `Delivery:v1`: give the repository only; tags and digests follow from the release version",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['x']}\n    chart: ../charts/delivery\n",
        "config_syntax",
        "line 4, column 12: invalid repository path `../charts/delivery`: paths cannot contain `..` or empty segments",
    ),
    (
        "registry: not a host\nservices:\n  delivery:\n    paths: {include: ['x']}\n",
        "config_invalid",
        "line 1, column 11: invalid registry `not a host`: expected a host name with a `.` or a port, or `localhost` (e.g. `myrepo.azurecr.io`, `127.0.0.1:5000`)",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['x']}\nenvironments:\n  prod: {cluster: c, namespace: Prod}\n",
        "config_invalid",
        "environment `prod`: namespace `Prod` is not a valid Kubernetes namespace (a DNS-1123 label)",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['x']}\nenvironments:\n  prod: {cluster: c, namespace: p, approval: {required: true, reviewers: 0}}\n",
        "config_invalid",
        "environment `prod`: an approval that is required needs at least 1 reviewer",
    ),
    (
        "services:\n  delivery:\n    paths: {include: ['x']}\nenvironments:\n  prod: {cluster: c, namespace: p, registry_namespace: Prod}\n",
        "config_invalid",
        "environment `prod`: registry_namespace `Prod` is not a valid repository path (lowercase components separated by `/`)",
    ),
    (
        "services: [\n",
        "config_syntax",
        "line 1, column 11: expected mapping start",
    ),
    (
        "unknown: 1\nservices:\n  delivery:\n    paths: {include: ['x']}\n",
        "config_syntax",
        "line 1, column 1: unknown field `unknown`, expected one of registry, services, branches, versioning, tags, promotion, environments, pipelines",
    ),
];

#[test]
fn rejections_name_line_column_and_rule() {
    let mut failures = Vec::new();
    for (yaml, code, message) in REJECTED {
        match Config::from_yaml_str(yaml) {
            Ok(_) => failures.push(format!("accepted {yaml:?}")),
            Err(e) => {
                if e.code() != *code || e.to_string() != *message {
                    failures.push(format!(
                        "{yaml:?}\n  want {code}: {message}\n  got  {}: {e}",
                        e.code()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn file_errors_carry_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shiprail.yaml");
    std::fs::write(
        &path,
        "services:\n  delivery:\n    paths: {include: ['x']}\n    nope: 1\n",
    )
    .unwrap();
    let err = Config::load(&path).unwrap_err();
    let location = err.location().unwrap();
    assert_eq!(location.file.as_deref(), Some(path.as_path()));
    assert_eq!((location.line, location.column), (4, 5));
}

#[test]
fn non_utf8_is_reported_at_the_bad_byte() {
    let err =
        Config::from_yaml_bytes(b"services:\n  delivery:\n    paths: {include: ['s\xffrc']}\n")
            .unwrap_err();
    assert_eq!(err.code(), "invalid_utf8");
    assert_eq!(
        err.to_string(),
        "line 3, column 25: the file is not UTF-8: invalid byte 0xff"
    );
}

#[test]
fn bom_is_ignored_and_hostile_input_never_panics() {
    assert!(Config::from_yaml_str(&format!("\u{feff}{SERVICE}")).is_ok());
    let huge = "a".repeat(1 << 20);
    let nested = "[".repeat(10_000);
    let alias_bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
    for input in [
        huge.as_str(),
        nested.as_str(),
        alias_bomb,
        "\0\u{1}\u{7f}",
        "services:\n  \u{202e}x: {}\n",
        "---\n---\n",
        "services: !!binary aGk=",
    ] {
        let _ = Config::from_yaml_str(input);
    }
}

#[test]
fn depends_on_takes_paths_and_services() {
    let config = Config::from_yaml_str(
        "services:\n  a:\n    paths: {include: ['a/**']}\n    depends_on: ['libs/**', {service: b}]\n  b:\n    paths: {include: ['b/**']}\n    depends_on: [{service: c}]\n  c:\n    paths: {include: ['c/**']}\n",
    )
    .unwrap();
    let a = config.service("a").unwrap();
    assert!(matches!(a.depends_on[0].value(), Dependency::Path(p) if p.as_str() == "libs/**"));
    assert_eq!(
        config
            .service_dependencies("a")
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["b", "c"]
    );
    assert!(a.paths.is_match("a/x/y.rs"));
}

#[test]
fn lookups_suggest_near_misses() {
    let config = Config::from_yaml_str(SERVICE).unwrap();
    let err = config.service("delivry").unwrap_err();
    assert_eq!(err.code(), "unknown_service");
    assert_eq!(
        err.to_string(),
        "unknown service `delivry`: the configuration declares `delivery` (did you mean `delivery`?)"
    );
    let err = config.environment("prod").unwrap_err();
    assert_eq!(err.code(), "unknown_environment");
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Config>();
    check::<shiprail::Error>();
}
