"""Helm charts from Python: Chart.yaml, lint, versions in place, .helmignore, packages, archives,
release names and change causes."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import shutil
import tarfile
import threading
from pathlib import Path

import pytest

import shiprail
from shiprail import (
    ArchiveError,
    ChangeCauseTemplate,
    ChartArchive,
    ChartError,
    ChartFile,
    ChartLintReport,
    ChartMetadata,
    ChartPackage,
    ChartVersions,
    ConfigError,
    HelmIgnore,
    IoError,
    PatternError,
    UnsafeArchiveError,
)
from support import ROOT

CHARTS = ROOT / "examples" / "drone-delivery" / "charts"
DELIVERY = CHARTS / "delivery"

CHART_YAML = """\
apiVersion: v2
name: delivery # the service
# set by CI
version: 0.1.0  # chart
appVersion: "0.1.0"
icon: https://example.com/i.png
x-team: drones
"""


@pytest.fixture
def chart_dir(tmp_path: Path) -> Path:
    """A copy of the sample's delivery chart that tests may edit."""
    target = tmp_path / "delivery"
    shutil.copytree(DELIVERY, target)
    return target


# --- Chart.yaml -------------------------------------------------------------------------------


def test_chart_file_reads_like_helm() -> None:
    chart = ChartFile("\ufeffapiVersion: v2\nName: c\nversion: 1.0.2\nappVersion: 1.10\nx-team: drones\n")
    md = chart.metadata
    assert (md.api_version, md.name, md.version, md.app_version) == ("v2", "c", "1.0.2", "1.1")
    assert md.extra == {"x-team": "drones"}
    assert chart.text.startswith("apiVersion")  # the BOM is gone
    assert chart.path is None
    assert chart.archive_name == md.archive_name == "c-1.0.2.tgz"
    assert chart.location_of("version") == (3, 10)
    assert chart.location_of("home") is None
    assert str(chart) == chart.text
    assert chart.to_dict() == md.to_dict() == {
        "apiVersion": "v2",
        "name": "c",
        "version": "1.0.2",
        "appVersion": "1.1",
        "x-team": "drones",
    }
    assert ChartFile(chart.text.encode()) == chart
    assert repr(chart) == "ChartFile(name='c', version='1.0.2', path=None)"
    assert isinstance(md, ChartMetadata) and repr(md) == "ChartMetadata(name='c', version='1.0.2', app_version='1.1')"


def test_chart_metadata_fields() -> None:
    md = ChartFile(
        "apiVersion: v2\nname: d\nversion: 1.0.0\ntype: library\nkeywords: [a, b]\nsources: [https://x.io]\n"
        "dependencies:\n- name: sub\n  version: ~1.0.0\n  alias: s\n  import-values: [data]\n"
        "maintainers:\n- name: team\n  email: t@example.com\nannotations: {category: x}\ndeprecated: true\n"
    ).metadata
    assert md.chart_type == "library" and md.keywords == ["a", "b"] and md.sources == ["https://x.io"]
    assert md.dependencies == [{"name": "sub", "version": "~1.0.0", "import-values": ["data"], "alias": "s"}]
    assert md.maintainers == [{"name": "team", "email": "t@example.com"}]
    assert md.annotations == {"category": "x"} and md.deprecated
    assert (md.kube_version, md.description, md.home, md.icon, md.condition, md.tags) == (None,) * 6


def test_chart_file_errors() -> None:
    with pytest.raises(ConfigError) as syntax:
        ChartFile("name: c\nkeywords: [a\n")
    assert (syntax.value.code, syntax.value.line) == ("config_syntax", 2)
    with pytest.raises(ConfigError) as utf8:
        ChartFile(b"name: c\nversion: \xff\n")
    assert (utf8.value.code, utf8.value.line, utf8.value.column) == ("invalid_utf8", 2, 10)
    with pytest.raises(ChartError) as invalid:
        ChartFile("apiVersion: v2\nname: ../c\nversion: 1.0.0\n").validate()
    assert (invalid.value.code, invalid.value.line) == ("invalid_chart", 2)
    assert isinstance(invalid.value, ValueError)
    ChartFile("apiVersion: v2\nname: c\nversion: 1.0.0\n").validate()


def test_chart_file_load(tmp_path: Path) -> None:
    chart = ChartFile.load(DELIVERY / "Chart.yaml")
    assert chart.metadata.name == "delivery"
    assert chart.path == DELIVERY / "Chart.yaml"
    broken = tmp_path / "Chart.yaml"
    broken.write_text("name: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        ChartFile.load(broken)
    assert caught.value.file == str(broken)
    with pytest.raises(IoError):
        ChartFile.load(tmp_path / "missing.yaml")
    loaded = asyncio.run(ChartFile.load_async(str(DELIVERY / "Chart.yaml")))
    assert loaded == chart


# --- lint ---------------------------------------------------------------------------------------


def test_lint_chart_in_memory() -> None:
    report = shiprail.lint_chart(
        chart_yaml='apiVersion: v2\nname: delivery\nversion: 1.0\nappVersion: "1.0.0"\n',
        values_yaml="image:\n  repository: myrepo.azurecr.io/delivery\n  tag: latest\n",
    )
    assert isinstance(report, ChartLintReport)
    assert not report.passed and not report.passed_strict
    assert [f.rule for f in report.findings] == ["version_type", "icon_missing", "version_strict", "mutable_image_tag"]
    assert (report.errors, report.warnings) == (2, 1)
    first = report.findings[0]
    assert (first.severity, first.file, first.line, first.column) == ("error", "Chart.yaml", 3, 10)
    assert str(first) == (
        "[ERROR] Chart.yaml:3:10: version should be of type string but it's of type float64: "
        'quote it, e.g. `version: "1"` (version_type)'
    )
    assert first.to_dict()["rule"] == "version_type"
    error = first.to_error()
    assert isinstance(error, ChartError) and (error.file, error.line) == ("Chart.yaml", 3)
    whole = report.to_error()
    assert isinstance(whole, ChartError) and whole.message.startswith("2 lint errors: ")
    assert report.to_dict()["passed"] is False
    assert "ChartLintReport(passed=False, errors=2, warnings=1)" == repr(report)
    with pytest.raises(ChartError):
        raise whole


def test_lint_release_rules() -> None:
    chart = 'apiVersion: v2\nname: delivery\nversion: 1.0.2\nappVersion: "1.0.2"\nicon: https://x.io/i.png\n'
    assert shiprail.lint_chart(chart_yaml=chart, values_yaml="a: 1\n").passed_strict
    lower = shiprail.lint_chart(chart_yaml=chart, values_yaml="a: 1\n", released=["1.0.2", shiprail.ReleaseVersion("0.9.0")])
    assert [f.rule for f in lower.findings] == ["version_not_higher"]
    assert isinstance(lower.to_error(), shiprail.PolicyError)
    policy = shiprail.lint_chart(chart_yaml=chart, values_yaml="a: 1\n", policy={"app_version": "v{version}"})
    assert [f.rule for f in policy.findings] == ["app_version_policy"]
    assert isinstance(policy.to_error(), shiprail.TagError)
    missing = shiprail.lint_chart(chart_yaml=chart, templates="missing")
    assert [f.rule for f in missing.findings] == ["values_missing", "templates_missing"]
    assert missing.passed and not missing.passed_strict
    assert shiprail.lint_chart().findings[0].rule == "chart_yaml_missing"
    with pytest.raises(ChartError, match="templates"):
        shiprail.lint_chart(chart_yaml=chart, templates="dir")  # type: ignore[arg-type]
    with pytest.raises(shiprail.VersionError):
        shiprail.lint_chart(chart_yaml=chart, released=["1.0"])
    with pytest.raises(ConfigError):
        shiprail.lint_chart(chart_yaml=chart, policy={"nope": 1})


def test_lint_chart_dir(chart_dir: Path) -> None:
    report = shiprail.lint_chart_dir(DELIVERY)
    assert report.passed, [str(f) for f in report.findings]
    assert shiprail.lint_chart_dir(DELIVERY, policy=shiprail.TagPolicy()) == report
    (chart_dir / "values.yaml").write_text("image:\n  repository: r.io/delivery\n  tag: latest\n", encoding="utf-8")
    broken = shiprail.lint_chart_dir(chart_dir, released=["9.0.0"])
    assert {f.rule for f in broken.findings} >= {"mutable_image_tag", "version_not_higher"}
    assert asyncio.run(shiprail.lint_chart_dir_async(chart_dir, released=["9.0.0"])) == broken
    with pytest.raises(IoError):
        shiprail.lint_chart_dir(chart_dir / "nope")


def test_lint_chart_dir_from_threads() -> None:
    reports: list[ChartLintReport] = []
    threads = [threading.Thread(target=lambda: reports.append(shiprail.lint_chart_dir(DELIVERY))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reports) == 4 and all(r == reports[0] for r in reports)


def test_chart_lint_rules() -> None:
    rules = shiprail.chart_lint_rules()
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) >= 40
    by_id = {r["id"]: r for r in rules}
    assert by_id["version_type"] == {"id": "version_type", "severity": "error", "code": "invalid_chart", "enforced_on_load": False}
    assert by_id["version_not_higher"]["code"] == "version_not_higher"
    assert all(r["code"] in shiprail.ERROR_CODES for r in rules)


# --- versions -------------------------------------------------------------------------------------


def test_chart_versions_from_release() -> None:
    versions = ChartVersions.from_release("delivery", "v1.0.2")
    assert (versions.version, versions.app_version) == (shiprail.ReleaseVersion("1.0.2"), "1.0.2")
    assert versions.to_dict() == {"version": "1.0.2", "app_version": "1.0.2"}
    assert versions == ChartVersions.from_release("delivery", shiprail.ReleaseVersion("1.0.2"), shiprail.TagPolicy())
    custom = ChartVersions.from_release("delivery", "1.0.2", {"app_version": "{service}-{version}"})
    assert custom.app_version == "delivery-1.0.2"
    assert hash(custom) != hash(versions)
    with pytest.raises(ConfigError) as caught:
        ChartVersions.from_release("delivery", "1.0.2", {"chart_version": "v{version}"})
    assert caught.value.code == "config_invalid"


def test_rewrite_chart_versions_keeps_the_layout() -> None:
    out = shiprail.rewrite_chart_versions(CHART_YAML, version="v1.0.2", app_version="1.0.2")
    assert out == CHART_YAML.replace("0.1.0  #", "1.0.2  #").replace('"0.1.0"', '"1.0.2"')
    assert shiprail.rewrite_chart_versions(CHART_YAML) == CHART_YAML
    with pytest.raises(ChartError):
        shiprail.rewrite_chart_versions("version: &v 0.1.0\nappVersion: *v\n", version="1.0.2")
    with pytest.raises(shiprail.VersionError):
        shiprail.rewrite_chart_versions(CHART_YAML, version="1.0")
    umbrella = "name: u\nversion: 1.0.0\ndependencies:\n- name: delivery\n  version: 1.0.1 # pinned\n"
    assert shiprail.rewrite_chart_dependency_version(umbrella, "delivery", "1.0.2") == umbrella.replace("1.0.1", "1.0.2")
    with pytest.raises(ChartError) as unknown:
        shiprail.rewrite_chart_dependency_version(umbrella, "delivry", "1.0.2")
    assert "delivry" in unknown.value.message


def test_write_chart_versions_in_place(chart_dir: Path) -> None:
    before = (chart_dir / "Chart.yaml").read_text(encoding="utf-8")
    change = shiprail.write_chart_versions(chart_dir, version="1.0.2", app_version="1.0.2")
    assert change.changed and change.file == chart_dir / "Chart.yaml"
    assert (change.version, change.app_version, change.dependency) == ("1.0.2", "1.0.2", None)
    assert change.previous_version == ChartFile(before).metadata.version
    assert ChartFile.load(chart_dir / "Chart.yaml").metadata.version == "1.0.2"
    again = shiprail.write_chart_versions(str(chart_dir), version=shiprail.ReleaseVersion("1.0.2"), app_version="1.0.2")
    assert not again.changed
    assert again.to_dict()["changed"] is False
    (chart_dir / "Chart.yaml").write_text(
        "apiVersion: v2\nname: u\nversion: 1.0.0\ndependencies:\n- name: delivery\n  version: 1.0.1\n", encoding="utf-8"
    )
    dep = shiprail.write_chart_dependency_version(chart_dir, "delivery", "~1.0.2")
    assert (dep.dependency, dep.previous_version, dep.version, dep.changed) == ("delivery", "1.0.1", "~1.0.2", True)
    with pytest.raises(IoError):
        shiprail.write_chart_versions(chart_dir / "nope", version="1.0.0")


# --- .helmignore --------------------------------------------------------------------------------


def test_helmignore() -> None:
    ignore = HelmIgnore("*.md\nci/\n/notes.txt\n")
    assert ignore.rules == ["*.md", "ci/", "/notes.txt", "templates/.?*"]
    assert ignore.is_ignored("docs/README.md")
    assert ignore.is_ignored("ci", is_dir=True) and not ignore.is_ignored("ci")
    assert not ignore.is_ignored("templates/notes.txt")
    assert ignore.matches(["docs/README.md", ("ci", True), "templates/.swp", "values.yaml"]) == [True, True, True, False]
    assert HelmIgnore().rules == ["templates/.?*"]
    assert HelmIgnore("!keep.txt\n").is_ignored("other.txt")
    assert str(ignore).splitlines() == ignore.rules
    assert HelmIgnore("*.md") == HelmIgnore("*.md\n")
    with pytest.raises(PatternError) as caught:
        HelmIgnore("ok\na/**/b\n")
    assert (caught.value.code, caught.value.line) == ("invalid_pattern", 2)
    with pytest.raises(TypeError, match="single string"):
        ignore.matches("README.md")
    with pytest.raises(TypeError, match=r"\(path, is_dir\)"):
        ignore.matches([3])  # type: ignore[list-item]


# --- packages and archives ------------------------------------------------------------------------


def test_package_is_reproducible(tmp_path: Path) -> None:
    sources = (DELIVERY / "Chart.yaml").read_bytes()
    package = shiprail.package_chart(DELIVERY, version="1.0.2", app_version="1.0.2")
    assert isinstance(package, ChartPackage)
    assert (package.file_name, package.name, package.version, package.app_version) == (
        "delivery-1.0.2.tgz",
        "delivery",
        "1.0.2",
        "1.0.2",
    )
    data = package.bytes
    assert package.sha256 == hashlib.sha256(data).hexdigest()
    assert package.digest == f"sha256:{package.sha256}" and package.size == len(data)
    assert package.files[0] == "delivery/Chart.yaml"
    assert shiprail.package_chart(str(DELIVERY), version=shiprail.ReleaseVersion("1.0.2"), app_version="1.0.2") == package
    assert shiprail.package_chart(DELIVERY, version="1.0.2", app_version="1.0.2", mtime=1).sha256 != package.sha256
    assert asyncio.run(shiprail.package_chart_async(DELIVERY, version="1.0.2", app_version="1.0.2")) == package
    path = package.write_to(tmp_path / "dist")
    assert path == tmp_path / "dist" / "delivery-1.0.2.tgz" and path.read_bytes() == data
    assert package.to_dict() == {
        "file_name": "delivery-1.0.2.tgz",
        "name": "delivery",
        "version": "1.0.2",
        "app_version": "1.0.2",
        "sha256": package.sha256,
        "size": package.size,
        "files": package.files,
    }
    assert (DELIVERY / "Chart.yaml").read_bytes() == sources  # versions go into the archive only
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert tar.getnames() == package.files
        member = tar.getmember("delivery/Chart.yaml")
        assert (member.mode, member.uid, member.mtime) == (0o644, 0, 0)


def test_package_errors(chart_dir: Path) -> None:
    with pytest.raises(shiprail.VersionError):
        shiprail.package_chart(chart_dir, version="1.0")
    with pytest.raises(UnsafeArchiveError):
        shiprail.package_chart(chart_dir, limits={"max_entries": 1})
    with pytest.raises(ConfigError):
        shiprail.package_chart(chart_dir, limits={"max_entrys": 1})
    with pytest.raises(OverflowError):
        shiprail.package_chart(chart_dir, mtime=-1)
    (chart_dir / "Chart.yaml").write_text("apiVersion: v2\nname: a/b\nversion: 1.0.0\n", encoding="utf-8")
    with pytest.raises(ChartError) as caught:
        shiprail.package_chart(chart_dir)
    assert caught.value.file == str(chart_dir / "Chart.yaml")


def test_archive_round_trip(tmp_path: Path) -> None:
    package = shiprail.package_chart(DELIVERY, version="1.0.2", app_version="1.0.2")
    archive = ChartArchive.read(package.bytes)
    assert archive.root == "delivery"
    assert archive.metadata.app_version == "1.0.2"
    assert archive.chart.metadata == archive.metadata
    assert ["delivery/" + f for f in archive.files] == package.files
    chart_yaml = archive.file("Chart.yaml")
    assert chart_yaml is not None and b"version: 1.0.2" in chart_yaml
    assert archive.file("nope") is None
    summary = archive.summary()
    assert (summary["root"], summary["metadata"]["name"], summary["files"]) == ("delivery", "delivery", archive.files)
    assert archive.to_dict() == summary
    path = package.write_to(tmp_path)
    opened = ChartArchive.open(path)
    assert opened == archive == asyncio.run(ChartArchive.open_async(path))
    target = opened.extract_to(tmp_path / "out")
    assert target == tmp_path / "out" / "delivery"
    assert (target / "Chart.yaml").read_bytes() == chart_yaml
    with pytest.raises(IoError):
        opened.extract_to(tmp_path / "out")
    assert ChartArchive.default_limits() == {
        "max_total_size": 100 * 1024 * 1024,
        "max_file_size": 5 * 1024 * 1024,
        "max_entries": 10_000,
        "max_path_len": 4096,
    }
    with pytest.raises(UnsafeArchiveError):
        ChartArchive.read(package.bytes, {"max_file_size": 10})
    assert "ChartArchive(root='delivery'" in repr(archive)


def tgz(entries: list[tuple[str, bytes]]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue())


def test_unsafe_archives_are_refused() -> None:
    chart = b"apiVersion: v2\nname: c\nversion: 1.0.0\n"
    ChartArchive.read(tgz([("c/Chart.yaml", chart)]))
    for entries in (
        [("c/Chart.yaml", chart), ("c/../../etc/passwd", b"x")],
        [("/c/Chart.yaml", chart)],
        [("c/Chart.yaml", chart), ("d/x", b"x")],
        [("c/Chart.yaml", chart), ("c/Chart.yaml", chart)],
    ):
        with pytest.raises(UnsafeArchiveError) as caught:
            ChartArchive.read(tgz(entries))
        assert caught.value.code == "unsafe_archive"
        assert isinstance(caught.value, ArchiveError)
    with pytest.raises(ArchiveError) as garbage:
        ChartArchive.read(b"not gzip")
    assert garbage.value.code == "invalid_archive"
    with pytest.raises(TypeError, match="bytes"):
        ChartArchive.read("not bytes")  # type: ignore[arg-type]


# --- release names and change causes --------------------------------------------------------------


def test_release_names() -> None:
    names = shiprail.release_names("delivery", "v1.0.2", "qa")
    assert (names.release, names.service, names.environment, names.hashed) == ("delivery-v1-0-2-qa", "delivery", "qa", False)
    assert names.version == shiprail.ReleaseVersion("1.0.2")
    assert names.labels == {
        "app.kubernetes.io/instance": "delivery-v1-0-2-qa",
        "app.kubernetes.io/name": "delivery",
        "app.kubernetes.io/version": "1.0.2",
    }
    assert str(names) == names.release and names.to_dict()["release"] == names.release
    assert shiprail.release_names("delivery", shiprail.ReleaseVersion("1.0.2")).release == "delivery-v1-0-2"
    long = shiprail.release_names("drone" * 12, "1.0.2", "production")
    assert long.hashed and len(long.release) <= shiprail.MAX_RELEASE_NAME_LEN
    assert shiprail.is_dns1123_label(long.release) and not shiprail.is_dns1123_label("Delivery")
    with pytest.raises(ChartError):
        shiprail.release_names("---", "1.0.2")


def test_change_cause() -> None:
    template = ChangeCauseTemplate()
    assert str(template) == "{service} v{version}[ to {environment}][ from {branch}][ at {short_commit}][: {reason}]"
    cause = template.render(service="delivery", version="1.0.2", environment="prod", commit="4f2a9c1e0b", reason="approved by QA")
    assert cause == "delivery v1.0.2 to prod at 4f2a9c1: approved by QA"
    mapping = {"service": "delivery", "version": "1.0.2", "environment": "qa"}
    assert template.render(mapping) == "delivery v1.0.2 to qa"
    assert template.render(mapping, environment="prod", version=shiprail.ReleaseVersion("1.0.3")) == "delivery v1.0.3 to prod"
    custom = ChangeCauseTemplate("Deploy {service}@{version} ({commit})")
    assert custom.render(service="d", version="1.0.0", commit="abc") == "Deploy d@1.0.0 (abc)"
    assert custom == ChangeCauseTemplate("Deploy {service}@{version} ({commit})") and repr(custom).startswith("ChangeCauseTemplate(")
    with pytest.raises(PatternError) as missing:
        ChangeCauseTemplate("{service} {branch}").render(service="d")
    assert missing.value.code == "invalid_template"
    with pytest.raises(PatternError) as unknown:
        ChangeCauseTemplate("{servce}")
    assert unknown.value.suggestion == "{service}"
    with pytest.raises(ConfigError):
        template.render({"servce": "d"})
    assert len(template.render(service="d", version="1.0.0", reason="x" * 5000)) <= shiprail.MAX_CHANGE_CAUSE_LEN
    assert shiprail.CHANGE_CAUSE_ANNOTATION == "kubernetes.io/change-cause"
    assert (shiprail.CHART_FILE, shiprail.HELMIGNORE, shiprail.MAX_LABEL_LEN) == ("Chart.yaml", ".helmignore", 63)
