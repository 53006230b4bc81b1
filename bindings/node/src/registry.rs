//! Registries and promotion: the `RegistryClient` class (`promote`, `listTags`, `resolve`,
//! `highestRelease`, `deleteTag`, and for charts `pushChart`, `pullChart`, `chartVersions`,
//! each a Promise), the `PromotionPolicy` class (what may be
//! promoted where), `DockerConfig` (where credentials come from), the `Digest` and `Platform`
//! values, and `highestRelease` over a list of tags.
//!
//! Network operations are the core's futures run on napi's Tokio runtime
//! ([`crate::task::future`]): the main thread never waits on a registry, and a core error
//! rejects the promise with the usual `Error` (`code` `registry_unauthorized`,
//! `registry_not_found`, ...). Arguments are parsed inside the future, so a bad one rejects too.
//!
//! Secrets: credentials go in (`RegistryOptions.credentials`, `DockerConfig`) and never come
//! back out. No getter, `toJSON` or result carries a password or token; `credentialsFor` says
//! which kind of credentials a registry gets and the user name; the core's messages name where
//! credentials came from, never what they are; and a credentials object of the wrong shape is
//! refused naming the key, never the value.

use crate::chart::{ChartPackage, archive_limits};
use crate::chart_oci::ChartPull;
use crate::config::Config;
use crate::convert::{
    self, ChartPush, CredentialsInfo, DeletedTag, ProgressEvent, PromoteRequest, Promotion,
    ReleaseTag, Resolved, section,
};
use crate::error::OrThrow;
use crate::task::{Blocking, blocking, future};
use napi::bindgen_prelude::{
    AsyncTask, Buffer, ClassInstance, Either, Object, PromiseRaw, Unknown,
};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::tokio::sync::Notify;
use napi::{Env, Status, ValueType};
use napi_derive::napi;
use serde_json::Value;
use shiprail::chart::ChartReference;
use shiprail::image::{ImageReference, PromotionTemplate};
use shiprail::registry as core;
use shiprail::tag::TagPolicy;
use shiprail::{Error, ErrorKind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn image(text: &str) -> shiprail::Result<ImageReference> {
    text.parse()
}

fn tag_policy(value: Option<Value>) -> shiprail::Result<TagPolicy> {
    section("tags", value)
}

// ---------------------------------------------------------------------------------------------
// Credentials and the docker config

/// The type of `object[key]`, `Undefined` when it is missing.
fn type_of(object: &Object<'_>, key: &str) -> napi::Result<ValueType> {
    Ok(match object.get::<Unknown<'_>>(key)? {
        Some(value) => value.get_type()?,
        None => ValueType::Undefined,
    })
}

/// The credentials `map[host]` of `RegistryOptions.credentials`, read key by key: keys are
/// checked by name, a value of the wrong type is refused naming its key; no message ever holds
/// a value (it may be a secret).
fn credentials(map: &Object<'_>, host: &str) -> shiprail::Result<core::Credentials> {
    let invalid = |why: &str| {
        Error::new(
            ErrorKind::ConfigSyntax,
            format!(
                "invalid `credentials` for `{}`: {why}; give `username` and `password`, or `token`, or `{{}}` for none",
                host.escape_debug()
            ),
        )
        .with_input(host)
    };
    let object = match type_of(map, host) {
        Ok(ValueType::Object) => map
            .get::<Object<'_>>(host)
            .ok()
            .flatten()
            .ok_or_else(|| invalid("it cannot be read"))?,
        _ => return Err(invalid("expected an object")),
    };
    let keys = Object::keys(&object).map_err(|_| invalid("its keys cannot be read"))?;
    if let Some(unknown) = keys
        .iter()
        .find(|k| !matches!(k.as_str(), "username" | "password" | "token"))
    {
        return Err(invalid(&format!(
            "unknown key `{}`",
            unknown.escape_debug()
        )));
    }
    let text = |key: &str| -> shiprail::Result<Option<String>> {
        match type_of(&object, key) {
            Ok(ValueType::Undefined | ValueType::Null) => Ok(None),
            Ok(ValueType::String) => object
                .get::<String>(key)
                .map_err(|_| invalid(&format!("`{key}` cannot be read"))),
            _ => Err(invalid(&format!("`{key}` must be a string"))),
        }
    };
    match (text("username")?, text("password")?, text("token")?) {
        (Some(username), Some(password), None) => Ok(core::Credentials::basic(username, password)),
        (None, None, Some(token)) => Ok(core::Credentials::Bearer(core::Secret::new(token))),
        (None, None, None) => Ok(core::Credentials::Anonymous),
        _ => Err(invalid("the keys given do not form credentials")),
    }
}

/// The docker CLI's `config.json` as far as credentials go: `auths` entries, the `credsStore`
/// and the `credHelpers` (run as `docker-credential-<name> get`). Give one to
/// `RegistryOptions.dockerConfig`; without it a client reads the current user's config when
/// first needed. It never shows a secret: `credentialsFor` tells the kind and the user name.
#[napi]
pub struct DockerConfig {
    inner: core::DockerConfig,
}

fn docker_config(inner: core::DockerConfig) -> napi::Result<DockerConfig> {
    Ok(DockerConfig { inner })
}

fn credentials_info(c: core::Credentials) -> napi::Result<CredentialsInfo> {
    Ok(CredentialsInfo::from(&c))
}

#[napi]
impl DockerConfig {
    /// An empty config: no credentials for any registry (anonymous access everywhere).
    #[napi(constructor)]
    pub fn new() -> Self {
        DockerConfig {
            inner: core::DockerConfig::default(),
        }
    }

    /// Parses config text (`{"auths": {...}, "credsStore": ..., "credHelpers": {...}}`); a
    /// malformed entry is `config_syntax`, naming its key, never its value.
    #[napi(factory)]
    pub fn from_json(env: &Env, text: String) -> napi::Result<Self> {
        core::DockerConfig::from_json_str(&text)
            .map(|inner| DockerConfig { inner })
            .or_throw(env)
    }

    /// Reads a config file without blocking the event loop.
    #[napi(ts_return_type = "Promise<DockerConfig>")]
    pub fn load(path: String) -> AsyncTask<Blocking<core::DockerConfig, DockerConfig>> {
        blocking(
            move || core::DockerConfig::load(&PathBuf::from(path)),
            docker_config,
        )
    }

    /// Reads a config file, blocking.
    #[napi(factory)]
    pub fn load_sync(env: &Env, path: String) -> napi::Result<Self> {
        core::DockerConfig::load(&PathBuf::from(path))
            .map(|inner| DockerConfig { inner })
            .or_throw(env)
    }

    /// The current user's config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`;
    /// none is an empty config), read without blocking the event loop.
    #[napi(ts_return_type = "Promise<DockerConfig>")]
    pub fn load_default() -> AsyncTask<Blocking<core::DockerConfig, DockerConfig>> {
        blocking(core::DockerConfig::load_default, docker_config)
    }

    /// The current user's config, blocking.
    #[napi(factory)]
    pub fn load_default_sync(env: &Env) -> napi::Result<Self> {
        core::DockerConfig::load_default()
            .map(|inner| DockerConfig { inner })
            .or_throw(env)
    }

    /// The same config, looking for credential helpers (`docker-credential-<name>`) in `dirs`
    /// instead of `PATH`.
    #[napi]
    pub fn with_helper_dirs(&self, dirs: Vec<String>) -> DockerConfig {
        DockerConfig {
            inner: self
                .inner
                .clone()
                .with_helper_dirs(dirs.into_iter().map(PathBuf::from).collect()),
        }
    }

    /// The file the config was read from, `null` for one built from text.
    #[napi(getter)]
    pub fn path(&self) -> Option<String> {
        self.inner.path().map(|p| p.display().to_string())
    }

    /// Which credentials `registry` (`host[:port]`) gets: the kind and the user name, never the
    /// secret. Runs a credential helper when one is configured, off the main thread.
    #[napi(ts_return_type = "Promise<CredentialsInfo>")]
    pub fn credentials_for(
        &self,
        registry: String,
    ) -> AsyncTask<Blocking<core::Credentials, CredentialsInfo>> {
        let config = self.inner.clone();
        blocking(move || config.credentials_for(&registry), credentials_info)
    }

    /// `credentialsFor`, blocking.
    #[napi]
    pub fn credentials_for_sync(
        &self,
        env: &Env,
        registry: String,
    ) -> napi::Result<CredentialsInfo> {
        let credentials = self.inner.credentials_for(&registry).or_throw(env)?;
        Ok(CredentialsInfo::from(&credentials))
    }

    /// `{ path }`: what can be shown of a docker config.
    #[napi(js_name = "toJSON", ts_return_type = "{ path: string | null }")]
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "path": self.path() })
    }
}

impl Default for DockerConfig {
    fn default() -> Self {
        DockerConfig::new()
    }
}

// ---------------------------------------------------------------------------------------------
// The client

/// How a `RegistryClient` reaches registries. Every key is optional; the defaults are the
/// core's: system roots (`SSL_CERT_FILE`, `SSL_CERT_DIR` honoured), plain HTTP for loopback
/// hosts only, credentials from the docker config, 4 retries from 200 ms, 4 blobs at a time.
#[napi(object, object_to_js = false)]
pub struct RegistryOptions<'a> {
    /// PEM files of CA certificates trusted besides the system roots.
    pub ca_files: Option<Vec<String>>,
    /// Hosts (`host[:port]`) that may be reached over plain HTTP when they do not speak TLS
    /// (loopback hosts always may).
    pub insecure: Option<Vec<String>>,
    /// Credentials by host (`myrepo.azurecr.io`, `127.0.0.1:5000`): `{ username, password }`,
    /// `{ token }` (sent as a bearer token) or `{}` (none); a host listed here never consults
    /// the docker config.
    #[napi(ts_type = "Record<string, RegistryCredentials>")]
    pub credentials: Option<Object<'a>>,
    /// The docker config credentials come from; omitted, the current user's (read when first
    /// needed). `new DockerConfig()` gives none.
    pub docker_config: Option<ClassInstance<'a, DockerConfig>>,
    /// Retries after a 5xx, a 429, a timeout or a dropped connection.
    pub retries: Option<u32>,
    /// The first backoff in milliseconds; it doubles with each retry, up to 10 s.
    pub backoff_ms: Option<u32>,
    /// Blobs checked, mounted or copied at the same time (at least 1).
    pub concurrency: Option<u32>,
    /// The limit on establishing a connection, in milliseconds.
    pub connect_timeout_ms: Option<u32>,
    /// The limit on a silence while reading a response, in milliseconds.
    pub read_timeout_ms: Option<u32>,
}

fn registry_options(
    options: Option<RegistryOptions<'_>>,
) -> shiprail::Result<core::RegistryOptions> {
    let mut out = core::RegistryOptions::default();
    let Some(options) = options else {
        return Ok(out);
    };
    if let Some(files) = options.ca_files {
        out.ca_files = files.into_iter().map(PathBuf::from).collect();
    }
    if let Some(hosts) = options.insecure {
        out.insecure = hosts;
    }
    if let Some(map) = options.credentials {
        let hosts = Object::keys(&map).map_err(|e| {
            Error::new(
                ErrorKind::ConfigSyntax,
                format!("invalid `credentials`: {}", e.reason),
            )
        })?;
        for host in hosts {
            let credentials = credentials(&map, &host)?;
            out.credentials.insert(host, credentials);
        }
    }
    if let Some(config) = options.docker_config {
        out.docker_config = Some(config.inner.clone());
    }
    if let Some(retries) = options.retries {
        out.retries = retries;
    }
    let ms = |v: u32| Duration::from_millis(u64::from(v));
    if let Some(v) = options.backoff_ms {
        out.backoff = ms(v);
    }
    if let Some(v) = options.concurrency {
        out.concurrency = (v as usize).max(1);
    }
    if let Some(v) = options.connect_timeout_ms {
        out.connect_timeout = ms(v);
    }
    if let Some(v) = options.read_timeout_ms {
        out.read_timeout = ms(v);
    }
    Ok(out)
}

/// The JS callback progress events go to: it receives the event alone.
type ProgressCallback =
    ThreadsafeFunction<ProgressEvent, Unknown<'static>, ProgressEvent, Status, false>;

/// Options of one promotion.
#[napi(object, object_to_js = false)]
pub struct PromoteOptions {
    /// Called with each `ProgressEvent` as the promotion goes, on the main thread; every call
    /// has run when the promise settles. An exception it throws is reported like one thrown by
    /// an event listener (`uncaughtException`); it does not stop the promotion.
    #[napi(ts_type = "(event: ProgressEvent) => void")]
    pub on_progress: Option<ProgressCallback>,
}

/// Progress events sent to JS, and how many of them JS has handled: the promise settles only
/// once every event has been delivered.
struct Reporter {
    callback: ProgressCallback,
    sent: AtomicUsize,
    delivered: Arc<(AtomicUsize, Notify)>,
}

impl Reporter {
    fn report(&self, event: &core::ProgressEvent) {
        self.sent.fetch_add(1, Ordering::SeqCst);
        let delivered = Arc::clone(&self.delivered);
        let done = move || {
            delivered.0.fetch_add(1, Ordering::SeqCst);
            delivered.1.notify_one();
        };
        let on_return = done.clone();
        let status = self.callback.call_with_return_value(
            ProgressEvent::from(event),
            ThreadsafeFunctionCallMode::NonBlocking,
            move |returned, _env| {
                on_return();
                returned.map(|_| ())
            },
        );
        if status != Status::Ok {
            // Not queued (the environment is closing): nothing to wait for.
            done();
        }
    }

    async fn drained(&self) {
        while self.delivered.0.load(Ordering::SeqCst) < self.sent.load(Ordering::SeqCst) {
            self.delivered.1.notified().await;
        }
    }
}

/// Options of a highest-release lookup.
#[napi(object, object_to_js = false)]
pub struct HighestReleaseOptions {
    /// The `tags:` section (what a release tag looks like, which tags are mutable).
    #[napi(ts_type = "TagPolicy")]
    pub policy: Option<Value>,
    /// With a `{service}` in `tags.image`, only this service's tags count.
    pub service: Option<String>,
    /// Whether pre-releases count (default `false`).
    pub include_prereleases: Option<bool>,
}

fn highest_options(
    options: Option<HighestReleaseOptions>,
) -> shiprail::Result<(TagPolicy, Option<String>, bool)> {
    let options = options.unwrap_or(HighestReleaseOptions {
        policy: None,
        service: None,
        include_prereleases: None,
    });
    Ok((
        tag_policy(options.policy)?,
        options.service,
        options.include_prereleases.unwrap_or(false),
    ))
}

/// The highest release among a repository's tags by SemVer precedence: tags that are not
/// release tags under `tags.image` (mutable tags, signature tags, other names) are ignored;
/// `null` when there is none.
#[napi]
pub fn highest_release(
    env: &Env,
    tags: Vec<String>,
    options: Option<HighestReleaseOptions>,
) -> napi::Result<Option<ReleaseTag>> {
    let (policy, service, pre) = highest_options(options).or_throw(env)?;
    Ok(core::highest_release(&tags, &policy, service.as_deref(), pre).map(ReleaseTag::from))
}

/// A client for OCI registries (Docker Registry HTTP API v2 / OCI distribution): promotes
/// images, lists tags, resolves digests, deletes tags. Every operation returns a Promise and
/// runs off the main thread; one client can run many at once and keeps each registry's
/// connection and tokens. It shows none of its credentials.
#[napi]
pub struct RegistryClient {
    inner: Arc<core::RegistryClient>,
}

#[napi]
impl RegistryClient {
    /// A client with `options`. Reads the CA files now: a missing one is `io`, one without a
    /// certificate `registry_tls`; a bad credentials object is `config_syntax`.
    #[napi(constructor)]
    pub fn new(env: &Env, options: Option<RegistryOptions<'_>>) -> napi::Result<Self> {
        let options = registry_options(options).or_throw(env)?;
        core::RegistryClient::new(options)
            .map(|client| RegistryClient {
                inner: Arc::new(client),
            })
            .or_throw(env)
    }

    /// Promotes `request.source` to `request.destination` unchanged (the digest never changes;
    /// blobs skipped, mounted or copied; the tag written last; idempotent; a tag naming
    /// another digest is `registry_clobber` unless `force`). Resolves to what was done.
    #[napi(ts_return_type = "Promise<Promotion>")]
    pub fn promote<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "PromoteRequestInput")] request: Value,
        options: Option<PromoteOptions>,
    ) -> napi::Result<PromiseRaw<'env, Promotion>> {
        let client = Arc::clone(&self.inner);
        let reporter = options
            .and_then(|o| o.on_progress)
            .map(|callback| Reporter {
                callback,
                sent: AtomicUsize::new(0),
                delivered: Arc::new((AtomicUsize::new(0), Notify::new())),
            });
        future(
            env,
            async move {
                let request = convert::promote_request(request)?;
                let report = |event: &core::ProgressEvent| {
                    if let Some(reporter) = &reporter {
                        reporter.report(event);
                    }
                };
                let promotion = client.promote(&request, &report).await;
                if let Some(reporter) = &reporter {
                    reporter.drained().await;
                }
                promotion
            },
            |p| Ok(Promotion::from(p)),
        )
    }

    /// Every tag of a repository (its tag and digest are ignored), in the registry's order.
    #[napi(ts_return_type = "Promise<Array<string>>")]
    pub fn list_tags<'env>(
        &self,
        env: &'env Env,
        repository: String,
    ) -> napi::Result<PromiseRaw<'env, Vec<String>>> {
        let client = Arc::clone(&self.inner);
        future(
            env,
            async move { client.list_tags(&image(&repository)?).await },
            Ok,
        )
    }

    /// The digest, media type and size of the manifest a reference names (by tag or digest);
    /// the content is hashed, so a registry serving other bytes is caught.
    #[napi(ts_return_type = "Promise<Resolved>")]
    pub fn resolve<'env>(
        &self,
        env: &'env Env,
        reference: String,
    ) -> napi::Result<PromiseRaw<'env, Resolved>> {
        let client = Arc::clone(&self.inner);
        future(
            env,
            async move { client.resolve(&image(&reference)?).await },
            |r| Ok(Resolved::from(r)),
        )
    }

    /// The highest release tag of a repository (see `highestRelease`), `null` when none.
    #[napi(ts_return_type = "Promise<ReleaseTag | null>")]
    pub fn highest_release<'env>(
        &self,
        env: &'env Env,
        repository: String,
        options: Option<HighestReleaseOptions>,
    ) -> napi::Result<PromiseRaw<'env, Option<ReleaseTag>>> {
        let client = Arc::clone(&self.inner);
        future(
            env,
            async move {
                let (policy, service, pre) = highest_options(options)?;
                client
                    .highest_release(&image(&repository)?, &policy, service.as_deref(), pre)
                    .await
            },
            |r| Ok(r.map(ReleaseTag::from)),
        )
    }

    /// Deletes the tag of a reference: the tag alone where the registry can, else its manifest,
    /// only when no other tag names it (`registry` otherwise, naming them).
    #[napi(ts_return_type = "Promise<DeletedTag>")]
    pub fn delete_tag<'env>(
        &self,
        env: &'env Env,
        reference: String,
    ) -> napi::Result<PromiseRaw<'env, DeletedTag>> {
        let client = Arc::clone(&self.inner);
        future(
            env,
            async move { client.delete_tag(&image(&reference)?).await },
            |d| Ok(DeletedTag::from(d)),
        )
    }

    /// Pushes a packaged chart (the `.tgz` bytes, or a `ChartPackage`) under `destination`
    /// (`oci://HOST/PATH`, no tag) as `helm push` does: repository `PATH/<name>`, tag the chart
    /// version with `+` as `_`. The archive is loaded and its Chart.yaml checked first; blobs
    /// go first, the tag last. The same archive again writes nothing (`alreadyPushed`);
    /// another archive under that version is `registry_clobber` unless `force`.
    #[napi(ts_return_type = "Promise<ChartPush>")]
    pub fn push_chart<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "Buffer | ChartPackage")] archive: Either<
            Buffer,
            ClassInstance<'_, ChartPackage>,
        >,
        destination: String,
        options: Option<PushChartOptions>,
    ) -> napi::Result<PromiseRaw<'env, ChartPush>> {
        let client = Arc::clone(&self.inner);
        let archive = match archive {
            Either::A(bytes) => Archive::Bytes(bytes.to_vec()),
            Either::B(package) => Archive::Package(Arc::clone(&package.inner)),
        };
        future(
            env,
            async move {
                let destination: ChartReference = destination.parse()?;
                let options = push_options(options)?;
                client
                    .push_chart(archive.bytes(), &destination, &options)
                    .await
            },
            |p| Ok(ChartPush::from(p)),
        )
    }

    /// Pulls a chart from `reference` (`oci://HOST/PATH/NAME`, or `...:TAG`): `version`, else
    /// the tag, else the highest version, as `helm pull` does. The manifest and layer are
    /// checked against their digests, the archive loaded under `limits`, and the chart must be
    /// the one named (an image is `invalid_chart`). `ChartPull#writeTo` writes the file.
    #[napi(ts_return_type = "Promise<ChartPull>")]
    pub fn pull_chart<'env>(
        &self,
        env: &'env Env,
        reference: String,
        options: Option<PullChartOptions>,
    ) -> napi::Result<PromiseRaw<'env, ChartPull>> {
        let client = Arc::clone(&self.inner);
        future(
            env,
            async move {
                let reference: ChartReference = reference.parse()?;
                let (version, limits) = match options {
                    Some(o) => (o.version, o.limits),
                    None => (None, None),
                };
                let limits = archive_limits(limits)?;
                client
                    .pull_chart(&reference, version.as_deref(), &limits)
                    .await
            },
            |p| Ok(ChartPull::from(p)),
        )
    }

    /// The chart versions in a chart repository (`oci://HOST/PATH/NAME`; a tag is ignored),
    /// highest first, as `helm` lists them.
    #[napi(ts_return_type = "Promise<Array<string>>")]
    pub fn chart_versions<'env>(
        &self,
        env: &'env Env,
        reference: String,
    ) -> napi::Result<PromiseRaw<'env, Vec<String>>> {
        let client = Arc::clone(&self.inner);
        future(
            env,
            async move {
                let reference: ChartReference = reference.parse()?;
                client.chart_versions(&reference).await
            },
            Ok,
        )
    }
}

/// The archive of a chart push: bytes copied from a `Buffer`, or a `ChartPackage`'s own.
enum Archive {
    Bytes(Vec<u8>),
    Package(Arc<shiprail::chart::ChartPackage>),
}

impl Archive {
    fn bytes(&self) -> &[u8] {
        match self {
            Archive::Bytes(bytes) => bytes,
            Archive::Package(package) => package.bytes(),
        }
    }
}

/// Options of a chart push.
#[napi(object, object_to_js = false)]
pub struct PushChartOptions {
    /// The `org.opencontainers.image.created` annotation (RFC 3339); omitted,
    /// `DEFAULT_CREATED`, so one archive always gives one manifest digest.
    /// `rfc3339Utc(Number(process.env.SOURCE_DATE_EPOCH))` gives the CLI's default.
    pub created: Option<String>,
    /// Replace a tag that names another chart (default `false`).
    pub force: Option<bool>,
    /// The limits the archive is loaded with before it is pushed; omitted, the defaults of
    /// `ChartArchive.defaultLimits()`.
    #[napi(ts_type = "ArchiveLimits")]
    pub limits: Option<Value>,
}

fn push_options(options: Option<PushChartOptions>) -> shiprail::Result<core::ChartPushOptions> {
    let Some(o) = options else {
        return Ok(core::ChartPushOptions::default());
    };
    // Every field named, so a field added to the core's options fails to compile here.
    Ok(core::ChartPushOptions {
        created: o.created,
        force: o.force.unwrap_or(false),
        limits: archive_limits(o.limits)?,
    })
}

/// Options of a chart pull.
#[napi(object, object_to_js = false)]
pub struct PullChartOptions {
    /// The chart version (mapped to its tag, `+` as `_`); omitted, the reference's tag, else
    /// the highest version.
    pub version: Option<String>,
    /// The limits the archive is loaded with; omitted, the defaults of
    /// `ChartArchive.defaultLimits()`.
    #[napi(ts_type = "ArchiveLimits")]
    pub limits: Option<Value>,
}

// ---------------------------------------------------------------------------------------------
// The promotion policy

/// The fields of a promotion policy; omitted ones keep their defaults (or, for
/// `PromotionPolicy.fromConfig`, the configuration's).
#[napi(object, object_to_js = false)]
pub struct PromotionPolicyOptions {
    /// The registry namespace promoted into (`prod`); empty for the registry root.
    pub namespace: Option<String>,
    /// The promotion template (default `{registry}/{namespace}/{name}:{tag}`).
    pub template: Option<String>,
    /// The `tags:` section: mutable tags (refused) and what a release tag looks like.
    #[napi(ts_type = "TagPolicy")]
    pub tags: Option<Value>,
    /// Whether both tags must be release tags (default `true`); off, mutable tags are still
    /// refused.
    pub release_tags_only: Option<bool>,
}

/// What may be promoted where: the destination follows the promotion template and the
/// namespace, both tags must be release tags (`v1.0.2`), never `latest` or another mutable tag.
#[napi]
pub struct PromotionPolicy {
    inner: core::PromotionPolicy,
}

fn apply(
    mut policy: core::PromotionPolicy,
    options: Option<PromotionPolicyOptions>,
) -> shiprail::Result<core::PromotionPolicy> {
    let Some(options) = options else {
        return Ok(policy);
    };
    if let Some(namespace) = options.namespace {
        policy.namespace = namespace;
    }
    if let Some(template) = options.template {
        policy.template = template.parse::<PromotionTemplate>()?;
    }
    if options.tags.is_some() {
        policy.tags = tag_policy(options.tags)?;
    }
    if let Some(only) = options.release_tags_only {
        policy.release_tags_only = only;
    }
    Ok(policy)
}

#[napi]
impl PromotionPolicy {
    /// A policy from its fields; omitted ones are the defaults (namespace empty, the default
    /// template and tag policy, release tags only).
    #[napi(constructor)]
    pub fn new(env: &Env, options: Option<PromotionPolicyOptions>) -> napi::Result<Self> {
        apply(core::PromotionPolicy::default(), options)
            .map(|inner| PromotionPolicy { inner })
            .or_throw(env)
    }

    /// The policy of promoting into `environment` of a configuration: its
    /// `registry_namespace`, the configured `promotion.template` and `tags` policy; `overrides`
    /// replace single fields for this policy.
    #[napi(factory)]
    pub fn from_config(
        env: &Env,
        config: &Config,
        environment: String,
        overrides: Option<PromotionPolicyOptions>,
    ) -> napi::Result<Self> {
        core::PromotionPolicy::from_config(&config.inner, &environment)
            .and_then(|policy| apply(policy, overrides))
            .map(|inner| PromotionPolicy { inner })
            .or_throw(env)
    }

    /// The registry namespace promoted into.
    #[napi(getter)]
    pub fn namespace(&self) -> String {
        self.inner.namespace.clone()
    }

    /// The promotion template.
    #[napi(getter)]
    pub fn template(&self) -> String {
        self.inner.template.to_string()
    }

    /// The `tags:` section in effect.
    #[napi(getter, ts_return_type = "TagPolicy")]
    pub fn tags(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner.tags)
    }

    /// Whether both tags must be release tags.
    #[napi(getter)]
    pub fn release_tags_only(&self) -> bool {
        self.inner.release_tags_only
    }

    /// Checks a tag: never `latest` or another mutable tag (`mutable_tag`); with
    /// `releaseTagsOnly`, a release tag under `tags.image` (`invalid_tag`). Returns the release
    /// version the tag names, `null` when it names none.
    #[napi]
    pub fn check_tag(&self, env: &Env, tag: String) -> napi::Result<Option<String>> {
        self.inner
            .check_tag(&tag)
            .map(|v| v.map(|v| v.to_string()))
            .or_throw(env)
    }

    /// The request promoting `source` to `destination`, or to where the template and the
    /// namespace send it. Both tags pass `checkTag`; a digest on the source becomes the expected
    /// digest. Pass the result to `RegistryClient#promote` (after setting `platforms`, `force`,
    /// `dryRun` or `referrers` if wanted).
    #[napi]
    pub fn request(
        &self,
        env: &Env,
        source: String,
        destination: Option<String>,
    ) -> napi::Result<PromoteRequest> {
        self.inner
            .request(&source, destination.as_deref())
            .map(PromoteRequest::from)
            .or_throw(env)
    }

    /// `{ namespace, template, tags, releaseTagsOnly }`: the policy as `PromotionPolicyOptions`.
    #[napi(js_name = "toJSON", ts_return_type = "PromotionPolicyOptions")]
    pub fn to_json(&self) -> napi::Result<Value> {
        Ok(serde_json::json!({
            "namespace": self.inner.namespace,
            "template": self.inner.template.to_string(),
            "tags": convert::to_plain(&self.inner.tags)?,
            "releaseTagsOnly": self.inner.release_tags_only,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// Digests and platforms

/// A content digest, `sha256:<64 lowercase hex>`: what a manifest or blob is named by.
#[napi]
pub struct Digest {
    inner: core::Digest,
}

#[napi]
impl Digest {
    /// Parses a digest (`sha256:` and 64 lowercase hex characters; `invalid_image_reference`
    /// otherwise).
    #[napi(constructor)]
    pub fn new(env: &Env, text: String) -> napi::Result<Self> {
        text.parse().map(|inner| Digest { inner }).or_throw(env)
    }

    /// The sha256 digest of `bytes`.
    #[napi(factory)]
    pub fn of(bytes: Buffer) -> Self {
        Digest {
            inner: core::Digest::of(&bytes),
        }
    }

    /// The algorithm (`sha256`).
    #[napi(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().to_string()
    }

    /// The hex part.
    #[napi(getter)]
    pub fn hex(&self) -> String {
        self.inner.hex().to_string()
    }

    /// The tag form `sha256-<hex>`: the prefix of the signature (`.sig`), attestation (`.att`)
    /// and SBOM (`.sbom`) tags of the manifest on registries without the referrers API.
    #[napi(getter)]
    pub fn tag_form(&self) -> String {
        self.inner.tag_form()
    }

    /// Whether `bytes` hash to this digest.
    #[napi]
    pub fn matches(&self, bytes: Buffer) -> bool {
        self.inner.matches(&bytes)
    }

    /// Whether two digests are the same.
    #[napi]
    pub fn equals(&self, other: &Digest) -> bool {
        self.inner == other.inner
    }

    /// The digest as text.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.as_str().to_string()
    }

    /// The digest as text (`JSON.stringify` writes the string).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.as_str().to_string()
    }
}

/// A platform of an image index, `os/architecture[/variant]` (`linux/arm64/v8`): what a
/// promotion's platform filter keeps.
#[napi]
pub struct Platform {
    inner: core::Platform,
}

#[napi]
impl Platform {
    /// Parses `os/architecture[/variant]` (`invalid_image_reference` otherwise).
    #[napi(constructor)]
    pub fn new(env: &Env, text: String) -> napi::Result<Self> {
        text.parse().map(|inner| Platform { inner }).or_throw(env)
    }

    /// The operating system (`linux`).
    #[napi(getter)]
    pub fn os(&self) -> String {
        self.inner.os().to_string()
    }

    /// The CPU architecture (`amd64`).
    #[napi(getter)]
    pub fn architecture(&self) -> String {
        self.inner.architecture().to_string()
    }

    /// The variant (`v7`), `null` when none is required.
    #[napi(getter)]
    pub fn variant(&self) -> Option<String> {
        self.inner.variant().map(str::to_string)
    }

    /// Whether an index entry of this os, architecture and variant is kept by the filter (a
    /// platform without a variant keeps every variant).
    #[napi]
    pub fn matches(&self, os: String, architecture: String, variant: Option<String>) -> bool {
        self.inner.matches(&os, &architecture, variant.as_deref())
    }

    /// The platform as text, normalised.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }

    /// The platform as text (`JSON.stringify` writes the string).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_string()
    }
}
