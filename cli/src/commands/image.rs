//! `shiprail image ...`: image references, and images in registries.

use super::{load_config, require_config, to_json};
use crate::output::Outcome;
use serde_json::json;
use shiprail::image::ImageReference;
use shiprail::registry::{
    Digest, Platform, ProgressEvent, PromotionPolicy, RegistryClient, RegistryOptions,
};
use shiprail::{Error, ErrorKind};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

/// Subcommands of `shiprail image`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// The reference an image is promoted to for an environment.
    Target {
        /// The source image reference (`myrepo.azurecr.io/delivery:v1.0.2`).
        #[arg(value_name = "REF")]
        reference: String,
        /// The environment promoted into (its `registry_namespace` names the destination).
        #[arg(long)]
        env: String,
        /// The shiprail.yaml (default: ./shiprail.yaml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Promote an image: copy it, same digest, to another repository or registry.
    Promote(PromoteArgs),
    /// List the tags of a repository, and its highest release tag.
    Tags {
        /// The repository (`myrepo.azurecr.io/delivery`); a tag or digest is ignored.
        #[arg(value_name = "REPO")]
        repository: String,
        /// Only this service's tags count for the highest release (when `tags.image` has
        /// `{service}`).
        #[arg(long)]
        service: Option<String>,
        /// Let pre-releases (`v1.1.0-rc.1`) be the highest release.
        #[arg(long)]
        pre: bool,
        /// The shiprail.yaml whose `tags` policy says what a release tag is (default:
        /// ./shiprail.yaml when present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        access: AccessArgs,
    },
    /// Resolve a tag (or digest) to the digest of its manifest.
    Digest {
        /// The image reference (`myrepo.azurecr.io/delivery:v1.0.2`).
        #[arg(value_name = "REF")]
        reference: String,
        #[command(flatten)]
        access: AccessArgs,
    },
}

/// `shiprail image promote`.
#[derive(Debug, clap::Args)]
pub(crate) struct PromoteArgs {
    /// The source image, by release tag (`myrepo.azurecr.io/delivery:v1.0.2`); a
    /// `@sha256:...` suffix is the expected digest.
    #[arg(value_name = "SRC")]
    source: String,
    /// The destination (`myrepo.azurecr.io/prod/delivery:v1.0.2`); default: from `--env`
    /// or `--namespace` and the promotion template.
    #[arg(value_name = "DST")]
    destination: Option<String>,
    /// The environment promoted into: its `registry_namespace` names the destination.
    #[arg(long, conflicts_with = "destination")]
    env: Option<String>,
    /// The registry namespace promoted into (overrides the environment's).
    #[arg(long, conflicts_with = "destination")]
    namespace: Option<String>,
    /// The shiprail.yaml (default: ./shiprail.yaml when present; required with `--env`).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Refuse unless the source tag names this digest (the one that was approved).
    #[arg(long, value_name = "DIGEST")]
    expect_digest: Option<String>,
    /// Keep only this platform of an index (repeatable); changes the index digest.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Vec<String>,
    /// Move a destination tag that names another digest.
    #[arg(long)]
    force: bool,
    /// Plan and print without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Leave signatures, attestations and SBOMs behind.
    #[arg(long)]
    no_referrers: bool,
    /// Accept tags that are not release tags (mutable tags are still refused).
    #[arg(long)]
    allow_any_tag: bool,
    /// No progress bar (it is drawn on stderr only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    #[command(flatten)]
    access: AccessArgs,
}

/// How registries are reached.
#[derive(Debug, clap::Args)]
pub(crate) struct AccessArgs {
    /// A PEM file of CA certificates to trust besides the system roots (repeatable).
    #[arg(long, value_name = "FILE")]
    ca_file: Vec<PathBuf>,
    /// A registry host (`host:port`) that may be reached over plain HTTP (repeatable;
    /// loopback hosts always may).
    #[arg(long, value_name = "HOST")]
    insecure: Vec<String>,
    /// Retries after a 5xx, a 429, a timeout or a dropped connection.
    #[arg(long, default_value_t = 4)]
    retries: u32,
    /// Blobs transferred at the same time.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
}

impl AccessArgs {
    /// The registry client these options describe (shared by `image` and `chart`).
    pub(crate) fn client(&self) -> Result<RegistryClient, Error> {
        RegistryClient::new(RegistryOptions {
            ca_files: self.ca_file.clone(),
            insecure: self.insecure.clone(),
            retries: self.retries,
            concurrency: self.concurrency.max(1),
            ..RegistryOptions::default()
        })
    }
}

/// A runtime for one command: a single thread is enough for a few HTTP streams.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot start the runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Target {
            reference,
            env,
            config,
        } => {
            let config = require_config(config.as_deref())?;
            to_json(&config.promotion_target(reference, env)?)
        }
        Command::Promote(args) => promote(args),
        Command::Tags {
            repository,
            service,
            pre,
            config,
            access,
        } => {
            let config = load_config(config.as_deref())?;
            let repository: ImageReference = repository.parse()?;
            let client = access.client()?;
            let tags = block_on(client.list_tags(&repository))??;
            let highest =
                shiprail::registry::highest_release(&tags, &config.tags, service.as_deref(), *pre);
            Ok(json!({
                "repository": repository.without_tag().without_digest().to_string(),
                "tags": tags,
                "highest_release": highest,
            }))
        }
        Command::Digest { reference, access } => {
            let reference: ImageReference = reference.parse()?;
            let client = access.client()?;
            to_json(&block_on(client.resolve(&reference))??)
        }
    }
}

fn promote(args: &PromoteArgs) -> Outcome {
    let config = match &args.env {
        Some(_) => require_config(args.config.as_deref())?,
        None => load_config(args.config.as_deref())?,
    };
    let mut policy = match &args.env {
        Some(env) => PromotionPolicy::from_config(&config, env)?,
        None => PromotionPolicy {
            template: config.promotion.template.clone(),
            tags: config.tags.clone(),
            ..PromotionPolicy::default()
        },
    };
    if let Some(namespace) = &args.namespace {
        policy.namespace = namespace.clone();
    }
    policy.release_tags_only = !args.allow_any_tag;
    if args.destination.is_none() && args.env.is_none() && args.namespace.is_none() {
        return Err(Error::new(
            ErrorKind::InvalidImageReference,
            "no destination: give DST, or --env ENV (or --namespace NS) to name it by the promotion template",
        )
        .into());
    }
    let mut request = policy.request(&args.source, args.destination.as_deref())?;
    if let Some(expected) = &args.expect_digest {
        let expected: Digest = expected.parse()?;
        if let Some(other) = &request.expected_digest
            && *other != expected
        {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!("the source names {other} but --expect-digest is {expected}"),
            )
            .into());
        }
        request.expected_digest = Some(expected);
    }
    request.platforms = args
        .platform
        .iter()
        .map(|p| p.parse::<Platform>())
        .collect::<Result<_, _>>()?;
    request.force = args.force;
    request.dry_run = args.dry_run;
    request.referrers = !args.no_referrers;
    let client = args.access.client()?;
    let bar = Bar::new(!args.no_progress && std::io::stderr().is_terminal());
    let promotion = block_on(client.promote(&request, &|event| bar.on(event)))?;
    bar.finish();
    to_json(&promotion?)
}

/// The progress bar: bytes copied, with a message per step.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
    sent: Mutex<HashMap<Digest, u64>>,
}

impl Bar {
    fn new(show: bool) -> Bar {
        let bar = show.then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(0),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {msg:40!} {bytes:>10}/{total_bytes:10} {bytes_per_sec:>12}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Bar {
            bar,
            sent: Mutex::new(HashMap::new()),
        }
    }

    fn on(&self, event: &ProgressEvent) {
        let Some(bar) = &self.bar else { return };
        let short = |d: &Digest| d.hex().chars().take(12).collect::<String>();
        match event {
            ProgressEvent::Resolved { digest, .. } => {
                bar.set_message(format!("resolved {}", short(digest)));
            }
            ProgressEvent::Planned { bytes_to_copy, .. } => bar.set_length(*bytes_to_copy),
            ProgressEvent::BlobSkipped { digest, .. } => {
                bar.set_message(format!("present  {}", short(digest)));
            }
            ProgressEvent::BlobMounted { digest, .. } => {
                bar.set_message(format!("mounted  {}", short(digest)));
            }
            ProgressEvent::BlobProgress { digest, bytes, .. } => self.advance(digest, *bytes),
            ProgressEvent::BlobCopied { digest, size } => {
                self.advance(digest, *size);
                bar.set_message(format!("copied   {}", short(digest)));
            }
            ProgressEvent::Manifest { reference, .. } => {
                bar.set_message(format!(
                    "manifest {}",
                    reference.chars().take(30).collect::<String>()
                ));
            }
            ProgressEvent::Tagged { reference, .. } => {
                bar.set_message(format!("tagged {reference}"))
            }
            _ => {}
        }
    }

    fn advance(&self, digest: &Digest, bytes: u64) {
        let (Some(bar), Ok(mut sent)) = (&self.bar, self.sent.lock()) else {
            return;
        };
        let before = sent.insert(digest.clone(), bytes).unwrap_or(0);
        bar.inc(bytes.saturating_sub(before));
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
