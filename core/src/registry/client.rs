//! Talking to registries: connection setup (scheme, TLS, credentials), retries, error mapping,
//! and the read operations (tags, digests) and tag deletion.

use super::auth::{Credentials, DockerConfig};
use super::digest::{Digest, Hasher};
use super::http::{Challenge, api_host, parse_challenge};
use super::manifest::{ACCEPTED, Manifest};
use super::policy::{ReleaseTag, highest_release};
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageReference;
use crate::tag::TagPolicy;
use base64::Engine as _;
use oci_client::Reference;
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

const USER_AGENT: &str = concat!("shiprail/", env!("CARGO_PKG_VERSION"));

/// How shiprail reaches registries: trust, plain HTTP, credentials, retries, parallelism.
///
/// `Default` is: system roots (honouring `SSL_CERT_FILE` and `SSL_CERT_DIR`), plain HTTP for
/// loopback hosts only, credentials from the docker config, 4 retries starting at 200 ms,
/// 4 blob transfers at a time.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Extra CA certificates (PEM files) trusted besides the system roots, for registries with
    /// a private CA.
    pub ca_files: Vec<PathBuf>,
    /// Hosts (`host[:port]`) that may be reached over plain HTTP. Loopback hosts
    /// (`127.0.0.1`, `[::1]`, `localhost`) always may. Such a host is still tried over HTTPS
    /// first; plain HTTP is used only when it does not speak TLS at all.
    pub insecure: Vec<String>,
    /// Credentials by host; a host listed here never consults the docker config.
    pub credentials: BTreeMap<String, Credentials>,
    /// The docker config to take credentials from; `None` reads `$DOCKER_CONFIG/config.json`
    /// or `~/.docker/config.json` when first needed.
    pub docker_config: Option<DockerConfig>,
    /// How many times a request is retried after a 5xx, a 429, a timeout or a dropped
    /// connection (with exponential backoff).
    pub retries: u32,
    /// The first backoff; it doubles with each retry, up to 10 s.
    pub backoff: Duration,
    /// How many blobs are checked, mounted or copied at the same time.
    pub concurrency: usize,
    /// The limit on establishing a connection.
    pub connect_timeout: Duration,
    /// The limit on a silence while reading a response.
    pub read_timeout: Duration,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            ca_files: Vec::new(),
            insecure: Vec::new(),
            credentials: BTreeMap::new(),
            docker_config: None,
            retries: 4,
            backoff: Duration::from_millis(200),
            concurrency: 4,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(120),
        }
    }
}

/// A manifest reference resolved to its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    /// The reference asked for, normalised.
    pub reference: String,
    /// The digest of the manifest it names.
    pub digest: Digest,
    /// The manifest's media type (an image manifest or an index).
    pub media_type: String,
    /// The manifest's size in bytes.
    pub size: u64,
}

/// The outcome of [`RegistryClient::delete_tag`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeletedTag {
    /// The reference whose tag was deleted.
    pub reference: String,
    /// The digest the tag named.
    pub digest: Digest,
    /// `tag` when the registry deleted the tag alone; `manifest` when it could only delete the
    /// manifest (done only when no other tag names it).
    pub method: String,
}

/// One registry host, set up once: scheme, clients, credentials.
pub(crate) struct Host {
    pub(crate) name: String,
    pub(crate) scheme: &'static str,
    pub(crate) oci: oci_client::Client,
    /// The client for the requests sent directly (see `http.rs`).
    pub(crate) raw: reqwest::Client,
    pub(crate) auth: RegistryAuth,
    /// Where the credentials came from, for messages (never the secret).
    pub(crate) origin: String,
    /// What the registry asked for in its last authentication challenge.
    pub(crate) challenge: std::sync::Mutex<Option<Challenge>>,
    /// Bearer tokens for direct requests, by scope set.
    pub(crate) tokens: tokio::sync::Mutex<HashMap<String, String>>,
}

/// The oci-client client shared by hosts, and the plain-HTTP hosts it was built for.
struct Shared {
    http_hosts: Vec<String>,
    oci: oci_client::Client,
}

/// A client for OCI registries (Docker Registry HTTP API v2 / OCI distribution): lists tags,
/// resolves digests, deletes tags and promotes images.
///
/// It is cheap to share (`&self` methods, `Send + Sync`); each registry host is set up on
/// first use and kept. All methods are async and need a Tokio runtime.
pub struct RegistryClient {
    pub(crate) options: RegistryOptions,
    /// The CA files' certificates (DER).
    certificates: Vec<Vec<u8>>,
    /// Tells TLS from plain HTTP; it never sends credentials, so it verifies nothing.
    probe: reqwest::Client,
    /// For plain-HTTP hosts: no TLS trust store to load.
    plain: reqwest::Client,
    /// For HTTPS hosts, built when first needed (loading the system roots takes a while).
    tls: OnceLock<reqwest::Client>,
    hosts: tokio::sync::Mutex<HashMap<String, Arc<Host>>>,
    shared: tokio::sync::Mutex<Option<Shared>>,
    docker_config: OnceLock<DockerConfig>,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Makes ring rustls's process-wide provider (the only one compiled in); a provider installed
/// earlier by the embedding program is kept.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn setup_error(e: &reqwest::Error) -> Error {
    Error::new(
        ErrorKind::RegistryTls,
        format!("cannot set up HTTP: {}", chain(e)),
    )
}

impl RegistryClient {
    /// A client with `options`. Reads the CA files now (a missing or empty file is an error).
    pub fn new(options: RegistryOptions) -> Result<RegistryClient> {
        install_crypto_provider();
        let mut certificates = Vec::new();
        for path in &options.ca_files {
            let pem = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
            let found = pem_certificates(&pem);
            if found.is_empty() {
                return Err(Error::new(
                    ErrorKind::RegistryTls,
                    format!(
                        "`{}` holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)",
                        path.display()
                    ),
                )
                .with_input(path.display().to_string()));
            }
            certificates.extend(found);
        }
        let builder = || {
            reqwest::Client::builder()
                .connect_timeout(options.connect_timeout)
                .read_timeout(options.read_timeout)
                .user_agent(USER_AGENT)
        };
        let probe = builder()
            .tls_certs_only(Vec::new())
            .danger_accept_invalid_certs(true)
            .timeout(options.connect_timeout)
            .build()
            .map_err(|e| setup_error(&e))?;
        let plain = builder()
            .tls_certs_only(Vec::new())
            .build()
            .map_err(|e| setup_error(&e))?;
        let docker_config = OnceLock::new();
        if let Some(config) = &options.docker_config {
            let _ = docker_config.set(config.clone());
        }
        Ok(RegistryClient {
            options,
            certificates,
            probe,
            plain,
            tls: OnceLock::new(),
            hosts: tokio::sync::Mutex::new(HashMap::new()),
            shared: tokio::sync::Mutex::new(None),
            docker_config,
        })
    }

    /// The HTTPS client: system roots (and `SSL_CERT_FILE`/`SSL_CERT_DIR`) plus the CA files.
    fn tls_client(&self) -> Result<reqwest::Client> {
        if let Some(client) = self.tls.get() {
            return Ok(client.clone());
        }
        let mut roots = Vec::new();
        for der in &self.certificates {
            roots.push(reqwest::Certificate::from_der(der).map_err(|e| {
                Error::new(
                    ErrorKind::RegistryTls,
                    format!("a CA certificate cannot be used: {e}"),
                )
            })?);
        }
        let client = reqwest::Client::builder()
            .tls_certs_merge(roots)
            .connect_timeout(self.options.connect_timeout)
            .read_timeout(self.options.read_timeout)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| setup_error(&e))?;
        Ok(self.tls.get_or_init(|| client).clone())
    }

    /// The registry host `name`, set up on first use.
    pub(crate) async fn host(&self, name: &str) -> Result<Arc<Host>> {
        let mut hosts = self.hosts(&[name]).await?;
        hosts
            .pop()
            .ok_or_else(|| Error::new(ErrorKind::Registry, format!("`{name}` could not be set up")))
    }

    /// The registry hosts `names`, set up together: one oci-client client serves them all,
    /// rebuilt only when a plain-HTTP host it does not know joins.
    pub(crate) async fn hosts(&self, names: &[&str]) -> Result<Vec<Arc<Host>>> {
        let mut hosts = self.hosts.lock().await;
        let mut fresh: Vec<(String, &'static str, Option<Challenge>, Credentials, String)> =
            Vec::new();
        for name in names {
            if hosts.contains_key(*name) || fresh.iter().any(|f| f.0 == *name) {
                continue;
            }
            let (credentials, origin) = self.credentials_for(name)?;
            let plain_allowed = is_loopback(name)
                || self
                    .options
                    .insecure
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(name));
            let (scheme, challenge) = if plain_allowed {
                self.probe_scheme(name).await?
            } else {
                ("https", None)
            };
            fresh.push((name.to_string(), scheme, challenge, credentials, origin));
        }
        if !fresh.is_empty() {
            let mut shared = self.shared.lock().await;
            let known: Vec<String> = shared
                .as_ref()
                .map(|s| s.http_hosts.clone())
                .unwrap_or_default();
            let mut http_hosts = known.clone();
            for (name, scheme, ..) in &fresh {
                if *scheme == "http" && !http_hosts.contains(name) {
                    http_hosts.push(name.clone());
                }
            }
            let rebuild = shared.is_none() || http_hosts.len() != known.len();
            if rebuild {
                let oci = self.build_oci(&http_hosts)?;
                // A new client knows no credentials yet; those of known hosts go in first.
                for host in hosts.values() {
                    oci.store_auth_if_needed(api_host(&host.name), &host.auth)
                        .await;
                }
                *shared = Some(Shared { http_hosts, oci });
            }
            let Some(current) = shared.as_ref() else {
                return Err(Error::new(ErrorKind::Registry, "no registry client"));
            };
            for (name, scheme, challenge, credentials, origin) in fresh {
                let auth = match &credentials {
                    Credentials::Anonymous => RegistryAuth::Anonymous,
                    Credentials::Basic { username, password } => {
                        RegistryAuth::Basic(username.clone(), password.expose().to_string())
                    }
                    Credentials::Bearer(token) => RegistryAuth::Bearer(token.expose().to_string()),
                };
                current
                    .oci
                    .store_auth_if_needed(api_host(&name), &auth)
                    .await;
                let raw = if scheme == "http" {
                    self.plain.clone()
                } else {
                    self.tls_client()?
                };
                let host = Arc::new(Host {
                    name: name.clone(),
                    scheme,
                    oci: current.oci.clone(),
                    raw,
                    auth,
                    origin,
                    challenge: std::sync::Mutex::new(challenge),
                    tokens: tokio::sync::Mutex::new(HashMap::new()),
                });
                hosts.insert(name, host);
            }
        }
        names
            .iter()
            .map(|name| {
                hosts.get(*name).cloned().ok_or_else(|| {
                    Error::new(ErrorKind::Registry, format!("`{name}` could not be set up"))
                })
            })
            .collect()
    }

    fn build_oci(&self, http_hosts: &[String]) -> Result<oci_client::Client> {
        let config = ClientConfig {
            protocol: ClientProtocol::HttpsExcept(http_hosts.to_vec()),
            extra_root_certificates: self
                .certificates
                .iter()
                .map(|der| Certificate {
                    encoding: CertificateEncoding::Der,
                    data: der.clone(),
                })
                .collect(),
            use_monolithic_push: true,
            platform_resolver: None,
            connect_timeout: Some(self.options.connect_timeout),
            read_timeout: Some(self.options.read_timeout),
            user_agent: USER_AGENT,
            ..ClientConfig::default()
        };
        oci_client::Client::try_from(config).map_err(|e| {
            Error::new(
                ErrorKind::RegistryTls,
                format!("cannot set up the registry client: {e}"),
            )
        })
    }

    fn credentials_for(&self, host: &str) -> Result<(Credentials, String)> {
        if let Some(credentials) = self.options.credentials.get(host) {
            return Ok((credentials.clone(), "the credentials given".to_string()));
        }
        let config = match self.docker_config.get() {
            Some(config) => config,
            None => {
                let loaded = DockerConfig::load_default()?;
                self.docker_config.get_or_init(|| loaded)
            }
        };
        config.lookup(host)
    }

    /// `https` unless the host does not speak TLS at all (then `http`), and the challenge its
    /// `/v2/` answered with; only called for hosts where plain HTTP is allowed.
    async fn probe_scheme(&self, host: &str) -> Result<(&'static str, Option<Challenge>)> {
        let challenge = |response: &reqwest::Response| {
            response
                .headers()
                .get("WWW-Authenticate")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_challenge)
        };
        let https_err = match self.probe.get(format!("https://{host}/v2/")).send().await {
            Ok(response) => return Ok(("https", challenge(&response))),
            Err(e) => e,
        };
        match self.probe.get(format!("http://{host}/v2/")).send().await {
            Ok(response) => Ok(("http", challenge(&response))),
            Err(_) => Err(Error::new(
                ErrorKind::Registry,
                format!(
                    "cannot reach registry `{host}` over HTTPS or plain HTTP: {}",
                    chain(&https_err)
                ),
            )
            .with_input(host)),
        }
    }

    /// Runs `op` again after transient failures, with exponential backoff.
    pub(crate) async fn retry<T, F, Fut>(&self, mut op: F) -> Result<T, OciDistributionError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, OciDistributionError>>,
    {
        let mut attempt = 0;
        loop {
            match op().await {
                Err(e) if attempt < self.options.retries && is_transient(&e) => {
                    tokio::time::sleep(self.backoff(attempt)).await;
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        self.options
            .backoff
            .saturating_mul(1 << attempt.min(16))
            .min(Duration::from_secs(10))
    }

    /// Every tag of a repository (the tag and digest of `repository` are ignored), in the
    /// registry's order, following pagination.
    pub async fn list_tags(&self, repository: &ImageReference) -> Result<Vec<String>> {
        let host = self.host(repository.registry()).await?;
        let reference = oci_ref(repository, None);
        self.tags_of(&host, &reference, repository).await
    }

    pub(crate) async fn tags_of(
        &self,
        host: &Host,
        reference: &Reference,
        shown: &ImageReference,
    ) -> Result<Vec<String>> {
        const PAGE: usize = 1000;
        let mut all: Vec<String> = Vec::new();
        let mut last: Option<String> = None;
        for _ in 0..10_000 {
            let page = self
                .retry(|| {
                    host.oci
                        .list_tags(reference, &host.auth, Some(PAGE), last.as_deref())
                })
                .await
                .map_err(|e| {
                    map_error(
                        e,
                        host,
                        &format!("the tags of `{}`", shown.without_tag().without_digest()),
                    )
                })?;
            let count = page.tags.len();
            let progressed = page.tags.last().cloned();
            all.extend(page.tags);
            // Stop on a short page, and on a registry that ignores `last` (no progress).
            if count < PAGE || progressed.is_none() || progressed == last {
                break;
            }
            last = progressed;
        }
        Ok(all)
    }

    /// The digest, media type and size of the manifest `image` names (by tag or digest). The
    /// content is fetched and hashed, so a registry that serves bytes other than the digest
    /// it claims is caught.
    pub async fn resolve(&self, image: &ImageReference) -> Result<Resolved> {
        let host = self.host(image.registry()).await?;
        let reference = reference_of(image)?;
        let (bytes, digest) = self
            .get_manifest(&host, &reference, &format!("`{image}`"))
            .await?;
        let manifest = Manifest::parse(&bytes, &format!("`{image}`"))?;
        Ok(Resolved {
            reference: image.to_string(),
            digest,
            media_type: manifest.media_type,
            size: bytes.len() as u64,
        })
    }

    /// The highest release tag of a repository (see [`highest_release`]).
    pub async fn highest_release(
        &self,
        repository: &ImageReference,
        policy: &TagPolicy,
        service: Option<&str>,
        include_prereleases: bool,
    ) -> Result<Option<ReleaseTag>> {
        let tags = self.list_tags(repository).await?;
        Ok(highest_release(&tags, policy, service, include_prereleases))
    }

    /// Deletes the tag of `image`. Registries that delete tags alone (OCI distribution 1.1)
    /// do so; on those that only delete manifests (Docker distribution 2.x) the manifest is
    /// deleted, but only when no other tag of the repository names it, since those would
    /// vanish too ([`ErrorKind::Registry`] otherwise, naming them).
    pub async fn delete_tag(&self, image: &ImageReference) -> Result<DeletedTag> {
        let Some(tag) = image.tag() else {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!("`{image}` has no tag to delete"),
            )
            .with_input(image.to_string()));
        };
        let host = self.host(image.registry()).await?;
        let repository = image.repository();
        let shown = format!("`{image}`");
        let digest = self
            .head_manifest(&host, repository, tag)
            .await?
            .ok_or_else(|| not_found(&shown, &host))?;
        let scopes = [format!("repository:{repository}:pull,push,delete")];
        let path = format!("/v2/{repository}/manifests/{tag}");
        let response = self
            .request(&host, reqwest::Method::DELETE, &path, &scopes, None)
            .await?;
        if response.status.is_success() {
            return Ok(DeletedTag {
                reference: image.to_string(),
                digest,
                method: "tag".to_string(),
            });
        }
        if matches!(response.status.as_u16(), 401 | 403) {
            return Err(self.refused(&host, &format!("deleting {shown}"), &response));
        }
        // The registry cannot delete a tag alone: delete the manifest, unless others name it.
        let tags = self.tags_of(&host, &oci_ref(image, None), image).await?;
        let mut sharing = Vec::new();
        for other in tags.iter().filter(|t| t.as_str() != tag) {
            if let Ok(Some(d)) = self.head_manifest(&host, repository, other).await
                && d == digest
            {
                sharing.push(format!("`{other}`"));
            }
        }
        if !sharing.is_empty() {
            return Err(Error::new(
                ErrorKind::Registry,
                format!(
                    "`{image}` cannot be deleted alone: `{}` deletes manifests, not tags, and {} of `{}` also name{} {digest}",
                    host.name,
                    sharing.join(", "),
                    image.without_tag(),
                    if sharing.len() == 1 { "s" } else { "" }
                ),
            )
            .with_input(image.to_string()));
        }
        let path = format!("/v2/{repository}/manifests/{digest}");
        let response = self
            .request(&host, reqwest::Method::DELETE, &path, &scopes, None)
            .await?;
        match response.status.as_u16() {
            200..=299 => Ok(DeletedTag {
                reference: image.to_string(),
                digest,
                method: "manifest".to_string(),
            }),
            405 => Err(Error::new(
                ErrorKind::Registry,
                format!(
                    "`{}` does not allow deletes (405); the registry must be configured with deletes enabled",
                    host.name
                ),
            )
            .with_input(image.to_string())),
            _ => Err(self.refused(&host, &format!("deleting {shown}"), &response)),
        }
    }

    /// Fetches a manifest's bytes and checks them against its digest.
    pub(crate) async fn get_manifest(
        &self,
        host: &Host,
        reference: &Reference,
        what: &str,
    ) -> Result<(bytes::Bytes, Digest)> {
        let (bytes, claimed) = self
            .retry(|| host.oci.pull_manifest_raw(reference, &host.auth, ACCEPTED))
            .await
            .map_err(|e| map_error(e, host, what))?;
        let claimed: Digest = claimed.parse()?;
        let mut hasher = Hasher::new(&claimed);
        hasher.update(&bytes);
        let actual = hasher.finish();
        if actual != claimed {
            return Err(mismatch(what, &claimed, &actual));
        }
        Ok((bytes, claimed))
    }
}

/// An oci-client reference to `image`'s repository with `tag` (or none).
pub(crate) fn oci_ref(image: &ImageReference, tag: Option<&str>) -> Reference {
    match tag.or(image.tag()) {
        Some(tag) => Reference::with_tag(
            image.registry().to_string(),
            image.repository().to_string(),
            tag.to_string(),
        ),
        None => Reference::with_tag(
            image.registry().to_string(),
            image.repository().to_string(),
            "latest".to_string(),
        ),
    }
}

/// An oci-client reference to `digest` in `image`'s repository.
pub(crate) fn digest_ref(image: &ImageReference, digest: &Digest) -> Reference {
    Reference::with_digest(
        image.registry().to_string(),
        image.repository().to_string(),
        digest.to_string(),
    )
}

/// The reference a manifest is fetched by: its digest when it has one, else its tag.
fn reference_of(image: &ImageReference) -> Result<Reference> {
    if let Some(digest) = image.digest() {
        return Ok(digest_ref(image, &digest.parse()?));
    }
    if image.tag().is_none() {
        return Err(Error::new(
            ErrorKind::InvalidImageReference,
            format!(
                "`{image}` has neither tag nor digest: name the manifest to resolve (`:v1.0.2`)"
            ),
        )
        .with_input(image.to_string()));
    }
    Ok(oci_ref(image, None))
}

/// `127.0.0.1`, `[::1]`, `localhost`, with or without a port.
pub(crate) fn is_loopback(host: &str) -> bool {
    let bare = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The DER certificates in a PEM file.
fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let text = String::from_utf8_lossy(pem);
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find(BEGIN) {
        let body = &rest[start + BEGIN.len()..];
        let Some(end) = body.find(END) else { break };
        let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) {
            out.push(der);
        }
        rest = &body[end + END.len()..];
    }
    out
}

/// What went wrong in TLS, from an error's source chain.
pub(crate) struct TlsProblem {
    pub(crate) text: String,
    /// A certificate was refused (as opposed to the peer not speaking TLS).
    pub(crate) certificate: bool,
}

pub(crate) fn tls_problem(err: &(dyn std::error::Error + 'static)) -> Option<TlsProblem> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            return Some(TlsProblem {
                text: r.to_string(),
                certificate: matches!(
                    r,
                    rustls::Error::InvalidCertificate(_)
                        | rustls::Error::NoCertificatesPresented
                        | rustls::Error::UnsupportedNameType
                        | rustls::Error::InvalidCertRevocationList(_)
                ),
            });
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(found) = tls_problem(inner)
        {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// An error and its sources, joined by `: ` (duplicates skipped).
pub(crate) fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// The HTTP status an oci-client error stands for, when there is one.
pub(crate) fn status_of(err: &OciDistributionError) -> Option<u16> {
    match err {
        OciDistributionError::UnauthorizedError { .. } => Some(401),
        OciDistributionError::ServerError { code, .. } => Some(*code),
        OciDistributionError::RegistryError { envelope, .. } => {
            envelope.errors.iter().find_map(|e| match e.code {
                OciErrorCode::Unauthorized => Some(401),
                OciErrorCode::Denied => Some(403),
                OciErrorCode::ManifestUnknown
                | OciErrorCode::NameUnknown
                | OciErrorCode::BlobUnknown
                | OciErrorCode::NotFound => Some(404),
                OciErrorCode::Toomanyrequests => Some(429),
                _ => None,
            })
        }
        OciDistributionError::RequestError(e) => e.status().map(|s| s.as_u16()),
        _ => None,
    }
}

/// Whether retrying may help: server errors, throttling, timeouts, dropped connections. TLS
/// and digest failures are never transient.
pub(crate) fn is_transient(err: &OciDistributionError) -> bool {
    if let Some(status) = status_of(err) {
        return status >= 500 || status == 429 || status == 408;
    }
    match err {
        OciDistributionError::RequestError(e) => {
            tls_problem(e).is_none()
                && (e.is_connect()
                    || e.is_timeout()
                    || e.is_request()
                    || e.is_body()
                    || e.is_decode())
        }
        OciDistributionError::IoError(e) => digest_problem(e).is_none(),
        _ => false,
    }
}

/// A digest verification failure inside an I/O error (how oci-client's streams report it).
fn digest_problem(err: &std::io::Error) -> Option<(String, String)> {
    let inner = err.get_ref()?;
    match inner.downcast_ref::<oci_client::errors::DigestError>()? {
        oci_client::errors::DigestError::VerificationError { expected, actual } => {
            Some((expected.clone(), actual.clone()))
        }
        _ => None,
    }
}

pub(crate) fn mismatch(what: &str, expected: &Digest, actual: &Digest) -> Error {
    Error::new(
        ErrorKind::RegistryDigestMismatch,
        format!(
            "{what} does not match its digest: expected {expected}, the content hashes to {actual}; nothing built on it was written"
        ),
    )
    .with_input(expected.to_string())
}

fn not_found(what: &str, host: &Host) -> Error {
    Error::new(
        ErrorKind::RegistryNotFound,
        format!("{what} does not exist on `{}`", host.name),
    )
    .with_input(what.trim_matches('`').to_string())
}

pub(crate) fn unauthorized(host: &Host, what: &str, status: impl std::fmt::Display) -> Error {
    let hint = if host.origin == "no credentials" {
        format!(
            ": no credentials were found for it; log in with `docker login {}`",
            host.name
        )
    } else {
        format!(
            " with {}; check them with `docker login {}`",
            host.origin, host.name
        )
    };
    Error::new(
        ErrorKind::RegistryUnauthorized,
        format!("`{}` refused access to {what} ({status}){hint}", host.name),
    )
    .with_input(host.name.clone())
}

pub(crate) fn tls_error(host: &str, problem: &str) -> Error {
    Error::new(
        ErrorKind::RegistryTls,
        format!(
            "the TLS connection to `{host}` failed: {problem}; trust the registry's CA with --ca-file FILE (or SSL_CERT_FILE)"
        ),
    )
    .with_input(host)
}

/// Maps an oci-client error about `what` (a phrase naming the object, e.g. "`r.io/x:v1`") on
/// `host` to a shiprail error. URLs and server messages are kept; credentials never appear in
/// either (they travel in headers only).
pub(crate) fn map_error(err: OciDistributionError, host: &Host, what: &str) -> Error {
    if let OciDistributionError::DigestError(oci_client::errors::DigestError::VerificationError {
        expected,
        actual,
    }) = &err
    {
        return Error::new(
            ErrorKind::RegistryDigestMismatch,
            format!(
                "{what} does not match its digest: expected {expected}, the content hashes to {actual}; nothing built on it was written"
            ),
        )
        .with_input(expected.clone());
    }
    if let OciDistributionError::IoError(e) = &err
        && let Some((expected, actual)) = digest_problem(e)
    {
        return Error::new(
            ErrorKind::RegistryDigestMismatch,
            format!(
                "{what} does not match its digest: expected {expected}, the content hashes to {actual}; nothing built on it was written"
            ),
        )
        .with_input(expected);
    }
    if let OciDistributionError::AuthenticationFailure(reason) = &err {
        let reason: String = reason.chars().take(200).collect();
        return unauthorized(
            host,
            what,
            format_args!("token exchange failed: {}", reason.trim().escape_debug()),
        );
    }
    if let OciDistributionError::RequestError(e) = &err {
        if let Some(problem) = tls_problem(e) {
            if problem.certificate {
                return tls_error(&host.name, &problem.text);
            }
            return Error::new(
                ErrorKind::RegistryTls,
                format!(
                    "`{}` does not speak TLS ({}); plain HTTP is used only for loopback hosts and hosts passed as insecure",
                    host.name, problem.text
                ),
            )
            .with_input(host.name.clone());
        }
        if e.is_connect() || e.is_timeout() {
            return Error::new(
                ErrorKind::Registry,
                format!("cannot reach `{}` for {what}: {}", host.name, chain(e)),
            )
            .with_input(host.name.clone());
        }
    }
    match status_of(&err) {
        Some(401 | 403) => {
            let status = status_of(&err).map_or(String::new(), |s| s.to_string());
            unauthorized(host, what, format_args!("HTTP {status}"))
        }
        Some(404) => Error::new(
            ErrorKind::RegistryNotFound,
            format!("{what} does not exist on `{}` ({})", host.name, short(&err)),
        )
        .with_input(what.trim_matches('`').to_string()),
        _ => Error::new(
            ErrorKind::Registry,
            format!("`{}` failed on {what}: {}", host.name, short(&err)),
        )
        .with_input(host.name.clone()),
    }
}

/// A one-line description of an oci-client error, with the registry's own error codes.
fn short(err: &OciDistributionError) -> String {
    let text = match err {
        OciDistributionError::RegistryError { envelope, .. } => envelope
            .errors
            .iter()
            .map(|e| {
                let code = serde_json::to_value(&e.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                format!("{code}: {}", e.message)
            })
            .collect::<Vec<_>>()
            .join("; "),
        OciDistributionError::ServerError { code, message, .. } => {
            let message = message.trim();
            if message.is_empty() {
                format!("HTTP {code}")
            } else {
                format!("HTTP {code}: {message}")
            }
        }
        OciDistributionError::RequestError(e) => chain(e),
        other => other.to_string(),
    };
    let text: String = text.chars().take(300).collect();
    text.escape_debug().to_string()
}

/// An oci-client reference to `reference` (a tag or a digest) in `repository` on `registry`.
pub(crate) fn manifest_ref(registry: &str, repository: &str, reference: &str) -> Reference {
    if reference.parse::<Digest>().is_ok() {
        Reference::with_digest(
            registry.to_string(),
            repository.to_string(),
            reference.to_string(),
        )
    } else {
        Reference::with_tag(
            registry.to_string(),
            repository.to_string(),
            reference.to_string(),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn loopback_table() {
        let cases: &[(&str, bool)] = &[
            ("127.0.0.1:5000", true),
            ("127.0.0.1", true),
            ("127.1.2.3:80", true),
            ("localhost:5000", true),
            ("LOCALHOST", true),
            ("[::1]:5000", true),
            ("[::1]", true),
            ("10.0.0.1:5000", false),
            ("myrepo.azurecr.io", false),
            ("localhost.example.com", false),
            ("", false),
            ("[", false),
        ];
        for (host, want) in cases {
            assert_eq!(is_loopback(host), *want, "{host}");
        }
    }

    #[test]
    fn pem_parsing() {
        let pem = "junk\n-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\n\
                   -----BEGIN CERTIFICATE-----\nBAU=\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n";
        assert_eq!(
            pem_certificates(pem.as_bytes()),
            vec![vec![0, 1, 2, 3], vec![4, 5]]
        );
        assert!(pem_certificates(b"").is_empty());
        assert!(pem_certificates(&[0xff, 0xfe]).is_empty());
    }

    #[test]
    fn transient_table() {
        let server = |code| OciDistributionError::ServerError {
            code,
            url: String::new(),
            message: String::new(),
        };
        assert!(is_transient(&server(500)));
        assert!(is_transient(&server(503)));
        assert!(is_transient(&server(429)));
        assert!(!is_transient(&server(404)));
        assert!(!is_transient(&server(400)));
        assert!(!is_transient(&OciDistributionError::UnauthorizedError {
            url: String::new()
        }));
        let digest = std::io::Error::other(oci_client::errors::DigestError::VerificationError {
            expected: "a".into(),
            actual: "b".into(),
        });
        assert!(!is_transient(&OciDistributionError::IoError(digest)));
        assert!(is_transient(&OciDistributionError::IoError(
            std::io::Error::from(std::io::ErrorKind::ConnectionReset)
        )));
    }

    #[test]
    fn options_debug_hides_credentials() {
        let mut options = RegistryOptions::default();
        options
            .credentials
            .insert("r.io".into(), Credentials::basic("ci", "TOPSECRET"));
        let client = RegistryClient::new(options).unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
        assert!(shown.contains("ci"));
    }
}
