//! `shiprail chart ...`: lint, version, package and inspect Helm charts; push, pull and list
//! them in OCI registries; name releases.

use super::image::{AccessArgs, block_on};
use super::{load_config, read_input, to_json};
use crate::output::{Failure, Outcome};
use serde_json::json;
use shiprail::chart::{
    ArchiveLimits, ChangeCause, ChangeCauseTemplate, ChartArchive, ChartFile, ChartReference,
    ChartVersions, LintOptions, PackageOptions, lint_dir, package, release_names, rfc3339_utc,
    sha256_hex, write_dependency_version, write_versions,
};
use shiprail::registry::ChartPushOptions;
use shiprail::version::ReleaseVersion;
use shiprail::{Error, ErrorKind};
use std::path::{Path, PathBuf};

/// Subcommands of `shiprail chart`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Lint a chart directory: Helm's chart checks plus the release rules.
    Lint {
        /// The chart directory.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// A released version (repeatable); the chart version must be above all of them.
        #[arg(long, value_name = "VERSION")]
        released: Vec<String>,
        /// Released versions or git tags, one a line (as `git tag` prints them); `-` for stdin.
        #[arg(long, value_name = "FILE")]
        released_from: Option<PathBuf>,
        /// Fail on warnings too (like `helm lint --strict`).
        #[arg(long)]
        strict: bool,
        /// The shiprail.yaml (its `tags:` policy; default: ./shiprail.yaml when present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Set the chart version and appVersion in DIR/Chart.yaml in place (comments survive), or
    /// with --dependency a subchart's version in an umbrella chart.
    Version {
        /// The chart directory.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The release version (`1.0.2` or `v1.0.2`); with --dependency, a version or range.
        #[arg(long = "set", value_name = "VERSION")]
        set: String,
        /// The appVersion (default: derived from the version by the tag policy).
        #[arg(long, value_name = "VERSION", conflicts_with = "dependency")]
        app_version: Option<String>,
        /// Bump this dependency (name or alias) instead of the chart's own version.
        #[arg(long, value_name = "NAME")]
        dependency: Option<String>,
        /// The shiprail.yaml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Package a chart directory into a reproducible `<name>-<version>.tgz`; prints its path and
    /// SHA-256.
    #[command(disable_version_flag = true)]
    Package {
        /// The chart directory.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// The chart version in the package (and, unless --app-version is given, the
        /// appVersion by the tag policy).
        #[arg(long, value_name = "VERSION")]
        version: Option<String>,
        /// The appVersion in the package.
        #[arg(long, value_name = "VERSION")]
        app_version: Option<String>,
        /// The output directory.
        #[arg(
            short = 'd',
            long = "destination",
            value_name = "OUT",
            default_value = "."
        )]
        destination: PathBuf,
        /// The mtime of every entry (default: $SOURCE_DATE_EPOCH, else 0).
        #[arg(long, value_name = "SECONDS")]
        mtime: Option<u64>,
        /// The shiprail.yaml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// The Helm release name (and change cause) of a version of a service in an environment.
    #[command(disable_version_flag = true)]
    ReleaseName {
        /// The service.
        #[arg(long)]
        service: String,
        /// The version deployed.
        #[arg(long)]
        version: String,
        /// The environment (left out of the name when not given).
        #[arg(long)]
        env: Option<String>,
        /// The branch, for the change cause.
        #[arg(long)]
        branch: Option<String>,
        /// The commit, for the change cause.
        #[arg(long)]
        commit: Option<String>,
        /// Why, for the change cause.
        #[arg(long)]
        reason: Option<String>,
        /// The change-cause template.
        #[arg(long, value_name = "TEMPLATE")]
        change_cause: Option<String>,
    },
    /// Load a chart archive with a loader's checks and print its metadata and files.
    Inspect {
        /// The .tgz file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Push a packaged chart to an OCI registry as `helm push` does; prints the reference, the
    /// manifest digest and the tag.
    Push {
        /// The packaged chart (`delivery-1.0.2.tgz`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where charts go (`oci://myrepo.azurecr.io/helm`); the chart name is appended.
        #[arg(value_name = "oci://HOST/PATH")]
        destination: String,
        /// The `org.opencontainers.image.created` annotation, RFC 3339 (default: from
        /// $SOURCE_DATE_EPOCH, else 1970-01-01T00:00:00Z, so a push is reproducible).
        #[arg(long, value_name = "TIME")]
        created: Option<String>,
        /// Replace a tag that names another chart (a released version should never change).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        access: AccessArgs,
    },
    /// Pull a chart from an OCI registry, verify it and write `<name>-<version>.tgz`; prints
    /// the path and SHA-256.
    #[command(disable_version_flag = true)]
    Pull {
        /// The chart (`oci://myrepo.azurecr.io/helm/delivery`).
        #[arg(value_name = "oci://HOST/PATH/NAME")]
        reference: String,
        /// The chart version (default: the tag in the reference, else the highest version).
        #[arg(long, value_name = "VERSION")]
        version: Option<String>,
        /// The output directory.
        #[arg(
            short = 'd',
            long = "destination",
            value_name = "DIR",
            default_value = "."
        )]
        destination: PathBuf,
        #[command(flatten)]
        access: AccessArgs,
    },
    /// List the chart versions in an OCI repository, highest first.
    Versions {
        /// The chart (`oci://myrepo.azurecr.io/helm/delivery`).
        #[arg(value_name = "oci://HOST/PATH/NAME")]
        reference: String,
        #[command(flatten)]
        access: AccessArgs,
    },
}

/// `$SOURCE_DATE_EPOCH` (seconds since the epoch, the reproducible-builds convention): the
/// mtime of packaged entries and the `created` time of a pushed chart; 0 when unset or empty.
/// Any other value is refused rather than silently read as 0.
fn source_date_epoch() -> Result<u64, Error> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Err(_) => Ok(0),
        Ok(s) if s.trim().is_empty() => Ok(0),
        Ok(s) => s.trim().parse().map_err(|_| {
            Error::new(
                ErrorKind::InvalidChart,
                format!(
                    "SOURCE_DATE_EPOCH `{}` is not a number of seconds since 1970-01-01T00:00:00Z",
                    s.escape_debug()
                ),
            )
            .with_input(s.clone())
        }),
    }
}

fn read_file(file: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(file).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read `{}`: {e}", file.display()),
        )
        .with_input(file.display().to_string())
    })
}

fn parse_version(s: &str) -> Result<ReleaseVersion, Error> {
    s.parse()
}

/// Released versions from `--released` and `--released-from` (versions or git tags of the
/// chart's service).
fn released(
    values: &[String],
    from: Option<&PathBuf>,
    config: &shiprail::config::Config,
    chart: &str,
) -> Result<Vec<ReleaseVersion>, Error> {
    let mut lines: Vec<String> = values.to_vec();
    if let Some(path) = from {
        lines.extend(read_input(path)?.lines().map(|l| l.trim().to_string()));
    }
    let mut out = Vec::new();
    for line in lines.iter().filter(|l| !l.is_empty()) {
        if let Ok(v) = line.parse::<ReleaseVersion>() {
            out.push(v);
        } else if let Some(v) = config.tags.git.parse_for_service(line, chart) {
            out.push(v);
        }
    }
    Ok(out)
}

fn chart_name(dir: &Path) -> Result<String, Error> {
    Ok(ChartFile::load(dir.join("Chart.yaml"))?
        .metadata()
        .name
        .clone())
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Lint {
            dir,
            released: versions,
            released_from,
            strict,
            config,
        } => {
            let config = load_config(config.as_deref())?;
            let name = ChartFile::load(dir.join("Chart.yaml"))
                .map(|f| f.metadata().name.clone())
                .unwrap_or_default();
            let options = LintOptions {
                released: released(versions, released_from.as_ref(), &config, &name)?,
                policy: config.tags.clone(),
            };
            let report = lint_dir(dir, &options)?;
            // A failing report is printed whole (every finding, with its file relative to the
            // chart directory) and exits 1.
            if !report.passed() || (*strict && !report.passed_strict()) {
                return Err(Failure::Findings(to_json(&report)?));
            }
            to_json(&report)
        }
        Command::Version {
            dir,
            set,
            app_version,
            dependency,
            config,
        } => {
            if let Some(dependency) = dependency {
                return to_json(&write_dependency_version(dir, dependency, set)?);
            }
            let config = load_config(config.as_deref())?;
            let version = parse_version(set)?;
            let app_version = match app_version {
                Some(a) => a.clone(),
                None => {
                    ChartVersions::from_release(&config.tags, &chart_name(dir)?, &version)?
                        .app_version
                }
            };
            to_json(&write_versions(dir, Some(&version), Some(&app_version))?)
        }
        Command::Package {
            dir,
            version,
            app_version,
            destination,
            mtime,
            config,
        } => {
            let config = load_config(config.as_deref())?;
            let version = version.as_deref().map(parse_version).transpose()?;
            let app_version = match (app_version, &version) {
                (Some(a), _) => Some(a.clone()),
                (None, Some(v)) => Some(
                    ChartVersions::from_release(&config.tags, &chart_name(dir)?, v)?.app_version,
                ),
                (None, None) => None,
            };
            let mtime = match mtime {
                Some(m) => *m,
                None => source_date_epoch()?,
            };
            let options = PackageOptions {
                version,
                app_version,
                mtime,
                limits: ArchiveLimits::default(),
            };
            let pkg = package(dir, &options)?;
            let path = pkg.write_to(destination)?;
            let mut value = to_json(&pkg)?;
            value["path"] = json!(path.display().to_string());
            value["digest"] = json!(pkg.digest());
            Ok(value)
        }
        Command::ReleaseName {
            service,
            version,
            env,
            branch,
            commit,
            reason,
            change_cause,
        } => {
            let version = parse_version(version)?;
            let names = release_names(service, &version, env.as_deref())?;
            let template = match change_cause {
                Some(t) => t.parse::<ChangeCauseTemplate>()?,
                None => ChangeCauseTemplate::default(),
            };
            let cause = template.render(&ChangeCause {
                service: service.clone(),
                version: Some(version),
                environment: env.clone(),
                branch: branch.clone(),
                commit: commit.clone(),
                reason: reason.clone(),
            })?;
            let mut value = to_json(&names)?;
            value["change_cause"] = json!(cause);
            Ok(value)
        }
        Command::Inspect { file } => {
            let bytes = std::fs::read(file).map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!("cannot read `{}`: {e}", file.display()),
                )
                .with_input(file.display().to_string())
            })?;
            let archive = ChartArchive::read(bytes.as_slice(), &ArchiveLimits::default())?;
            let mut value = to_json(&archive.summary())?;
            value["sha256"] = json!(sha256_hex(&bytes));
            value["archive_size"] = json!(bytes.len());
            Ok(value)
        }
        Command::Push {
            file,
            destination,
            created,
            force,
            access,
        } => {
            let destination: ChartReference = destination.parse()?;
            let bytes = read_file(file)?;
            let created = match created {
                Some(c) => c.clone(),
                None => rfc3339_utc(source_date_epoch()?),
            };
            let options = ChartPushOptions {
                created: Some(created),
                force: *force,
                limits: ArchiveLimits::default(),
            };
            let client = access.client()?;
            to_json(&block_on(client.push_chart(
                &bytes,
                &destination,
                &options,
            ))??)
        }
        Command::Pull {
            reference,
            version,
            destination,
            access,
        } => {
            let reference: ChartReference = reference.parse()?;
            let client = access.client()?;
            let pulled = block_on(client.pull_chart(
                &reference,
                version.as_deref(),
                &ArchiveLimits::default(),
            ))??;
            let path = pulled.write_to(destination)?;
            let mut value = to_json(&pulled)?;
            value["path"] = json!(path.display().to_string());
            value["sha256"] = json!(pulled.chart_digest.hex());
            Ok(value)
        }
        Command::Versions { reference, access } => {
            let reference: ChartReference = reference.parse()?;
            let client = access.client()?;
            let versions = block_on(client.chart_versions(&reference))??;
            Ok(json!({
                "reference": reference.without_tag().to_string(),
                "versions": versions,
            }))
        }
    }
}
