#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::trigger::ChangedPath;

const _: fn() = || {
    fn assert<T: Send + Sync>() {}
    assert::<GithubPattern>();
    assert::<Workflow>();
    assert::<EventFilters>();
    assert::<FilterList>();
    assert::<FilterKind>();
    assert::<PatternEntry>();
    assert::<Verdict<'static>>();
};

fn pattern(text: &str) -> GithubPattern {
    GithubPattern::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn pattern_matches() {
    // (pattern, subject, matches)
    let cases: &[(&str, &str, bool)] = &[
        ("feature/*", "feature/my-branch", true),
        ("feature/*", "feature/a/b", false),
        ("feature/**", "feature/mona/the/octocat", true),
        ("*", "main", true),
        ("*", "all/the/branches", false),
        ("**", "all/the/branches", true),
        ("**", "", true),
        ("*feature", "feature", true),
        ("v2*", "v2", true),
        ("v[12].[0-9]+.[0-9]+", "v1.10.1", true),
        ("v[12].[0-9]+.[0-9]+", "v1..1", false),
        ("v[12].[0-9]+.[0-9]+", "v3.0.0", false),
        ("v[12].[0-9]+.[0-9]+", "v1x0.0", false),
        ("*.jsx?", "page.js", true),
        ("*.jsx?", "page.jsx", true),
        ("*.jsx?", "page.jsxx", false),
        ("**.js", "src/js/app.js", true),
        ("docs/**/*.md", "docs/README.md", true),
        ("docs/**/*.md", "docs/a/markdown/file.md", true),
        ("**/docs/**", "docs/hello.md", true),
        ("**/README.md", "README.md", true),
        ("**/README.md", "js/README.md", true),
        ("**/README.md", "xREADME.md", false),
        ("**/*src/**", "my-src/code/js/app.js", true),
        ("a**/b", "a/b", true),
        ("a**/b", "ab", false),
        ("\\*", "*", true),
        ("\\*", "x", false),
        ("a\\+", "a+", true),
        ("a+", "aaa", true),
        ("a+", "", false),
        ("ab?c", "ac", true),
        ("[CB]at", "Cat", true),
        ("[CB]at", "cat", false),
        ("[1-2]00", "200", true),
        ("[1-2]00", "300", false),
        ("!docs/**", "docs/a.md", true),
        ("\\!x", "!x", true),
        ("a!b", "a!b", true),
        ("]", "]", true),
        ("Main", "main", false),
        ("délivery/*", "délivery/ü", true),
        ("a.b", "axb", false),
    ];
    for (text, subject, want) in cases {
        assert_eq!(
            pattern(text).is_match(subject),
            *want,
            "{text} vs {subject}"
        );
    }
}

#[test]
fn pattern_errors() {
    let cases: &[(&str, &str)] = &[
        ("", "a filter pattern cannot be empty"),
        (
            "!",
            "invalid pattern `!`: `!` negates nothing: at least one character must follow it",
        ),
        (
            "v[0-9",
            "invalid pattern `v[0-9`: the `[` at column 2 is never closed by `]`; write `\\[` for a literal `[`",
        ),
        (
            "a\\",
            "invalid pattern `a\\\\`: the `\\` at column 2 escapes nothing; write `\\\\` for a literal backslash",
        ),
        (
            "+a",
            "invalid pattern `+a`: `+` at column 1 has no character before it to repeat (`+` matches one or more of the preceding character; write `\\+` for a literal `+`)",
        ),
        (
            "*?",
            "invalid pattern `*?`: `?` at column 2 has no character before it to repeat (`?` matches zero or one of the preceding character; write `\\?` for a literal `?`)",
        ),
        (
            "a++",
            "invalid pattern `a++`: `+` at column 3 has no character before it to repeat (`+` matches one or more of the preceding character; write `\\+` for a literal `+`)",
        ),
        (
            "!?a",
            "invalid pattern `!?a`: `?` at column 2 has no character before it to repeat (`?` matches zero or one of the preceding character; write `\\?` for a literal `?`)",
        ),
        (
            "x[]",
            "invalid pattern `x[]`: the `[]` at column 2 is empty; list the letters or digits it matches",
        ),
        (
            "[a-Z]",
            "invalid pattern `[a-Z]`: the range `a-Z` at column 2 is invalid: ranges can only include a-z, A-Z and 0-9, from low to high",
        ),
        (
            "[9-0]",
            "invalid pattern `[9-0]`: the range `9-0` at column 2 is invalid: ranges can only include a-z, A-Z and 0-9, from low to high",
        ),
        (
            "[a-]",
            "invalid pattern `[a-]`: the range starting `a-` at column 2 has no end",
        ),
        (
            "[._]",
            "invalid pattern `[._]`: `.` at column 2 cannot appear in `[]`, which matches one alphanumeric character (letters and digits, or ranges of them)",
        ),
    ];
    for (text, message) in cases {
        let err = GithubPattern::parse(text).unwrap_err();
        assert_eq!(err.code(), "invalid_pattern", "{text}");
        assert_eq!(err.to_string(), *message, "{text}");
        assert_eq!(err.input(), Some(*text));
    }
}

#[test]
fn pattern_regex_and_glob() {
    // (pattern, regex, glob)
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "docs/**/*.md",
            "(?s)^docs/(?:.*/)?[^/]*\\.md$",
            Some("docs/**/*.md"),
        ),
        ("**", "(?s)^.*$", Some("**")),
        ("**.js", "(?s)^.*\\.js$", Some("**/*.js")),
        (
            "releases/**-alpha",
            "(?s)^releases/.*\\-alpha$",
            Some("releases/**/*-alpha"),
        ),
        ("a**", "(?s)^a.*$", None),
        ("**/a/**", "(?s)^(?:.*/)?a/.*$", Some("**/a/**")),
        ("*.jsx?", "(?s)^[^/]*\\.jsx?$", None),
        ("v[0-9]+", "(?s)^v[0-9]+$", None),
        ("v[12].[0-9]", "(?s)^v[12]\\.[0-9]$", Some("v[12].[0-9]")),
        ("a\\*{b}", "(?s)^a\\*\\{b\\}$", Some("a[*][{]b[}]")),
        ("!src/**", "(?s)^src/.*$", Some("src/**")),
        (
            "**/x/**.go",
            "(?s)^(?:.*/)?x/.*\\.go$",
            Some("**/x/**/*.go"),
        ),
        ("a/**/b/**c/d", "(?s)^a/(?:.*/)?b/.*c/d$", None),
        ("a\\\\b", "(?s)^a\\\\b$", None),
        ("a/**/", "(?s)^a/(?:.*/)?$", None),
    ];
    for (text, regex, glob) in cases {
        let p = pattern(text);
        assert_eq!(p.to_regex(), *regex, "{text}");
        assert_eq!(p.as_glob().as_deref(), *glob, "{text}");
    }
}

/// Where a glob exists, globset with `literal_separator` agrees with the pattern on every probe.
#[test]
fn glob_is_equivalent() {
    let patterns = [
        "docs/**/*.md",
        "**",
        "*",
        "**.js",
        "releases/**-alpha",
        "**/a/**",
        "v[12].[0-9]",
        "a\\*{b}",
        "src/shipping/delivery/**",
        "**/README.md",
        "**/*src/**",
        "**/migrate-*.sql",
        "*.md",
        "docs/*",
        "a\\[x\\]",
        "a\\?",
        "!x,y-z^",
        "**/x/**.go",
    ];
    let probes = [
        "",
        "a",
        "a.js",
        "x/a.js",
        "x/y/a.js",
        "docs/README.md",
        "docs/a/b/c.md",
        "docs/x.txt",
        "README.md",
        "js/README.md",
        "releases/1-alpha",
        "releases/beta/3-alpha",
        "releases/-alpha",
        "a/b",
        "q/a/r",
        "a",
        "v1.5",
        "a*{b}",
        "a[x]",
        "a?",
        "ab",
        "!x,y-z^",
        "src/shipping/delivery/main.go",
        "my-src/code/js/app.js",
        "db/sept/migrate-v1.sql",
        "x/q.go",
        "p/x/q/r.go",
        ".js",
    ];
    for text in patterns {
        let p = pattern(text);
        let glob = p.as_glob().unwrap_or_else(|| panic!("{text} has a glob"));
        let matcher = globset::GlobBuilder::new(&glob)
            .literal_separator(true)
            .build()
            .unwrap_or_else(|e| panic!("{glob}: {e}"))
            .compile_matcher();
        for probe in probes {
            assert_eq!(
                matcher.is_match(probe),
                p.is_match(probe),
                "{text} (glob {glob}) vs {probe}"
            );
        }
    }
}

#[test]
fn pattern_round_trips_and_escapes() {
    for text in ["a", "!b/**", "v[0-9]+", "x\\*", "[CB]at"] {
        let p = pattern(text);
        assert_eq!(p.to_string(), text);
        assert_eq!(p.to_string().parse::<GithubPattern>().unwrap(), p);
        assert_eq!(serde_json::to_value(&p).unwrap(), serde_json::json!(text));
    }
    for literal in [
        "a*b",
        "!x",
        "c++",
        "[1]",
        "back\\slash",
        "q?",
        "plain/path.md",
    ] {
        let escaped = GithubPattern::escape(literal);
        let p = pattern(&escaped);
        assert!(!p.is_negated(), "{escaped}");
        assert!(p.is_match(literal), "{escaped} vs {literal}");
        assert_eq!(p.literal().as_deref(), Some(literal));
    }
}

#[test]
fn hostile_inputs_do_not_panic() {
    let big = "a".repeat(1 << 20);
    let stars = "*".repeat(100_000);
    let inputs = [
        big.as_str(),
        stars.as_str(),
        "\u{0}",
        "\n",
        "[",
        "\\",
        "?",
        "!!",
        "é+",
        "[é]",
        "a\u{7f}b",
        "[[[",
        "]]]",
        "**/**/**/",
    ];
    for input in inputs {
        if let Ok(p) = GithubPattern::parse(input) {
            let _ = p.is_match(input);
            let _ = p.as_glob();
            let _ = p.to_regex();
            let _ = p.sample("x");
        }
    }
    let err = GithubPattern::parse(&format!("{big}[")).unwrap_err();
    assert!(err.message().len() < 400, "the echo is shortened");
    for text in [
        big.as_str(),
        "on: [",
        "on:\n  push:\n    branches: [\u{0}]\n",
        "\u{feff}on: push",
    ] {
        let _ = Workflow::from_yaml_str(text);
    }
}

fn workflow(yaml: &str) -> Workflow {
    Workflow::from_yaml_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"))
}

#[test]
fn on_forms() {
    let cases: &[(&str, &[&str])] = &[
        ("on: push\n", &["push"]),
        ("on: [push, pull_request]\n", &["push", "pull_request"]),
        (
            "on:\n  - push\n  - workflow_dispatch\n",
            &["push", "workflow_dispatch"],
        ),
        (
            "name: ci\non:\n  push:\n  pull_request_target:\n    types: [opened]\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  a: {runs-on: x}\n",
            &["push", "pull_request_target", "schedule"],
        ),
        (
            "'on': {workflow_dispatch: {inputs: {x: {type: string}}}}\n",
            &["workflow_dispatch"],
        ),
    ];
    for (yaml, events) in cases {
        assert_eq!(workflow(yaml).events(), *events, "{yaml}");
    }
    let w = workflow("on:\n  push:\n    branches: main\n    paths: ['src/**', '!src/**.md']\n");
    let push = w.push().unwrap();
    assert_eq!(push.branches().unwrap().kind(), FilterKind::Branches);
    assert_eq!(push.paths().unwrap().patterns().len(), 2);
    let at = push.paths().unwrap().patterns()[1]
        .location
        .clone()
        .unwrap();
    assert_eq!((at.line, at.column), (4, 23));
    assert!(w.pull_request().is_none() && !w.is_manual());
}

#[test]
fn parse_errors() {
    // (yaml, code, message with location)
    let cases: &[(&str, &str, &str)] = &[
        (
            "name: x\njobs: {}\n",
            "invalid_pipeline",
            "the workflow has no `on:`: GitHub needs at least one event that triggers it",
        ),
        (
            "on: []\n",
            "invalid_pipeline",
            "line 1, column 5: `on:` lists no event: GitHub needs at least one event that triggers the workflow",
        ),
        (
            "on:\n  push:\n    branches: [main]\n    branches-ignore: [dev]\n",
            "invalid_pipeline",
            "line 4, column 5: `on.push` cannot use both `branches` and `branches-ignore`: GitHub rejects the combination; use `branches` with `!` patterns to exclude",
        ),
        (
            "on:\n  push:\n    tags-ignore: [x]\n    tags: [v*]\n",
            "invalid_pipeline",
            "line 4, column 5: `on.push` cannot use both `tags-ignore` and `tags`: GitHub rejects the combination; use `tags` with `!` patterns to exclude",
        ),
        (
            "on:\n  pull_request:\n    paths: [a]\n    paths-ignore: [b]\n",
            "invalid_pipeline",
            "line 4, column 5: `on.pull_request` cannot use both `paths` and `paths-ignore`: GitHub rejects the combination; use `paths` with `!` patterns to exclude",
        ),
        (
            "on:\n  push:\n    branch: [main]\n",
            "invalid_pipeline",
            "line 3, column 5: `on.push` has no filter `branch`: expected `branches`, `branches-ignore`, `tags`, `tags-ignore`, `paths`, `paths-ignore` (did you mean `branches`?)",
        ),
        (
            "on:\n  pull_request:\n    tags: [v1]\n",
            "invalid_pipeline",
            "line 3, column 5: `on.pull_request` has no filter `tags`: expected `types`, `branches`, `branches-ignore`, `paths`, `paths-ignore`",
        ),
        (
            "on:\n  pull_request:\n    types: [opend]\n",
            "invalid_pipeline",
            "line 3, column 13: `opend` is not a pull request activity type of `on.pull_request.types` (did you mean `opened`?)",
        ),
        (
            "on:\n  push:\n    branches:\n      - main\n      - 'v[0-9'\n",
            "invalid_pattern",
            "line 5, column 9: invalid pattern `v[0-9`: the `[` at column 2 is never closed by `]`; write `\\[` for a literal `[`",
        ),
        (
            "on:\n  push:\n    branches: ''\n",
            "invalid_pattern",
            "line 3, column 15: a filter pattern cannot be empty",
        ),
    ];
    for (yaml, code, message) in cases {
        let err = Workflow::from_yaml_str(yaml).unwrap_err();
        assert_eq!(
            (err.code(), err.to_string().as_str()),
            (*code, *message),
            "{yaml}"
        );
    }
    // Shapes the schema refuses: located YAML errors.
    for yaml in [
        "on: 3\n",
        "on:\n  push: [main]\n",
        "on:\n  push:\n    branches: {a: b}\n",
        "on:\n  push:\n    branches:\n",
        "- a\n- b\n",
        "on: [push\n",
    ] {
        let err = Workflow::from_yaml_str(yaml).unwrap_err();
        assert_eq!(err.code(), "invalid_pipeline", "{yaml}: {err}");
        assert!(err.location().is_some(), "{yaml}: {err}");
    }
}

fn push(reference: &str, paths: Option<&[&str]>) -> Event {
    Event {
        kind: Some(EventKind::Push),
        git_ref: reference.into(),
        changed: paths.map(|p| p.iter().map(|p| ChangedPath::modified(*p)).collect()),
        ..Event::default()
    }
}

#[test]
fn evaluate_push() {
    // (on.push body, ref, changed, run)
    type Case<'a> = (&'a str, &'a str, Option<&'a [&'a str]>, bool);
    let cases: &[Case<'_>] = &[
        ("{}", "main", None, true),
        ("{}", "refs/tags/v1", None, true),
        ("{branches: [main]}", "main", None, true),
        ("{branches: [main]}", "refs/heads/main", None, true),
        ("{branches: [main]}", "refs/tags/main", None, false),
        ("{tags: ['v*']}", "refs/tags/v1", None, true),
        ("{tags: ['v*']}", "v1", None, false),
        ("{branches-ignore: [dev]}", "refs/tags/v1", None, false),
        ("{tags-ignore: [x]}", "refs/tags/y", None, true),
        ("{tags-ignore: [x]}", "refs/tags/x", None, false),
        ("{branches: ['!main']}", "main", None, false),
        ("{branches: ['!main']}", "dev", None, false),
        ("{branches: ['**', '!main', 'ma*']}", "main", None, true),
        ("{paths: ['src/**']}", "refs/tags/v1", Some(&[]), true),
        ("{paths: ['src/**']}", "main", Some(&["docs/a"]), false),
        (
            "{paths: ['src/**']}",
            "main",
            Some(&["docs/a", "src/b"]),
            true,
        ),
        ("{paths: ['src/**']}", "main", None, true),
        ("{paths: ['src/**']}", "main", Some(&[]), false),
        ("{paths-ignore: ['docs/**']}", "main", Some(&[]), false),
        (
            "{paths: ['src/**', '!src/**.md']}",
            "main",
            Some(&["src/a.md"]),
            false,
        ),
        (
            "{paths: ['src/**', '!src/**.md']}",
            "main",
            Some(&["src/a.md", "src/a.go"]),
            true,
        ),
        (
            "{paths-ignore: ['docs/**', '!docs/keep.md']}",
            "main",
            Some(&["docs/keep.md"]),
            false,
        ),
        (
            "{branches: [main], paths: ['src/**']}",
            "dev",
            Some(&["src/a"]),
            false,
        ),
        (
            "{branches: [main], paths: ['src/**']}",
            "main",
            Some(&["x"]),
            false,
        ),
        (
            "{branches: [main], paths: ['src/**']}",
            "main",
            Some(&["src/a"]),
            true,
        ),
        ("{branches: []}", "main", None, false),
        ("{branches-ignore: []}", "main", None, true),
    ];
    for (body, reference, paths, run) in cases {
        let w = workflow(&format!("on:\n  push: {body}\n"));
        let decision = w.evaluate(&push(reference, *paths)).unwrap();
        assert_eq!(
            decision.run, *run,
            "{body} {reference} {paths:?}: {}",
            decision.reason
        );
        assert!(!decision.explain.is_empty(), "{body}");
    }
}

#[test]
fn renames_and_truncation() {
    let w = workflow("on:\n  push:\n    paths: ['old/**']\n");
    let mut event = push("main", Some(&[]));
    event.changed = Some(vec![ChangedPath {
        path: "new/a".into(),
        status: crate::trigger::ChangeStatus::Renamed,
        previous_path: Some("old/a".into()),
    }]);
    assert!(
        w.evaluate(&event).unwrap().run,
        "both sides of a rename count"
    );
    let mut many: Vec<String> = (0..400).map(|i| format!("x/{i}")).collect();
    many.push("old/late".into());
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let decision = w.evaluate(&push("main", Some(&refs))).unwrap();
    assert!(!decision.run, "only the first 300 files are matched");
    assert!(decision.reason.contains("first 300"), "{}", decision.reason);
    let mut event = push("main", Some(&refs));
    event.commit_messages = vec!["m".into(); 1001];
    assert!(
        w.evaluate(&event).unwrap().run,
        "over 1,000 commits always runs"
    );
}

#[test]
fn reasons_and_trace() {
    let w = workflow("on:\n  push:\n    branches: ['releases/**', '!releases/**-alpha']\n");
    let d = w.evaluate(&push("releases/1-alpha", None)).unwrap();
    assert_eq!(
        d.reason,
        "does not run: branch `releases/1-alpha` is excluded by `!releases/**-alpha` in `on.push.branches`"
    );
    assert_eq!(d.explain[0].outcome, "excluded");
    assert_eq!(d.explain[0].pattern.as_deref(), Some("!releases/**-alpha"));
    let d = w.evaluate(&push("releases/1", None)).unwrap();
    assert_eq!(
        d.reason,
        "runs: branch `releases/1` is included by `releases/**` in `on.push.branches`"
    );
    let d = w.evaluate(&push("refs/tags/v1", None)).unwrap();
    assert_eq!(
        d.reason,
        "does not run: `on.push` filters branch names only (`branches`), so the push of tag `v1` does not run"
    );
    let d = workflow("on: pull_request\n")
        .evaluate(&push("main", None))
        .unwrap();
    assert_eq!(
        d.reason,
        "does not run: the workflow does not trigger on `push`"
    );
}

#[test]
fn evaluate_pull_requests_and_skips() {
    let pr = |kind, base: Option<&str>, message: Option<&str>| Event {
        kind: Some(kind),
        git_ref: "feature/delivery/x".into(),
        base_ref: base.map(str::to_owned),
        commit_messages: message.map(|m| vec![m.to_owned()]).unwrap_or_default(),
        ..Event::default()
    };
    let w = workflow(
        "on:\n  pull_request:\n    branches: [main]\n  pull_request_target:\n    branches: [main]\n",
    );
    let cases = [
        (EventKind::PullRequest, Some("main"), None, true),
        (EventKind::PullRequest, Some("refs/heads/main"), None, true),
        (EventKind::PullRequest, Some("dev"), None, false),
        (
            EventKind::PullRequest,
            Some("main"),
            Some("wip [skip ci]"),
            false,
        ),
        (
            EventKind::PullRequestTarget,
            Some("main"),
            Some("wip [skip ci]"),
            true,
        ),
        (
            EventKind::PullRequest,
            Some("main"),
            Some("a\n\nskip-checks: true"),
            false,
        ),
        (
            EventKind::PullRequest,
            Some("main"),
            Some("skip-checks: true"),
            true,
        ),
        (
            EventKind::PullRequest,
            Some("main"),
            Some("[Skip CI]"),
            true,
        ),
    ];
    for (kind, base, message, run) in cases {
        let d = w.evaluate(&pr(kind, base, message)).unwrap();
        assert_eq!(d.run, run, "{kind} {base:?} {message:?}: {}", d.reason);
    }
    let err = w
        .evaluate(&pr(EventKind::PullRequest, None, None))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_event");
    assert_eq!(
        err.to_string(),
        "a pull request event needs `base_ref`, the branch it targets: GitHub matches pull request branch filters against the base branch"
    );
    let err = w
        .evaluate(&pr(EventKind::PullRequest, Some("refs/tags/v1"), None))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_event");
    let err = workflow("on: push")
        .evaluate(&push("refs/pull/1/merge", None))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`refs/pull/1/merge` is neither a branch (`refs/heads/...`) nor a tag (`refs/tags/...`): GitHub push filters only see branches and tags"
    );
    assert_eq!(
        workflow("on: push")
            .evaluate(&push("", None))
            .unwrap_err()
            .code(),
        "invalid_event"
    );

    let typed = workflow("on:\n  pull_request:\n    types: [closed]\n");
    assert!(
        !typed
            .evaluate(&pr(EventKind::PullRequest, Some("main"), None))
            .unwrap()
            .run
    );
    let typed = workflow("on:\n  pull_request:\n    types: synchronize\n");
    assert!(
        typed
            .evaluate(&pr(EventKind::PullRequest, Some("main"), None))
            .unwrap()
            .run
    );
}

#[test]
fn skip_instructions() {
    let cases: &[(&str, Option<&str>)] = &[
        ("fix [skip ci]", Some("[skip ci]")),
        ("[ci skip] fix", Some("[ci skip]")),
        ("x\n\nbody [no ci]", Some("[no ci]")),
        ("[skip actions]", Some("[skip actions]")),
        ("[actions skip]", Some("[actions skip]")),
        ("[skip  ci]", None),
        ("[SKIP CI]", None),
        ("fix\n\nskip-checks:true", Some("skip-checks:true")),
        (
            "fix\n\nSigned-off-by: a <a@b>\nskip-checks: true\n",
            Some("skip-checks: true"),
        ),
        (
            "fix\r\n\r\nskip-checks: true\r\n",
            Some("skip-checks: true"),
        ),
        ("fix\n\nskip-checks: true\nSigned-off-by: a", None),
        ("skip-checks: true", None),
        ("fix\nskip-checks: true", None),
        ("fix\n\nskip-checks: false", None),
        ("", None),
    ];
    for (message, want) in cases {
        assert_eq!(skip_instruction(message), *want, "{message:?}");
    }
}

#[test]
fn manual_and_kindless_events() {
    let manual = Event {
        kind: Some(EventKind::Manual),
        git_ref: "main".into(),
        ..Event::default()
    };
    assert!(
        workflow("on: workflow_dispatch")
            .evaluate(&manual)
            .unwrap()
            .run
    );
    assert!(!workflow("on: push").evaluate(&manual).unwrap().run);
    let kindless = Event {
        git_ref: "main".into(),
        ..Event::default()
    };
    assert!(workflow("on: push").evaluate(&kindless).unwrap().run);
}

mod lints {
    use super::*;
    use crate::branch::BranchRules;
    use crate::trigger::lint::{LintContext, Severity};

    fn codes(yaml: &str, repo_paths: Option<&[&str]>) -> Vec<(String, Severity, Option<String>)> {
        let rules = BranchRules::default();
        let mut ctx = LintContext::new(&rules, vec!["delivery".into(), "ingestion".into()]);
        if let Some(paths) = repo_paths {
            ctx = ctx.with_repo_paths(paths.iter().map(|p| (*p).to_owned()).collect());
        }
        workflow(yaml)
            .lint(&ctx)
            .into_iter()
            .map(|f| (f.code, f.severity, f.suggestion))
            .collect()
    }

    fn one(
        code: &str,
        severity: Severity,
        suggestion: Option<&str>,
    ) -> Vec<(String, Severity, Option<String>)> {
        vec![(code.to_owned(), severity, suggestion.map(str::to_owned))]
    }

    #[test]
    fn branch_patterns() {
        let clean = [
            "on:\n  push:\n    branches: [master, 'feature/delivery/**', 'topic/delivery/**', 'release/delivery/v*']\n",
            "on:\n  push:\n    branches: ['release/*/v[0-9]+.[0-9]+.[0-9]+', 'feature/delivery/fix-*', '**']\n",
            "on:\n  pull_request:\n    branches: [main, 'release/**']\n",
            "on:\n  push:\n    tags: ['anything-goes']\n",
        ];
        for yaml in clean {
            assert_eq!(codes(yaml, None), vec![], "{yaml}");
        }
        assert_eq!(
            codes(
                "on:\n  push:\n    branches: ['relelase/delivery/v*']\n",
                None
            ),
            one(
                "unmatched_branch_pattern",
                Severity::Error,
                Some("release/delivery/v*")
            )
        );
        assert_eq!(
            codes("on:\n  push:\n    branches: ['release/delivry/v*']\n", None),
            one(
                "unmatched_branch_pattern",
                Severity::Error,
                Some("release/delivery/v*")
            )
        );
        assert_eq!(
            codes("on:\n  push:\n    branches: ['**', '!hotfix/**']\n", None),
            one("unmatched_branch_pattern", Severity::Warning, None)
        );
        assert_eq!(
            codes("on:\n  push:\n    branches-ignore: ['develop']\n", None),
            one("unmatched_branch_pattern", Severity::Warning, None)
        );
    }

    #[test]
    fn list_checks() {
        assert_eq!(
            codes("on:\n  push:\n    branches: ['!main']\n", None),
            one(
                "exclude_only_list",
                Severity::Warning,
                Some("branches-ignore: ['main']")
            )
        );
        assert_eq!(
            codes("on:\n  push:\n    paths-ignore: ['**']\n", None),
            one("ignores_everything", Severity::Warning, None)
        );
        assert_eq!(
            codes(
                "on:\n  push:\n    paths-ignore: ['docs/**', '!docs/x.md']\n",
                None
            ),
            one("negation_in_ignore_list", Severity::Warning, None)
        );
        assert_eq!(
            codes("on:\n  push:\n    tags: []\n", None),
            one("empty_filter_list", Severity::Warning, None)
        );
    }

    #[test]
    fn path_patterns() {
        let repo: &[&str] = &[
            "src/shipping/delivery/main.go",
            "docs/README.md",
            "README.md",
        ];
        assert_eq!(
            codes(
                "on:\n  push:\n    paths: ['src/shipping/delivery/**']\n",
                Some(repo)
            ),
            vec![]
        );
        assert_eq!(
            codes(
                "on:\n  push:\n    paths: ['src/Shipping/delivery/**']\n",
                Some(repo)
            ),
            one(
                "unmatched_path_pattern",
                Severity::Warning,
                Some("src/shipping/delivery/**")
            )
        );
        assert_eq!(
            codes("on:\n  push:\n    paths: ['docs']\n", Some(repo)),
            one("unmatched_path_pattern", Severity::Warning, Some("docs/**"))
        );
        assert_eq!(
            codes("on:\n  push:\n    paths: ['charts/**']\n", Some(repo)),
            one("unmatched_path_pattern", Severity::Warning, None)
        );
    }
}

/// Seeded fuzz: random patterns never panic, display as written, and wherever a glob exists
/// globset agrees with the pattern on random subjects.
#[test]
fn seeded_patterns_round_trip_and_globs_agree() {
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
        }
        fn string(&mut self, alphabet: &[&str], max: usize) -> String {
            let len = self.below(max + 1);
            (0..len)
                .map(|_| alphabet[self.below(alphabet.len())])
                .collect()
        }
    }
    const PATTERN: &[&str] = &[
        "a", "b", "/", "*", "**", "?", "+", "[ab]", "[0-9]", "\\*", ".", "!", "x", "{", "]", "\\",
        "é", "\n",
    ];
    const SUBJECT: &[&str] = &["a", "b", "/", "x", ".", "*", "0", "{", "]", "!", "é"];
    let mut rng = Rng(0x5eed_6174_6875_6221);
    let (mut parsed, mut globbed) = (0, 0);
    for _ in 0..3_000 {
        let text = rng.string(PATTERN, 8);
        let Ok(p) = GithubPattern::parse(&text) else {
            continue;
        };
        parsed += 1;
        assert_eq!(p.to_string(), text);
        assert_eq!(p.to_string().parse::<GithubPattern>().unwrap(), p);
        let sample = p.sample("x");
        assert!(
            p.is_match(&sample),
            "{text:?} does not match its own sample {sample:?}"
        );
        let Some(glob) = p.as_glob() else {
            continue;
        };
        globbed += 1;
        let matcher = globset::GlobBuilder::new(&glob)
            .literal_separator(true)
            .build()
            .unwrap_or_else(|e| panic!("{text:?} -> {glob:?}: {e}"))
            .compile_matcher();
        for _ in 0..30 {
            let subject = rng.string(SUBJECT, 6);
            assert_eq!(
                matcher.is_match(&subject),
                p.is_match(&subject),
                "{text:?} (glob {glob:?}) vs {subject:?}"
            );
        }
    }
    assert!(
        parsed > 1_000 && globbed > 500,
        "{parsed} parsed, {globbed} globbed"
    );
}
