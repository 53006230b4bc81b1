//! Packaging a chart directory into a reproducible `<name>-<version>.tgz`.

use super::helmignore::{HELMIGNORE, HelmIgnore};
use super::load::{ArchiveLimits, ChartArchive};
use super::metadata::{BOM, CHART_FILE, ChartFile};
use super::versioning::rewrite_versions;
use crate::error::{Error, ErrorKind, Result};
use crate::version::ReleaseVersion;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// How to package a chart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackageOptions {
    /// Overrides the chart `version` (in the archived Chart.yaml only).
    pub version: Option<ReleaseVersion>,
    /// Overrides the chart `appVersion` (in the archived Chart.yaml only).
    pub app_version: Option<String>,
    /// The modification time of every entry, in seconds since the epoch (default 0, so that
    /// packaging the same files twice gives the same bytes; `SOURCE_DATE_EPOCH` is the usual
    /// source of another value).
    pub mtime: u64,
    /// Size and count limits, the same a loader applies, so that every package shiprail
    /// writes can be loaded again.
    pub limits: ArchiveLimits,
}

/// A packaged chart, in memory.
///
/// Serialized as `{"file_name", "name", "version", "app_version"?, "sha256", "size",
/// "files"}` (the archive bytes are left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartPackage {
    /// `<name>-<version>.tgz`.
    pub file_name: String,
    /// The chart name.
    pub name: String,
    /// The chart version in the archive.
    pub version: String,
    /// The appVersion in the archive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// The SHA-256 digest of the archive, lowercase hex.
    pub sha256: String,
    /// The archive size in bytes.
    pub size: u64,
    /// The archive entries (`<name>/Chart.yaml`, ...), in archive order.
    pub files: Vec<String>,
    #[serde(skip)]
    bytes: Vec<u8>,
}

impl ChartPackage {
    /// The `.tgz` bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// `sha256:<hex>`, the form OCI registries and `helm push` print.
    pub fn digest(&self) -> String {
        format!("sha256:{}", self.sha256)
    }

    /// Writes `out_dir/<name>-<version>.tgz` (creating `out_dir`) and returns its path.
    pub fn write_to(&self, out_dir: impl AsRef<Path>) -> Result<PathBuf> {
        let out_dir = out_dir.as_ref();
        std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, &e))?;
        let path = out_dir.join(&self.file_name);
        let tmp = out_dir.join(format!(".{}.shiprail-tmp", self.file_name));
        std::fs::write(&tmp, &self.bytes).map_err(|e| Error::io(&tmp, &e))?;
        std::fs::rename(&tmp, &path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(&path, &e)
        })?;
        Ok(path)
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidChart, message)
}

/// Files read from a chart directory: `/`-separated paths relative to the chart root, in
/// walk order (sorted by name at each level), BOM stripped.
pub(crate) type Files = Vec<(String, Vec<u8>)>;

/// Reads a chart directory the way Helm's directory loader does: `.helmignore` applied
/// (directories matched are skipped whole), symbolic links followed, anything but regular
/// files and directories refused, a leading UTF-8 BOM stripped from every file.
pub(crate) fn read_chart_dir(dir: &Path, limits: &ArchiveLimits) -> Result<Files> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, &e))?;
    if !meta.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("`{}` is not a chart directory", dir.display()),
        )
        .with_input(dir.display().to_string()));
    }
    let ignore_path = dir.join(HELMIGNORE);
    let ignore = if ignore_path.is_file() {
        let bytes = std::fs::read(&ignore_path).map_err(|e| Error::io(&ignore_path, &e))?;
        let text = super::metadata::utf8(&bytes).map_err(|e| e.in_file(&ignore_path))?;
        HelmIgnore::parse(text).map_err(|e| e.in_file(&ignore_path))?
    } else {
        HelmIgnore::default()
    };
    let mut walk = Walk {
        ignore,
        limits,
        files: Vec::new(),
        total: 0,
        stack: Vec::new(),
    };
    walk.dir(dir, "")?;
    Ok(walk.files)
}

struct Walk<'a> {
    ignore: HelmIgnore,
    limits: &'a ArchiveLimits,
    files: Files,
    total: u64,
    stack: Vec<PathBuf>,
}

impl Walk<'_> {
    /// Reads one regular file (BOM stripped), refusing devices, fifos and sockets and files
    /// over the per-file limit; the size comes from the open handle, so one stat suffices.
    fn read_file(&self, full: &Path, rel: &str) -> Result<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(full).map_err(|e| Error::io(full, &e))?;
        let meta = file.metadata().map_err(|e| Error::io(full, &e))?;
        if !meta.is_file() {
            return Err(invalid(format!(
                "cannot package irregular file `{rel}` (a device, fifo or socket)"
            )));
        }
        if meta.len() > self.limits.max_file_size {
            return Err(Error::new(
                ErrorKind::UnsafeArchive,
                format!(
                    "chart file `{rel}` is {} bytes, over the per-file limit of {}",
                    meta.len(),
                    self.limits.max_file_size
                ),
            ));
        }
        let mut data = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0) + 1);
        file.take(self.limits.max_file_size + 1)
            .read_to_end(&mut data)
            .map_err(|e| Error::io(full, &e))?;
        if u64::try_from(data.len()).unwrap_or(u64::MAX) > self.limits.max_file_size {
            return Err(Error::new(
                ErrorKind::UnsafeArchive,
                format!(
                    "chart file `{rel}` is over the per-file limit of {} bytes",
                    self.limits.max_file_size
                ),
            ));
        }
        if data.starts_with(BOM.as_bytes()) {
            data.drain(..BOM.len());
        }
        Ok(data)
    }

    fn dir(&mut self, path: &Path, rel: &str) -> Result<()> {
        let canonical = std::fs::canonicalize(path).map_err(|e| Error::io(path, &e))?;
        if self.stack.contains(&canonical) {
            return Err(invalid(format!(
                "`{}` links back to a directory above it (a symbolic link loop)",
                path.display()
            )));
        }
        self.stack.push(canonical);
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, &e))? {
            let entry = entry.map_err(|e| Error::io(path, &e))?;
            let name = entry.file_name().into_string().map_err(|n| {
                invalid(format!(
                    "`{}` has a file name that is not UTF-8: {}",
                    path.display(),
                    n.to_string_lossy()
                ))
            })?;
            // The directory listing gives the type without a stat call, except for links.
            let kind = entry
                .file_type()
                .map_err(|e| Error::io(&entry.path(), &e))?;
            entries.push((name, kind));
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (name, kind) in entries {
            let full = path.join(&name);
            let rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let kind = if kind.is_symlink() {
                match std::fs::metadata(&full) {
                    Ok(meta) => meta.file_type(),
                    Err(e) => {
                        // A broken symbolic link: skipped when ignored, an error otherwise.
                        if self.ignore.is_ignored(&rel, false) {
                            continue;
                        }
                        return Err(Error::io(&full, &e));
                    }
                }
            } else {
                kind
            };
            if kind.is_dir() {
                if !self.ignore.is_ignored(&rel, true) {
                    self.dir(&full, &rel)?;
                }
                continue;
            }
            if self.ignore.is_ignored(&rel, false) {
                continue;
            }
            // Checked before opening: opening a fifo would wait for a writer.
            if !kind.is_file() {
                return Err(invalid(format!(
                    "cannot package irregular file `{rel}` (a device, fifo or socket)"
                )));
            }
            let data = self.read_file(&full, &rel)?;
            self.total += u64::try_from(data.len()).unwrap_or(u64::MAX);
            if self.total > self.limits.max_total_size {
                return Err(Error::new(
                    ErrorKind::UnsafeArchive,
                    format!(
                        "the chart's files hold more than {} bytes",
                        self.limits.max_total_size
                    ),
                ));
            }
            if self.files.len() >= self.limits.max_entries {
                return Err(Error::new(
                    ErrorKind::UnsafeArchive,
                    format!("the chart has more than {} files", self.limits.max_entries),
                ));
            }
            self.files.push((rel, data));
        }
        self.stack.pop();
        Ok(())
    }
}

/// A chart as Helm would save it: its Chart.yaml and the files that go into the archive.
pub(crate) struct Assembled {
    pub(crate) chart: ChartFile,
    /// Paths relative to the chart root, Chart.yaml included.
    pub(crate) files: Files,
}

/// Sorts the way Helm's loader sorts files into a chart and its save writes them out:
/// subcharts in `charts/` (directories and `.tgz` archives, the latter expanded) are written
/// under `charts/<subchart name>/`; entries of `charts/` starting with `_` or `.` are dropped;
/// `Chart.lock` is dropped from apiVersion v1 charts; `requirements.yaml`/`.lock` in a v2
/// chart are refused (Helm would fold them into Chart.yaml); values.schema.json must be JSON.
pub(crate) fn assemble(files: Files, limits: &ArchiveLimits, depth: usize) -> Result<Assembled> {
    if depth > 16 {
        return Err(invalid(
            "subcharts are nested more than 16 levels deep".to_string(),
        ));
    }
    let chart_bytes = files
        .iter()
        .find(|(p, _)| p == CHART_FILE)
        .map(|(_, d)| d.as_slice())
        .ok_or_else(|| invalid("Chart.yaml file is missing".to_string()))?;
    let chart = ChartFile::from_bytes(chart_bytes)?;
    chart.validate()?;
    let v1 = matches!(chart.metadata().api_version.as_str(), "" | "v1");
    let mut out: Files = Vec::new();
    let mut groups: BTreeMap<String, Files> = BTreeMap::new();
    for (path, data) in files {
        match path.as_str() {
            "Chart.lock" if v1 => continue,
            "requirements.yaml" | "requirements.lock" if !v1 => {
                return Err(invalid(format!(
                    "`{path}` is Helm 2's dependency file; in an apiVersion v2 chart list dependencies in Chart.yaml and lock them in Chart.lock"
                )));
            }
            "values.schema.json" if serde_json::from_slice::<serde_json::Value>(&data).is_err() => {
                return Err(invalid("Invalid JSON in values.schema.json".to_string()));
            }
            _ => {}
        }
        if let Some(rest) = path.strip_prefix("charts/") {
            if rest.ends_with(".prov") {
                out.push((path, data));
                continue;
            }
            let name = rest.split('/').next().unwrap_or(rest).to_string();
            groups
                .entry(name)
                .or_default()
                .push((rest.to_string(), data));
            continue;
        }
        out.push((path, data));
    }
    for (name, group) in groups {
        let Some(sub) = load_subchart(&name, group, limits, depth)? else {
            continue;
        };
        let sub_name = sub.chart.metadata().name.clone();
        for (path, data) in sub.files {
            out.push((format!("charts/{sub_name}/{path}"), data));
        }
    }
    let mut seen = HashSet::new();
    for (path, _) in &out {
        if !seen.insert(path.as_str()) {
            return Err(invalid(format!(
                "`{path}` would be written twice (two subcharts with the same name?)"
            )));
        }
    }
    Ok(Assembled { chart, files: out })
}

/// Loads the subchart `charts/<name>` from its files (paths below `charts/`): a `.tgz`
/// archive or a directory. `None` for entries Helm skips (`_*`, `.*`).
fn load_subchart(
    name: &str,
    group: Files,
    limits: &ArchiveLimits,
    depth: usize,
) -> Result<Option<Assembled>> {
    if name.starts_with(['_', '.']) {
        return Ok(None);
    }
    let sub = if name.ends_with(".tgz") {
        let [(path, data)] = group.as_slice() else {
            return Err(invalid(format!(
                "`charts/{name}` is both a file and a directory"
            )));
        };
        if path != name {
            return Err(invalid(format!(
                "error unpacking subchart tar in `charts/{name}`: it is a directory"
            )));
        }
        let archive = ChartArchive::read(data.as_slice(), limits).map_err(|e| {
            Error::new(
                e.kind(),
                format!("subchart `charts/{name}`: {}", e.message()),
            )
        })?;
        let files: Files = archive
            .files()
            .iter()
            .map(|f| (f.path.clone(), f.data.clone()))
            .collect();
        assemble(files, limits, depth + 1)
    } else {
        let files: Files = group
            .into_iter()
            .filter_map(|(p, d)| p.split_once('/').map(|(_, rest)| (rest.to_string(), d)))
            .collect();
        assemble(files, limits, depth + 1)
    }
    .map_err(|e| {
        if e.message().starts_with("subchart ") {
            e
        } else {
            Error::new(
                e.kind(),
                format!("subchart `charts/{name}`: {}", e.message()),
            )
        }
    })?;
    Ok(Some(sub))
}

/// Why the charts of a chart directory could not be listed.
pub(crate) enum SubchartScanError {
    /// The directory itself cannot be read as a chart (.helmignore, a fifo, a link loop).
    Files(Error),
    /// Something in `charts/` is not a loadable chart.
    Subchart(Error),
}

/// The names (Chart.yaml `name`) of the charts in `dir/charts/`, for lint's dependency checks.
pub(crate) fn subchart_names(dir: &Path) -> std::result::Result<Vec<String>, SubchartScanError> {
    let limits = ArchiveLimits::default();
    let files = read_chart_dir(dir, &limits).map_err(SubchartScanError::Files)?;
    let mut groups: BTreeMap<String, Files> = BTreeMap::new();
    for (path, data) in files {
        if let Some(rest) = path.strip_prefix("charts/")
            && !rest.ends_with(".prov")
        {
            let name = rest.split('/').next().unwrap_or(rest).to_string();
            groups
                .entry(name)
                .or_default()
                .push((rest.to_string(), data));
        }
    }
    let mut names = Vec::new();
    for (name, group) in groups {
        if let Some(sub) =
            load_subchart(&name, group, &limits, 0).map_err(SubchartScanError::Subchart)?
        {
            names.push(sub.chart.metadata().name.clone());
        }
    }
    names.sort();
    Ok(names)
}

/// The archive order: Chart.yaml first (so streaming readers meet the metadata first), then
/// every other path in byte order.
fn archive_order(a: &str, b: &str) -> std::cmp::Ordering {
    (a != CHART_FILE)
        .cmp(&(b != CHART_FILE))
        .then_with(|| a.cmp(b))
}

/// Packages the chart in `dir` (see the module section "Packaging").
pub fn package(dir: impl AsRef<Path>, options: &PackageOptions) -> Result<ChartPackage> {
    let dir = dir.as_ref();
    let files = read_chart_dir(dir, &options.limits)?;
    let Assembled { chart, mut files } =
        assemble(files, &options.limits, 0).map_err(|e| locate_in(e, dir))?;
    let chart = if options.version.is_some() || options.app_version.is_some() {
        let text = rewrite_versions(
            chart.text(),
            options.version.as_ref(),
            options.app_version.as_deref(),
        )
        .map_err(|e| locate_in(e, dir))?;
        let edited = ChartFile::parse(&text)?;
        edited.validate().map_err(|e| locate_in(e, dir))?;
        for (path, data) in &mut files {
            if path == CHART_FILE {
                *data = text.as_bytes().to_vec();
            }
        }
        edited
    } else {
        chart
    };
    let md = chart.metadata();
    files.sort_by(|(a, _), (b, _)| archive_order(a, b));
    let total: u64 = files
        .iter()
        .map(|(_, d)| u64::try_from(d.len()).unwrap_or(u64::MAX))
        .sum();
    if total > options.limits.max_total_size || files.len() > options.limits.max_entries {
        return Err(Error::new(
            ErrorKind::UnsafeArchive,
            format!(
                "the packaged chart would hold {} files and {total} bytes, over the limits ({} files, {} bytes)",
                files.len(),
                options.limits.max_entries,
                options.limits.max_total_size
            ),
        ));
    }
    let entries: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(path, data)| (format!("{}/{path}", md.name), data))
        .collect();
    let bytes = write_tgz(&entries, options.mtime)?;
    let sha256 = hex(&Sha256::digest(&bytes));
    Ok(ChartPackage {
        file_name: md.archive_name(),
        name: md.name.clone(),
        version: md.version.clone(),
        app_version: md.app_version.clone(),
        sha256,
        size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        files: entries.into_iter().map(|(p, _)| p).collect(),
        bytes,
    })
}

fn locate_in(e: Error, dir: &Path) -> Error {
    match e.location() {
        Some(_) if e.message().starts_with("subchart ") => e,
        Some(_) => e.in_file(&dir.join(CHART_FILE)),
        None => e,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Writes a reproducible `.tgz`: entries in the given order, every one a regular file with
/// mode 0644, uid/gid 0, no user or group names and the given mtime; gzip without a file name
/// or timestamp.
pub(crate) fn write_tgz(entries: &[(String, Vec<u8>)], mtime: u64) -> Result<Vec<u8>> {
    let io_err =
        |e: std::io::Error| Error::new(ErrorKind::Io, format!("cannot write the archive: {e}"));
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
    builder.mode(tar::HeaderMode::Deterministic);
    for (path, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(u64::try_from(data.len()).unwrap_or(u64::MAX));
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        builder
            .append_data(&mut header, path, data.as_slice())
            .map_err(io_err)?;
    }
    let gz = builder.into_inner().map_err(io_err)?;
    gz.finish().map_err(io_err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn order_puts_chart_yaml_first() {
        let mut paths = vec![
            "values.yaml",
            "Chart.yaml",
            "templates/a.yaml",
            ".helmignore",
            "charts/sub/Chart.yaml",
        ];
        paths.sort_by(|a, b| archive_order(a, b));
        assert_eq!(
            paths,
            [
                "Chart.yaml",
                ".helmignore",
                "charts/sub/Chart.yaml",
                "templates/a.yaml",
                "values.yaml"
            ]
        );
    }

    #[test]
    fn tgz_is_reproducible_and_loadable() {
        let entries = vec![
            (
                "c/Chart.yaml".to_string(),
                b"apiVersion: v2\nname: c\nversion: 1.0.0\n".to_vec(),
            ),
            (
                format!("c/templates/{}.yaml", "x".repeat(200)),
                b"a: 1\n".to_vec(),
            ),
        ];
        let a = write_tgz(&entries, 0).unwrap();
        let b = write_tgz(&entries, 0).unwrap();
        assert_eq!(a, b);
        let archive = ChartArchive::read(a.as_slice(), &ArchiveLimits::default()).unwrap();
        assert_eq!(archive.files().len(), 2);
        assert_eq!(archive.files()[1].path.len(), "templates/".len() + 205);
    }
}
