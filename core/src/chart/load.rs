//! Loading chart archives (`.tgz`) with a loader's care: streaming, bounded memory, and refusal
//! of anything that could escape the extraction directory.

use super::metadata::{BOM, CHART_FILE, ChartFile, ChartMetadata};
use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Limits on what an archive may hold. The defaults are Helm's (100 MiB decompressed, 5 MiB
/// per file) plus a cap on the number of entries, so a stream of empty files cannot grow the
/// file list without bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArchiveLimits {
    /// The most bytes all files may hold together, decompressed.
    pub max_total_size: u64,
    /// The most bytes one file may hold.
    pub max_file_size: u64,
    /// The most entries (files and directories).
    pub max_entries: usize,
    /// The longest path, in bytes.
    pub max_path_len: usize,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_total_size: 100 * 1024 * 1024,
            max_file_size: 5 * 1024 * 1024,
            max_entries: 10_000,
            max_path_len: 4096,
        }
    }
}

impl ArchiveLimits {
    /// The most bytes of tar stream the limits allow: file data plus, per entry, a header,
    /// padding and an extension header, plus some slack. Reading stops beyond it, which also
    /// bounds long-name and PAX records.
    fn stream_budget(&self) -> u64 {
        let per_entry = 4 * 1024u64;
        let entries = u64::try_from(self.max_entries).unwrap_or(u64::MAX);
        self.max_total_size
            .saturating_add(entries.saturating_add(16).saturating_mul(per_entry))
            .saturating_add(
                u64::try_from(self.max_path_len)
                    .unwrap_or(0)
                    .saturating_mul(4),
            )
    }
}

/// One file of a chart archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFile {
    /// The path relative to the chart directory (`templates/deployment.yaml`), `/`-separated.
    pub path: String,
    /// The content, a leading UTF-8 BOM removed (as Helm does).
    pub data: Vec<u8>,
}

/// A loaded chart archive: the top-level directory, the files, and the parsed Chart.yaml.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartArchive {
    root: String,
    files: Vec<ArchiveFile>,
    chart: ChartFile,
}

/// What `inspect` reports about an archive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArchiveSummary {
    /// The chart's top-level directory in the archive.
    pub root: String,
    /// The chart metadata.
    pub metadata: ChartMetadata,
    /// Every file, relative to the top-level directory, in archive order.
    pub files: Vec<String>,
    /// The total decompressed size of the files.
    pub size: u64,
}

/// Counts the bytes read through it and fails once a budget is exceeded.
struct Budget<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = u64::try_from(n).unwrap_or(u64::MAX);
        if n64 > self.left {
            return Err(io::Error::other(BudgetExceeded));
        }
        self.left -= n64;
        Ok(n)
    }
}

#[derive(Debug)]
struct BudgetExceeded;

impl std::fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the decompressed archive exceeds its size budget")
    }
}

impl std::error::Error for BudgetExceeded {}

fn unsafe_archive(message: String) -> Error {
    Error::new(ErrorKind::UnsafeArchive, message)
}

fn stream_error(e: &io::Error) -> Error {
    if e.get_ref()
        .is_some_and(|inner| inner.is::<BudgetExceeded>())
    {
        return unsafe_archive(
            "the archive decompresses to more data than the size limits allow (a decompression bomb?)"
                .to_string(),
        );
    }
    Error::new(
        ErrorKind::InvalidArchive,
        format!("not a gzip-compressed tar archive: {e}"),
    )
}

/// Whether a path component is a Windows drive (`C:`).
fn is_drive(component: &str) -> bool {
    let b = component.as_bytes();
    b.len() == 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Whether a leading path component starts with a Windows drive (`C:x` is drive-relative).
fn starts_with_drive(component: &str) -> bool {
    let b = component.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Splits and checks an entry name: returns (top-level directory, path below it), or why the
/// entry must be refused.
fn check_name(raw: &str, limits: &ArchiveLimits) -> std::result::Result<(String, String), String> {
    let shown = raw.escape_debug().to_string();
    if raw.len() > limits.max_path_len {
        return Err(format!(
            "entry name is {} bytes long, over the limit of {}",
            raw.len(),
            limits.max_path_len
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err(format!(
            "entry `{shown}` has a control character in its name"
        ));
    }
    // Archives made on Windows may use `\`; Helm reads it as a separator.
    let name = raw.replace('\\', "/");
    if name.starts_with('/') {
        return Err(format!("entry `{shown}` has an absolute path"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                return Err(format!(
                    "entry `{shown}` refers to a parent directory (`..`)"
                ));
            }
            p if is_drive(p) || (parts.len() < 2 && starts_with_drive(p)) => {
                return Err(format!("entry `{shown}` names a drive (`{p}`)"));
            }
            p => parts.push(p),
        }
    }
    match parts.as_slice() {
        [] => Err(format!("entry `{shown}` has an empty name")),
        [only] if *only == CHART_FILE => Err(format!(
            "entry `{shown}`: Chart.yaml is not inside the chart's directory"
        )),
        [root, rest @ ..] => Ok((root.to_string(), rest.join("/"))),
    }
}

impl ChartArchive {
    /// Reads a chart archive from a gzip-compressed tar stream, checking as it goes (see the
    /// module section "Loading archives"). The stream is read once and never beyond the
    /// limits; nothing is written to disk.
    pub fn read(reader: impl Read, limits: &ArchiveLimits) -> Result<ChartArchive> {
        let gz = flate2::read::MultiGzDecoder::new(reader);
        let budget = Budget {
            inner: gz,
            left: limits.stream_budget(),
        };
        let mut archive = tar::Archive::new(budget);
        let entries = archive.entries().map_err(|e| stream_error(&e))?;
        let mut root: Option<String> = None;
        let mut files: Vec<ArchiveFile> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut total: u64 = 0;
        let mut count = 0usize;
        for entry in entries {
            let mut entry = entry.map_err(|e| stream_error(&e))?;
            count += 1;
            if count > limits.max_entries {
                return Err(unsafe_archive(format!(
                    "the archive has more than {} entries",
                    limits.max_entries
                )));
            }
            let kind = entry.header().entry_type();
            let raw_name = String::from_utf8(entry.path_bytes().into_owned())
                .map_err(|_| unsafe_archive("an entry name is not UTF-8".to_string()))?;
            if kind.is_pax_global_extensions() {
                continue;
            }
            if kind.is_dir() {
                check_name(&raw_name, limits).map_err(unsafe_archive)?;
                continue;
            }
            if !(kind.is_file() || kind == tar::EntryType::Continuous) {
                let what = if kind.is_symlink() {
                    "a symbolic link"
                } else if kind.is_hard_link() {
                    "a hard link"
                } else if kind.is_character_special() || kind.is_block_special() {
                    "a device"
                } else if kind.is_fifo() {
                    "a fifo"
                } else {
                    "not a regular file"
                };
                return Err(unsafe_archive(format!(
                    "entry `{}` is {what}; a chart archive holds only regular files and directories",
                    raw_name.escape_debug()
                )));
            }
            let (top, path) = check_name(&raw_name, limits).map_err(unsafe_archive)?;
            match &root {
                None => root = Some(top),
                Some(r) if *r != top => {
                    return Err(unsafe_archive(format!(
                        "entry `{}` is outside the chart directory `{}`: an archive holds one chart",
                        raw_name.escape_debug(),
                        r.escape_debug()
                    )));
                }
                Some(_) => {}
            }
            if path.is_empty() {
                return Err(unsafe_archive(format!(
                    "entry `{}` is a file where the chart directory belongs",
                    raw_name.escape_debug()
                )));
            }
            if !seen.insert(path.clone()) {
                return Err(unsafe_archive(format!(
                    "entry `{}` appears twice",
                    raw_name.escape_debug()
                )));
            }
            let declared = entry.size();
            if declared > limits.max_file_size {
                return Err(unsafe_archive(format!(
                    "entry `{}` is {declared} bytes, over the per-file limit of {}",
                    raw_name.escape_debug(),
                    limits.max_file_size
                )));
            }
            let mut data =
                Vec::with_capacity(usize::try_from(declared.min(64 * 1024)).unwrap_or(0));
            (&mut entry)
                .take(limits.max_file_size + 1)
                .read_to_end(&mut data)
                .map_err(|e| stream_error(&e))?;
            let size = u64::try_from(data.len()).unwrap_or(u64::MAX);
            if size > limits.max_file_size {
                return Err(unsafe_archive(format!(
                    "entry `{}` is over the per-file limit of {} bytes",
                    raw_name.escape_debug(),
                    limits.max_file_size
                )));
            }
            total = total.saturating_add(size);
            if total > limits.max_total_size {
                return Err(unsafe_archive(format!(
                    "the archive's files hold more than {} bytes decompressed",
                    limits.max_total_size
                )));
            }
            if data.starts_with(BOM.as_bytes()) {
                data.drain(..BOM.len());
            }
            files.push(ArchiveFile { path, data });
        }
        let Some(root) = root else {
            return Err(Error::new(
                ErrorKind::InvalidArchive,
                "no files in chart archive",
            ));
        };
        let chart_bytes = files
            .iter()
            .find(|f| f.path == CHART_FILE)
            .map(|f| f.data.as_slice())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidChart,
                    format!("the archive has no `{root}/Chart.yaml`"),
                )
            })?;
        let chart = ChartFile::from_bytes(chart_bytes)
            .map_err(|e| e.in_file(Path::new(&format!("{root}/{CHART_FILE}"))))?;
        Ok(ChartArchive { root, files, chart })
    }

    /// Reads a chart archive file.
    pub fn open(path: impl AsRef<Path>, limits: &ArchiveLimits) -> Result<ChartArchive> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, &e))?;
        ChartArchive::read(io::BufReader::new(file), limits).map_err(|e| {
            let message = format!("`{}`: {}", path.display(), e.message());
            Error::new(e.kind(), message).with_input(path.display().to_string())
        })
    }

    /// The top-level directory (normally the chart name).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The files, in archive order.
    pub fn files(&self) -> &[ArchiveFile] {
        &self.files
    }

    /// The content of the file at `path` (relative to the chart directory).
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.data.as_slice())
    }

    /// The parsed Chart.yaml.
    pub fn chart(&self) -> &ChartFile {
        &self.chart
    }

    /// The chart metadata.
    pub fn metadata(&self) -> &ChartMetadata {
        self.chart.metadata()
    }

    /// A summary for display.
    pub fn summary(&self) -> ArchiveSummary {
        ArchiveSummary {
            root: self.root.clone(),
            metadata: self.metadata().clone(),
            files: self.files.iter().map(|f| f.path.clone()).collect(),
            size: self
                .files
                .iter()
                .map(|f| u64::try_from(f.data.len()).unwrap_or(u64::MAX))
                .sum(),
        }
    }

    /// Writes the chart to `dir/<root>/`, which must not exist yet, and returns that path.
    /// Every path was checked on reading, and the directory is created fresh (no existing
    /// link inside it can redirect a write), so nothing is written outside `dir`.
    pub fn extract_to(&self, dir: impl AsRef<Path>) -> Result<PathBuf> {
        let dir = dir.as_ref();
        let target = dir.join(&self.root);
        if std::fs::symlink_metadata(&target).is_ok() {
            return Err(Error::new(
                ErrorKind::Io,
                format!(
                    "`{}` already exists: extract into a directory without it",
                    target.display()
                ),
            )
            .with_input(target.display().to_string()));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
        std::fs::create_dir(&target).map_err(|e| Error::io(&target, &e))?;
        for file in &self.files {
            let mut path = target.clone();
            let parts: Vec<&str> = file.path.split('/').collect();
            for (i, part) in parts.iter().enumerate() {
                // Names were checked on reading; check again so extraction never depends on it.
                if part.is_empty()
                    || *part == "."
                    || *part == ".."
                    || part.contains('\\')
                    || is_drive(part)
                {
                    return Err(unsafe_archive(format!(
                        "refusing to extract `{}`",
                        file.path.escape_debug()
                    )));
                }
                path.push(part);
                if i + 1 < parts.len() {
                    match std::fs::symlink_metadata(&path) {
                        Ok(meta) if meta.is_dir() => {}
                        Ok(_) => {
                            return Err(unsafe_archive(format!(
                                "`{}` is both a file and a directory in the archive",
                                path.display()
                            )));
                        }
                        Err(_) => std::fs::create_dir(&path).map_err(|e| Error::io(&path, &e))?,
                    }
                }
            }
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| Error::io(&path, &e))?;
            io::Write::write_all(&mut out, &file.data).map_err(|e| Error::io(&path, &e))?;
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let limits = ArchiveLimits::default();
        let ok = |raw: &str| check_name(raw, &limits);
        assert_eq!(ok("c/Chart.yaml"), Ok(("c".into(), "Chart.yaml".into())));
        assert_eq!(
            ok("c\\templates\\a.yaml"),
            Ok(("c".into(), "templates/a.yaml".into()))
        );
        assert_eq!(ok("./c//x/./y"), Ok(("c".into(), "x/y".into())));
        assert_eq!(ok("c/a/b:c.yaml"), Ok(("c".into(), "a/b:c.yaml".into())));
        for bad in [
            "/etc/passwd",
            "c/../../x",
            "Chart.yaml",
            "C:/x/y",
            "c/d:/x",
            "c/d:x/y",
            "",
            "c/\u{7}",
            "c/a/e:",
        ] {
            assert!(ok(bad).is_err(), "{bad:?}");
        }
    }
}
