//! One module per subcommand; shared argument handling here.

pub(crate) mod affected;
pub(crate) mod branch;
pub(crate) mod chart;
pub(crate) mod config;
pub(crate) mod image;
pub(crate) mod lint;
pub(crate) mod plan;
pub(crate) mod release;
pub(crate) mod trigger;
pub(crate) mod version;

use shiprail::config::{Config, FILE_NAME};
use shiprail::{Error, ErrorKind};
use std::path::{Path, PathBuf};

/// The configuration named by `--config`, else `./shiprail.yaml` when it exists, else the
/// defaults with no declared services.
pub(crate) fn load_config(path: Option<&Path>) -> Result<Config, Error> {
    match path {
        Some(path) => Config::load(path),
        None if Path::new(FILE_NAME).is_file() => Config::load(FILE_NAME),
        None => Ok(Config::default()),
    }
}

/// Like [`load_config`], but a configuration is required.
pub(crate) fn require_config(path: Option<&Path>) -> Result<Config, Error> {
    match path {
        Some(_) => load_config(path),
        None if Path::new(FILE_NAME).is_file() => Config::load(FILE_NAME),
        None => Err(Error::new(
            ErrorKind::Io,
            format!("no `{FILE_NAME}` in the current directory: pass --config FILE"),
        )),
    }
}

/// Reads a text input file, or stdin for `-`.
pub(crate) fn read_input(path: &PathBuf) -> Result<String, Error> {
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read stdin: {e}")))?;
        buf
    } else {
        std::fs::read(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read `{}`: {e}", path.display()),
            )
            .with_input(path.display().to_string())
        })?
    };
    String::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::InvalidUtf8,
            format!(
                "`{}` is not UTF-8 (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Serializes a result for output.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> crate::output::Outcome {
    serde_json::to_value(value)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot render the result: {e}")).into())
}
