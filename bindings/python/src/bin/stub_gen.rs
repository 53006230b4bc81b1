//! Writes `python/shiprail/_native.pyi` from the annotated Rust code; with `--check`, compares
//! instead and exits 1 when the committed stub differs (the test script's drift check).
//!
//! Built only with the `stub-gen` feature and without the default `abi3` one:
//! `cargo run -p shiprail-python --no-default-features --features stub-gen --bin stub_gen`.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let info = match _native::stub_info() {
        Ok(info) => info,
        Err(e) => {
            eprintln!("stub_gen: {e}");
            return ExitCode::from(2);
        }
    };
    let Some(module) = info.modules.get(_native::MODULE) else {
        eprintln!("stub_gen: no items registered for {}", _native::MODULE);
        return ExitCode::from(2);
    };
    let stub = module.format_with_config(false);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../python/shiprail/_native.pyi");
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == stub {
            println!("stub_gen: {} is up to date", path.display());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "stub_gen: {} differs from the stub generated from the Rust code; run `cargo run -p shiprail-python --no-default-features --features stub-gen --bin stub_gen` and commit it",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    match std::fs::write(&path, stub) {
        Ok(()) => {
            println!("stub_gen: wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("stub_gen: cannot write {}: {e}", path.display());
            ExitCode::from(2)
        }
    }
}
