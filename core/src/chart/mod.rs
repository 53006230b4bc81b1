//! # Helm charts
//!
//! Each service ships a Helm chart (`charts/<service>/`). This module reads, checks, versions,
//! packages and loads charts the way Helm does, without Helm: the release pipeline sets the
//! chart version and appVersion from the release version, lints the chart, packages it into a
//! reproducible archive, and names the Helm release that deploys it side by side with other
//! versions. Pushing and pulling charts to OCI registries is
//! [`RegistryClient::push_chart`](crate::registry) (feature `registry`); the formats it writes
//! are here.
//!
//! ## Chart.yaml
//!
//! [`ChartFile::parse`] reads Chart.yaml into [`ChartMetadata`] the way Helm's loader does:
//! YAML 1.1 scalars (go-yaml v2), so `appVersion: 1.10` is the *number* 1.1 and reads as the
//! string `"1.1"`; keys match ignoring ASCII case; only the first YAML document counts; a
//! leading BOM is ignored. Fields Helm does not know are kept in `extra`, in file order. YAML
//! that is malformed, or a field of a type Helm cannot load (a list where a string belongs), is
//! [`ErrorKind::ConfigSyntax`](crate::ErrorKind::ConfigSyntax) with line and column.
//!
//! ```
//! use shiprail::chart::ChartFile;
//! let file = ChartFile::parse("apiVersion: v2\nname: delivery\nversion: 0.1.0\nappVersion: 1.10\nx-team: drones\n")?;
//! let md = file.metadata();
//! assert_eq!((md.name.as_str(), md.app_version.as_deref()), ("delivery", Some("1.1")));
//! assert_eq!(md.extra["x-team"], "drones");
//! let err = ChartFile::parse("name: c\nkeywords: [a\n").unwrap_err();
//! assert_eq!(err.code(), "config_syntax");
//! assert_eq!(err.location().map(|l| l.line), Some(2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Lint
//!
//! [`lint`] and [`lint_dir`] run the chart checks of `helm lint` (Helm 3.19 and 4.1) and
//! shiprail's release rules, each finding with a [`Severity`], a [`LintRule`] id and a
//! position. Like `helm lint`, only errors fail ([`LintReport::passed`]). Helm's rules:
//!
//! - Chart.yaml exists and parses (`chart_yaml_missing`, `chart_yaml_syntax`); unknown fields
//!   and duplicate keys are warnings (`chart_yaml_strict`, Helm 4).
//! - `name` is required and one path component (`name_required`, `name_path`); a name outside
//!   `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$` is a warning (`name_pattern`): Helm 3.19 and 4.1 accept
//!   it, newer Helm refuses it.
//! - `apiVersion` is `v1` or `v2` (`api_version`).
//! - `version` and `appVersion` are YAML strings (`version_type`, `app_version_type`: Helm
//!   reports `float64` for `version: 1.0`, `<nil>` for an empty `appVersion:`); `version` is
//!   required (`version_required`), SemVer by Masterminds' lenient reading (`version_semver`:
//!   an optional `v`, one to three numbers with leading zeros allowed, pre-release identifiers
//!   without leading zeros) and above `0.0.0-0` (`version_lowest`); lenient-only SemVer is a
//!   warning (`version_strict`, Helm 4).
//! - Maintainers: no empty entry, a name, a valid e-mail and URL (`maintainer_*`); `sources`
//!   and `icon` are absolute URLs (`source_url`, `icon_url`); no icon is an info
//!   (`icon_missing`).
//! - `type` and `dependencies` only in apiVersion v2 (`type_api_version`,
//!   `dependencies_api_version`); `type` is `application` or `library` (`type_value`);
//!   dependencies: no empty entry, aliases of `[a-zA-Z0-9_-]`, unique names or aliases
//!   (`dependency_empty`, `dependency_alias`, `dependency_unique`); [`lint_dir`] also checks
//!   that Chart.yaml and `charts/` agree (`dependency_unlisted`, `dependency_missing`), that
//!   `charts/` holds only loadable charts (`subchart_invalid`), and that the directory reads
//!   as a chart at all (`chart_files`: .helmignore, irregular files, link loops, size limits).
//! - values.yaml: missing is an info (`values_missing`), malformed or not a mapping an error
//!   (`values_syntax`); values.schema.json is JSON (`values_schema_syntax`); a missing
//!   `templates/` is a warning (`templates_missing`).
//!
//! Templates are not rendered (that needs Go templates): a chart can pass here and still
//! fail `helm lint` on a template. shiprail's rules ([`LintOptions`]): the version is above
//! every released one (`version_not_higher`), appVersion is what the tag policy derives from
//! the version (`app_version_policy`), values.yaml names no image by a mutable tag
//! (`mutable_image_tag`) and pins no image tag other than the policy's (`image_tag_policy`,
//! a warning), and names no image without a tag (`image_untagged`, a warning).
//!
//! ```
//! use shiprail::chart::{lint, LintInput, LintOptions, LintRule};
//! let input = LintInput {
//!     chart_yaml: Some("apiVersion: v2\nname: delivery\nversion: 1.0\nappVersion: \"1.0.0\"\n".into()),
//!     values_yaml: Some("image:\n  repository: myrepo.azurecr.io/delivery\n  tag: latest\n".into()),
//!     ..LintInput::default()
//! };
//! let report = lint(&input, &LintOptions::default());
//! assert!(!report.passed());
//! let rules: Vec<LintRule> = report.findings.iter().map(|f| f.rule).collect();
//! assert_eq!(rules, [LintRule::VersionType, LintRule::IconMissing, LintRule::VersionStrict,
//!                    LintRule::MutableImageTag]);
//! assert_eq!(report.findings[0].to_string(),
//!     "[ERROR] Chart.yaml:3:10: version should be of type string but it's of type float64: \
//!      quote it, e.g. `version: \"1\"` (version_type)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Versioning
//!
//! [`ChartVersions::from_release`] gives a release's chart version and appVersion by the tag
//! policy (1:1 by default). [`rewrite_versions`] sets them in Chart.yaml text by replacing
//! just those two scalars, so comments, order and formatting survive; `appVersion` is written
//! double-quoted (so `1.10` stays text), `version` keeps its quoting, a missing key is added on
//! its own line. The result is parsed again and must differ in those values only; a value
//! shared through an anchor, a block scalar or a flow-style file is refused.
//! [`rewrite_dependency_version`] bumps a subchart in an umbrella chart; [`write_versions`]
//! and [`write_dependency_version`] edit a chart directory in place.
//!
//! ```
//! use shiprail::chart::{rewrite_versions, ChartVersions};
//! use shiprail::tag::TagPolicy;
//! let versions = ChartVersions::from_release(&TagPolicy::default(), "delivery", &"1.0.2".parse()?)?;
//! let text = "name: delivery\n# set by the pipeline\nversion: 0.1.0  # chart\nappVersion: '0.1.0'\n";
//! let out = rewrite_versions(text, Some(&versions.version), Some(&versions.app_version))?;
//! assert_eq!(out, "name: delivery\n# set by the pipeline\nversion: 1.0.2  # chart\nappVersion: \"1.0.2\"\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Ignoring files
//!
//! [`HelmIgnore`] follows Helm's `pkg/ignore`, not `.gitignore`: rules apply in order and the
//! first decisive one wins; a rule without `/` matches the base name anywhere, one with `/`
//! the whole path from the chart root (a leading `/` is dropped); a trailing `/` limits a rule
//! to directories; `!rule` ignores every path the rule does *not* match; globs are Go's
//! `filepath.Match` (`*` and `?` stop at `/`), `**` is an error. `templates/.?*` is always
//! added. An ignored directory is skipped with everything in it.
//!
//! ```
//! use shiprail::chart::HelmIgnore;
//! let ignore = HelmIgnore::parse("*.md\nci/\n/notes.txt\n")?;
//! assert!(ignore.is_ignored("docs/README.md", false));
//! assert!(ignore.is_ignored("ci", true));
//! assert!(!ignore.is_ignored("templates/notes.txt", false));
//! assert!(ignore.is_ignored("templates/.swp", false));
//! assert!(HelmIgnore::parse("!keep.txt\n")?.is_ignored("other.txt", false));
//! assert_eq!(HelmIgnore::parse("a/**/b").unwrap_err().code(), "invalid_pattern");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Packaging
//!
//! [`package`] reads the chart directory like Helm's loader (`.helmignore`, symbolic links
//! followed, irregular files refused, BOMs stripped), checks Chart.yaml like Helm's loader
//! ([`ChartFile::validate`]), and writes `<name>-<version>.tgz` with every file under
//! `<name>/`: the same file list as `helm package` (subcharts in `charts/` included, `.tgz`
//! subcharts expanded under `charts/<subchart>/`, `charts/_*` and `charts/.*` dropped). The
//! archived Chart.yaml is the original text with `version`/`appVersion` overridden as asked.
//! The archive is byte-for-byte reproducible: Chart.yaml first, then paths in byte order,
//! every entry a regular file with mode 0644, uid/gid 0, no owner names and one mtime (0 by
//! default), gzip without name or timestamp. [`ChartPackage::sha256`] is the digest.
//!
//! ```no_run
//! use shiprail::chart::{package, PackageOptions};
//! let options = PackageOptions { version: Some("1.0.2".parse()?), app_version: Some("1.0.2".into()),
//!                                ..PackageOptions::default() };
//! let pkg = package("examples/drone-delivery/charts/delivery", &options)?;
//! assert_eq!(pkg.file_name, "delivery-1.0.2.tgz");
//! let path = pkg.write_to("dist")?;
//! println!("{} {}", path.display(), pkg.sha256);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Loading archives
//!
//! [`ChartArchive::read`] streams a `.tgz` and refuses, with
//! [`ErrorKind::UnsafeArchive`](crate::ErrorKind::UnsafeArchive): absolute paths, `..`,
//! Windows drive letters, a Chart.yaml at the archive root, entries outside the one chart
//! directory, symbolic and hard links, devices, fifos, duplicate entries, and more than the
//! [`ArchiveLimits`] (100 MiB decompressed, 5 MiB per file, 10,000 entries, 4 KiB paths). The
//! decompressed stream itself is metered, so a gzip bomb stops early. A leading BOM is stripped
//! from every file. [`ChartArchive::extract_to`] writes into a new `dir/<chart>/` only.
//!
//! ```
//! use shiprail::chart::{ArchiveLimits, ChartArchive};
//! let err = ChartArchive::read(&b"not gzip"[..], &ArchiveLimits::default()).unwrap_err();
//! assert_eq!(err.code(), "invalid_archive");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Release names
//!
//! [`release_names`] names the Helm release of one version of a service, optionally in one
//! environment, so versions run side by side: `{service}-v{version}[-{environment}]` with
//! every character other than a letter or digit turned into `-` (`delivery-v1-0-2`,
//! `delivery-v1-0-3-rc-1-qa`). The name is a DNS-1123 label of at most 53 characters (Helm's
//! limit). When the readable name is too long, or would not keep inputs apart (upper case,
//! build metadata, `-` inside a pre-release identifier, a service or environment that had to
//! be changed), it is shortened and an 8-hex-digit hash of the inputs is appended: the same
//! inputs always give the same name, and two different long names stay apart.
//!
//! ```
//! use shiprail::chart::release_names;
//! let v = "1.0.2".parse()?;
//! assert_eq!(release_names("delivery", &v, None)?.release, "delivery-v1-0-2");
//! assert_eq!(release_names("delivery", &v, Some("qa"))?.release, "delivery-v1-0-2-qa");
//! let long = release_names(&"drone".repeat(12), &v, Some("production"))?;
//! assert!(long.hashed && long.release.len() <= 53);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Change cause
//!
//! [`ChangeCauseTemplate`] renders the `kubernetes.io/change-cause` annotation that `kubectl
//! rollout history` shows, from the version, environment, branch, commit and reason.
//!
//! ```
//! use shiprail::chart::{ChangeCause, ChangeCauseTemplate};
//! let cause = ChangeCause { service: "delivery".into(), version: Some("1.0.2".parse()?),
//!     environment: Some("prod".into()), commit: Some("4f2a9c1e0b".into()),
//!     reason: Some("approved by QA".into()), ..ChangeCause::default() };
//! assert_eq!(ChangeCauseTemplate::default().render(&cause)?,
//!            "delivery v1.0.2 to prod at 4f2a9c1: approved by QA");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## OCI tags
//!
//! A chart version with build metadata is pushed under a tag with `_` for `+`
//! ([`chart_oci_tag`](crate::tag::chart_oci_tag)), as Helm does. Listing a repository's
//! versions reads the tags back ([`chart_versions_from_tags`]): `_` becomes `+`, only strict
//! SemVer counts, highest first.
//!
//! ```
//! use shiprail::chart::chart_versions_from_tags;
//! assert_eq!(chart_versions_from_tags(&["1.0.2", "1.0.3_b.1", "v1.0.4", "latest"]), ["1.0.3+b.1", "1.0.2"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Charts as OCI artifacts
//!
//! [`ChartReference`] is an `oci://HOST[:PORT]/PATH[:TAG]` location: the host must read as a
//! registry (`localhost`, or with a `.` or a `:`), the path follows the OCI repository rules,
//! a digest is refused. A chart pushed to `oci://r.io/helm` lands in repository
//! `helm/<name>`, tag [`chart_oci_tag`](crate::tag::chart_oci_tag) of its version.
//!
//! ```
//! use shiprail::chart::ChartReference;
//! let base: ChartReference = "oci://myrepo.azurecr.io/helm".parse()?;
//! let chart = base.join("delivery")?.with_version("1.0.2+build.5")?;
//! assert_eq!(chart.to_string(), "oci://myrepo.azurecr.io/helm/delivery:1.0.2_build.5");
//! assert_eq!("oci://registry/helm".parse::<ChartReference>().unwrap_err().code(), "invalid_image_reference");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What is pushed is byte for byte what Helm 3.19 and 4.1 push for the same archive and
//! creation time: the config blob ([`helm_config_json`], media type
//! [`HELM_CONFIG_MEDIA_TYPE`]) is the Chart.yaml metadata as Go's `encoding/json` writes
//! Helm's `Metadata` (Helm's field order, empty fields left out, unknown fields dropped,
//! strings sanitized like Helm's loader, `<>&` escaped); the one layer is the archive
//! ([`HELM_CHART_LAYER_MEDIA_TYPE`]); the manifest ([`helm_manifest_json`]) is an OCI image
//! manifest without a `mediaType` field, with Helm's annotations ([`helm_annotations`]).
//! `org.opencontainers.image.created` is where shiprail chooses differently: Helm takes the
//! archive file's modification time, which differs between machines; shiprail writes
//! [`DEFAULT_CREATED`] (the epoch, like the entries of a package) unless given a time, so the
//! same archive always gives the same manifest digest.
//!
//! ```
//! use shiprail::chart::{helm_annotations, helm_config_json, helm_manifest_json, ChartFile, DEFAULT_CREATED};
//! let md = ChartFile::parse("apiVersion: v2\nname: delivery\nversion: 1.0.2\n")?.metadata().clone();
//! let manifest = helm_manifest_json(&helm_config_json(&md), b"tgz", &helm_annotations(&md, DEFAULT_CREATED));
//! let text = String::from_utf8(manifest)?;
//! assert!(text.starts_with(r#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json""#));
//! assert!(text.contains(r#""org.opencontainers.image.created":"1970-01-01T00:00:00Z""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod helm_rules;
mod helmignore;
mod lint;
mod load;
mod metadata;
mod oci;
mod package;
mod release_name;
mod versioning;
mod yaml;

pub use helmignore::{HELMIGNORE, HelmIgnore};
pub use lint::{
    Finding, LintInput, LintOptions, LintReport, LintRule, PathKind, Severity, lint, lint_dir,
};
pub use load::{ArchiveFile, ArchiveLimits, ArchiveSummary, ChartArchive};
pub use metadata::{
    ApiVersion, CHART_FILE, ChartFile, ChartMetadata, ChartType, Dependency, Maintainer,
};
pub use oci::{
    ChartReference, DEFAULT_CREATED, HELM_CHART_LAYER_MEDIA_TYPE, HELM_CONFIG_MEDIA_TYPE,
    HELM_LEGACY_CHART_LAYER_MEDIA_TYPE, HELM_PROV_LAYER_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE,
    chart_versions_from_tags, check_created, helm_annotations, helm_config_json,
    helm_manifest_json, rfc3339_utc,
};
pub use package::{ChartPackage, PackageOptions, package, sha256_hex};
pub use release_name::{
    CHANGE_CAUSE_ANNOTATION, ChangeCause, ChangeCauseTemplate, MAX_CHANGE_CAUSE_LEN, MAX_LABEL_LEN,
    MAX_RELEASE_NAME_LEN, ReleaseNames, is_dns1123_label, release_names,
};
pub use versioning::{
    ChartVersions, VersionChange, rewrite_dependency_version, rewrite_versions,
    write_dependency_version, write_versions,
};

/// Compile-time check that the public types can cross threads.
#[allow(dead_code)]
const fn assert_send_sync<T: Send + Sync>() {}
const _: () = {
    assert_send_sync::<ApiVersion>();
    assert_send_sync::<ArchiveFile>();
    assert_send_sync::<ArchiveLimits>();
    assert_send_sync::<ArchiveSummary>();
    assert_send_sync::<ChangeCause>();
    assert_send_sync::<ChangeCauseTemplate>();
    assert_send_sync::<ChartArchive>();
    assert_send_sync::<ChartFile>();
    assert_send_sync::<ChartMetadata>();
    assert_send_sync::<ChartPackage>();
    assert_send_sync::<ChartReference>();
    assert_send_sync::<ChartType>();
    assert_send_sync::<ChartVersions>();
    assert_send_sync::<Dependency>();
    assert_send_sync::<Finding>();
    assert_send_sync::<HelmIgnore>();
    assert_send_sync::<LintInput>();
    assert_send_sync::<LintOptions>();
    assert_send_sync::<LintReport>();
    assert_send_sync::<LintRule>();
    assert_send_sync::<Maintainer>();
    assert_send_sync::<PackageOptions>();
    assert_send_sync::<PathKind>();
    assert_send_sync::<ReleaseNames>();
    assert_send_sync::<Severity>();
    assert_send_sync::<VersionChange>();
};
