//! Registry credentials: explicit ones, the docker config file, and credential helpers.

use crate::error::{Error, ErrorKind, Result};
use base64::Engine as _;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A password or token. It is never printed: `Debug` shows `Secret(<redacted>)` and there is no
/// `Display`, so a secret cannot end up in a message, a log line or a panic by accident.
///
/// ```
/// use shiprail::registry::Secret;
/// let secret = Secret::new("hunter2");
/// assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
/// assert_eq!(secret.expose(), "hunter2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it to the registry.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// How shiprail authenticates to one registry.
///
/// Basic credentials also drive the bearer-token flow: when the registry answers with a
/// `WWW-Authenticate: Bearer realm=...` challenge, they are exchanged at the realm for a token
/// scoped to the repository (pull, or pull and push), as `docker login` does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Credentials {
    /// No credentials: public registries, and loopback test registries.
    #[default]
    Anonymous,
    /// A user name and password (or a token used as password, as ACR and GHCR accept).
    Basic {
        /// The user name.
        username: String,
        /// The password or token.
        password: Secret,
    },
    /// A ready bearer token sent as `Authorization: Bearer ...`.
    Bearer(Secret),
}

impl Credentials {
    /// Basic credentials.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials::Basic {
            username: username.into(),
            password: Secret::new(password),
        }
    }

    /// A short description without the secret (`anonymous`, `basic auth as \`ci\``, `a bearer
    /// token`), for messages.
    pub fn describe(&self) -> String {
        match self {
            Credentials::Anonymous => "no credentials".to_string(),
            Credentials::Basic { username, .. } => {
                format!("user `{}`", username.escape_debug())
            }
            Credentials::Bearer(_) => "a bearer token".to_string(),
        }
    }
}

/// The docker CLI's configuration file (`config.json`), as far as credentials go: `auths`
/// entries (`auth` = base64 of `user:password`, or `username` + `password`), the default
/// credential store `credsStore` and the per-registry `credHelpers`.
///
/// Lookup for a registry follows docker: a `credHelpers` entry for the host wins, then the
/// `credsStore`, then an `auths` entry; a helper that has nothing for the host falls through to
/// `auths`. Keys match by host, ignoring a scheme and path (`https://myrepo.azurecr.io/v2/`
/// is `myrepo.azurecr.io`); Docker Hub is stored as `https://index.docker.io/v1/`.
///
/// ```
/// use shiprail::registry::{Credentials, DockerConfig};
/// let config = DockerConfig::from_json_str(
///     r#"{"auths": {"https://myrepo.azurecr.io": {"auth": "Y2k6czNjcmV0"}}}"#,
/// )?;
/// assert_eq!(config.credentials_for("myrepo.azurecr.io")?, Credentials::basic("ci", "s3cret"));
/// assert_eq!(config.credentials_for("ghcr.io")?, Credentials::Anonymous);
/// assert!(!format!("{config:?}").contains("s3cret"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DockerConfig {
    path: Option<PathBuf>,
    auths: BTreeMap<String, Credentials>,
    creds_store: Option<String>,
    cred_helpers: BTreeMap<String, String>,
    helper_dirs: Option<Vec<PathBuf>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawConfig {
    #[serde(default)]
    auths: BTreeMap<String, RawAuth>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawAuth {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default, rename = "registrytoken")]
    registry_token: Option<String>,
}

/// What a credential helper prints for `get`.
#[derive(Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

impl DockerConfig {
    /// The config of the current user: `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`; a missing file is an empty config (anonymous access).
    pub fn load_default() -> Result<DockerConfig> {
        match default_path() {
            Some(path) if path.is_file() => DockerConfig::load(&path),
            _ => Ok(DockerConfig::default()),
        }
    }

    /// Reads a config file.
    pub fn load(path: &Path) -> Result<DockerConfig> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        let mut config = DockerConfig::from_json_str(&text).map_err(|e| e.in_file(path))?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses config text. A malformed `auth` entry is an error naming its key (never its
    /// value).
    pub fn from_json_str(text: &str) -> Result<DockerConfig> {
        let raw: RawConfig = serde_json::from_str(text).map_err(|e| {
            // serde_json's message names the position and the expectation, never the value.
            Error::new(
                ErrorKind::ConfigSyntax,
                format!("the docker config is not valid: {e}"),
            )
        })?;
        let mut auths = BTreeMap::new();
        for (key, entry) in raw.auths {
            let host = normalise_key(&key);
            let credentials = if let Some(auth) = entry.auth.filter(|a| !a.is_empty()) {
                decode_auth(&key, &auth)?
            } else if let (Some(username), Some(password)) = (entry.username, entry.password) {
                Credentials::basic(username, password)
            } else if let Some(token) = entry.registry_token {
                Credentials::Bearer(Secret::new(token))
            } else {
                continue;
            };
            auths.insert(host, credentials);
        }
        let cred_helpers = raw
            .cred_helpers
            .into_iter()
            .map(|(k, v)| (normalise_key(&k), v))
            .collect();
        Ok(DockerConfig {
            path: None,
            auths,
            creds_store: raw.creds_store.filter(|s| !s.is_empty()),
            cred_helpers,
            helper_dirs: None,
        })
    }

    /// Looks for credential helpers (`docker-credential-<name>`) in `dirs` instead of `PATH`.
    #[must_use]
    pub fn with_helper_dirs(mut self, dirs: Vec<PathBuf>) -> DockerConfig {
        self.helper_dirs = Some(dirs);
        self
    }

    /// The file this config was read from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The credentials for `registry` (`host[:port]`), or [`Credentials::Anonymous`] when the
    /// config has none. Fails when a configured helper cannot be run or answers garbage.
    pub fn credentials_for(&self, registry: &str) -> Result<Credentials> {
        Ok(self.lookup(registry)?.0)
    }

    /// The credentials and a description of where they came from (for messages).
    pub(crate) fn lookup(&self, registry: &str) -> Result<(Credentials, String)> {
        let host = normalise_key(registry);
        let helper = self
            .cred_helpers
            .get(&host)
            .or_else(|| {
                is_docker_hub(&host)
                    .then(|| self.cred_helpers.get("index.docker.io"))
                    .flatten()
            })
            .or(self.creds_store.as_ref());
        if let Some(helper) = helper
            && let Some(credentials) = self.run_helper(helper, &host)?
        {
            return Ok((
                credentials,
                format!("credentials from `docker-credential-{helper}`"),
            ));
        }
        let entry = self.auths.get(&host).or_else(|| {
            is_docker_hub(&host)
                .then(|| self.auths.get("index.docker.io"))
                .flatten()
        });
        match entry {
            Some(credentials) => {
                let file = self
                    .path
                    .as_ref()
                    .map_or("the docker config".to_string(), |p| {
                        format!("`{}`", p.display())
                    });
                Ok((credentials.clone(), format!("credentials from {file}")))
            }
            None => Ok((Credentials::Anonymous, "no credentials".to_string())),
        }
    }

    fn run_helper(&self, helper: &str, host: &str) -> Result<Option<Credentials>> {
        let program = format!("docker-credential-{helper}");
        let path = match &self.helper_dirs {
            Some(dirs) => dirs
                .iter()
                .map(|d| d.join(&program))
                .find(|p| p.is_file())
                .unwrap_or_else(|| PathBuf::from(&program)),
            None => PathBuf::from(&program),
        };
        let server = if is_docker_hub(host) {
            DOCKER_HUB_KEY.to_string()
        } else {
            host.to_string()
        };
        let fail = |why: String| {
            Error::new(
                ErrorKind::RegistryUnauthorized,
                format!("credential helper `{program}` for `{host}` {why}"),
            )
            .with_input(host)
        };
        let mut child = Command::new(&path)
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| fail(format!("cannot be run: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write as _;
            // A helper that exits without reading closes the pipe; its exit status tells.
            let _ = stdin.write_all(server.as_bytes());
        }
        let output = child
            .wait_with_output()
            .map_err(|e| fail(format!("failed: {e}")))?;
        if !output.status.success() {
            // The protocol's "no credentials" answer; anything else is reported by status only,
            // since a helper's output is not ours to echo.
            let said = String::from_utf8_lossy(&output.stdout).to_lowercase()
                + &String::from_utf8_lossy(&output.stderr).to_lowercase();
            if said.contains("credentials not found") {
                return Ok(None);
            }
            return Err(fail(format!("failed ({})", output.status)));
        }
        let answer: HelperAnswer = serde_json::from_slice(&output.stdout)
            .map_err(|_| fail("answered with something other than its JSON".to_string()))?;
        if answer.username == "<token>" {
            return Err(fail(
                "returned an identity token, which shiprail cannot exchange; give a user name and password or an access token instead".to_string(),
            ));
        }
        if answer.secret.is_empty() {
            return Ok(None);
        }
        Ok(Some(Credentials::basic(answer.username, answer.secret)))
    }
}

fn decode_auth(key: &str, auth: &str) -> Result<Credentials> {
    let bad = || {
        Error::new(
            ErrorKind::ConfigSyntax,
            format!(
                "the docker config entry `{}` has an `auth` that is not base64 of `user:password`",
                key.escape_debug()
            ),
        )
        .with_input(key)
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (user, password) = text.split_once(':').ok_or_else(bad)?;
    Ok(Credentials::basic(user, password))
}

/// `https://host:port/v2/` -> `host:port`, lowercased.
fn normalise_key(key: &str) -> String {
    let key = key.trim();
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = key.split('/').next().unwrap_or(key);
    host.to_ascii_lowercase()
}

fn is_docker_hub(host: &str) -> bool {
    matches!(
        host,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

/// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
pub(crate) fn default_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".docker").join("config.json"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn lookup_table() {
        let config = DockerConfig::from_json_str(&format!(
            r#"{{"auths": {{
                "https://index.docker.io/v1/": {{"auth": "{}"}},
                "http://127.0.0.1:5443/v2/": {{"auth": "{}"}},
                "Myrepo.azurecr.io": {{"username": "u", "password": "p"}},
                "ghcr.io": {{"registrytoken": "tok"}},
                "empty.io": {{}}
            }}}}"#,
            b64("hub:hubpw"),
            b64("ci:pw:with:colons")
        ))
        .unwrap();
        let cases: &[(&str, Credentials)] = &[
            ("docker.io", Credentials::basic("hub", "hubpw")),
            ("index.docker.io", Credentials::basic("hub", "hubpw")),
            ("127.0.0.1:5443", Credentials::basic("ci", "pw:with:colons")),
            ("127.0.0.1:5000", Credentials::Anonymous),
            ("myrepo.azurecr.io", Credentials::basic("u", "p")),
            ("ghcr.io", Credentials::Bearer(Secret::new("tok"))),
            ("empty.io", Credentials::Anonymous),
        ];
        for (host, want) in cases {
            assert_eq!(&config.credentials_for(host).unwrap(), want, "{host}");
        }
    }

    #[test]
    fn malformed_auth_names_the_key_not_the_value() {
        let err = DockerConfig::from_json_str(r#"{"auths": {"r.io": {"auth": "!!secret!!"}}}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the docker config entry `r.io` has an `auth` that is not base64 of `user:password`"
        );
        let err = DockerConfig::from_json_str(&format!(
            r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#,
            b64("no-colon-secret")
        ))
        .unwrap_err();
        assert!(!err.to_string().contains("no-colon-secret"));
        assert_eq!(
            DockerConfig::from_json_str("5").unwrap_err().code(),
            "config_syntax"
        );
    }

    #[test]
    fn debug_output_never_holds_secrets() {
        let config = DockerConfig::from_json_str(&format!(
            r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#,
            b64("user:TOPSECRET")
        ))
        .unwrap();
        let shown = format!("{config:?} {:?}", config.credentials_for("r.io").unwrap());
        assert!(!shown.contains("TOPSECRET"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert_eq!(
            Credentials::basic("ci", "TOPSECRET").describe(),
            "user `ci`"
        );
    }

    #[test]
    fn missing_helper_is_an_error() {
        let config = DockerConfig::from_json_str(r#"{"credHelpers": {"r.io": "nonexistent-xyz"}}"#)
            .unwrap()
            .with_helper_dirs(vec![]);
        let err = config.credentials_for("r.io").unwrap_err();
        assert_eq!(err.code(), "registry_unauthorized");
        assert!(
            err.message().starts_with(
                "credential helper `docker-credential-nonexistent-xyz` for `r.io` cannot be run"
            ),
            "{err}"
        );
        // Other hosts do not consult that helper.
        assert_eq!(
            config.credentials_for("other.io").unwrap(),
            Credentials::Anonymous
        );
    }

    #[test]
    fn hostile_input_never_panics() {
        for text in ["", "\0", "{", &"[".repeat(10_000), r#"{"auths": 5}"#] {
            let _ = DockerConfig::from_json_str(text);
        }
        assert_eq!(normalise_key(""), "");
        assert_eq!(normalise_key("https://"), "");
    }
}
