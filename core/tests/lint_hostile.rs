//! Lint stays linear on hostile repository listings: very deep paths, many files.
#![allow(clippy::unwrap_used)]

use shiprail::branch::BranchRules;
use shiprail::trigger::lint::LintContext;
use shiprail::trigger::{Dialect, PipelineFile};

#[test]
fn deep_paths_do_not_blow_up_path_suggestions() {
    let rules = BranchRules::default();
    let deep = "a/".repeat(50_000) + "end.txt";
    let wide: Vec<String> = (0..20_000).map(|i| format!("src/svc{i}/main.c")).collect();
    let mut paths = wide;
    paths.push(deep);
    let context = LintContext::new(&rules, vec!["delivery".into()]).with_repo_paths(paths);
    for (dialect, text) in [
        (
            Dialect::Azure,
            "trigger:\n  paths:\n    include: [/src/Svc1/]\n",
        ),
        (
            Dialect::Github,
            "on:\n  push:\n    paths: ['src/Svc1/**']\n",
        ),
    ] {
        let pipeline = PipelineFile::from_yaml_str(dialect, text).unwrap();
        let findings = pipeline.lint(&context);
        let finding = findings
            .iter()
            .find(|f| f.code == "unmatched_path_pattern")
            .unwrap();
        assert!(
            finding.suggestion.as_deref().unwrap_or("").contains("svc1"),
            "{dialect}: {finding}"
        );
    }
}
