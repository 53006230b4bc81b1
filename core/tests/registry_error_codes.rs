//! Every error code is documented in docs/cli.md's error table, with the exit code the CLI
//! gives it (1 for a rule violation, 2 otherwise).
#![allow(clippy::unwrap_used)]

use shiprail::ErrorKind;

#[test]
fn every_error_code_has_a_row_in_the_cli_error_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cli.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut missing = Vec::new();
    for kind in ErrorKind::ALL {
        let exit = if kind.is_rule_violation() { 1 } else { 2 };
        let row = format!("| `{}` | {exit} |", kind.code());
        if !text.lines().any(|line| line.starts_with(&row)) {
            missing.push(row);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/cli.md lacks these error table rows:\n{}",
        missing.join("\n")
    );
}
