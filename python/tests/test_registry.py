"""Registries from Python: digests, platforms, credentials (never shown), the promotion policy,
and promotion, tags, digests and deletion against real registries.

The real-registry tests need the registries of tests/services/registry.sh (real_registries.py):
the test command starts them and exports SHIPRAIL_REGISTRY_ENV (the env file it writes).
Without it they fail, unless SHIPRAIL_SKIP_REAL=1 says to skip them. Each test seeds its own
images (OCI layouts written by tests/tools/mkoci.py, pushed with skopeo) into repositories no
other run uses, and checks results with skopeo, the reference client.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import shiprail
from shiprail import (
    ClobberError,
    Credentials,
    Digest,
    DockerConfig,
    ImageReference,
    Platform,
    PromoteRequest,
    Promotion,
    PromotionPolicy,
    RegistryAuthError,
    RegistryClient,
    RegistryError,
    RegistryNotFoundError,
    RegistryTlsError,
    UnexpectedDigestError,
)
from real_registries import Registries, unique

EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SECRET = "s3cret-Pa55word"

# --- values without the network -------------------------------------------------------------------


def test_digest() -> None:
    digest = Digest(EMPTY)
    assert digest == Digest.of(b"") and hash(digest) == hash(Digest.of(b""))
    assert (digest.algorithm, digest.hex, digest.tag_form) == ("sha256", EMPTY[7:], "sha256-" + EMPTY[7:])
    assert digest.matches(b"") and not digest.matches(b"x")
    assert str(digest) == EMPTY and repr(digest) == f"Digest('{EMPTY}')"
    assert pickle.loads(pickle.dumps(digest)) == digest
    assert sorted([Digest.of(b"b"), Digest.of(b"a")]) == sorted([Digest.of(b"a"), Digest.of(b"b")])
    with pytest.raises(shiprail.ImageError) as caught:
        Digest("sha256:abc")
    assert caught.value.message.startswith("`sha256:abc` is not a valid digest")


def test_platform() -> None:
    arm = Platform("linux/arm")
    assert (arm.os, arm.architecture, arm.variant) == ("linux", "arm", None)
    assert arm.matches("linux", "arm", "v7") and not Platform("linux/arm/v7").matches("linux", "arm", "v6")
    assert str(Platform("linux/arm/v7")) == "linux/arm/v7" and repr(arm) == "Platform('linux/arm')"
    assert {Platform("linux/amd64"), Platform("linux/amd64")} == {Platform("linux/amd64")}
    with pytest.raises(shiprail.ImageError):
        Platform("linux")


def test_credentials_never_show_the_secret() -> None:
    basic = Credentials.basic("ci", SECRET)
    bearer = Credentials.bearer(SECRET)
    assert (basic.kind, basic.username, bearer.kind, bearer.username) == ("basic", "ci", "bearer", None)
    assert Credentials.anonymous().kind == "anonymous"
    assert repr(basic) == "Credentials.basic(username='ci', password=<redacted>)"
    assert repr(bearer) == "Credentials.bearer(<redacted>)"
    assert (basic.describe(), bearer.describe()) == ("user `ci`", "a bearer token")
    assert basic == Credentials.basic("ci", SECRET) and basic != Credentials.basic("ci", "other")
    for value in (basic, bearer):
        assert SECRET not in repr(value) and SECRET not in str(value)
        assert not any(SECRET in str(getattr(value, name, "")) for name in dir(value) if not name.startswith("__"))
        with pytest.raises(TypeError):
            pickle.dumps(value)
        with pytest.raises(TypeError):
            copy.copy(value)
    client = RegistryClient(credentials={"r.io": basic}, docker_config=DockerConfig())
    assert repr(client) == "RegistryClient(insecure=[], credentials={'r.io': 'user `ci`'})"


def test_docker_config(tmp_path: Path) -> None:
    text = '{"auths": {"https://myrepo.azurecr.io": {"auth": "Y2k6czNjcmV0"}}}'  # ci:s3cret
    config = DockerConfig.from_json(text)
    found = config.credentials_for("myrepo.azurecr.io")
    assert (found.kind, found.username) == ("basic", "ci") and found == Credentials.basic("ci", "s3cret")
    assert "s3cret" not in repr(found) + repr(config)
    assert config.credentials_for("ghcr.io").kind == "anonymous"
    assert config.path is None and DockerConfig().credentials_for("r.io") == Credentials.anonymous()
    path = tmp_path / "config.json"
    path.write_text(text, encoding="utf-8")
    assert DockerConfig.load(path).path == path
    assert "config.json" in repr(DockerConfig.load(path))
    with pytest.raises(shiprail.ConfigError) as bad:
        DockerConfig.from_json('{"auths": {"r.io": {"auth": "!!!"}}}')
    assert "!!!" not in str(bad.value)
    helpers = DockerConfig.from_json('{"credHelpers": {"r.io": "none"}}').with_helper_dirs([tmp_path])
    with pytest.raises(shiprail.ShiprailError):
        helpers.credentials_for("r.io")
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "import shiprail; print(shiprail.DockerConfig.load_default().path)"],
        env=env,
        cwd=tmp_path,  # not the source folder, which would shadow the installed package
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str(path)


def test_client_options(tmp_path: Path) -> None:
    RegistryClient(
        insecure=["r.io:5000"],
        retries=0,
        backoff=datetime.timedelta(milliseconds=50),
        concurrency=2,
        connect_timeout=1.5,
        read_timeout=30,
    )
    with pytest.raises(ValueError, match="not a duration"):
        RegistryClient(backoff=-1)
    with pytest.raises(TypeError):
        RegistryClient(read_timeout="soon")  # type: ignore[arg-type]
    with pytest.raises(shiprail.IoError):
        RegistryClient(ca_files=[tmp_path / "missing.pem"])
    empty = tmp_path / "empty.pem"
    empty.write_text("no certificate here\n", encoding="utf-8")
    with pytest.raises(RegistryTlsError) as tls:
        RegistryClient(ca_files=[empty])
    assert tls.value.code == "registry_tls"
    with pytest.raises(TypeError):
        RegistryClient(credentials={"r.io": ("ci", SECRET)})  # type: ignore[dict-item]


def test_promotion_policy(drone: shiprail.Config) -> None:
    policy = PromotionPolicy.from_config(drone, "prod")
    assert (policy.namespace, policy.release_tags_only) == ("prod", True)
    assert policy.template == drone.promotion_template and policy.tags == drone.tags
    request = policy.request("myrepo.azurecr.io/delivery:v1.0.2")
    assert request.destination == ImageReference("myrepo.azurecr.io/prod/delivery:v1.0.2")
    assert (request.expected_digest, request.platforms, request.force, request.dry_run, request.referrers) == (
        None,
        [],
        False,
        False,
        True,
    )
    assert policy.check_tag("v1.0.2") == shiprail.ReleaseVersion("1.0.2")
    assert PromotionPolicy(release_tags_only=False).check_tag("build-5") is None
    with pytest.raises(shiprail.PolicyError) as latest:
        policy.request("myrepo.azurecr.io/delivery:latest")
    assert latest.value.code == "mutable_tag" and latest.value.is_rule_violation
    with pytest.raises(shiprail.TagError):
        policy.check_tag("prod")
    with pytest.raises(shiprail.UnknownNameError):
        PromotionPolicy.from_config(drone, "prd")
    pinned = PromotionPolicy(namespace="prod").request(f"myrepo.azurecr.io/delivery:v1.0.2@{EMPTY}")
    assert pinned.expected_digest == Digest(EMPTY)
    custom = PromotionPolicy(namespace="prod", template="{registry}/{namespace}/{repository}:{tag}", tags={"image": "{version}"})
    assert str(custom.request("r.io/team/d:1.0.2").destination) == "r.io/prod/team/d:1.0.2"
    with pytest.raises(shiprail.PatternError):
        PromotionPolicy(template="{nope}")


def test_promote_request() -> None:
    request = PromoteRequest("r.io/d:v1.0.2", ImageReference("r.io/prod/d:v1.0.2"), platforms=["linux/amd64"], dry_run=True)
    assert request.platforms == [Platform("linux/amd64")] and request.dry_run
    changed = request.replace(force=True, expected_digest=EMPTY, platforms=[])
    assert (changed.force, changed.expected_digest, changed.platforms, changed.dry_run) == (True, Digest(EMPTY), [], True)
    assert request.to_dict() == {
        "source": "r.io/d:v1.0.2",
        "destination": "r.io/prod/d:v1.0.2",
        "expected_digest": None,
        "platforms": ["linux/amd64"],
        "force": False,
        "dry_run": True,
        "referrers": True,
    }
    assert PromoteRequest(f"r.io/d:v1@{EMPTY}", "r.io/e:v1").expected_digest == Digest(EMPTY)
    assert request == PromoteRequest("r.io/d:v1.0.2", "r.io/prod/d:v1.0.2", platforms=["linux/amd64"], dry_run=True)
    with pytest.raises(shiprail.ImageError):
        PromoteRequest("R.io/D", "r.io/e:v1")
    with pytest.raises(TypeError, match="single string"):
        PromoteRequest("r.io/d:v1", "r.io/e:v1", platforms="linux/amd64")


def test_highest_release() -> None:
    tags = ["v1.0.2", "v1.0.10", "latest", "v1.1.0-rc.1", "sha256-ab.sig", "v1.0.9"]
    best = shiprail.highest_release(tags)
    assert best is not None and (best.tag, best.version) == ("v1.0.10", shiprail.ReleaseVersion("1.0.10"))
    assert best.to_dict() == {"tag": "v1.0.10", "version": "1.0.10"} and str(best) == "v1.0.10"
    pre = shiprail.highest_release(tags, include_prereleases=True)
    assert pre is not None and pre.tag == "v1.1.0-rc.1"
    assert shiprail.highest_release(["latest"]) is None
    service = shiprail.highest_release(["delivery-v1.0.2", "package-v9.0.0"], {"image": "{service}-v{version}"}, "delivery")
    assert service is not None and service.tag == "delivery-v1.0.2"


def test_async_calls_are_coroutines() -> None:
    """Nothing runs (and no event loop is needed) until the coroutine is awaited."""
    client = RegistryClient(docker_config=DockerConfig(), retries=0)
    pending = client.list_tags_async("127.0.0.1:9/none")
    assert asyncio.iscoroutine(pending)
    with pytest.raises(RegistryError):
        asyncio.run(pending)
    with pytest.raises(shiprail.ImageError):
        _ = client.resolve_async("Not A Reference")  # arguments are checked at the call


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_cancels_a_blocking_call() -> None:
    """A registry that accepts connections and never answers: the blocking call waits with
    the GIL released, and a SIGINT (Ctrl-C) ends it with KeyboardInterrupt at once."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        client = RegistryClient(docker_config=DockerConfig(), retries=0, connect_timeout=20, read_timeout=20)
        timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        start = time.monotonic()
        try:
            with pytest.raises(KeyboardInterrupt):
                client.list_tags(f"127.0.0.1:{port}/delivery")
        finally:
            timer.cancel()
        assert time.monotonic() - start < 5


# --- real registries ------------------------------------------------------------------------------


def test_promote_between_registries_keeps_the_bytes(registries: Registries) -> None:
    source, digest = registries.seed("delivery", "promote between registries")
    destination = f"{registries.tls}/{unique('prod/delivery')}:v1.0.2"
    client = registries.client()
    events: list[dict[str, Any]] = []
    promotion = client.promote(PromoteRequest(source, destination, expected_digest=digest), progress=events.append)
    assert isinstance(promotion, Promotion)
    assert (promotion.digest, promotion.source_digest) == (digest, digest)
    assert promotion.blobs == {"skipped": 0, "mounted": 0, "copied": 2}
    assert promotion.bytes_copied > 0 and promotion.manifests == 1 and not promotion.already_promoted
    assert (promotion.source, promotion.destination) == (source, destination)
    # The reference client reads exactly the bytes that were pushed, under the same digest.
    raw = registries.skopeo_raw(destination)
    assert raw == registries.skopeo_raw(source)
    assert Digest.of(raw) == digest
    assert [e["event"] for e in events][0] == "resolved" and events[-1] == {
        "event": "tagged",
        "reference": destination,
        "digest": str(digest),
    }
    assert sum(e["event"] == "blob_copied" for e in events) == 2
    assert promotion.to_dict()["blobs"] == promotion.blobs
    again = client.promote(PromoteRequest(source, destination))
    assert again.already_promoted and again.manifests == 0


def test_promote_inside_one_registry_mounts(registries: Registries) -> None:
    source, digest = registries.seed("mounted", "mounted")
    destination = f"{registries.plain}/{unique('prod/mounted')}:v1.0.2"
    client = registries.client()
    dry = client.promote(PromoteRequest(source, destination, dry_run=True))
    assert dry.dry_run and dry.blobs["mounted"] == 2
    with pytest.raises(RegistryNotFoundError):
        client.resolve(destination)  # a dry run writes nothing
    promotion = client.promote(PromotionPolicy(namespace="").request(source, destination))
    assert promotion.blobs == {"skipped": 0, "mounted": 2, "copied": 0} and promotion.bytes_copied == 0
    assert registries.skopeo_raw(destination) == registries.skopeo_raw(source)
    resolved = client.resolve(destination)
    assert (resolved.digest, resolved.reference, resolved.size) == (digest, destination, len(registries.skopeo_raw(source)))
    assert resolved.media_type == "application/vnd.oci.image.manifest.v1+json"
    repository = destination.rsplit(":", 1)[0]
    assert client.list_tags(repository) == ["v1.0.2"]
    best = client.highest_release(ImageReference(repository))
    assert best is not None and best.tag == "v1.0.2"
    deleted = client.delete_tag(destination)
    assert (deleted.digest, deleted.method) == (digest, "manifest")
    with pytest.raises(RegistryNotFoundError):
        client.resolve(destination)


def test_tags_never_move(registries: Registries) -> None:
    first, first_digest = registries.seed("clobber-a", "first")
    second, second_digest = registries.seed("clobber-b", "second")
    destination = f"{registries.plain}/{unique('prod/clobber')}:v1.0.2"
    client = registries.client()
    client.promote(PromoteRequest(first, destination))
    with pytest.raises(ClobberError) as clobber:
        client.promote(PromoteRequest(second, destination))
    assert clobber.value.is_rule_violation and isinstance(clobber.value, shiprail.PolicyError)
    assert str(first_digest) in clobber.value.message and str(second_digest) in clobber.value.message
    assert client.resolve(destination).digest == first_digest
    moved = client.promote(PromoteRequest(second, destination, force=True))
    assert moved.digest == second_digest
    with pytest.raises(UnexpectedDigestError):
        client.promote(PromoteRequest(first, f"{registries.plain}/{unique('x')}:v1.0.2", expected_digest=second_digest))


def test_async_promotions_run_concurrently(registries: Registries) -> None:
    source, digest = registries.seed("async", "async")
    client = registries.client()
    destinations = [f"{registries.tls}/{unique('async')}:v1.0.2" for _ in range(3)]
    seen: list[str] = []

    async def main() -> list[Promotion]:
        tags = await client.list_tags_async(source.rsplit(":", 1)[0])
        assert tags == ["v1.0.2"]
        resolved = await client.resolve_async(source)
        assert resolved.digest == digest
        return await asyncio.gather(
            *(
                client.promote_async(PromoteRequest(source, d), progress=lambda e: seen.append(e["event"]))
                for d in destinations
            )
        )

    promotions = asyncio.run(main())
    assert [p.digest for p in promotions] == [digest] * 3
    assert seen.count("tagged") == 3
    for destination in destinations:
        assert registries.skopeo_raw(destination) == registries.skopeo_raw(source)

    async def errors() -> None:
        with pytest.raises(RegistryNotFoundError):
            await client.resolve_async(f"{registries.plain}/{unique('missing')}:v1.0.2")
        best = await client.highest_release_async(source.rsplit(":", 1)[0])
        assert best is not None and best.tag == "v1.0.2"
        deleted = await client.delete_tag_async(destinations[0])
        assert deleted.digest == digest
        # Cancelling an awaitable stops the promotion; the loop goes on.
        task = asyncio.ensure_future(client.promote_async(PromoteRequest(source, f"{registries.tls}/{unique('c')}:v1.0.2")))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(errors())


def test_a_failing_progress_callback_stops_the_promotion(registries: Registries) -> None:
    source, _ = registries.seed("stopped", "stopped")
    destination = f"{registries.plain}/{unique('stopped')}:v1.0.2"
    client = registries.client()

    def stop(event: dict[str, Any]) -> None:
        if event["event"] == "planned":
            raise KeyError("stop here")

    with pytest.raises(KeyError, match="stop here"):
        client.promote(PromoteRequest(source, destination), progress=stop)
    with pytest.raises(RegistryNotFoundError):
        client.resolve(destination)  # no tag was written

    async def main() -> None:
        with pytest.raises(KeyError, match="stop here"):
            await client.promote_async(PromoteRequest(source, destination), progress=stop)

    asyncio.run(main())
    assert client.promote(PromoteRequest(source, destination)).digest == client.resolve(source).digest


def test_credentials_stay_out_of_messages(registries: Registries) -> None:
    source, _ = registries.seed("secret", "secret")
    wrong = "wrong-" + registries.password[::-1]
    client = registries.client(password=wrong)
    with pytest.raises(RegistryAuthError) as refused:
        client.promote(PromoteRequest(source, f"{registries.tls}/{unique('secret')}:v1.0.2"))
    shown = [str(refused.value), repr(refused.value), refused.value.message, str(refused.value.input), repr(client)]
    assert refused.value.code == "registry_unauthorized"
    for text in shown:
        assert wrong not in text and registries.password not in text
    good = registries.client()
    assert registries.password not in repr(good)
    with pytest.raises(RegistryError):
        RegistryClient(docker_config=DockerConfig(), retries=0).list_tags("127.0.0.1:9/none")
