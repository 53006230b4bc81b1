//! Registry faults that a real registry will not produce on demand, served by a small fake
//! registry on a loopback port (named as such: these are stub tests, not registry tests):
//! a manifest that does not hash to its digest, truncated and altered blobs, server errors
//! and dropped connections (retried), refused credentials (never echoed), the bearer flow.
#![cfg(feature = "registry")]
#![allow(clippy::unwrap_used)]

use shiprail::image::ImageReference;
use shiprail::registry::{
    Credentials, Digest, DockerConfig, PromoteRequest, RegistryClient, RegistryOptions,
};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the fake saw it.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    /// Whether the whole body announced by Content-Length arrived.
    body_complete: bool,
    body: Vec<u8>,
}

/// What the fake answers.
#[derive(Debug, Clone, Default)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Send the body chunked (no Content-Length), so a short body ends cleanly.
    chunked: bool,
    /// Close the connection without answering.
    drop: bool,
}

fn ok(body: &[u8], headers: &[(&str, &str)]) -> Response {
    Response {
        status: 200,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_vec(),
        ..Response::default()
    }
}

fn status(code: u16) -> Response {
    Response {
        status: code,
        ..Response::default()
    }
}

type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A fake registry: every request is logged, then answered by the handler.
struct Fake {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Fake {
    async fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let shared = log.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (handler, log) = (handler.clone(), shared.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, handler, log).await;
                });
            }
        });
        Fake { addr, log }
    }

    fn host(&self) -> String {
        self.addr.to_string()
    }

    fn image(&self, rest: &str) -> ImageReference {
        format!("{}/{rest}", self.host()).parse().unwrap()
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    fn count(&self, method: &str, path_start: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path.starts_with(path_start))
            .count()
    }
}

async fn serve(
    mut stream: TcpStream,
    handler: Handler,
    log: Arc<Mutex<Vec<Request>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buf.len() > 65536 || !buf.starts_with(b"GET") && !buf.is_ascii() {
            // Not HTTP (a TLS ClientHello from the scheme probe): answer like a plain server.
            stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                .await?;
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let path = first.next().unwrap_or_default().to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = buf[head_end + 4..].to_vec();
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body_complete = true;
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            body_complete = false;
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let request = Request {
        method,
        path,
        headers,
        body_complete,
        body,
    };
    let response = handler(&request);
    log.lock().unwrap().push(request.clone());
    if response.drop || !body_complete {
        return Ok(());
    }
    let reason = match response.status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        401 => "Unauthorized",
        404 => "Not Found",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\nConnection: close\r\n",
        response.status
    );
    for (k, v) in &response.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if response.chunked {
        out.push_str("Transfer-Encoding: chunked\r\n\r\n");
        stream.write_all(out.as_bytes()).await?;
        if request.method != "HEAD" && !response.body.is_empty() {
            stream
                .write_all(format!("{:x}\r\n", response.body.len()).as_bytes())
                .await?;
            stream.write_all(&response.body).await?;
            stream.write_all(b"\r\n").await?;
        }
        stream.write_all(b"0\r\n\r\n").await?;
    } else {
        out.push_str(&format!("Content-Length: {}\r\n\r\n", response.body.len()));
        stream.write_all(out.as_bytes()).await?;
        if request.method != "HEAD" {
            stream.write_all(&response.body).await?;
        }
    }
    stream.shutdown().await
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// A manifest with one config blob and one layer blob, and the blobs.
struct Image {
    manifest: Vec<u8>,
    digest: Digest,
    config: Vec<u8>,
    layer: Vec<u8>,
}

fn image() -> Image {
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#
            .to_vec();
    let layer: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}]}}"#,
        Digest::of(&config),
        config.len(),
        Digest::of(&layer),
        layer.len()
    )
    .into_bytes();
    Image {
        digest: Digest::of(&manifest),
        manifest,
        config,
        layer,
    }
}

/// A source registry serving `image` under `app:v1.0.0`, with the layer served by `layer`.
fn source_handler(
    img: &Image,
    layer: impl Fn(&[u8]) -> Response + Send + Sync + 'static,
) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    let manifest = img.manifest.clone();
    let digest = img.digest.to_string();
    let config = img.config.clone();
    let config_path = format!("/v2/app/blobs/{}", Digest::of(&img.config));
    let layer_bytes = img.layer.clone();
    let layer_path = format!("/v2/app/blobs/{}", Digest::of(&img.layer));
    move |r: &Request| {
        if r.path == "/v2/" {
            ok(b"{}", &[])
        } else if r.path.starts_with("/v2/app/manifests/") {
            ok(
                &manifest,
                &[
                    ("Content-Type", OCI_MANIFEST),
                    ("Docker-Content-Digest", &digest),
                ],
            )
        } else if r.path == config_path {
            ok(&config, &[])
        } else if r.path == layer_path {
            layer(&layer_bytes)
        } else if r.path.starts_with("/v2/app/tags/list") {
            ok(br#"{"name":"app","tags":["v1.0.0"]}"#, &[])
        } else {
            status(404)
        }
    }
}

/// A destination registry that accepts uploads and manifests and holds nothing.
fn sink_handler() -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    let uploads = AtomicUsize::new(0);
    move |r: &Request| match r.method.as_str() {
        "GET" if r.path == "/v2/" => ok(b"{}", &[]),
        "POST" if r.path.contains("/blobs/uploads/") => {
            let n = uploads.fetch_add(1, Ordering::SeqCst);
            Response {
                status: 202,
                headers: vec![(
                    "Location".into(),
                    format!("/v2/prod/app/blobs/uploads/u{n}"),
                )],
                ..Response::default()
            }
        }
        "PUT" if r.path.contains("/blobs/uploads/") => Response {
            status: 201,
            headers: vec![("Location".into(), "/v2/prod/app/blobs/x".into())],
            ..Response::default()
        },
        "PUT" if r.path.contains("/manifests/") => Response {
            status: 201,
            headers: vec![("Location".into(), "/v2/prod/app/manifests/x".into())],
            ..Response::default()
        },
        _ => status(404),
    }
}

fn client(options: RegistryOptions) -> RegistryClient {
    RegistryClient::new(RegistryOptions {
        backoff: Duration::from_millis(5),
        docker_config: Some(DockerConfig::default()),
        ..options
    })
    .unwrap()
}

fn quiet(_: &shiprail::registry::ProgressEvent) {}

async fn promote_to_sink(
    src: &Fake,
    dst: &Fake,
) -> shiprail::Result<shiprail::registry::Promotion> {
    let request = PromoteRequest::new(src.image("app:v1.0.0"), dst.image("prod/app:v1.0.0"));
    client(RegistryOptions::default())
        .promote(&request, &quiet)
        .await
}

#[tokio::test]
async fn a_copy_between_fakes_succeeds_and_writes_the_tag_last() {
    let img = image();
    let src = Fake::start(source_handler(&img, |b| ok(b, &[]))).await;
    let dst = Fake::start(sink_handler()).await;
    let promotion = promote_to_sink(&src, &dst).await.unwrap();
    assert_eq!(promotion.digest, img.digest);
    assert_eq!(promotion.blobs.copied, 2);
    assert_eq!(
        promotion.bytes_copied,
        (img.config.len() + img.layer.len()) as u64
    );
    let requests = dst.requests();
    let puts: Vec<&Request> = requests.iter().filter(|r| r.method == "PUT").collect();
    let last = puts.last().unwrap();
    assert_eq!(last.path, "/v2/prod/app/manifests/v1.0.0");
    assert_eq!(
        last.body, img.manifest,
        "the manifest bytes are copied as they are"
    );
    assert_eq!(
        last.headers.get("content-type").map(String::as_str),
        Some(OCI_MANIFEST)
    );
    let layer_put = puts
        .iter()
        .find(|r| r.path.contains(&Digest::of(&img.layer).hex()[..12]))
        .unwrap();
    assert_eq!(layer_put.body, img.layer);
}

#[tokio::test]
async fn a_manifest_that_does_not_hash_to_its_digest_is_refused() {
    let img = image();
    let wrong = Digest::of(b"something else");
    let body = img.manifest.clone();
    let claimed = wrong.to_string();
    let src = Fake::start(move |r: &Request| {
        if r.path == "/v2/" {
            ok(b"{}", &[])
        } else {
            ok(
                &body,
                &[
                    ("Content-Type", OCI_MANIFEST),
                    ("Docker-Content-Digest", &claimed),
                ],
            )
        }
    })
    .await;
    let client = client(RegistryOptions::default());
    let err = client.resolve(&src.image("app:v1.0.0")).await.unwrap_err();
    assert_eq!(err.code(), "registry_digest_mismatch", "{err}");
    assert!(err.message().contains(wrong.as_str()), "{err}");
    assert!(err.message().contains(img.digest.as_str()), "{err}");
    // By digest: the body must hash to the digest asked for.
    let by_digest = src.image(&format!("app@{wrong}"));
    let err = client.resolve(&by_digest).await.unwrap_err();
    assert_eq!(err.code(), "registry_digest_mismatch", "{err}");
    // Promotion stops before writing anything.
    let dst = Fake::start(sink_handler()).await;
    let err = promote_to_sink(&src, &dst).await.unwrap_err();
    assert_eq!(err.code(), "registry_digest_mismatch");
    assert_eq!(dst.count("PUT", "/"), 0);
}

#[tokio::test]
async fn a_truncated_blob_is_never_completed_at_the_destination() {
    let img = image();
    // A clean end of a chunked body after half the bytes.
    let src = Fake::start(source_handler(&img, |b| Response {
        chunked: true,
        ..ok(&b[..b.len() / 2], &[])
    }))
    .await;
    let dst = Fake::start(sink_handler()).await;
    let err = promote_to_sink(&src, &dst).await.unwrap_err();
    assert_eq!(err.code(), "registry_digest_mismatch", "{err}");
    assert!(
        err.message()
            .contains("is truncated: 100000 of 200000 bytes arrived"),
        "{err}"
    );
    let layer = Digest::of(&img.layer);
    let completed: Vec<Request> = dst
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.contains(layer.hex()) && r.body_complete)
        .collect();
    assert!(completed.is_empty(), "a truncated blob was committed");
    assert_eq!(dst.count("PUT", "/v2/prod/app/manifests/"), 0);

    // Announced short (Content-Length below the descriptor's size): refused before uploading.
    let src = Fake::start(source_handler(&img, |b| ok(&b[..10], &[]))).await;
    let dst = Fake::start(sink_handler()).await;
    let err = promote_to_sink(&src, &dst).await.unwrap_err();
    assert_eq!(err.code(), "registry_digest_mismatch", "{err}");
    assert!(err.message().contains("is served as 10 bytes"), "{err}");
    assert_eq!(dst.count("PUT", "/v2/prod/app/manifests/"), 0);
}

#[tokio::test]
async fn an_altered_blob_of_the_right_size_is_never_completed() {
    let img = image();
    let src = Fake::start(source_handler(&img, |b| {
        let mut altered = b.to_vec();
        altered[b.len() - 1] ^= 0xff;
        Response {
            chunked: true,
            ..ok(&altered, &[])
        }
    }))
    .await;
    let dst = Fake::start(sink_handler()).await;
    let err = promote_to_sink(&src, &dst).await.unwrap_err();
    assert_eq!(err.code(), "registry_digest_mismatch", "{err}");
    let layer = Digest::of(&img.layer);
    assert!(err.message().contains(layer.as_str()), "{err}");
    let completed = dst
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.contains(layer.hex()) && r.body_complete)
        .count();
    assert_eq!(completed, 0, "an altered blob was committed");
    assert_eq!(dst.count("PUT", "/v2/prod/app/manifests/"), 0);
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried() {
    let img = image();
    let failures = Arc::new(AtomicUsize::new(0));
    let seen = failures.clone();
    let inner = source_handler(&img, |b| ok(b, &[]));
    let src = Fake::start(move |r: &Request| {
        if r.path.starts_with("/v2/app/manifests/") {
            match seen.fetch_add(1, Ordering::SeqCst) {
                0 => return status(503),
                1 => {
                    return Response {
                        drop: true,
                        ..Response::default()
                    };
                }
                2 => return status(429),
                _ => {}
            }
        }
        inner(r)
    })
    .await;
    let resolved = client(RegistryOptions::default())
        .resolve(&src.image("app:v1.0.0"))
        .await
        .unwrap();
    assert_eq!(resolved.digest, img.digest);
    assert_eq!(src.count("GET", "/v2/app/manifests/"), 4);

    // An error that persists is reported after the retries, with the status.
    let always = Fake::start(|r: &Request| {
        if r.path == "/v2/" {
            ok(b"{}", &[])
        } else {
            status(503)
        }
    })
    .await;
    let options = RegistryOptions {
        retries: 2,
        ..RegistryOptions::default()
    };
    let err = client(options)
        .resolve(&always.image("app:v1.0.0"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "registry", "{err}");
    assert!(err.message().contains("503"), "{err}");
    assert_eq!(always.count("GET", "/v2/app/manifests/"), 3);
}

#[tokio::test]
async fn refused_credentials_are_reported_without_the_secret() {
    const PASSWORD: &str = "Pa55-TOPSECRET-word";
    let fake = Fake::start(|_: &Request| Response {
        status: 401,
        headers: vec![("WWW-Authenticate".into(), r#"Basic realm="fake""#.into())],
        ..Response::default()
    })
    .await;
    let mut options = RegistryOptions::default();
    options
        .credentials
        .insert(fake.host(), Credentials::basic("ci", PASSWORD));
    let client = client(options);
    let err = client.resolve(&fake.image("app:v1.0.0")).await.unwrap_err();
    assert_eq!(err.code(), "registry_unauthorized", "{err}");
    assert_eq!(
        err.message(),
        format!(
            "`{0}` refused access to `{0}/app:v1.0.0` (HTTP 401) with the credentials given; check them with `docker login {0}`",
            fake.host()
        )
    );
    for shown in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!shown.contains(PASSWORD), "{shown}");
    }
    // The password did travel, base64-encoded in the Authorization header only.
    assert!(fake.requests().iter().any(|r| {
        r.headers
            .get("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    }));
}

#[tokio::test]
async fn bearer_tokens_are_fetched_with_the_credentials_and_scoped_to_the_repository() {
    let img = image();
    let listener_port = Arc::new(Mutex::new(String::new()));
    let port = listener_port.clone();
    let inner = source_handler(&img, |b| ok(b, &[]));
    let fake = Fake::start(move |r: &Request| {
        let realm = format!("http://{}/token", port.lock().unwrap());
        if r.path.starts_with("/token") {
            // "ci:s3cret" in base64.
            return if r.headers.get("authorization").map(String::as_str)
                == Some("Basic Y2k6czNjcmV0")
            {
                ok(br#"{"token":"tok-123"}"#, &[])
            } else {
                status(401)
            };
        }
        if r.headers.get("authorization").map(String::as_str) != Some("Bearer tok-123") {
            return Response {
                status: 401,
                headers: vec![(
                    "WWW-Authenticate".into(),
                    format!(r#"Bearer realm="{realm}",service="fake""#),
                )],
                ..Response::default()
            };
        }
        inner(r)
    })
    .await;
    *listener_port.lock().unwrap() = fake.host();
    let mut options = RegistryOptions::default();
    options
        .credentials
        .insert(fake.host(), Credentials::basic("ci", "s3cret"));
    let resolved = client(options)
        .resolve(&fake.image("app:v1.0.0"))
        .await
        .unwrap();
    assert_eq!(resolved.digest, img.digest);
    let token_requests: Vec<Request> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/token"))
        .collect();
    assert!(!token_requests.is_empty());
    assert!(
        token_requests[0]
            .path
            .contains("scope=repository%3Aapp%3Apull"),
        "{}",
        token_requests[0].path
    );
}

#[tokio::test]
async fn an_unreachable_registry_is_a_registry_error() {
    // A port that was just free: nothing listens there.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let options = RegistryOptions {
        retries: 1,
        ..RegistryOptions::default()
    };
    let image: ImageReference = format!("{addr}/app:v1.0.0").parse().unwrap();
    let err = client(options).resolve(&image).await.unwrap_err();
    assert_eq!(err.code(), "registry", "{err}");
    assert!(
        err.message()
            .starts_with(&format!("cannot reach registry `{addr}`")),
        "{err}"
    );
}

#[tokio::test]
async fn a_plain_http_registry_that_is_not_loopback_is_never_used_over_http() {
    // 127.0.0.2 is loopback too; name a non-loopback address that cannot be reached quickly
    // instead, and check the scheme chosen is https (a TLS error or a connection error).
    let options = RegistryOptions {
        retries: 0,
        connect_timeout: Duration::from_millis(200),
        ..RegistryOptions::default()
    };
    let image: ImageReference = "192.0.2.1:5000/app:v1.0.0".parse().unwrap();
    let err = client(options).resolve(&image).await.unwrap_err();
    assert_eq!(err.code(), "registry", "{err}");
    assert!(err.message().contains("https://192.0.2.1:5000/"), "{err}");
}

#[tokio::test]
async fn a_mount_under_token_auth_asks_for_both_repositories() {
    let img = image();
    let port = Arc::new(Mutex::new(String::new()));
    let realm_host = port.clone();
    let inner = source_handler(&img, |b| ok(b, &[]));
    let fake = Fake::start(move |r: &Request| {
        let realm = format!("http://{}/token", realm_host.lock().unwrap());
        let challenge = || Response {
            status: 401,
            headers: vec![(
                "WWW-Authenticate".into(),
                format!(r#"Bearer realm="{realm}",service="fake""#),
            )],
            ..Response::default()
        };
        if r.path.starts_with("/token") {
            // The token names its scopes, so the registry side can check them.
            let scopes: Vec<&str> = r
                .path
                .split(['?', '&'])
                .filter(|p| p.starts_with("scope="))
                .collect();
            return ok(
                format!(r#"{{"token":"{}"}}"#, scopes.join("+")).as_bytes(),
                &[],
            );
        }
        let token = r.headers.get("authorization").cloned().unwrap_or_default();
        if !token.starts_with("Bearer ") {
            return challenge();
        }
        if r.method == "POST" && r.path.contains("mount=") {
            let both = token.contains("repository%3Aprod%2Fapp%3Apull%2Cpush")
                && token.contains("repository%3Aapp%3Apull");
            return if both { status(201) } else { status(202) };
        }
        match r.method.as_str() {
            "HEAD" if r.path.contains("/v2/prod/app/") => status(404),
            "PUT" if r.path.starts_with("/v2/prod/app/manifests/") => status(201),
            _ => inner(r),
        }
    })
    .await;
    *port.lock().unwrap() = fake.host();
    let request = PromoteRequest::new(fake.image("app:v1.0.0"), fake.image("prod/app:v1.0.0"));
    let promotion = client(RegistryOptions::default())
        .promote(&request, &quiet)
        .await
        .unwrap();
    assert_eq!((promotion.blobs.mounted, promotion.blobs.copied), (2, 0));
    let put = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert_eq!(put.path, "/v2/prod/app/manifests/v1.0.0");
    assert_eq!(put.body, img.manifest);
}

#[tokio::test]
async fn referrers_listed_by_the_referrers_api_travel_before_the_tag() {
    let img = image();
    let empty = b"{}".to_vec();
    let sbom = br#"{"spdxVersion":"SPDX-2.3"}"#.to_vec();
    let referrer = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"application/spdx+json","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{}","size":2}},"layers":[{{"mediaType":"application/spdx+json","digest":"{}","size":{}}}],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":{}}}}}"#,
        Digest::of(&empty),
        Digest::of(&sbom),
        sbom.len(),
        img.digest,
        img.manifest.len()
    )
    .into_bytes();
    let referrer_digest = Digest::of(&referrer);
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{referrer_digest}","size":{},"artifactType":"application/spdx+json"}}]}}"#,
        referrer.len()
    );
    let inner = source_handler(&img, |b| ok(b, &[]));
    let (subject, rd) = (img.digest.to_string(), referrer_digest.to_string());
    let src = Fake::start(move |r: &Request| {
        if r.path == format!("/v2/app/referrers/{subject}") {
            ok(
                index.as_bytes(),
                &[("Content-Type", "application/vnd.oci.image.index.v1+json")],
            )
        } else if r.path == format!("/v2/app/manifests/{rd}") {
            ok(
                &referrer,
                &[
                    ("Content-Type", OCI_MANIFEST),
                    ("Docker-Content-Digest", &rd),
                ],
            )
        } else if r.path == format!("/v2/app/blobs/{}", Digest::of(&empty)) {
            ok(&empty, &[])
        } else if r.path == format!("/v2/app/blobs/{}", Digest::of(&sbom)) {
            ok(&sbom, &[])
        } else {
            inner(r)
        }
    })
    .await;
    let dst = Fake::start(sink_handler()).await;
    let promotion = promote_to_sink(&src, &dst).await.unwrap();
    assert_eq!(promotion.referrers, vec![referrer_digest.to_string()]);
    assert_eq!(promotion.manifests, 2);
    let manifest_puts: Vec<String> = dst
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.contains("/manifests/"))
        .map(|r| r.path)
        .collect();
    assert_eq!(
        manifest_puts,
        [
            format!("/v2/prod/app/manifests/{}", img.digest),
            format!("/v2/prod/app/manifests/{referrer_digest}"),
            "/v2/prod/app/manifests/v1.0.0".to_string(),
        ]
    );
}
