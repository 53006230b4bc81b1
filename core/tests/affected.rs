//! Affected services through the public API: the matcher built from rules or a configuration,
//! explanations, overlaps, errors, hostile inputs, and agreement with a brute-force evaluation
//! (on the benchmark's own generator and converter, at a small size).
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use shiprail::ErrorKind;
use shiprail::affected::{
    Affected, AffectedMatcher, MatchedBy, Pattern, PatternSource, Reason, ServiceRules,
};
use shiprail::config::{Config, Dependency, PathGlob};
use shiprail::trigger::{ChangeStatus, ChangedPath};
use std::path::PathBuf;
use std::process::Command;

fn rules(name: &str, include: &[&str], exclude: &[&str]) -> ServiceRules {
    let mut r = ServiceRules::new(name);
    r.include = include.iter().map(|g| Pattern::glob(*g)).collect();
    r.exclude = exclude.iter().map(|g| Pattern::glob(*g)).collect();
    r
}

fn services(affected: &Affected) -> Vec<&str> {
    affected.services.iter().map(String::as_str).collect()
}

#[test]
fn table() {
    let mut api = rules("api", &["api/**", "proto/*.proto"], &["**/*.md"]);
    api.depends_on_paths.push(Pattern::glob("libs/common/**"));
    let mut web = rules("web", &["web/**"], &["web/e2e/**"]);
    web.depends_on_services.push("api".into());
    let tools = rules("tools", &["tools/**", "Makefile"], &[]);
    let matcher = AffectedMatcher::from_rules(vec![web, tools, api]).unwrap();
    assert_eq!(matcher.service_names(), ["api", "tools", "web"]);
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &[]),
        (&["api/main.go"], &["api", "web"]),
        (&["api/README.md"], &[]),
        (&["proto/a.proto"], &["api", "web"]),
        (&["proto/v1/a.proto"], &[]),
        (&["libs/common/x.go"], &["api", "web"]),
        (&["libs/common/x.md"], &[]),
        (&["web/app.ts"], &["web"]),
        (&["web/e2e/login.ts"], &[]),
        (&["web/e2e/login.ts", "Makefile"], &["tools"]),
        (&["sub/Makefile"], &[]),
        (&["tools/.bin/x", "web/x"], &["tools", "web"]),
        (&[""], &[]),
        (&["/api/main.go"], &[]),
    ];
    for (paths, want) in cases {
        let got = matcher.affected(paths.iter().copied(), false);
        assert_eq!(services(&got), *want, "{paths:?}");
        assert!(got.explain.is_empty());
    }
}

#[test]
fn regex_and_glob_sources_mix() {
    let mut go = rules("go", &["svc/**"], &[]);
    go.exclude.push(Pattern::regex(
        "svc/**/*_test.go",
        r"svc/(?:.*/)?[^/]*_test\.go",
    ));
    let mut gen_ = ServiceRules::new("generated");
    gen_.include
        .push(Pattern::regex("gen/v<digits>/**", r"gen/v[0-9]+/.*"));
    let matcher = AffectedMatcher::from_rules(vec![go, gen_]).unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("svc/a.go", &["go"]),
        ("svc/a_test.go", &[]),
        ("svc/x/y/a_test.go", &[]),
        ("svc/x/a_test.go.orig", &["go"]),
        ("gen/v12/x.pb.go", &["generated"]),
        ("gen/vx/x.pb.go", &[]),
        ("xgen/v1/a", &[]),
    ];
    for (path, want) in cases {
        assert_eq!(services(&matcher.affected([*path], false)), *want, "{path}");
    }
    let why = matcher.affected(["gen/v1/a"], true).explain;
    assert_eq!(why[0].pattern, "gen/v<digits>/**");
    assert_eq!(
        Pattern::regex("w", "r").source(),
        &PatternSource::Regex("r".into())
    );
    assert_eq!(Pattern::glob("a/**").as_str(), "a/**");
}

#[test]
fn identical_patterns_are_compiled_once() {
    let a = rules("a", &["a/**", "shared/**"], &["**/*.md"]);
    let b = rules("b", &["b/**", "shared/**"], &["**/*.md"]);
    let matcher = AffectedMatcher::from_rules(vec![a, b]).unwrap();
    assert_eq!(matcher.pattern_count(), 4);
    assert_eq!(
        services(&matcher.affected(["shared/x.cs"], false)),
        ["a", "b"]
    );
    assert!(matcher.affected(["shared/x.md"], false).services.is_empty());
}

#[test]
fn errors_name_the_pattern_and_the_service() {
    let cases: Vec<(Vec<ServiceRules>, ErrorKind, &str)> = vec![
        (
            vec![rules("a", &["a/[x"], &[])],
            ErrorKind::InvalidPattern,
            "invalid path pattern `a/[x` of service `a`: unclosed character class; missing ']'",
        ),
        (
            vec![{
                let mut r = rules("b", &["b/**"], &[]);
                r.exclude.push(Pattern::regex("b/(", "b/("));
                r
            }],
            ErrorKind::InvalidPattern,
            "invalid path pattern `b/(` of service `b`: regex parse error:\n    b/(\n      ^\nerror: unclosed group",
        ),
        (
            vec![rules("a", &["a/**"], &[]), rules("a", &["b/**"], &[])],
            ErrorKind::ConfigInvalid,
            "service `a` is declared twice",
        ),
        (
            vec![
                {
                    let mut r = rules("workflow", &["w/**"], &[]);
                    r.depends_on_services.push("delivry".into());
                    r
                },
                rules("delivery", &["d/**"], &[]),
            ],
            ErrorKind::ConfigInvalid,
            "service `workflow` depends on `delivry`, which is not a declared service (did you mean `delivery`?)",
        ),
    ];
    for (rules, kind, message) in cases {
        let err = AffectedMatcher::from_rules(rules).unwrap_err();
        assert_eq!((err.kind(), err.to_string().as_str()), (kind, message));
    }
}

fn example_config() -> Config {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    Config::load(root.join("examples/drone-delivery/shiprail.yaml")).unwrap()
}

#[test]
fn the_example_monorepo() {
    let config = example_config();
    let affected = |paths: &[&str]| {
        config
            .affected_paths(paths.iter().copied(), false)
            .unwrap()
            .services
    };
    assert_eq!(
        affected(&["src/shipping/delivery/Dockerfile"]),
        ["delivery", "workflow"]
    );
    assert_eq!(affected(&["libs/common/x.cs"]), ["delivery", "workflow"]);
    assert_eq!(
        affected(&["src/shipping/package/README.md"]),
        Vec::<String>::new()
    );
    assert_eq!(affected(&["src/shipping/package/app.js"]), ["package"]);
    let moved = ChangedPath {
        path: "src/shipping/ingestion/x.cs".into(),
        status: ChangeStatus::Renamed,
        previous_path: Some("src/shipping/dronescheduler/x.cs".into()),
    };
    assert_eq!(
        config.affected(&[moved], false).unwrap().services,
        ["dronescheduler", "ingestion"]
    );
}

#[test]
fn explanations_serialize_for_the_cli_and_bindings() {
    let config = example_config();
    let affected = config
        .affected(
            &[
                ChangedPath::modified("README.md"),
                ChangedPath::modified("src/shipping/delivery/app.cs"),
            ],
            true,
        )
        .unwrap();
    assert_eq!(
        affected.explain,
        [
            Reason {
                service: "delivery".into(),
                path: "src/shipping/delivery/app.cs".into(),
                pattern: "src/shipping/delivery/**".into(),
                matched_by: MatchedBy::Include,
                via: vec![],
            },
            Reason {
                service: "workflow".into(),
                path: "src/shipping/delivery/app.cs".into(),
                pattern: "src/shipping/delivery/**".into(),
                matched_by: MatchedBy::Include,
                via: vec!["delivery".into()],
            },
        ]
    );
    assert_eq!(
        serde_json::to_value(&affected).unwrap(),
        serde_json::json!({
            "services": ["delivery", "workflow"],
            "explain": [
                {"service": "delivery", "path": "src/shipping/delivery/app.cs",
                 "pattern": "src/shipping/delivery/**", "matched_by": "paths.include"},
                {"service": "workflow", "path": "src/shipping/delivery/app.cs",
                 "pattern": "src/shipping/delivery/**", "matched_by": "paths.include",
                 "via": ["delivery"]},
            ]
        })
    );
    let quiet = config
        .affected(
            &[ChangedPath::modified("src/shipping/delivery/app.cs")],
            false,
        )
        .unwrap();
    assert_eq!(
        serde_json::to_value(&quiet).unwrap(),
        serde_json::json!({"services": ["delivery", "workflow"]})
    );
}

#[test]
fn overlaps_lint() {
    let config = Config::from_yaml_str(concat!(
        "services:\n",
        "  api: {paths: {include: ['src/**'], exclude: ['src/web/**']}}\n",
        "  web: {paths: {include: ['src/web/**', 'shared/**']}}\n",
        "  lib: {paths: {include: ['shared/**'], exclude: ['**/*.md']}, depends_on: ['src/**']}\n",
    ))
    .unwrap();
    let overlaps = config
        .overlapping_paths([
            "src/api/a.ts",
            "src/web/b.ts",
            "shared/z.ts",
            "shared/README.md",
            "shared/a.ts",
        ])
        .unwrap();
    let got: Vec<(&str, Vec<&str>)> = overlaps
        .iter()
        .map(|o| {
            (
                o.path.as_str(),
                o.services.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    // `depends_on` paths are shared on purpose and never count as a claim.
    assert_eq!(
        got,
        [
            ("shared/z.ts", vec!["lib", "web"]),
            ("shared/a.ts", vec!["lib", "web"])
        ]
    );
    assert!(
        example_config()
            .overlapping_paths(["src/shipping/delivery/a.cs", "libs/common/a.cs"])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn hostile_inputs_never_panic() {
    let config = example_config();
    let big = format!("src/shipping/delivery/{}", "a/".repeat(500_000));
    let inputs = [
        "",
        "/",
        "//",
        "\u{0}",
        "src/shipping/delivery/\u{0}\u{1b}[31m",
        "src/shipping/delivery/\u{202e}evil.cs",
        "\u{fffd}\u{fffd}",
        "src/shipping/delivery/\u{1f680}/\u{e9}.md",
        big.as_str(),
        "../../../etc/passwd",
        "src/shipping/delivery/../package/x.js",
    ];
    for input in inputs {
        let _ = config.affected_paths([input], true).unwrap();
        let _ = config.overlapping_paths([input]).unwrap();
    }
    let all = config.affected_paths(inputs, true).unwrap();
    assert_eq!(all.services, ["delivery", "workflow"]);
    // Patterns from rules that never went through config validation.
    let long = "x".repeat(1 << 20);
    for pattern in [
        "",
        "**/**/**",
        "[",
        "{",
        "\\",
        "\u{0}",
        long.as_str(),
        "a/**/",
        "**/",
    ] {
        let mut r = ServiceRules::new("s");
        r.include.push(Pattern::glob(pattern));
        if let Ok(m) = AffectedMatcher::from_rules(vec![r]) {
            let _ = m.affected(inputs, true);
        }
        let mut r = ServiceRules::new("s");
        r.include.push(Pattern::regex(pattern, pattern));
        if let Ok(m) = AffectedMatcher::from_rules(vec![r]) {
            let _ = m.affected(inputs, true);
        }
    }
}

/// Evaluates the rule one service, one path, one glob at a time: the definition.
fn brute_force(config: &Config, paths: &[&str]) -> Vec<String> {
    let mut affected: Vec<String> = config
        .services
        .iter()
        .filter(|(_, svc)| {
            paths.iter().any(|p| {
                let shared = svc
                    .depends_on
                    .iter()
                    .any(|d| matches!(d.value(), Dependency::Path(g) if g.is_match(p)));
                (svc.paths.include.iter().any(|g| g.is_match(p)) || shared)
                    && !svc.paths.exclude.iter().any(|g| g.is_match(p))
            })
        })
        .map(|(name, _)| name.to_string())
        .collect();
    // Service dependencies, to a fixed point.
    loop {
        let before = affected.len();
        for (name, svc) in &config.services {
            let reached = svc.depends_on.iter().any(|d| {
                matches!(d.value(), Dependency::Service(s) if affected.iter().any(|a| a == s.service.as_str()))
            });
            if reached && !affected.iter().any(|a| a == name.as_str()) {
                affected.push(name.to_string());
            }
        }
        if affected.len() == before {
            break;
        }
    }
    affected.sort();
    affected
}

#[test]
fn the_bench_generator_and_converter_agree_with_brute_force() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().unwrap();
    let workload = dir.path().join("workload.json");
    let python = |args: &[&std::ffi::OsStr]| {
        let out = Command::new("python3").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "python3 {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    python(&[
        root.join("tests/bench/gen_monorepo.py").as_os_str(),
        "20".as_ref(),
        "200".as_ref(),
        "5".as_ref(),
        "11".as_ref(),
        workload.as_os_str(),
    ]);
    python(&[
        root.join("tests/bench/to_shiprail.py").as_os_str(),
        workload.as_os_str(),
        dir.path().as_os_str(),
    ]);
    let config = Config::load(dir.path().join("shiprail.yaml")).unwrap();
    let changed = std::fs::read_to_string(dir.path().join("changed.txt")).unwrap();
    let paths: Vec<&str> = changed.lines().collect();
    assert_eq!(config.services.len(), 20);
    assert_eq!(paths.len(), 202);

    let got = config.affected_paths(paths.iter().copied(), false).unwrap();
    assert_eq!(got.services, brute_force(&config, &paths));
    assert!(
        !got.services.is_empty() && got.services.len() < 20,
        "{got:?}"
    );

    // The workload's own JSON, evaluated glob by glob, says the same.
    let w: Value = serde_json::from_str(&std::fs::read_to_string(&workload).unwrap()).unwrap();
    let globs = |v: &Value| -> Vec<PathGlob> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap().parse().unwrap())
            .collect()
    };
    let mut from_json: Vec<String> = w["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            let (inc, exc) = (globs(&s["include"]), globs(&s["exclude"]));
            w["changed"].as_array().unwrap().iter().any(|p| {
                let p = p.as_str().unwrap();
                inc.iter().any(|g| g.is_match(p)) && !exc.iter().any(|g| g.is_match(p))
            })
        })
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    from_json.sort();
    assert_eq!(got.services, from_json);
}

#[test]
fn generated_configs_agree_with_brute_force() {
    // Every glob shape, shared patterns, dependencies; deterministic.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let dirs = ["a", "b", "a/b", "c/.d", "e f"];
    let shapes = [
        "{d}/**",
        "**/*.md",
        "**/*.{ext}",
        "{d}/*.{ext}",
        "**/{d}/**",
        "{d}/**/x.{ext}",
        "**/Makefile",
        "{d}/Makefile",
        "{d}/?.{ext}",
        "{d}/[xy].{ext}",
        "{d}/{{x,y}}.{ext}",
    ];
    let exts = ["md", "cs", "go"];
    let mut yaml = String::from("services:\n");
    for i in 0..30 {
        let glob = |next: &mut dyn FnMut() -> u64| {
            let shape = shapes[(next() % shapes.len() as u64) as usize];
            let d = dirs[(next() % dirs.len() as u64) as usize];
            let e = exts[(next() % exts.len() as u64) as usize];
            format!(
                "{:?}",
                shape
                    .replace("{d}", d)
                    .replace("{ext}", e)
                    .replace("{{", "{")
                    .replace("}}", "}")
            )
        };
        let inc: Vec<String> = (0..1 + next() % 3).map(|_| glob(&mut next)).collect();
        let exc: Vec<String> = (0..next() % 2).map(|_| glob(&mut next)).collect();
        yaml.push_str(&format!(
            "  s{i:02}:\n    paths: {{include: [{}], exclude: [{}]}}\n",
            inc.join(", "),
            exc.join(", ")
        ));
        let mut deps = Vec::new();
        if next() % 4 == 0 {
            deps.push(glob(&mut next));
        }
        if i > 0 && next() % 3 == 0 {
            deps.push(format!("{{service: s{:02}}}", next() % i));
        }
        if !deps.is_empty() {
            yaml.push_str(&format!("    depends_on: [{}]\n", deps.join(", ")));
        }
    }
    let config = Config::from_yaml_str(&yaml).unwrap();
    let names = [
        "x.md",
        "x.cs",
        "y.go",
        "Makefile",
        "1.cs",
        "README.md",
        ".md",
    ];
    for round in 0..40 {
        let paths: Vec<String> = (0..1 + next() % 4)
            .map(|_| {
                let depth = next() % 3;
                let mut p = String::new();
                for _ in 0..depth {
                    p.push_str(dirs[(next() % dirs.len() as u64) as usize]);
                    p.push('/');
                }
                p.push_str(names[(next() % names.len() as u64) as usize]);
                p
            })
            .collect();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let got = config.affected_paths(paths.iter().copied(), true).unwrap();
        assert_eq!(
            got.services,
            brute_force(&config, &paths),
            "round {round}: {paths:?}\n{yaml}"
        );
        assert_eq!(got.explain.len(), got.services.len());
    }
}
