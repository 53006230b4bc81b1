//! Changed paths read from real git repositories made in temporary folders.
#![allow(clippy::unwrap_used)]

use shiprail::ErrorKind;
use shiprail::changes::{Git, changed_between, changed_for_new_branch, changed_for_pull_request};
use shiprail::trigger::{ChangeStatus, ChangedPath};
use std::path::Path;
use std::process::Command;

/// A throwaway repository with `main` as its first branch and a fixed identity.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .args([
                "-c",
                "user.name=shiprail test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn write(&self, path: &str, content: &str) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).unwrap();
    }

    /// Commits everything in the work tree; returns the commit id.
    fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }
}

/// (status, path, previous path) sorted by path, for comparisons.
fn summary(changed: &[ChangedPath]) -> Vec<(ChangeStatus, String, Option<String>)> {
    let mut v: Vec<_> = changed
        .iter()
        .map(|c| (c.status, c.path.clone(), c.previous_path.clone()))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

fn entry(status: ChangeStatus, path: &str) -> (ChangeStatus, String, Option<String>) {
    (status, path.to_string(), None)
}

/// Content long enough for rename detection to see a similarity.
fn body(seed: &str) -> String {
    (0..40).map(|i| format!("{seed} line {i}\n")).collect()
}

#[test]
fn added_modified_deleted_between_two_commits() {
    let repo = Repo::new();
    repo.write("src/shipping/delivery/app.cs", &body("app"));
    repo.write("src/shipping/delivery/README.md", "docs");
    repo.write("charts/delivery/Chart.yaml", "name: delivery");
    let base = repo.commit("one");
    repo.write("src/shipping/delivery/app.cs", &body("app v2"));
    repo.remove("src/shipping/delivery/README.md");
    repo.write("src/shipping/package/index.js", "x");
    let head = repo.commit("two");

    let changed = changed_between(repo.path(), &base, &head).unwrap();
    assert_eq!(
        summary(&changed),
        vec![
            entry(ChangeStatus::Deleted, "src/shipping/delivery/README.md"),
            entry(ChangeStatus::Modified, "src/shipping/delivery/app.cs"),
            entry(ChangeStatus::Added, "src/shipping/package/index.js"),
        ]
    );
    // Revisions may be any name git resolves.
    let by_name = changed_between(repo.path(), "HEAD~1", "main").unwrap();
    assert_eq!(summary(&by_name), summary(&changed));
    // Nothing changed between a commit and itself.
    assert!(
        changed_between(repo.path(), "HEAD", "HEAD")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn renames_report_both_paths() {
    let repo = Repo::new();
    repo.write("src/a/util.cs", &body("util"));
    let base = repo.commit("one");
    std::fs::create_dir_all(repo.path().join("src/b")).unwrap();
    repo.git(&["mv", "src/a/util.cs", "src/b/util.cs"]);
    repo.commit("move");
    let changed = changed_between(repo.path(), &base, "HEAD").unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].status, ChangeStatus::Renamed);
    assert_eq!(changed[0].path, "src/b/util.cs");
    assert_eq!(changed[0].previous_path.as_deref(), Some("src/a/util.cs"));
    assert_eq!(
        changed[0].paths().collect::<Vec<_>>(),
        ["src/b/util.cs", "src/a/util.cs"]
    );
}

#[test]
fn a_rename_with_edits_is_still_a_rename() {
    let repo = Repo::new();
    repo.write("old/name.cs", &body("same"));
    let base = repo.commit("one");
    repo.remove("old/name.cs");
    let mut edited = body("same");
    edited.push_str("one more line\n");
    repo.write("new/name.cs", &edited);
    repo.commit("move and edit");
    let changed = changed_between(repo.path(), &base, "HEAD").unwrap();
    assert_eq!(
        summary(&changed),
        vec![(
            ChangeStatus::Renamed,
            "new/name.cs".to_string(),
            Some("old/name.cs".to_string())
        )]
    );
}

#[test]
fn a_file_turned_symlink_is_modified() {
    let repo = Repo::new();
    repo.write("config/app.json", "{}");
    let base = repo.commit("one");
    repo.remove("config/app.json");
    std::os::unix::fs::symlink("../other.json", repo.path().join("config/app.json")).unwrap();
    repo.commit("symlink");
    let changed = changed_between(repo.path(), &base, "HEAD").unwrap();
    assert_eq!(
        summary(&changed),
        vec![entry(ChangeStatus::Modified, "config/app.json")]
    );
}

/// main: base -> m1 (touches main.txt); feature (from base): f1 (touches feature.txt).
fn forked_repo() -> Repo {
    let repo = Repo::new();
    repo.write("shared.txt", "base");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature/delivery/retry"]);
    repo.write("src/delivery/retry.cs", "retry");
    repo.commit("feature work");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("src/package/main-only.cs", "main");
    repo.commit("main moves on");
    repo
}

#[test]
fn pull_requests_compare_from_the_merge_base() {
    let repo = forked_repo();
    let pr = changed_for_pull_request(repo.path(), "main", "feature/delivery/retry").unwrap();
    assert_eq!(
        summary(&pr),
        vec![entry(ChangeStatus::Added, "src/delivery/retry.cs")]
    );
    // Two dots compare the tips: what main gained meanwhile shows up (as a deletion).
    let push = changed_between(repo.path(), "main", "feature/delivery/retry").unwrap();
    assert_eq!(
        summary(&push),
        vec![
            entry(ChangeStatus::Added, "src/delivery/retry.cs"),
            entry(ChangeStatus::Deleted, "src/package/main-only.cs"),
        ]
    );
}

#[test]
fn new_branches_compare_from_where_they_forked() {
    let repo = forked_repo();
    let changed = changed_for_new_branch(repo.path(), "feature/delivery/retry", "main").unwrap();
    assert_eq!(
        summary(&changed),
        vec![entry(ChangeStatus::Added, "src/delivery/retry.cs")]
    );
    // A branch pushed without new commits changed nothing.
    repo.git(&["branch", "topic/empty", "main"]);
    assert!(
        changed_for_new_branch(repo.path(), "topic/empty", "main")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_orphan_branch_changed_every_file_it_holds() {
    let repo = forked_repo();
    repo.git(&["checkout", "-q", "--orphan", "gh-pages"]);
    repo.git(&["rm", "-rq", "--cached", "."]);
    for f in ["shared.txt", "src/package/main-only.cs"] {
        repo.remove(f);
    }
    repo.write("index.html", "<html>");
    repo.write("assets/site.css", "body{}");
    repo.commit("pages");
    let changed = changed_for_new_branch(repo.path(), "gh-pages", "main").unwrap();
    assert_eq!(
        summary(&changed),
        vec![
            entry(ChangeStatus::Added, "assets/site.css"),
            entry(ChangeStatus::Added, "index.html"),
        ]
    );
    // A pull request needs a common history.
    let err = changed_for_pull_request(repo.path(), "main", "gh-pages").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Git);
    assert_eq!(
        err.message(),
        format!(
            "`main` and `gh-pages` have no common history in `{}`: a pull request is compared from their merge-base",
            repo.path().display()
        )
    );
}

#[test]
fn merge_commits_compare_trees() {
    let repo = forked_repo();
    let before = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "merge feature",
        "feature/delivery/retry",
    ]);
    let changed = changed_between(repo.path(), &before, "HEAD").unwrap();
    assert_eq!(
        summary(&changed),
        vec![entry(ChangeStatus::Added, "src/delivery/retry.cs")]
    );
}

#[test]
fn thousands_of_files_are_read_without_a_cap() {
    let repo = Repo::new();
    repo.write("README.md", "x");
    let base = repo.commit("one");
    for i in 0..2500 {
        repo.write(&format!("src/svc{:02}/file{i:04}.cs", i % 37), "x");
    }
    repo.commit("many");
    let changed = changed_between(repo.path(), &base, "HEAD").unwrap();
    assert_eq!(changed.len(), 2500);
    assert!(changed.iter().all(|c| c.status == ChangeStatus::Added));
    assert!(changed.iter().any(|c| c.path == "src/svc20/file2499.cs"));
}

#[test]
fn odd_file_names_survive_intact() {
    let names = [
        "with space/file name.cs",
        "new\nline.txt",
        "tab\there.txt",
        "quote\"d.txt",
        "back\\slash.txt",
        "caf\u{e9}/\u{1f680} launch.md",
        "-rf",
        "star*.txt",
        ".github/workflows/ci.yml",
    ];
    let repo = Repo::new();
    repo.write("keep", "x");
    let base = repo.commit("one");
    for name in names {
        repo.write(name, "x");
    }
    repo.commit("odd names");
    let changed = changed_between(repo.path(), &base, "HEAD").unwrap();
    let mut got: Vec<&str> = changed.iter().map(|c| c.path.as_str()).collect();
    got.sort_unstable();
    let mut want = names.to_vec();
    want.sort_unstable();
    assert_eq!(got, want);
}

#[test]
fn unknown_revisions_are_named() {
    let repo = Repo::new();
    repo.write("a", "x");
    repo.commit("one");
    for (base, head, bad) in [
        ("v9.9.9", "HEAD", "v9.9.9"),
        ("HEAD", "release/nope", "release/nope"),
        ("HEAD~5", "HEAD", "HEAD~5"),
    ] {
        let err = changed_between(repo.path(), base, head).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Git);
        let prefix = format!(
            "unknown revision `{bad}` in `{}`: no commit has that name (git says: ",
            repo.path().display()
        );
        assert!(err.message().starts_with(&prefix), "{err}");
        assert_eq!(err.input(), Some(bad));
    }
    let err = changed_for_pull_request(repo.path(), "nope", "HEAD").unwrap_err();
    assert!(
        err.message().starts_with("unknown revision `nope` in `"),
        "{err}"
    );
    let err = changed_for_new_branch(repo.path(), "HEAD", "trunk").unwrap_err();
    assert!(
        err.message().starts_with("unknown revision `trunk` in `"),
        "{err}"
    );
}

#[test]
fn a_folder_that_is_not_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let err = changed_between(dir.path(), "HEAD~1", "HEAD").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Git);
    let prefix = format!(
        "`{}` is not a git repository: git says: fatal: not a git repository",
        dir.path().display()
    );
    assert!(err.message().starts_with(&prefix), "{err}");

    let missing = dir.path().join("missing");
    let err = changed_between(&missing, "a", "b").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Git);
    assert!(
        err.message()
            .starts_with(&format!("`{}` is not a git repository", missing.display())),
        "{err}"
    );
}

#[test]
fn git_missing() {
    let repo = Repo::new();
    let err = Git::new(repo.path())
        .with_program("/nonexistent/bin/git")
        .changed_between("HEAD~1", "HEAD")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Git);
    assert_eq!(
        err.message(),
        "cannot run `/nonexistent/bin/git`: git is not installed or not on PATH"
    );
}

#[test]
fn hostile_revisions_never_panic() {
    let repo = Repo::new();
    repo.write("a", "x");
    repo.commit("one");
    let long = "a".repeat(1 << 20);
    let inputs = [
        "",
        "-",
        "--output=/tmp/pwned",
        "\u{0}",
        "a\u{1b}[31m",
        long.as_str(),
        "\u{1f680}",
        "HEAD..HEAD",
        "HEAD...HEAD",
        "HEAD:a",
        "@{-1}",
    ];
    for input in inputs {
        for result in [
            changed_between(repo.path(), input, "HEAD"),
            changed_between(repo.path(), "HEAD", input),
            changed_for_pull_request(repo.path(), input, "HEAD"),
            changed_for_new_branch(repo.path(), input, "main"),
        ] {
            let Err(err) = result else {
                panic!("{input:?} was accepted")
            };
            assert_eq!(err.kind(), ErrorKind::Git, "{input:?}: {err}");
        }
    }
    assert!(!Path::new("/tmp/pwned").exists());
}
