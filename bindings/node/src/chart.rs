//! Helm charts: Chart.yaml (`parseChart`, the `ChartFile` class), lint (`lintChart` on files in
//! memory, `lintChartDir` on a directory), versions (`chartVersionsFromRelease`,
//! `rewriteChartVersions`, `writeChartVersions`, ...), `.helmignore` (`HelmIgnore`,
//! `helmIgnoreMatches`), packaging (`packageChart`, the `ChartPackage` class), loading archives
//! (the `ChartArchive` class) and release names (`releaseNames`, `renderChangeCause`).
//!
//! Anything that reads or writes files, or decompresses an archive, runs on the libuv thread
//! pool and returns a Promise ([`crate::task::Blocking`]); each has a `...Sync` variant. Inputs are converted
//! inside the task, so a bad argument rejects the promise instead of throwing.
//!
//! Inputs: the files of a chart in memory are a `ChartLintInput` (camelCase, read strictly by
//! [`convert::lint_input`]); the facts of a change cause a `ChangeCause` (read strictly by
//! [`convert::change_cause`]); the tag policy is the `tags:` section and archive limits an
//! `ArchiveLimits` object with the core's snake_case keys, both read by the core's serde.
//! Chart metadata goes out in its Chart.yaml form (the core's serde: `apiVersion`,
//! `appVersion`, `import-values`, unknown fields kept), as a configuration section does.

use crate::convert::{
    self, ArchiveSummary, ChartLintReport, ChartLintRuleInfo, ChartPackageInfo, ChartVersionChange,
    ChartVersions, ReleaseNames, SourceLocation, section,
};
use crate::error::OrThrow;
use crate::task::{Blocking, blocking};
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi_derive::napi;
use serde_json::Value;
use shiprail::chart as core;
use shiprail::version::ReleaseVersion;
use shiprail::{Error, ErrorKind};
use std::sync::Arc;

/// The chart metadata file name.
#[napi]
pub const CHART_FILE: &str = core::CHART_FILE;

/// The name of the ignore file at a chart's root.
#[napi]
pub const HELMIGNORE: &str = core::HELMIGNORE;

/// The longest Helm release name (Helm's limit).
#[napi]
pub const MAX_RELEASE_NAME_LEN: u32 = core::MAX_RELEASE_NAME_LEN as u32;

/// The annotation `kubectl rollout history` shows: where a change cause goes.
#[napi]
pub const CHANGE_CAUSE_ANNOTATION: &str = core::CHANGE_CAUSE_ANNOTATION;

/// A rendered change cause longer than this many characters is cut.
#[napi]
pub const MAX_CHANGE_CAUSE_LEN: u32 = core::MAX_CHANGE_CAUSE_LEN as u32;

fn version(text: Option<&str>) -> shiprail::Result<Option<ReleaseVersion>> {
    text.map(str::parse).transpose()
}

pub(crate) fn archive_limits(value: Option<Value>) -> shiprail::Result<core::ArchiveLimits> {
    section("limits", value)
}

// ---------------------------------------------------------------------------------------------
// Chart.yaml

/// Chart.yaml text read the way Helm reads it (YAML 1.1 scalars, keys matched ignoring case,
/// the first document only): the metadata in its Chart.yaml form, unknown fields kept.
/// Malformed YAML or a field of a type Helm cannot load is `config_syntax` with line and
/// column; semantic checks are `ChartFile#validate` and `lintChart`.
#[napi(ts_return_type = "ChartMetadata")]
pub fn parse_chart(env: &Env, text: String) -> napi::Result<Value> {
    let file = core::ChartFile::parse(&text).or_throw(env)?;
    convert::to_plain(file.metadata())
}

/// A parsed Chart.yaml: the metadata, the text (a leading BOM removed), the file it came from
/// and the position of every top-level value.
#[napi]
pub struct ChartFile {
    pub(crate) inner: core::ChartFile,
}

fn chart_file(inner: core::ChartFile) -> napi::Result<ChartFile> {
    Ok(ChartFile { inner })
}

#[napi]
impl ChartFile {
    /// Parses Chart.yaml text (as `parseChart`).
    #[napi(constructor)]
    pub fn new(env: &Env, text: String) -> napi::Result<Self> {
        core::ChartFile::parse(&text)
            .map(|inner| ChartFile { inner })
            .or_throw(env)
    }

    /// Parses Chart.yaml bytes; they must be UTF-8 (`invalid_utf8` points at the first bad
    /// byte).
    #[napi(factory)]
    pub fn from_bytes(env: &Env, bytes: Buffer) -> napi::Result<Self> {
        core::ChartFile::from_bytes(&bytes)
            .map(|inner| ChartFile { inner })
            .or_throw(env)
    }

    /// Reads a Chart.yaml file without blocking the event loop; errors name the file.
    #[napi(ts_return_type = "Promise<ChartFile>")]
    pub fn load(path: String) -> AsyncTask<Blocking<core::ChartFile, ChartFile>> {
        blocking(move || core::ChartFile::load(&path), chart_file)
    }

    /// Reads a Chart.yaml file, blocking.
    #[napi(factory)]
    pub fn load_sync(env: &Env, path: String) -> napi::Result<Self> {
        core::ChartFile::load(&path)
            .map(|inner| ChartFile { inner })
            .or_throw(env)
    }

    /// The metadata, in its Chart.yaml form.
    #[napi(getter, ts_return_type = "ChartMetadata")]
    pub fn metadata(&self) -> napi::Result<Value> {
        convert::to_plain(self.inner.metadata())
    }

    /// The text, without a leading BOM.
    #[napi(getter)]
    pub fn text(&self) -> String {
        self.inner.text().to_string()
    }

    /// The file it was loaded from, `null` for parsed text.
    #[napi(getter)]
    pub fn path(&self) -> Option<String> {
        self.inner.path().map(|p| p.display().to_string())
    }

    /// The archive file name `helm package` gives the chart: `<name>-<version>.tgz`.
    #[napi(getter)]
    pub fn archive_name(&self) -> String {
        self.inner.metadata().archive_name()
    }

    /// Where the value of the top-level field `key` is written, `null` when it is absent.
    #[napi]
    pub fn location_of(&self, key: String) -> Option<SourceLocation> {
        self.inner.location_of(&key).map(SourceLocation::from)
    }

    /// Throws `invalid_chart` (at its position) for the first problem Helm's loader refuses a
    /// chart for, so that `helm package`, `helm template` and `helm install` would fail: a name
    /// with path parts, a version that is not SemVer, a bad type, empty maintainer or
    /// dependency entries, bad or duplicate dependency aliases.
    #[napi]
    pub fn validate(&self, env: &Env) -> napi::Result<()> {
        self.inner.validate().or_throw(env)
    }

    /// The text.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.text().to_string()
    }

    /// JSON form: the metadata.
    #[napi(js_name = "toJSON", ts_return_type = "ChartMetadata")]
    pub fn to_json(&self) -> napi::Result<Value> {
        self.metadata()
    }
}

// ---------------------------------------------------------------------------------------------
// Lint

/// shiprail's release context for a chart lint.
#[napi(object, object_to_js = false)]
pub struct ChartLintOptions {
    /// Versions already released (as `releasedVersions` returns them); the chart version must
    /// be above all of them.
    pub released: Option<Vec<String>>,
    /// The `tags:` section deriving appVersion and the image tag from the chart version;
    /// omitted, the defaults.
    #[napi(ts_type = "TagPolicy")]
    pub policy: Option<Value>,
}

fn lint_options(options: Option<ChartLintOptions>) -> shiprail::Result<core::LintOptions> {
    let (released, policy) = options.map_or((None, None), |o| (o.released, o.policy));
    Ok(core::LintOptions {
        released: released
            .unwrap_or_default()
            .iter()
            .map(|v| v.parse())
            .collect::<shiprail::Result<_>>()?,
        policy: section("tags", policy)?,
    })
}

fn lint_dir(dir: &str, options: Option<ChartLintOptions>) -> shiprail::Result<core::LintReport> {
    core::lint_dir(dir, &lint_options(options)?)
}

fn lint_report(report: core::LintReport) -> napi::Result<ChartLintReport> {
    Ok(report.into())
}

/// Lints a chart from its files in memory: `helm lint`'s chart checks and shiprail's release
/// rules. Only errors fail (`passed`); a lint never throws for what it finds, only for an
/// input it cannot read (an unknown key is `invalid_chart`).
#[napi]
pub fn lint_chart(
    env: &Env,
    #[napi(ts_arg_type = "ChartLintInput")] input: Value,
    options: Option<ChartLintOptions>,
) -> napi::Result<ChartLintReport> {
    let input = convert::lint_input(input).or_throw(env)?;
    let options = lint_options(options).or_throw(env)?;
    Ok(core::lint(&input, &options).into())
}

/// Lints a chart directory without blocking the event loop: Chart.yaml, values.yaml,
/// values.schema.json, `templates/` and the charts in `charts/`. Rejects only when the
/// directory cannot be read.
#[napi(ts_return_type = "Promise<ChartLintReport>")]
pub fn lint_chart_dir(
    dir: String,
    options: Option<ChartLintOptions>,
) -> AsyncTask<Blocking<core::LintReport, ChartLintReport>> {
    blocking(move || lint_dir(&dir, options), lint_report)
}

/// Lints a chart directory, blocking.
#[napi]
pub fn lint_chart_dir_sync(
    env: &Env,
    dir: String,
    options: Option<ChartLintOptions>,
) -> napi::Result<ChartLintReport> {
    lint_dir(&dir, options)
        .map(ChartLintReport::from)
        .or_throw(env)
}

/// Every chart lint rule, in evaluation order, with its severity, the error code it maps to
/// and whether Helm's loader enforces it.
#[napi]
pub fn chart_lint_rules() -> Vec<ChartLintRuleInfo> {
    core::LintRule::ALL
        .iter()
        .copied()
        .map(ChartLintRuleInfo::from)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Versions

/// The versions to set in Chart.yaml; an omitted one is left as it is. The result of
/// `chartVersionsFromRelease` fits.
#[napi(object, object_to_js = false)]
pub struct NewChartVersions {
    /// The chart `version`: a release version (`v` accepted and dropped).
    pub version: Option<String>,
    /// The chart `appVersion`, any text without control characters (written double-quoted).
    pub app_version: Option<String>,
}

fn write_versions(dir: &str, versions: NewChartVersions) -> shiprail::Result<core::VersionChange> {
    core::write_versions(
        dir,
        version(versions.version.as_deref())?.as_ref(),
        versions.app_version.as_deref(),
    )
}

fn version_change(change: core::VersionChange) -> napi::Result<ChartVersionChange> {
    Ok(change.into())
}

/// The chart version and appVersion of the release of `chart` at `version` under the tag
/// policy (1:1 by default: `1.0.2` gives version `1.0.2` and appVersion `1.0.2`).
#[napi]
pub fn chart_versions_from_release(
    env: &Env,
    chart: String,
    version: String,
    #[napi(ts_arg_type = "TagPolicy")] policy: Option<Value>,
) -> napi::Result<ChartVersions> {
    let policy = section("tags", policy).or_throw(env)?;
    let release: ReleaseVersion = version.parse().or_throw(env)?;
    core::ChartVersions::from_release(&policy, &chart, &release)
        .map(ChartVersions::from)
        .or_throw(env)
}

/// Chart.yaml text with `version` and/or `appVersion` set, changing only those scalars:
/// comments, order and layout survive. An edit that would change anything else (a shared
/// anchor, a block scalar, a flow-style file) is refused with `invalid_chart`.
#[napi]
pub fn rewrite_chart_versions(
    env: &Env,
    text: String,
    versions: NewChartVersions,
) -> napi::Result<String> {
    let release = version(versions.version.as_deref()).or_throw(env)?;
    core::rewrite_versions(&text, release.as_ref(), versions.app_version.as_deref()).or_throw(env)
}

/// Chart.yaml text of an umbrella chart with the version of one dependency (found by alias,
/// else name) set to `version` (a version or a range), changing only that scalar.
#[napi]
pub fn rewrite_chart_dependency_version(
    env: &Env,
    text: String,
    dependency: String,
    version: String,
) -> napi::Result<String> {
    core::rewrite_dependency_version(&text, &dependency, &version).or_throw(env)
}

/// Sets `version` and/or `appVersion` in `dir/Chart.yaml` in place without blocking the event
/// loop; the file is replaced atomically, and only when something changed.
#[napi(ts_return_type = "Promise<ChartVersionChange>")]
pub fn write_chart_versions(
    dir: String,
    versions: NewChartVersions,
) -> AsyncTask<Blocking<core::VersionChange, ChartVersionChange>> {
    blocking(move || write_versions(&dir, versions), version_change)
}

/// Sets `version` and/or `appVersion` in `dir/Chart.yaml` in place, blocking.
#[napi]
pub fn write_chart_versions_sync(
    env: &Env,
    dir: String,
    versions: NewChartVersions,
) -> napi::Result<ChartVersionChange> {
    write_versions(&dir, versions)
        .map(ChartVersionChange::from)
        .or_throw(env)
}

/// Sets a dependency's version in `dir/Chart.yaml` in place without blocking the event loop.
#[napi(ts_return_type = "Promise<ChartVersionChange>")]
pub fn write_chart_dependency_version(
    dir: String,
    dependency: String,
    version: String,
) -> AsyncTask<Blocking<core::VersionChange, ChartVersionChange>> {
    blocking(
        move || core::write_dependency_version(&dir, &dependency, &version),
        version_change,
    )
}

/// Sets a dependency's version in `dir/Chart.yaml` in place, blocking.
#[napi]
pub fn write_chart_dependency_version_sync(
    env: &Env,
    dir: String,
    dependency: String,
    version: String,
) -> napi::Result<ChartVersionChange> {
    core::write_dependency_version(&dir, &dependency, &version)
        .map(ChartVersionChange::from)
        .or_throw(env)
}

// ---------------------------------------------------------------------------------------------
// .helmignore

/// A path to match against `.helmignore` rules, when it is a directory (a bare string is a
/// file).
#[napi(object, object_to_js = false)]
pub struct HelmIgnorePath {
    /// The path relative to the chart root, `/`-separated.
    pub path: String,
    /// Whether it is a directory (rules ending in `/` apply to directories only).
    pub is_dir: bool,
}

fn ignored(ignore: &core::HelmIgnore, paths: &[Either<String, HelmIgnorePath>]) -> Vec<bool> {
    paths
        .iter()
        .map(|item| match item {
            Either::A(path) => ignore.is_ignored(path, false),
            Either::B(p) => ignore.is_ignored(&p.path, p.is_dir),
        })
        .collect()
}

/// The rules of a `.helmignore` file plus Helm's default rule (`templates/.?*`), with Helm's
/// semantics (not `.gitignore`'s): rules apply in order and the first decisive one wins; a
/// rule without `/` matches the base name at any depth, one with `/` the whole path; `!rule`
/// ignores every path the rule does not match; `**` is refused (`invalid_pattern`).
#[napi]
pub struct HelmIgnore {
    inner: core::HelmIgnore,
}

#[napi]
impl HelmIgnore {
    /// Parses the text of a `.helmignore` file; omitted, a chart without one (Helm's default
    /// rule only).
    #[napi(constructor)]
    pub fn new(env: &Env, text: Option<String>) -> napi::Result<Self> {
        match text {
            None => Ok(HelmIgnore {
                inner: core::HelmIgnore::default(),
            }),
            Some(text) => core::HelmIgnore::parse(&text)
                .map(|inner| HelmIgnore { inner })
                .or_throw(env),
        }
    }

    /// The rules as written, Helm's default rule last.
    #[napi(getter)]
    pub fn rules(&self) -> Vec<String> {
        self.inner.rules().into_iter().map(str::to_string).collect()
    }

    /// Whether `path` (relative to the chart root) is ignored; `isDir` tells whether it is a
    /// directory (an ignored directory is skipped with everything in it).
    #[napi]
    pub fn is_ignored(&self, path: String, is_dir: Option<bool>) -> bool {
        self.inner.is_ignored(&path, is_dir.unwrap_or(false))
    }

    /// Whether each path is ignored, one result per path: a string is a file, a
    /// `{ path, isDir }` object says whether it is a directory.
    #[napi]
    pub fn matches(&self, paths: Vec<Either<String, HelmIgnorePath>>) -> Vec<bool> {
        ignored(&self.inner, &paths)
    }

    /// The rules, one a line, Helm's default rule last.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}

/// Whether each path is ignored by the `.helmignore` text `rules` (one result per path, `true`
/// when ignored): a string is a file, a `{ path, isDir }` object says whether it is a
/// directory. As `new HelmIgnore(rules).matches(paths)`.
#[napi]
pub fn helm_ignore_matches(
    env: &Env,
    rules: String,
    paths: Vec<Either<String, HelmIgnorePath>>,
) -> napi::Result<Vec<bool>> {
    let ignore = core::HelmIgnore::parse(&rules).or_throw(env)?;
    Ok(ignored(&ignore, &paths))
}

// ---------------------------------------------------------------------------------------------
// Packaging

/// How to package a chart.
#[napi(object, object_to_js = false)]
pub struct PackageChartOptions {
    /// The chart `version` in the package (the archived Chart.yaml only; `v` accepted).
    pub version: Option<String>,
    /// The chart `appVersion` in the package; omitted, the chart's own. The result of
    /// `chartVersionsFromRelease` gives both.
    pub app_version: Option<String>,
    /// The modification time of every entry, in seconds since the epoch (default 0, so that
    /// the same files give the same bytes; `SOURCE_DATE_EPOCH` is the usual other value).
    pub mtime: Option<i64>,
    /// Size and count limits (the loader's, so every package loads again); omitted, the
    /// defaults of `ChartArchive.defaultLimits()`.
    #[napi(ts_type = "ArchiveLimits")]
    pub limits: Option<Value>,
}

fn package_options(options: Option<PackageChartOptions>) -> shiprail::Result<core::PackageOptions> {
    let Some(o) = options else {
        return Ok(core::PackageOptions::default());
    };
    let mtime = match o.mtime {
        None => 0,
        Some(m) => u64::try_from(m).map_err(|_| {
            Error::new(
                ErrorKind::ConfigSyntax,
                format!("`mtime` {m} is not a time: give seconds since the epoch, 0 or more"),
            )
            .with_input(m.to_string())
        })?,
    };
    // Every field named, so a field added to the core's PackageOptions fails to compile here.
    Ok(core::PackageOptions {
        version: version(o.version.as_deref())?,
        app_version: o.app_version,
        mtime,
        limits: archive_limits(o.limits)?,
    })
}

fn package(
    dir: &str,
    options: Option<PackageChartOptions>,
) -> shiprail::Result<core::ChartPackage> {
    core::package(dir, &package_options(options)?)
}

fn chart_package(inner: core::ChartPackage) -> napi::Result<ChartPackage> {
    Ok(ChartPackage {
        inner: Arc::new(inner),
    })
}

/// Packages the chart directory `dir` without blocking the event loop, the way `helm package`
/// does (`.helmignore`, subcharts, Helm's loader checks), into a reproducible
/// `<name>-<version>.tgz` held in memory: `ChartPackage#writeTo` writes it.
#[napi(ts_return_type = "Promise<ChartPackage>")]
pub fn package_chart(
    dir: String,
    options: Option<PackageChartOptions>,
) -> AsyncTask<Blocking<core::ChartPackage, ChartPackage>> {
    blocking(move || package(&dir, options), chart_package)
}

/// Packages a chart directory, blocking.
#[napi]
pub fn package_chart_sync(
    env: &Env,
    dir: String,
    options: Option<PackageChartOptions>,
) -> napi::Result<ChartPackage> {
    chart_package(package(&dir, options).or_throw(env)?)
}

/// A packaged chart in memory: its name, digest and entries, and the archive bytes. The same
/// files and options always give the same bytes.
#[napi]
pub struct ChartPackage {
    pub(crate) inner: Arc<core::ChartPackage>,
}

/// A path written by the core, as JS gets it (shared by the chart and chart-pull writers).
pub(crate) fn path_string(path: std::path::PathBuf) -> napi::Result<String> {
    Ok(path.display().to_string())
}

#[napi]
impl ChartPackage {
    /// `<name>-<version>.tgz`.
    #[napi(getter)]
    pub fn file_name(&self) -> String {
        self.inner.file_name.clone()
    }

    /// The chart name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// The chart version in the archive.
    #[napi(getter)]
    pub fn version(&self) -> String {
        self.inner.version.clone()
    }

    /// The appVersion in the archive, `null` when the chart has none.
    #[napi(getter)]
    pub fn app_version(&self) -> Option<String> {
        self.inner.app_version.clone()
    }

    /// The SHA-256 of the archive, lowercase hex.
    #[napi(getter)]
    pub fn sha256(&self) -> String {
        self.inner.sha256.clone()
    }

    /// `sha256:<hex>`, as OCI registries and `helm push` print it.
    #[napi(getter)]
    pub fn digest(&self) -> String {
        self.inner.digest()
    }

    /// The archive size in bytes.
    #[napi(getter)]
    pub fn size(&self) -> f64 {
        self.inner.size as f64
    }

    /// The archive entries (`<name>/Chart.yaml`, ...), in archive order.
    #[napi(getter)]
    pub fn files(&self) -> Vec<String> {
        self.inner.files.clone()
    }

    /// The `.tgz` bytes (a copy).
    #[napi(getter)]
    pub fn bytes(&self) -> Buffer {
        self.inner.bytes().to_vec().into()
    }

    /// Writes `outDir/<name>-<version>.tgz` (creating `outDir`, replacing the file atomically)
    /// without blocking the event loop; resolves to its path.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn write_to(&self, out_dir: String) -> AsyncTask<Blocking<std::path::PathBuf, String>> {
        let package = Arc::clone(&self.inner);
        blocking(move || package.write_to(&out_dir), path_string)
    }

    /// Writes `outDir/<name>-<version>.tgz`, blocking; returns its path.
    #[napi]
    pub fn write_to_sync(&self, env: &Env, out_dir: String) -> napi::Result<String> {
        path_string(self.inner.write_to(&out_dir).or_throw(env)?)
    }

    /// JSON form: everything but the bytes.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> ChartPackageInfo {
        ChartPackageInfo::from(self.inner.as_ref())
    }
}

// ---------------------------------------------------------------------------------------------
// Archives

fn chart_archive(inner: core::ChartArchive) -> napi::Result<ChartArchive> {
    Ok(ChartArchive {
        inner: Arc::new(inner),
    })
}

fn open_archive(path: &str, limits: Option<Value>) -> shiprail::Result<core::ChartArchive> {
    core::ChartArchive::open(path, &archive_limits(limits)?)
}

fn read_archive(bytes: &[u8], limits: Option<Value>) -> shiprail::Result<core::ChartArchive> {
    core::ChartArchive::read(bytes, &archive_limits(limits)?)
}

/// A loaded chart archive (`.tgz`): its top-level directory, its files and its Chart.yaml.
///
/// Loading refuses (`unsafe_archive`) absolute paths, `..`, drive letters, entries outside the
/// one chart directory, links, devices, duplicates, and anything beyond the `ArchiveLimits`
/// (the decompressed stream itself is metered, so a gzip bomb stops early); malformed gzip or
/// tar is `invalid_archive`.
#[napi]
pub struct ChartArchive {
    inner: Arc<core::ChartArchive>,
}

#[napi]
impl ChartArchive {
    /// Loads a `.tgz` file without blocking the event loop.
    #[napi(ts_return_type = "Promise<ChartArchive>")]
    pub fn open(
        path: String,
        #[napi(ts_arg_type = "ArchiveLimits")] limits: Option<Value>,
    ) -> AsyncTask<Blocking<core::ChartArchive, ChartArchive>> {
        blocking(move || open_archive(&path, limits), chart_archive)
    }

    /// Loads a `.tgz` file, blocking.
    #[napi(factory)]
    pub fn open_sync(
        env: &Env,
        path: String,
        #[napi(ts_arg_type = "ArchiveLimits")] limits: Option<Value>,
    ) -> napi::Result<ChartArchive> {
        chart_archive(open_archive(&path, limits).or_throw(env)?)
    }

    /// Loads `.tgz` bytes (a pulled chart, `ChartPackage#bytes`) without blocking the event
    /// loop; the bytes are copied first.
    #[napi(ts_return_type = "Promise<ChartArchive>")]
    pub fn read(
        bytes: Buffer,
        #[napi(ts_arg_type = "ArchiveLimits")] limits: Option<Value>,
    ) -> AsyncTask<Blocking<core::ChartArchive, ChartArchive>> {
        let bytes = bytes.to_vec();
        blocking(move || read_archive(&bytes, limits), chart_archive)
    }

    /// Loads `.tgz` bytes, blocking.
    #[napi(factory)]
    pub fn read_sync(
        env: &Env,
        bytes: Buffer,
        #[napi(ts_arg_type = "ArchiveLimits")] limits: Option<Value>,
    ) -> napi::Result<ChartArchive> {
        chart_archive(read_archive(&bytes, limits).or_throw(env)?)
    }

    /// The limits applied when none are given (Helm's: 100 MiB decompressed, 5 MiB per file;
    /// plus 10,000 entries and 4 KiB paths), every key included.
    #[napi(ts_return_type = "ArchiveLimits")]
    pub fn default_limits() -> napi::Result<Value> {
        convert::to_plain(&core::ArchiveLimits::default())
    }

    /// The chart's top-level directory in the archive (normally the chart name).
    #[napi(getter)]
    pub fn root(&self) -> String {
        self.inner.root().to_string()
    }

    /// The chart metadata, in its Chart.yaml form.
    #[napi(getter, ts_return_type = "ChartMetadata")]
    pub fn metadata(&self) -> napi::Result<Value> {
        convert::to_plain(self.inner.metadata())
    }

    /// The parsed Chart.yaml.
    #[napi(getter)]
    pub fn chart(&self) -> ChartFile {
        ChartFile {
            inner: self.inner.chart().clone(),
        }
    }

    /// Every file, relative to the top-level directory, in archive order.
    #[napi(getter)]
    pub fn files(&self) -> Vec<String> {
        self.inner.files().iter().map(|f| f.path.clone()).collect()
    }

    /// The content of the file at `path` (relative to the top-level directory, a leading
    /// UTF-8 BOM removed as Helm does), `null` when there is none.
    #[napi]
    pub fn file(&self, path: String) -> Option<Buffer> {
        self.inner.file(&path).map(|data| data.to_vec().into())
    }

    /// The top-level directory, the metadata, the file list and the decompressed size.
    #[napi]
    pub fn summary(&self) -> napi::Result<ArchiveSummary> {
        ArchiveSummary::try_from(self.inner.summary())
    }

    /// Writes the chart into `dir/<root>/`, which must not exist yet, without blocking the
    /// event loop; resolves to that path. Nothing is written outside it.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn extract_to(&self, dir: String) -> AsyncTask<Blocking<std::path::PathBuf, String>> {
        let archive = Arc::clone(&self.inner);
        blocking(move || archive.extract_to(&dir), path_string)
    }

    /// Writes the chart into `dir/<root>/`, blocking; returns that path.
    #[napi]
    pub fn extract_to_sync(&self, env: &Env, dir: String) -> napi::Result<String> {
        path_string(self.inner.extract_to(&dir).or_throw(env)?)
    }

    /// JSON form: the summary.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> napi::Result<ArchiveSummary> {
        self.summary()
    }
}

// ---------------------------------------------------------------------------------------------
// Release names

/// The Helm release name of `service` at `version`, optionally in `environment`, so that
/// versions run side by side: `{service}-v{version}[-{environment}]` with every character
/// other than a letter or digit as `-` (`delivery-v1-0-2-qa`), at most 53 characters; a name
/// too long or not keeping its inputs apart is shortened and gets a stable hash suffix.
#[napi]
pub fn release_names(
    env: &Env,
    service: String,
    version: String,
    environment: Option<String>,
) -> napi::Result<ReleaseNames> {
    let version: ReleaseVersion = version.parse().or_throw(env)?;
    core::release_names(&service, &version, environment.as_deref())
        .map(ReleaseNames::from)
        .or_throw(env)
}

/// The `kubernetes.io/change-cause` annotation for `cause`, by `template` (omitted, the
/// default `{service} v{version}[ to {environment}][ from {branch}][ at {short_commit}][:
/// {reason}]`, where a `[...]` group disappears when a value in it is missing).
#[napi]
pub fn render_change_cause(
    env: &Env,
    #[napi(ts_arg_type = "ChangeCause")] cause: Value,
    template: Option<String>,
) -> napi::Result<String> {
    let template = match template {
        Some(t) => t.parse::<core::ChangeCauseTemplate>().or_throw(env)?,
        None => core::ChangeCauseTemplate::default(),
    };
    let cause = convert::change_cause(cause).or_throw(env)?;
    template.render(&cause).or_throw(env)
}

/// Whether `name` is a DNS-1123 label: 1 to 63 lowercase letters, digits and `-`, starting and
/// ending with a letter or digit.
#[napi(js_name = "isDns1123Label")]
pub fn is_dns1123_label(name: String) -> bool {
    core::is_dns1123_label(&name)
}
