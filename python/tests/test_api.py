"""Every class and function of the package: values, Python protocols, conversions, batches."""

from __future__ import annotations

import copy
import os
import pickle
from pathlib import Path

import pytest

import shiprail
from shiprail import (
    Branch,
    BranchPattern,
    BranchRules,
    Config,
    ImageReference,
    ReleaseTags,
    ReleaseVersion,
    TagPolicy,
    TagTemplate,
    VersionPolicy,
)
from support import DRONE_CONFIG, SERVICES

# --- versions ---------------------------------------------------------------------------------


def test_release_version_parts() -> None:
    v = ReleaseVersion("v1.2.3-rc.1+sha.abc1234")
    assert (v.major, v.minor, v.patch, v.prerelease, v.build) == (1, 2, 3, "rc.1", "sha.abc1234")
    assert v.is_prerelease and not ReleaseVersion("1.0.0").is_prerelease
    assert str(v) == "1.2.3-rc.1+sha.abc1234"
    assert repr(v) == "ReleaseVersion('1.2.3-rc.1+sha.abc1234')"
    assert v.with_v() == "v1.2.3-rc.1+sha.abc1234"
    assert v.base() == ReleaseVersion("1.2.3")
    assert v.without_build() == ReleaseVersion("1.2.3-rc.1")


def test_release_version_derivations() -> None:
    v = ReleaseVersion("1.0.2")
    assert str(v.bump("minor")) == "1.1.0"
    assert str(v.next_prerelease()) == "1.0.3-rc.0"
    assert str(v.next_prerelease("beta")) == "1.0.3-beta.0"
    assert str(v.with_build("build.5")) == "1.0.2+build.5"
    assert str(v.with_commit("ABC1234")) == "1.0.2+sha.abc1234"
    assert v.cmp_precedence("1.0.2+other") == 0
    assert v.cmp_precedence(ReleaseVersion("1.0.10")) == -1
    assert v.cmp_precedence("1.0.1") == 1
    with pytest.raises(shiprail.ConfigError):
        v.bump("huge")


def test_default_prerelease_label_is_the_policys() -> None:
    label = VersionPolicy().prerelease_label
    assert ReleaseVersion("1.0.2").next_prerelease() == ReleaseVersion("1.0.2").next_prerelease(label)


def test_release_version_ordering_equality_hashing() -> None:
    a, b, c = ReleaseVersion("1.0.0-rc.1"), ReleaseVersion("1.0.0"), ReleaseVersion("v1.0.0")
    assert a < b <= c and c >= b > a and b == c and a != b
    assert hash(b) == hash(c) and len({a, b, c}) == 2
    assert ReleaseVersion("1.0.0+a") != ReleaseVersion("1.0.0+b")
    assert ReleaseVersion("1.0.0+a") < ReleaseVersion("1.0.0+b")  # build metadata breaks ties
    assert b != "1.0.0" and (b == object()) is False
    with pytest.raises(TypeError):
        _ = b < "1.0.1"
    assert max([b, a]) is b


def test_release_version_pickles_and_copies() -> None:
    v = ReleaseVersion("1.0.2-rc.1")
    assert pickle.loads(pickle.dumps(v)) == v
    assert copy.copy(v) == v and copy.deepcopy(v) == v


def test_release_version_is_immutable() -> None:
    v = ReleaseVersion("1.0.2")
    with pytest.raises(AttributeError):
        v.major = 2  # type: ignore[misc]


def test_batch_versions() -> None:
    texts: list[str | ReleaseVersion] = ["1.0.10", "v1.0.2", "1.0.2-rc.1", ReleaseVersion("0.9.0")]
    assert [str(v) for v in shiprail.sort_versions(texts)] == ["0.9.0", "1.0.2-rc.1", "1.0.2", "1.0.10"]
    assert shiprail.sort_versions(iter(texts)) == sorted(shiprail.parse_versions(texts))
    assert shiprail.parse_versions(t for t in ("1.0.0", "v2.0.0")) == [ReleaseVersion("1.0.0"), ReleaseVersion("2.0.0")]
    assert shiprail.sort_versions([]) == []
    with pytest.raises(shiprail.VersionError) as caught:
        shiprail.parse_versions(["1.0.0", "1.0", "2.0.0"])
    assert caught.value.input == "1.0"


def test_version_policy() -> None:
    default = VersionPolicy()
    assert (default.v_prefix, default.prerelease_label, default.other) == ("accept", "rc", "none")
    assert default.initial_version == ReleaseVersion("0.1.0")
    strict = VersionPolicy({"v_prefix": "require"}, prerelease_label="beta")
    assert strict.v_prefix == "require" and strict.prerelease_label == "beta"
    assert strict == VersionPolicy(v_prefix="require", prerelease_label="beta") != default
    assert strict.to_dict()["pre_1_0"] == {"breaking": "minor", "feature": "minor"}
    assert repr(default).startswith("VersionPolicy({'v_prefix': 'accept'")
    with pytest.raises(shiprail.VersionError) as caught:
        strict.parse("1.0.2")
    assert caught.value.suggestion == "v1.0.2"
    assert default.bump_for_commit("feat: x") == "minor"
    assert default.bump_for_commits(["docs: a", "fix: b"]) == "patch"
    assert VersionPolicy(other="patch").bump_for_commits(["update readme"]) == "patch"
    assert default.effective_bump("0.3.0", "major") == "minor"
    with pytest.raises(shiprail.ConfigError):
        VersionPolicy(other="major").validate()


def test_next_version() -> None:
    nxt = VersionPolicy().next(["0.1.0", ReleaseVersion("0.1.1-rc.0")], ("fix: retry",), prerelease=True)
    assert (nxt.current, nxt.bump, nxt.next) == (ReleaseVersion("0.1.1-rc.0"), "patch", ReleaseVersion("0.1.1-rc.1"))
    assert nxt.to_dict() == {"current": "0.1.1-rc.0", "bump": "patch", "next": "0.1.1-rc.1"}
    assert str(nxt) == "0.1.1-rc.0 -> 0.1.1-rc.1 (patch)"
    assert repr(nxt) == "NextVersion(current='0.1.1-rc.0', bump='patch', next='0.1.1-rc.1')"
    none = VersionPolicy().next(["1.0.0"], ["docs: x"])
    assert none.next is None and hash(none) == hash(VersionPolicy().next(["1.0.0"], ["chore: y"]))
    first = VersionPolicy().next([], [])
    assert first.current is None and first.next == ReleaseVersion("0.1.0")


def test_version_functions() -> None:
    assert shiprail.bump_for_commits(["refactor!: drop v1"]) == "major"
    assert shiprail.bump_for_commits([]) == "none"
    shiprail.ensure_higher("1.0.3", ["1.0.1", "1.0.2"])
    shiprail.ensure_higher(ReleaseVersion("0.1.0"), [])
    with pytest.raises(shiprail.PolicyError) as caught:
        shiprail.ensure_higher("1.0.2+sha.abc1234", ["1.0.2"])
    assert caught.value.code == "version_not_higher" and caught.value.is_rule_violation


# --- branches ---------------------------------------------------------------------------------


def test_branch_classification() -> None:
    branch = BranchRules().classify("refs/heads/release/delivery/v1.0.2")
    assert isinstance(branch, Branch)
    assert (branch.ref, branch.name, branch.kind, branch.service, branch.topic) == (
        "refs/heads/release/delivery/v1.0.2",
        "release/delivery/v1.0.2",
        "release",
        "delivery",
        None,
    )
    assert branch.version == ReleaseVersion("1.0.2") and branch.is_release_like
    assert str(branch) == "release/delivery/v1.0.2"
    assert repr(branch) == (
        "Branch(ref='refs/heads/release/delivery/v1.0.2', kind='release', service='delivery', "
        "version='1.0.2', topic=None)"
    )
    assert branch == BranchRules().classify("release/delivery/v1.0.2")
    assert len({branch, BranchRules().classify("release/delivery/v1.0.2")}) == 1
    feature = BranchRules().classify("feature/package/ui/retry", services=SERVICES)
    assert (feature.kind, feature.topic, feature.version) == ("feature", "ui/retry", None)


def test_branch_errors() -> None:
    with pytest.raises(shiprail.UnknownNameError) as unknown:
        BranchRules().classify("feature/billing/x", services=("delivery", "package"))
    assert unknown.value.code == "unknown_service"
    with pytest.raises(shiprail.BranchError) as near:
        BranchRules().classify("Release/delivery/1.0.2")
    assert near.value.suggestion == "release/delivery/v1.0.2"
    assert near.value.input == "Release/delivery/1.0.2"


def test_classify_many_returns_errors_in_place() -> None:
    refs = ["main", "refs/tags/delivery-v1.0.2", "release/delivery/v1.0.2", "feature/billing/x"]
    results = BranchRules().classify_many(refs, services=SERVICES)
    assert [type(r).__name__ for r in results] == ["Branch", "BranchError", "Branch", "UnknownNameError"]
    error = results[1]
    assert isinstance(error, shiprail.ShiprailError) and error.code == "not_a_branch"
    assert BranchRules().classify_many([]) == []


def test_branch_rules_configuration() -> None:
    rules = BranchRules(kinds={"hotfix": "hotfix/{service}/v{version}", "topic": None})
    assert rules.kinds == {
        "feature": "feature/{service}/{topic}",
        "hotfix": "hotfix/{service}/v{version}",
        "release": "release/{service}/v{version}",
    }
    assert rules.trunk == ["main", "master"]
    assert BranchRules(trunk=["develop"]).trunk == ["develop"]
    assert rules.classify("hotfix/package/v2.1.1").kind == "hotfix"
    assert rules.is_release_like("hotfix") and not rules.is_release_like("feature")
    assert rules.pattern("hotfix") == BranchPattern("hotfix/{service}/v{version}")
    assert rules.pattern("trunk") is None
    assert rules.to_dict()["kinds"]["topic"] is None
    assert BranchRules(rules.to_dict()) == rules
    rules.validate()
    with pytest.raises(shiprail.ConfigError):
        BranchRules(kinds={"train": "release/{service}/{topic}"}).validate()


def test_branch_rendering() -> None:
    rules = BranchRules()
    assert rules.release_branch("delivery", "1.0.2") == "release/delivery/v1.0.2"
    assert rules.release_branch("delivery", ReleaseVersion("v1.0.2")) == "release/delivery/v1.0.2"
    assert rules.render("feature", service="package", topic="ui/retry") == "feature/package/ui/retry"
    assert rules.render("trunk") == "main"
    with pytest.raises(shiprail.PatternError):
        rules.render("feature", service="package")


def test_branch_pattern() -> None:
    pattern = BranchPattern("hotfix/{service}/v{version}")
    assert pattern.is_release_like and pattern.has_service and not pattern.has_topic
    assert str(pattern) == "hotfix/{service}/v{version}"
    assert repr(pattern) == "BranchPattern('hotfix/{service}/v{version}')"
    assert hash(pattern) == hash(BranchPattern("hotfix/{service}/v{version}"))
    with pytest.raises(shiprail.PatternError):
        BranchPattern("feature/{svc}/{topic}")


# --- tags -------------------------------------------------------------------------------------


def test_tag_template() -> None:
    template = TagTemplate("{service}-v{version}")
    assert template.has_service and not TagTemplate("v{version}").has_service
    assert template.render("delivery", "1.0.2") == "delivery-v1.0.2"
    assert template.parse("api-v2-v1.0.0") == ("api-v2", ReleaseVersion("1.0.0"))
    assert TagTemplate("v{version}").parse("v1.0.0") == (None, ReleaseVersion("1.0.0"))
    assert template.parse("delivery-1.0.2") is None
    assert template.parse_for_service("delivery-v1.0.2", "delivery") == ReleaseVersion("1.0.2")
    assert template.parse_for_service("package-v1.0.2", "delivery") is None
    assert str(template) == "{service}-v{version}" and repr(template) == "TagTemplate('{service}-v{version}')"
    assert len({template, TagTemplate("{service}-v{version}")}) == 1
    with pytest.raises(shiprail.PatternError):
        TagTemplate("{service}{version}")


def test_tag_policy() -> None:
    policy = TagPolicy()
    assert policy.image == TagTemplate("v{version}") and policy.git == TagTemplate("{service}-v{version}")
    assert policy.chart_version == policy.app_version == TagTemplate("{version}")
    assert "latest" in policy.mutable
    tags = policy.derive("delivery", "1.0.2+sha.abc1234")
    assert isinstance(tags, ReleaseTags)
    assert (tags.version, tags.image_tag, tags.chart_version, tags.app_version, tags.git_tag, tags.chart_oci_tag) == (
        ReleaseVersion("1.0.2+sha.abc1234"),
        "v1.0.2_sha.abc1234",
        "1.0.2+sha.abc1234",
        "1.0.2+sha.abc1234",
        "delivery-v1.0.2+sha.abc1234",
        "1.0.2_sha.abc1234",
    )
    assert tags == policy.derive("delivery", ReleaseVersion("1.0.2+sha.abc1234"))
    assert hash(tags) == hash(policy.derive("delivery", "1.0.2+sha.abc1234"))
    assert repr(tags).startswith("ReleaseTags(version='1.0.2+sha.abc1234', image_tag=")
    assert policy.attribute("refs/tags/delivery-v1.0.2", SERVICES) == ("delivery", ReleaseVersion("1.0.2"))
    released = policy.released_versions("delivery", ["delivery-v1.0.10", "latest", "delivery-v1.0.2"], SERVICES)
    assert released == [ReleaseVersion("1.0.2"), ReleaseVersion("1.0.10")]
    policy.check_immutable("v1.0.2")
    with pytest.raises(shiprail.PolicyError):
        policy.check_immutable("Latest")
    with pytest.raises(shiprail.TagError):
        TagPolicy(git="v{version}").attribute("v1.0.0", SERVICES)
    custom = TagPolicy(git="{service}/v{version}", mutable=["latest"])
    assert custom.derive("package", "2.0.0").git_tag == "package/v2.0.0"
    assert custom.to_dict()["mutable"] == ["latest"] and custom != policy
    assert repr(custom).startswith("TagPolicy({'image': 'v{version}'")
    with pytest.raises(shiprail.ConfigError):
        TagPolicy(chart_version="v{version}").validate()


def test_chart_oci_tags() -> None:
    assert shiprail.chart_oci_tag("1.0.2+build.5") == "1.0.2_build.5"
    assert shiprail.chart_version_from_oci_tag("1.0.2_build.5") == "1.0.2+build.5"


# --- images -----------------------------------------------------------------------------------


def test_image_reference() -> None:
    image = ImageReference("myrepo.azurecr.io/team/delivery:v1.0.2")
    assert (image.registry, image.repository, image.name, image.namespace, image.tag, image.digest) == (
        "myrepo.azurecr.io",
        "team/delivery",
        "delivery",
        "team",
        "v1.0.2",
        None,
    )
    assert image.full_name == "myrepo.azurecr.io/team/delivery"
    assert image.familiar == str(image) == "myrepo.azurecr.io/team/delivery:v1.0.2"
    assert repr(image) == "ImageReference('myrepo.azurecr.io/team/delivery:v1.0.2')"
    assert ImageReference("ubuntu").to_dict() == {
        "registry": "docker.io",
        "repository": "library/ubuntu",
        "name": "ubuntu",
        "namespace": "library",
        "tag": None,
        "digest": None,
        "full": "docker.io/library/ubuntu",
        "familiar": "ubuntu",
    }
    assert ImageReference("ubuntu") == ImageReference("docker.io/library/ubuntu")
    assert len({ImageReference("ubuntu"), ImageReference("index.docker.io/ubuntu")}) == 1
    assert pickle.loads(pickle.dumps(image)) == image


def test_image_derivations() -> None:
    built = ImageReference("myrepo.azurecr.io/delivery")
    digest = "sha256:" + "a" * 64
    released = built.with_tag("v1.0.2").with_digest(digest)
    assert str(released) == f"myrepo.azurecr.io/delivery:v1.0.2@{digest}"
    assert released.without_digest().digest is None and released.without_tag().tag is None
    assert str(built.with_repository("prod/delivery")) == "myrepo.azurecr.io/prod/delivery"
    assert str(released.without_digest().promotion_target("prod")) == "myrepo.azurecr.io/prod/delivery:v1.0.2"
    target = released.promotion_target("prod", template="{registry}/{namespace}/{repository}:{tag}")
    assert str(target) == f"myrepo.azurecr.io/prod/delivery:v1.0.2@{digest}"
    with pytest.raises(shiprail.ImageError):
        built.with_tag("-bad")
    with pytest.raises(shiprail.PolicyError):
        ImageReference("a.io/x:latest").promotion_target("prod")
    with pytest.raises(shiprail.PatternError):
        released.promotion_target("prod", template="{registry}/{namespce}/{name}:{tag}")


def test_image_batch_and_constants() -> None:
    images = shiprail.parse_images(["ubuntu:22.04", "myrepo.azurecr.io/delivery:v1"])
    assert [i.familiar for i in images] == ["ubuntu:22.04", "myrepo.azurecr.io/delivery:v1"]
    with pytest.raises(shiprail.ImageError):
        shiprail.parse_images(["ok", "Bad//name"])
    assert shiprail.DEFAULT_PROMOTION_TEMPLATE == "{registry}/{namespace}/{name}:{tag}"
    assert shiprail.DOCKER_HUB == "docker.io"
    assert (shiprail.MAX_NAME_LEN, shiprail.MAX_TAG_LEN) == (255, 128)


# --- configuration and release questions ------------------------------------------------------


def test_config_loading_accepts_paths(tmp_path: Path) -> None:
    by_str = Config.load(str(DRONE_CONFIG))
    by_path = Config.load(DRONE_CONFIG)

    class PathLike(os.PathLike[str]):
        def __fspath__(self) -> str:
            return str(DRONE_CONFIG)

    assert by_str == by_path == Config.load(PathLike())
    text = DRONE_CONFIG.read_text(encoding="utf-8")
    assert Config.from_yaml(text) == by_path == Config.from_yaml(text.encode())
    assert Config.FILE_NAME == "shiprail.yaml"
    with pytest.raises(shiprail.IoError) as missing:
        Config.load(tmp_path / "missing.yaml")
    assert isinstance(missing.value, OSError)
    broken = tmp_path / "shiprail.yaml"
    broken.write_text("services:\n  delivery:\n    path: {}\n", encoding="utf-8")
    with pytest.raises(shiprail.ConfigError) as bad:
        Config.load(broken)
    assert (bad.value.file, bad.value.line, bad.value.column) == (str(broken), 3, 5)
    assert str(bad.value).startswith(f"{broken}:3:5: ")
    with pytest.raises(shiprail.ConfigError) as utf8:
        Config.from_yaml(b"services:\n  \xff")
    assert utf8.value.code == "invalid_utf8"


def test_config_accessors(drone: Config) -> None:
    assert drone.service_names() == SERVICES
    assert drone.registry == "myrepo.azurecr.io"
    assert drone.services["delivery"]["chart"] == "charts/delivery"
    assert drone.service("workflow")["depends_on"] == ["libs/common/**", {"service": "delivery"}]
    approval = drone.environment("prod")["approval"]
    assert {k: approval[k] for k in ("required", "reviewers", "allow_self_approval")} == {
        "required": True,
        "reviewers": 1,
        "allow_self_approval": False,
    }
    assert approval["timeout"] == "30d"
    assert sorted(drone.environments) == ["dev", "prod", "qa", "staging"]
    assert drone.image_repository("delivery") == "myrepo.azurecr.io/delivery"
    assert drone.service_dependencies("workflow") == ["delivery"]
    assert drone.branches == BranchRules() and drone.versioning == VersionPolicy() and drone.tags == TagPolicy()
    assert drone.promotion_template == shiprail.DEFAULT_PROMOTION_TEMPLATE
    assert drone.to_dict()["registry"] == "myrepo.azurecr.io"
    assert repr(drone).startswith("Config(registry='myrepo.azurecr.io', services=['delivery',")
    drone.validate()
    with pytest.raises(shiprail.UnknownNameError) as caught:
        drone.environment("prd")
    assert caught.value.suggestion == "prod"
    assert Config.json_schema()["title"] == "shiprail.yaml"
    assert Config.default().service_names() == []


def test_config_release_questions(drone: Config) -> None:
    release = drone.release_for_branch("release/delivery/v1.0.2")
    assert (release.service, release.version, release.tags.git_tag) == ("delivery", ReleaseVersion("1.0.2"), "delivery-v1.0.2")
    assert release.branch.kind == "release"
    assert release.to_dict()["image_tag"] == "v1.0.2" and release.to_dict()["branch"]["ref"].startswith("refs/heads/")
    assert repr(release) == "Release(service='delivery', branch='release/delivery/v1.0.2', version='1.0.2')"
    assert release == drone.release_for_branch("refs/heads/release/delivery/v1.0.2")
    with pytest.raises(shiprail.BranchError) as not_release:
        drone.release_for_branch("feature/delivery/retry")
    assert not_release.value.code == "not_a_release_branch"

    nxt = drone.next_version("delivery", ["delivery-v1.0.2", "package-v3.0.0"], ["fix: a", "docs: b"])
    assert (nxt.service, nxt.current, nxt.bump, nxt.next) == ("delivery", ReleaseVersion("1.0.2"), "patch", ReleaseVersion("1.0.3"))
    assert nxt.tags is not None and nxt.tags.git_tag == "delivery-v1.0.3"
    assert nxt.to_dict()["tags"]["image_tag"] == "v1.0.3"
    assert str(nxt) == "delivery: 1.0.2 -> 1.0.3 (patch)"
    assert repr(nxt) == "NextRelease(service='delivery', current='1.0.2', bump='patch', next='1.0.3')"
    assert drone.next_version("delivery", [], [], prerelease=True).next == ReleaseVersion("0.1.0-rc.0")
    with pytest.raises(shiprail.UnknownNameError):
        drone.next_version("billing", [], [])

    target = drone.promotion_target("myrepo.azurecr.io/delivery:v1.0.2", "prod")
    assert (target.source, target.target, target.environment, target.namespace) == (
        "myrepo.azurecr.io/delivery:v1.0.2",
        "myrepo.azurecr.io/prod/delivery:v1.0.2",
        "prod",
        "prod",
    )
    assert str(target) == target.target and target.to_dict()["namespace"] == "prod"
    assert hash(target) == hash(drone.promotion_target("myrepo.azurecr.io/delivery:v1.0.2", "prod"))
    assert repr(target).startswith("PromotionTarget(source='myrepo.azurecr.io/delivery:v1.0.2'")

    branches = drone.classify_branches(["master", "feature/billing/x", "topic/ingestion/batching"])
    assert [type(b).__name__ for b in branches] == ["Branch", "UnknownNameError", "Branch"]
    assert drone.classify_branch("topic/ingestion/batching").service == "ingestion"


def test_git_output_helpers() -> None:
    assert shiprail.split_commit_messages("feat: a\n\nbody\n\0fix: b\n\0") == ["feat: a\n\nbody", "fix: b"]
    assert shiprail.split_commit_messages("feat: a\nfix: b\n") == ["feat: a", "fix: b"]
    assert shiprail.split_lines("  delivery-v1.0.2\n\npackage-v2.0.0 \n") == ["delivery-v1.0.2", "package-v2.0.0"]


# --- the package ------------------------------------------------------------------------------


def test_package_surface() -> None:
    assert shiprail.__version__ == shiprail._native.__version__
    for name in shiprail.__all__:
        assert hasattr(shiprail, name), name
    assert shiprail.exceptions.ShiprailError is shiprail.ShiprailError
    native_public = {n for n in dir(shiprail._native) if not n.startswith("_")}
    assert native_public <= set(shiprail.__all__), native_public - set(shiprail.__all__)


def test_installed_package_is_tested() -> None:
    if os.environ.get("SHIPRAIL_EXPECT_INSTALLED") != "1":
        pytest.skip("set by python/run-tests.sh, which installs the package with pip")
    assert "site-packages" in Path(shiprail.__file__).parts
    stub = Path(shiprail.__file__).with_name("_native.pyi")
    assert stub.is_file() and Path(shiprail.__file__).with_name("py.typed").is_file()
