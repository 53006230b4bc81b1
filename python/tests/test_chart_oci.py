"""Helm charts as OCI artifacts from Python: references, the blobs and manifest `helm push`
writes, and push, version listing and pull against the real registries of
tests/services/registry.sh (see real_registries.py: SHIPRAIL_REGISTRY_ENV, or
SHIPRAIL_SKIP_REAL=1 to skip those tests).

The chart pushed is the Drone Delivery sample's `delivery` chart, packaged by
`package_chart`; the manifest the registry serves is read back with `skopeo inspect --raw`
and compared with the one `helm_manifest_json` builds offline.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import pickle
from pathlib import Path

import pytest

import shiprail
from real_registries import Registries, unique
from shiprail import (
    ChartArchive,
    ChartFile,
    ChartPackage,
    ChartPull,
    ChartPush,
    ChartReference,
    ClobberError,
    Digest,
    DockerConfig,
    RegistryAuthError,
    RegistryClient,
    RegistryNotFoundError,
)
from support import ROOT

DELIVERY = ROOT / "examples" / "drone-delivery" / "charts" / "delivery"
CREATED = "2024-05-01T12:00:00Z"

# --- offline ------------------------------------------------------------------------------------


def test_chart_reference() -> None:
    reference = ChartReference("oci://127.0.0.1:5000/helm/delivery:1.0.2_build.5")
    assert (reference.registry, reference.repository, reference.tag, reference.name) == (
        "127.0.0.1:5000",
        "helm/delivery",
        "1.0.2_build.5",
        "delivery",
    )
    assert str(reference) == "oci://127.0.0.1:5000/helm/delivery:1.0.2_build.5"
    assert repr(reference) == "ChartReference('oci://127.0.0.1:5000/helm/delivery:1.0.2_build.5')"
    assert reference.without_tag() == ChartReference("oci://127.0.0.1:5000/helm/delivery")
    assert hash(reference) == hash(ChartReference(str(reference)))
    assert pickle.loads(pickle.dumps(reference)) == reference
    base = ChartReference("oci://myrepo.azurecr.io/helm")
    assert str(base.join("delivery").with_version("1.0.2+build.5")) == "oci://myrepo.azurecr.io/helm/delivery:1.0.2_build.5"
    assert str(base.join("delivery").image()) == "myrepo.azurecr.io/helm/delivery"
    assert str(reference.image()) == "127.0.0.1:5000/helm/delivery:1.0.2_build.5"
    with pytest.raises(shiprail.ImageError) as no_path:
        ChartReference("oci://myrepo.azurecr.io").image()
    assert no_path.value.code == "invalid_image_reference"
    for bad in ["myrepo.azurecr.io/helm", "oci://registry/helm", "oci://r.io/helm@sha256:" + "a" * 64, ""]:
        with pytest.raises(shiprail.ImageError):
            ChartReference(bad)
    with pytest.raises(shiprail.ImageError):
        base.with_version("not a tag!")
    with pytest.raises(TypeError):
        ChartReference(5)  # type: ignore[arg-type]


def test_helm_blobs_and_constants() -> None:
    chart = ChartFile.load(DELIVERY / "Chart.yaml")
    config = shiprail.helm_config_json(chart.metadata)
    assert isinstance(config, bytes)
    assert json.loads(config)["name"] == "delivery" and json.loads(config)["apiVersion"] == "v2"
    annotations = shiprail.helm_annotations(chart.metadata)
    assert annotations["org.opencontainers.image.created"] == shiprail.DEFAULT_CREATED == "1970-01-01T00:00:00Z"
    assert annotations["org.opencontainers.image.title"] == "delivery"
    assert annotations["org.opencontainers.image.authors"] == "Drone Delivery team (drone-delivery@example.com)"
    assert shiprail.helm_annotations(chart.metadata, CREATED)["org.opencontainers.image.created"] == CREATED
    manifest = json.loads(shiprail.helm_manifest_json(config, b"chart", annotations))
    assert manifest["config"] == {
        "mediaType": shiprail.HELM_CONFIG_MEDIA_TYPE,
        "digest": str(Digest.of(config)),
        "size": len(config),
    }
    assert manifest["layers"][0]["mediaType"] == shiprail.HELM_CHART_LAYER_MEDIA_TYPE
    assert "mediaType" not in manifest and manifest["annotations"] == annotations
    assert shiprail.OCI_MANIFEST_MEDIA_TYPE == "application/vnd.oci.image.manifest.v1+json"
    assert shiprail.HELM_LEGACY_CHART_LAYER_MEDIA_TYPE == "application/tar+gzip"
    assert shiprail.HELM_PROV_LAYER_MEDIA_TYPE.endswith(".prov")
    assert shiprail.chart_versions_from_tags(("0.9.0", "1.0.2_build.5", "latest", "v1.0.0")) == ["1.0.2+build.5", "0.9.0"]
    with pytest.raises(TypeError):
        shiprail.chart_versions_from_tags("1.0.0")
    assert shiprail.rfc3339_utc(1_714_564_800) == CREATED
    shiprail.check_created("2024-05-01T14:00:00.5+02:00")
    with pytest.raises(shiprail.ChartError) as bad:
        shiprail.check_created("2024-05-01 12:00")
    assert bad.value.code == "invalid_chart"


def test_push_arguments_are_checked_before_the_network(tmp_path: Path) -> None:
    """The destination, the archive and the creation time are checked by the core before any
    request: this client would fail to connect."""
    client = RegistryClient(docker_config=DockerConfig(), retries=0)
    package = shiprail.package_chart(DELIVERY, version="1.0.2")
    with pytest.raises(shiprail.ImageError, match="has a tag"):
        client.push_chart(package, "oci://127.0.0.1:9/helm/delivery:1.0.2")
    with pytest.raises(shiprail.ArchiveError):
        client.push_chart(b"not a tgz", "oci://127.0.0.1:9/helm")
    with pytest.raises(shiprail.ChartError, match="RFC 3339"):
        client.push_chart(package, "oci://127.0.0.1:9/helm", created="yesterday")
    with pytest.raises(shiprail.ChartError, match="RFC 3339"):
        client.push_chart(package, "oci://127.0.0.1:9/helm", created=datetime.datetime(2024, 5, 1))  # naive
    with pytest.raises(shiprail.IoError) as missing:
        client.push_chart(tmp_path / "missing.tgz", "oci://127.0.0.1:9/helm")
    assert "missing.tgz" in missing.value.message
    with pytest.raises(TypeError, match="ChartPackage"):
        client.push_chart(123, "oci://127.0.0.1:9/helm")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ChartReference"):
        client.pull_chart(123)  # type: ignore[arg-type]
    with pytest.raises(shiprail.ImageError):
        _ = client.chart_versions_async("myrepo.azurecr.io/helm/delivery")  # checked at the call
    with pytest.raises(shiprail.ConfigError):
        client.pull_chart("oci://127.0.0.1:9/helm/delivery", limits={"max_entrys": 5})


# --- real registries ----------------------------------------------------------------------------


def package(version: str, mtime: int = 0) -> ChartPackage:
    return shiprail.package_chart(DELIVERY, version=version, app_version=version, mtime=mtime)


def test_push_list_pull_round_trip(registries: Registries, tmp_path: Path) -> None:
    client = registries.client()
    destination = ChartReference(f"oci://{registries.plain}/{unique('helm')}")
    first = package("1.0.2")
    pushed = client.push_chart(first, destination, created=CREATED)
    assert isinstance(pushed, ChartPush)
    assert (pushed.name, pushed.version, pushed.tag, pushed.size) == ("delivery", "1.0.2", "1.0.2", first.size)
    assert pushed.reference == destination.join("delivery").with_version("1.0.2")
    assert pushed.chart_digest == Digest(first.digest) and not pushed.already_pushed and pushed.replaced is None
    assert pushed.to_dict()["reference"] == str(pushed.reference) and "replaced" not in pushed.to_dict()
    assert repr(pushed).startswith("ChartPush(reference='oci://")

    # The registry serves exactly the manifest the offline functions build, under its digest.
    chart = ChartArchive.read(first.bytes).metadata
    config = shiprail.helm_config_json(chart)
    manifest = shiprail.helm_manifest_json(config, first.bytes, shiprail.helm_annotations(chart, CREATED))
    image = str(pushed.reference.image())
    raw = registries.skopeo_raw(image)
    assert raw == manifest and Digest.of(raw) == pushed.digest and pushed.config_digest == Digest.of(config)

    # A build-metadata version travels as `_`; the listing reads it back as `+`, highest first.
    path = package("1.0.3-rc.1+build.5").write_to(tmp_path / "dist")
    built = client.push_chart(path, str(destination), created=datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc))
    assert (built.version, built.tag) == ("1.0.3-rc.1+build.5", "1.0.3-rc.1_build.5")
    repository = destination.join("delivery")
    assert client.chart_versions(repository) == ["1.0.3-rc.1+build.5", "1.0.2"]
    assert client.chart_versions(str(pushed.reference)) == ["1.0.3-rc.1+build.5", "1.0.2"]  # the tag is ignored

    pulled = client.pull_chart(repository, "1.0.2")
    assert isinstance(pulled, ChartPull)
    assert pulled.bytes == first.bytes and pulled.chart_digest == pushed.chart_digest
    assert (pulled.name, pulled.version, pulled.digest, pulled.size) == ("delivery", "1.0.2", pushed.digest, first.size)
    assert pulled.file_name == "delivery-1.0.2.tgz" and pulled.metadata.app_version == "1.0.2"
    assert pulled.reference == pushed.reference
    written = pulled.write_to(tmp_path / "pulled")
    assert written == tmp_path / "pulled" / "delivery-1.0.2.tgz" and written.read_bytes() == first.bytes
    assert pulled.to_dict()["metadata"]["name"] == "delivery" and "bytes" not in pulled.to_dict()
    highest = client.pull_chart(repository)  # no version: the highest, as `helm pull` does
    assert highest.version == "1.0.3-rc.1+build.5" and highest.bytes == path.read_bytes()
    assert client.pull_chart(pushed.reference).version == "1.0.2"  # the reference's tag
    with pytest.raises(shiprail.ImageError):
        client.pull_chart(pushed.reference, "1.0.3")  # a tag and another version
    with pytest.raises(RegistryNotFoundError) as missing:
        client.pull_chart(repository, "9.9.9")
    assert missing.value.code == "registry_not_found"


def test_a_chart_version_never_changes(registries: Registries) -> None:
    client = registries.client()
    destination = f"oci://{registries.plain}/{unique('helm')}"
    first = client.push_chart(package("1.0.2").bytes, destination)
    # The same archive again (with another creation time, as a retried job or helm would):
    # nothing is written.
    again = client.push_chart(package("1.0.2"), destination, created=CREATED)
    assert again.already_pushed and again.digest == first.digest
    # Another archive under the same version is refused, naming both digests.
    other = package("1.0.2", mtime=1_714_564_800)
    assert other.bytes != package("1.0.2").bytes
    with pytest.raises(ClobberError) as clobber:
        client.push_chart(other, destination)
    assert clobber.value.code == "registry_clobber" and clobber.value.is_rule_violation
    assert isinstance(clobber.value, shiprail.PolicyError)
    assert client.pull_chart(f"{destination}/delivery", "1.0.2").bytes == package("1.0.2").bytes
    forced = client.push_chart(other, destination, force=True)
    assert forced.replaced == first.digest and forced.digest != first.digest
    assert client.pull_chart(f"{destination}/delivery", "1.0.2").bytes == other.bytes


def test_an_image_is_not_a_chart(registries: Registries) -> None:
    image, _ = registries.seed("not-a-chart", "an image")
    repository = image.rsplit(":", 1)[0]
    with pytest.raises(shiprail.ChartError, match="is not a Helm chart"):
        registries.client().pull_chart(f"oci://{repository}", "v1.0.2")


def test_tls_with_basic_auth(registries: Registries) -> None:
    client = registries.client()
    destination = f"oci://{registries.tls}/{unique('helm')}"
    chart = package("1.0.2")
    pushed = client.push_chart(chart, destination)
    assert pushed.reference.registry == registries.tls
    assert client.chart_versions(f"{destination}/delivery") == ["1.0.2"]
    assert client.pull_chart(f"{destination}/delivery", "1.0.2").bytes == chart.bytes
    assert Digest.of(registries.skopeo_raw(str(pushed.reference.image()))) == pushed.digest

    wrong = "wrong-" + registries.password[::-1]
    refused = registries.client(password=wrong)
    for call in (
        lambda: refused.push_chart(chart, destination),
        lambda: refused.pull_chart(f"{destination}/delivery", "1.0.2"),
        lambda: refused.chart_versions(f"{destination}/delivery"),
    ):
        with pytest.raises(RegistryAuthError) as caught:
            call()
        assert caught.value.code == "registry_unauthorized" and isinstance(caught.value, shiprail.RegistryError)
        for text in (str(caught.value), repr(caught.value), str(caught.value.input)):
            assert wrong not in text and registries.password not in text
    # Without the CA, the registry's certificate is not trusted.
    untrusted = RegistryClient(docker_config=DockerConfig(), retries=0)
    with pytest.raises(shiprail.RegistryTlsError):
        untrusted.chart_versions(f"{destination}/delivery")


def test_async_variants(registries: Registries, tmp_path: Path) -> None:
    client = registries.client()
    destinations = [f"oci://{registries.tls}/{unique('helm')}" for _ in range(3)]
    chart = package("2.0.0")

    async def main() -> None:
        pending = client.push_chart_async(chart, destinations[0])
        assert asyncio.iscoroutine(pending)
        pushes = await asyncio.gather(pending, *(client.push_chart_async(chart.bytes, d) for d in destinations[1:]))
        assert [p.digest for p in pushes] == [pushes[0].digest] * 3 and not any(p.already_pushed for p in pushes)
        again = await client.push_chart_async(chart, destinations[0])
        assert again.already_pushed
        versions = await client.chart_versions_async(f"{destinations[0]}/delivery")
        assert versions == ["2.0.0"]
        pulled = await client.pull_chart_async(ChartReference(f"{destinations[1]}/delivery"), "2.0.0")
        assert pulled.bytes == chart.bytes and pulled.write_to(tmp_path).name == "delivery-2.0.0.tgz"
        with pytest.raises(RegistryNotFoundError):
            await client.pull_chart_async(f"{destinations[2]}/delivery", "9.9.9")
        with pytest.raises(ClobberError):
            await client.push_chart_async(package("2.0.0", mtime=5), destinations[2])

    asyncio.run(main())
