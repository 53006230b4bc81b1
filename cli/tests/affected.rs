//! `shiprail affected` end to end: changed paths from a file, stdin or a real git repository.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn example_config() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/drone-delivery/shiprail.yaml")
        .display()
        .to_string()
}

/// Runs the binary in `dir` with `stdin`; returns (exit code, stdout as JSON).
fn run_in(dir: &Path, args: &[&str], stdin: &str) -> (i32, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit before reading stdin (an error found first): a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout of {args:?} is not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), value)
}

fn run(args: &[&str]) -> (i32, Value) {
    run_in(&std::env::temp_dir(), args, "")
}

#[test]
fn changed_paths_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("changed.txt");
    std::fs::write(
        &list,
        "src/shipping/package/app.js\r\n\nREADME.md\nsrc/shipping/package/README.md\n",
    )
    .unwrap();
    let config = example_config();
    let list = list.display().to_string();
    let (code, out) = run(&["affected", "--config", &config, "--changed-from", &list]);
    assert_eq!(code, 0);
    assert_eq!(out, json!({"affected": ["package"]}));
}

#[test]
fn changed_paths_from_stdin_with_explain() {
    let config = example_config();
    let (code, out) = run_in(
        &std::env::temp_dir(),
        &[
            "affected",
            "--config",
            &config,
            "--changed-from",
            "-",
            "--explain",
        ],
        "docs/x.md\nlibs/common/retry.cs\n",
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        json!({
            "affected": ["delivery", "workflow"],
            "explain": [
                {"service": "delivery", "path": "libs/common/retry.cs",
                 "pattern": "libs/common/**", "matched_by": "depends_on"},
                {"service": "workflow", "path": "libs/common/retry.cs",
                 "pattern": "libs/common/**", "matched_by": "depends_on"},
            ]
        })
    );
    let (code, out) = run_in(
        &std::env::temp_dir(),
        &["affected", "--config", &config, "--changed-from", "-"],
        "",
    );
    assert_eq!((code, out), (0, json!({"affected": []})));
    // `git diff --name-status` output as it is: both sides of a rename count.
    let (code, out) = run_in(
        &std::env::temp_dir(),
        &["affected", "--config", &config, "--changed-from", "-"],
        "M\tREADME.md\nR087\tsrc/shipping/package/a.js\tsrc/shipping/ingestion/a.js\n",
    );
    assert_eq!(
        (code, out),
        (0, json!({"affected": ["ingestion", "package"]}))
    );
    // git quotes a path holding a tab or non-ASCII bytes; the quoted form is read.
    let (code, out) = run_in(
        &std::env::temp_dir(),
        &["affected", "--config", &config, "--changed-from", "-"],
        "U\t\"src/shipping/package/caf\\303\\251\\tx.js\"\n",
    );
    assert_eq!((code, out), (0, json!({"affected": ["package"]})));
}

/// A repository holding the example's shiprail.yaml, with main and a feature branch.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        std::fs::copy(example_config(), repo.path().join("shiprail.yaml")).unwrap();
        repo.write("README.md", "monorepo");
        repo.commit("base");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
    }

    fn write(&self, path: &str, content: &str) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn run(&self, args: &[&str]) -> (i32, Value) {
        run_in(self.path(), args, "")
    }
}

#[test]
fn changed_paths_from_git() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "feature/delivery/retry"]);
    repo.write("src/shipping/delivery/Retry.cs", "retry");
    repo.commit("retry");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("src/shipping/ingestion/Batch.cs", "batch");
    repo.commit("batching");

    // A push: two dots.
    let (code, out) = repo.run(&["affected", "--base", "HEAD~1", "--head", "HEAD"]);
    assert_eq!((code, out), (0, json!({"affected": ["ingestion"]})));
    // Tip against tip counts main's new file too (as deleted on the branch side).
    let (code, out) = repo.run(&[
        "affected",
        "--base",
        "main",
        "--head",
        "feature/delivery/retry",
    ]);
    assert_eq!(
        (code, out),
        (
            0,
            json!({"affected": ["delivery", "ingestion", "workflow"]})
        )
    );
    // A pull request: three dots, only the branch's own change.
    let (code, out) = repo.run(&[
        "affected",
        "--base",
        "main",
        "--head",
        "feature/delivery/retry",
        "--pr",
    ]);
    assert_eq!(
        (code, out),
        (0, json!({"affected": ["delivery", "workflow"]}))
    );
    // A new branch: from where it forked.
    let (code, out) = repo.run(&[
        "affected",
        "--head",
        "feature/delivery/retry",
        "--default-branch",
        "main",
        "--explain",
    ]);
    assert_eq!(code, 0);
    assert_eq!(out["affected"], json!(["delivery", "workflow"]));
    assert_eq!(out["explain"][1]["via"], json!(["delivery"]));
    // --repo points elsewhere; --config too.
    let repo_dir = repo.path().display().to_string();
    let config = example_config();
    let (code, out) = run(&[
        "affected", "--config", &config, "--repo", &repo_dir, "--base", "HEAD~1", "--head", "HEAD",
    ]);
    assert_eq!((code, out), (0, json!({"affected": ["ingestion"]})));
}

#[test]
fn git_errors_exit_2_with_the_code() {
    let repo = Repo::new();
    let (code, out) = repo.run(&["affected", "--base", "v9.9.9", "--head", "HEAD"]);
    assert_eq!(code, 2);
    assert_eq!(out["error"]["code"], "git");
    assert_eq!(out["error"]["input"], "v9.9.9");
    let message = out["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("unknown revision `v9.9.9` in `.`: no commit has that name"),
        "{message}"
    );

    let (code, out) = repo.run(&["affected", "--base", "main..HEAD", "--head", "HEAD"]);
    assert_eq!(code, 2);
    assert_eq!(
        out["error"]["message"],
        "invalid revision `main..HEAD`: a revision names one commit; `..` would make it a range (pass its ends as base and head)"
    );
}

#[test]
fn input_errors_exit_2() {
    let config = example_config();
    let (code, out) = run(&[
        "affected",
        "--config",
        &config,
        "--changed-from",
        "/nonexistent/changed.txt",
    ]);
    assert_eq!(code, 2);
    assert_eq!(out["error"]["code"], "io");

    // A change list that is not `git diff --name-status` output is refused, naming the line.
    let (code, out) = run_in(
        &std::env::temp_dir(),
        &["affected", "--config", &config, "--changed-from", "-"],
        "M\tREADME.md\nR100\tsrc/shipping/package/a.js\n",
    );
    assert_eq!(code, 2);
    assert_eq!(out["error"]["code"], "git");
    assert_eq!(
        out["error"]["message"],
        "malformed `git diff --name-status` output, line 2: status `R100` is followed by 1 path, not 2 (the old path, then the new one)"
    );

    let dir = tempfile::tempdir().unwrap();
    let (code, out) = run_in(dir.path(), &["affected", "--changed-from", "-"], "src/x\n");
    assert_eq!(code, 2);
    assert_eq!(
        out["error"]["message"],
        "no `shiprail.yaml` in the current directory: pass --config FILE"
    );
}

#[test]
fn usage_errors() {
    let config = example_config();
    for args in [
        vec!["affected", "--config", &config],
        vec!["affected", "--config", &config, "--base", "HEAD~1"],
        vec!["affected", "--config", &config, "--head", "HEAD", "--pr"],
        vec![
            "affected",
            "--config",
            &config,
            "--changed-from",
            "-",
            "--base",
            "a",
            "--head",
            "b",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_shiprail"))
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn text_format_and_timings() {
    let config = example_config();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args([
            "--format",
            "text",
            "affected",
            "--config",
            &config,
            "--changed-from",
            "-",
            "--timings",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"src/shipping/delivery/a.cs\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "affected: delivery, workflow\n"
    );
    let timings: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(timings["services"], 5);
    assert_eq!(timings["paths"], 1);
    assert!(timings["timings_ms"]["evaluate"].as_f64().unwrap() >= 0.0);
}
