//! The small requests of a promotion (HEADs, mounts, manifest writes, referrers, deletes),
//! sent directly rather than through oci-client: one request each instead of a `/v2/`
//! round-trip before every one, manifest bytes written exactly as read, and bearer tokens that
//! can cover two repositories (a cross-repository mount needs pull on the source and push on
//! the destination).
//!
//! Authentication follows the registry's challenge: a request goes out with what the host
//! asked for last (nothing, basic credentials, or a cached token for the same scopes); on a 401
//! the `WWW-Authenticate` header says what to do — `Basic` sends the basic credentials, `Bearer
//! realm=...,service=...` exchanges them at the realm for a token scoped to the repositories
//! involved — and the request is sent once more.

use super::client::{Host, RegistryClient, chain, map_error};
use super::digest::Digest;
use super::manifest::ACCEPTED;
use crate::error::{Error, ErrorKind, Result};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;

/// What a registry asked for in its last `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
    },
}

/// Parses a `WWW-Authenticate` value: `Basic realm="x"` or
/// `Bearer realm="https://auth/token",service="registry",scope="..."`.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let params = parse_params(rest);
    Some(Challenge::Bearer {
        realm: params.get("realm")?.clone(),
        service: params.get("service").cloned(),
    })
}

/// `key="value", key=value` pairs; commas inside quotes belong to the value.
fn parse_params(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        out.insert(key, value.to_string());
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

/// A status, the headers and the (text) body of a request.
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
    /// The body as received (binary blobs are read from here).
    pub(crate) bytes: bytes::Bytes,
}

impl RawResponse {
    /// The registry's error codes and messages, or the body's start.
    pub(crate) fn describe(&self) -> String {
        let codes = serde_json::from_str::<oci_client::errors::OciEnvelope>(&self.body)
            .ok()
            .map(|envelope| {
                envelope
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
                    .join("; ")
            });
        let text = codes.unwrap_or_else(|| self.body.trim().chars().take(200).collect());
        if text.is_empty() {
            format!("HTTP {}", self.status.as_u16())
        } else {
            format!("HTTP {}: {}", self.status.as_u16(), text.escape_debug())
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The scope of access to `repository`: `pull`, or `pull,push`.
pub(crate) fn scope(repository: &str, push: bool) -> String {
    format!(
        "repository:{repository}:{}",
        if push { "pull,push" } else { "pull" }
    )
}

/// The host the API is served from (Docker Hub's is `index.docker.io`, as oci-client has it).
pub(crate) fn api_host(name: &str) -> &str {
    if name == "docker.io" {
        "index.docker.io"
    } else {
        name
    }
}

impl RegistryClient {
    /// Sends a request to `path` on `host` with access `scopes`, answering the registry's
    /// authentication challenge once, retrying transient failures; returns any other status.
    pub(crate) async fn request(
        &self,
        host: &Host,
        method: Method,
        path: &str,
        scopes: &[String],
        body: Option<(&bytes::Bytes, &str)>,
    ) -> Result<RawResponse> {
        let url = format!("{}://{}{path}", host.scheme, api_host(&host.name));
        let what = format!("`{url}`");
        let mut authorization = self.authorization(host, scopes, false).await?;
        for attempt in 0..2 {
            let send = || {
                let mut request = host
                    .raw
                    .request(method.clone(), &url)
                    .header("Accept", ACCEPTED.join(", "));
                if let Some((bytes, content_type)) = body {
                    request = request
                        .header("Content-Type", content_type)
                        .body(bytes.clone());
                }
                if let Some(value) = &authorization {
                    request = request.header("Authorization", value.as_str());
                }
                let url = url.clone();
                async move {
                    let response = request
                        .send()
                        .await
                        .map_err(OciDistributionError::RequestError)?;
                    let status = response.status();
                    let headers = response.headers().clone();
                    let bytes = response.bytes().await.unwrap_or_default();
                    let body = String::from_utf8_lossy(&bytes).into_owned();
                    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                        return Err(OciDistributionError::ServerError {
                            code: status.as_u16(),
                            url,
                            message: body,
                        });
                    }
                    Ok(RawResponse {
                        status,
                        headers,
                        body,
                        bytes,
                    })
                }
            };
            let response = self
                .retry(send)
                .await
                .map_err(|e| map_error(e, host, &what))?;
            if response.status != StatusCode::UNAUTHORIZED || attempt == 1 {
                return Ok(response);
            }
            let Some(challenge) = response
                .header("WWW-Authenticate")
                .and_then(parse_challenge)
            else {
                return Ok(response);
            };
            if let Ok(mut last) = host.challenge.lock() {
                *last = Some(challenge);
            }
            match self.authorization(host, scopes, true).await? {
                Some(value) if Some(&value) != authorization.as_ref() => {
                    authorization = Some(value);
                }
                _ => return Ok(response),
            }
        }
        Err(Error::new(
            ErrorKind::Registry,
            format!("`{}` kept refusing {what}", host.name),
        ))
    }

    /// The `Authorization` value for `scopes`, from the host's last challenge: basic
    /// credentials, or a bearer token (cached per scope set; fetched when `fresh`).
    async fn authorization(
        &self,
        host: &Host,
        scopes: &[String],
        fresh: bool,
    ) -> Result<Option<String>> {
        let challenge = host.challenge.lock().ok().and_then(|c| c.clone());
        let basic = |user: &str, password: &str| {
            use base64::Engine as _;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )
        };
        match (challenge, &host.auth) {
            (_, RegistryAuth::Bearer(token)) => Ok(Some(format!("Bearer {token}"))),
            (None, _) => Ok(None),
            (Some(Challenge::Basic), RegistryAuth::Basic(user, password)) => {
                Ok(Some(basic(user, password)))
            }
            (Some(Challenge::Basic), _) => Ok(None),
            (Some(Challenge::Bearer { realm, service }), auth) => {
                let key = scopes.join(" ");
                let mut tokens = host.tokens.lock().await;
                if !fresh && let Some(token) = tokens.get(&key) {
                    return Ok(Some(format!("Bearer {token}")));
                }
                let mut query: Vec<(&str, &str)> = Vec::new();
                if let Some(service) = &service {
                    query.push(("service", service));
                }
                for scope in scopes {
                    query.push(("scope", scope));
                }
                let mut request = host.raw.get(&realm).query(&query);
                if let RegistryAuth::Basic(user, password) = auth {
                    request = request.header("Authorization", basic(user, password));
                }
                let failed = |why: String| {
                    Error::new(
                        ErrorKind::RegistryUnauthorized,
                        format!(
                            "`{}` gave no token for {} at `{realm}` with {}: {why}",
                            host.name,
                            scopes.join(" "),
                            host.origin
                        ),
                    )
                    .with_input(host.name.clone())
                };
                let response = request.send().await.map_err(|e| failed(chain(&e)))?;
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                if !status.is_success() {
                    return Err(failed(format!("HTTP {}", status.as_u16())));
                }
                let value: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|_| failed("the answer is not JSON".to_string()))?;
                let token = value
                    .get("token")
                    .or_else(|| value.get("access_token"))
                    .and_then(serde_json::Value::as_str)
                    .ok_or_else(|| failed("the answer holds no token".to_string()))?
                    .to_string();
                tokens.insert(key, token.clone());
                Ok(Some(format!("Bearer {token}")))
            }
        }
    }

    /// The digest a manifest reference (tag or digest) names in `repository`, or `None` when
    /// there is no such manifest.
    pub(crate) async fn head_manifest(
        &self,
        host: &Host,
        repository: &str,
        reference: &str,
    ) -> Result<Option<Digest>> {
        let path = format!("/v2/{repository}/manifests/{reference}");
        let what = format!("`{}/{repository}{}{reference}`", host.name, sep(reference));
        let response = self
            .request(host, Method::HEAD, &path, &[scope(repository, false)], None)
            .await?;
        match response.status.as_u16() {
            200 => match response
                .header("Docker-Content-Digest")
                .and_then(|d| d.parse::<Digest>().ok())
            {
                Some(digest) => Ok(Some(digest)),
                None => {
                    // No digest header: read the manifest and hash it.
                    let reference = super::client::manifest_ref(&host.name, repository, reference);
                    let (_, digest) = self.get_manifest(host, &reference, &what).await?;
                    Ok(Some(digest))
                }
            },
            404 => Ok(None),
            _ => Err(self.refused(host, &what, &response)),
        }
    }

    /// Whether `repository` holds the blob `digest`.
    pub(crate) async fn blob_exists(
        &self,
        host: &Host,
        repository: &str,
        digest: &Digest,
    ) -> Result<bool> {
        let path = format!("/v2/{repository}/blobs/{digest}");
        let response = self
            .request(host, Method::HEAD, &path, &[scope(repository, false)], None)
            .await?;
        match response.status.as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(self.refused(
                host,
                &format!("blob {digest} of `{}/{repository}`", host.name),
                &response,
            )),
        }
    }

    /// Mounts blob `digest` from `from` into `repository` on the same registry; `false` when
    /// the registry declines (it then opened an upload, which is cancelled).
    pub(crate) async fn mount(
        &self,
        host: &Host,
        repository: &str,
        from: &str,
        digest: &Digest,
    ) -> Result<bool> {
        let path = format!("/v2/{repository}/blobs/uploads/?mount={digest}&from={from}");
        let scopes = [scope(repository, true), scope(from, false)];
        let response = self
            .request(host, Method::POST, &path, &scopes, None)
            .await?;
        match response.status.as_u16() {
            201 => Ok(true),
            202 => {
                if let Some(location) = response.header("Location") {
                    let location = location.to_string();
                    let path = match location.find("/v2/") {
                        Some(at) => location[at..].to_string(),
                        None => location,
                    };
                    // Best effort: an abandoned upload expires on its own.
                    let _ = self
                        .request(host, Method::DELETE, &path, &scopes[..1], None)
                        .await;
                }
                Ok(false)
            }
            401 | 403 => Err(self.refused(
                host,
                &format!("mounting blob {digest} into `{}/{repository}`", host.name),
                &response,
            )),
            _ => Ok(false),
        }
    }

    /// The manifests the OCI referrers API lists for `digest`; none where the registry does
    /// not implement it.
    pub(crate) async fn referrers(
        &self,
        host: &Host,
        repository: &str,
        digest: &Digest,
    ) -> Result<Vec<Digest>> {
        let path = format!("/v2/{repository}/referrers/{digest}");
        let response = self
            .request(host, Method::GET, &path, &[scope(repository, false)], None)
            .await?;
        match response.status.as_u16() {
            200 => {
                let index: serde_json::Value =
                    serde_json::from_str(&response.body).unwrap_or_default();
                Ok(index
                    .get("manifests")
                    .and_then(serde_json::Value::as_array)
                    .map(|entries| {
                        entries
                            .iter()
                            .filter_map(|e| e.get("digest")?.as_str()?.parse().ok())
                            .collect()
                    })
                    .unwrap_or_default())
            }
            401 | 403 => Err(self.refused(
                host,
                &format!("the referrers of {digest} in `{}/{repository}`", host.name),
                &response,
            )),
            _ => Ok(Vec::new()),
        }
    }

    /// Writes manifest bytes under `reference` (a tag or the digest), as they are.
    pub(crate) async fn put_manifest_bytes(
        &self,
        host: &Host,
        repository: &str,
        reference: &str,
        bytes: &bytes::Bytes,
        media_type: &str,
    ) -> Result<()> {
        let path = format!("/v2/{repository}/manifests/{reference}");
        let response = self
            .request(
                host,
                Method::PUT,
                &path,
                &[scope(repository, true)],
                Some((bytes, media_type)),
            )
            .await?;
        if response.status.is_success() {
            return Ok(());
        }
        let what = format!("`{}/{repository}{}{reference}`", host.name, sep(reference));
        if matches!(response.status.as_u16(), 401 | 403) {
            return Err(self.refused(host, &format!("writing {what}"), &response));
        }
        Err(Error::new(
            ErrorKind::Registry,
            format!(
                "`{}` refused to write {what} ({})",
                host.name,
                response.describe()
            ),
        )
        .with_input(what.trim_matches('`').to_string()))
    }

    /// An error for a status that is neither success nor "not found".
    pub(crate) fn refused(&self, host: &Host, what: &str, response: &RawResponse) -> Error {
        match response.status.as_u16() {
            401 | 403 => super::client::unauthorized(host, what, response.describe()),
            404 => Error::new(
                ErrorKind::RegistryNotFound,
                format!("{what} does not exist on `{}`", host.name),
            )
            .with_input(what.trim_matches('`').to_string()),
            _ => Error::new(
                ErrorKind::Registry,
                format!("`{}` failed on {what} ({})", host.name, response.describe()),
            )
            .with_input(host.name.clone()),
        }
    }
}

/// `@` before a digest, `:` before a tag.
pub(crate) fn sep(reference: &str) -> &'static str {
    if reference.parse::<Digest>().is_ok() {
        "@"
    } else {
        ":"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_table() {
        let bearer = |realm: &str, service: Option<&str>| {
            Some(Challenge::Bearer {
                realm: realm.to_string(),
                service: service.map(str::to_string),
            })
        };
        let cases: &[(&str, Option<Challenge>)] = &[
            (r#"Basic realm="registry""#, Some(Challenge::Basic)),
            ("basic", Some(Challenge::Basic)),
            (
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a:pull,push""#,
                bearer("https://auth.docker.io/token", Some("registry.docker.io")),
            ),
            (
                r#"Bearer realm="https://r.io/oauth2/token", service="r.io""#,
                bearer("https://r.io/oauth2/token", Some("r.io")),
            ),
            (
                "Bearer realm=https://r.io/token,service=r.io",
                bearer("https://r.io/token", Some("r.io")),
            ),
            (r#"Bearer service="r.io""#, None),
            ("Negotiate abc", None),
            ("", None),
            (
                r#"Bearer realm="unterminated"#,
                bearer("unterminated", None),
            ),
        ];
        for (header, want) in cases {
            assert_eq!(&parse_challenge(header), want, "{header}");
        }
    }

    #[test]
    fn scopes_and_separators() {
        assert_eq!(scope("prod/app", true), "repository:prod/app:pull,push");
        assert_eq!(scope("app", false), "repository:app:pull");
        assert_eq!(sep("v1.0.2"), ":");
        assert_eq!(sep(&format!("sha256:{}", "a".repeat(64))), "@");
    }
}
