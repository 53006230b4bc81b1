#!/usr/bin/env bash
# One release of `delivery` through the whole pipeline, against a real OCI registry.
#
#   SHIPRAIL_REGISTRY_ENV=DIR/env bash examples/drone-delivery/release-e2e.sh
#
# The registry is the plain-HTTP one of tests/services/registry.sh (`start DIR` writes DIR/env).
# Needs python3 and skopeo; uses $SHIPRAIL_BIN, else target/debug/shiprail (built when
# missing), and helm ($SHIPRAIL_HELM4, else $SHIPRAIL_HELM3, else `helm` on the PATH) to check
# the pushed chart when there is one. docs/release-tutorial.md walks through what this script
# does and prints.
#
# What is real: the plan and its CI outputs, the chart package and its push to the registry
# (shiprail chart push, pulled back by shiprail and by helm), the images in the registry
# (written offline by tests/tools/mkoci.py, pushed by skopeo as CI's `image_push` would), the
# promotion into the production namespace (shiprail image promote, checked with skopeo), the
# git tag (in a throw-away repository), every gate, approval, promotion and deployment recorded
# in the release state, each refusal, the rollback plan and the audit trail.
# What is simulated: compiling, the tests and the scan (recorded as passed: no Docker here), and
# the Helm deployments (no cluster: the script prints the command each planned step runs).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
[[ -n "${SHIPRAIL_REGISTRY_ENV:-}" && -f "$SHIPRAIL_REGISTRY_ENV" ]] ||
  { echo "release-e2e.sh: set SHIPRAIL_REGISTRY_ENV to the env file of tests/services/registry.sh" >&2; exit 2; }
REG="$(sed -n 's/^SHIPRAIL_REGISTRY_PLAIN=//p' "$SHIPRAIL_REGISTRY_ENV")"
[[ -n "$REG" ]] || { echo "release-e2e.sh: no SHIPRAIL_REGISTRY_PLAIN in $SHIPRAIL_REGISTRY_ENV" >&2; exit 2; }

SHIPRAIL="${SHIPRAIL_BIN:-$ROOT/target/debug/shiprail}"
if [[ ! -x "$SHIPRAIL" ]]; then
  (cd "$ROOT" && cargo build -q -p shiprail-cli)
fi
WORK="$(mktemp -d /tmp/shiprail-e2e.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
RUN="e2e-$(date +%s)-$$"   # a namespace of its own in the registry: tags never move
STEP=0

say() { STEP=$((STEP + 1)); printf '\n== %d. %s\n' "$STEP" "$*"; }
run() { printf '$ shiprail %s\n' "$*" >&2; "$SHIPRAIL" "$@"; }
# json FILE EXPR: prints a value of a JSON document (python3, so no jq is needed).
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
# expect_refusal CODE ARGS...: the command must exit 1 with that error code.
expect_refusal() {
  local code="$1" out rc=0; shift
  out="$(run "$@")" || rc=$?
  printf '%s\n' "$out"
  [[ $rc -eq 1 ]] || { echo "expected exit 1, got $rc" >&2; exit 1; }
  [[ "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["error"]["code"])' <<<"$out")" == "$code" ]] ||
    { echo "expected error $code" >&2; exit 1; }
}
# helm_command PLAN STEP: the Helm command a planned deploy step runs.
helm_command() {
  python3 - "$1" "$2" <<'EOF'
import json, shlex, sys
plan = json.load(open(sys.argv[1]))
step = next(s for st in plan["services"][0]["stages"] for s in st["steps"] if s["id"] == sys.argv[2])
i = step["inputs"]
chart = i.get("chart_reference") or i.get("chart_package")
cmd = ["helm", "upgrade", "--install", i["release_name"], chart, "--version", i["chart_version"],
       "--kube-context", i["cluster"], "--namespace", i["namespace"]]
for k, v in sorted(i.get("values", {}).items()):
    cmd += ["--set", f"{k}={v}"]
cmd += ["--set-string", "podAnnotations.kubernetes\\.io/change-cause=" + i["change_cause"]]
print("  " + " ".join(shlex.quote(c) for c in cmd))
print("  (pinned by the digest recorded by %s)" % i.get("digest_from"))
EOF
}
check() { [[ "$1" == "$2" ]] || { echo "check failed: '$1' != '$2' ($3)" >&2; exit 1; }; }

say "The configuration: the example's services, the test registry, dev -> qa -> prod"
# The example's services, their images in a namespace of this run (tags never move, so each run
# gets its own repositories); environments and the release kind of this walk-through.
sed -e '/^environments:/,$d' -e "s|^registry: .*|registry: $REG|" \
    -e "s|^    image: \\(.*\\)|    image: $RUN/\\1|" \
    "$HERE/shiprail.yaml" >"$WORK/shiprail.yaml"
cat >>"$WORK/shiprail.yaml" <<EOF
environments:
  dev: {cluster: dev-aks, namespace: shipping-dev}
  qa: {cluster: dev-aks, namespace: shipping-qa}
  prod:
    cluster: prod-aks
    namespace: shipping
    registry_namespace: $RUN/prod
    production: true
    exclusive_lock: true
    allowed_branches: [release]
    approval: {required: true, reviewers: 1}
pipelines:
  chart_repository: $RUN/helm
  kinds:
    release:
      steps: [build, unit_test, test_image_build, test_run, image_build, vulnerability_scan,
              image_push, chart_package, chart_push, git_tag]
      deploy: true
EOF
CFG="$WORK/shiprail.yaml"
run config check "$CFG" >/dev/null
run release lint --config "$CFG" >"$WORK/lint.json"
json "$WORK/lint.json" '"lint passed: %s, findings: %s" % (d["passed"], [f["rule"] for f in d["findings"]])'

say "A repository to tag: the example monorepo in a throw-away git repository"
git -C "$WORK" init -q -b main repo
cp -r "$HERE/src" "$HERE/charts" "$WORK/repo/"
git -C "$WORK/repo" -c user.name=ci -c user.email=ci@example.com add -A
git -C "$WORK/repo" -c user.name=ci -c user.email=ci@example.com commit -q -m "delivery 1.0.1"
git -C "$WORK/repo" checkout -q -b release/delivery/v1.0.1

# release VERSION PREVIOUS_STATE: one release of delivery, from plan to production.
release() {
  local version="$1" previous="${2:-}" state="$WORK/state-$1.json" plan="$WORK/plan-$1.json"
  local branch="release/delivery/v$version" commit
  commit="$(git -C "$WORK/repo" rev-parse HEAD)"

  say "Plan the push of $branch"
  run plan --config "$CFG" --event push --ref "$branch" --commit "$commit" \
    --save "$plan" --output github | tee "$WORK/github-output-$version.txt"
  check "$(json "$plan" 'd["pipeline"]')" "release" "the release pipeline runs"
  run plan --config "$CFG" --event push --ref "$branch" --commit "$commit" --output outline |
    python3 -c 'import json,sys; [print("  ", s) for s in json.load(sys.stdin)["services"]["delivery"]]'

  say "Start the release state (author: alice)"
  local prev_args=()
  [[ -n "$previous" ]] && prev_args=(--previous "$previous")
  run release init --state "$state" --plan "$plan" --author alice --by ci "${prev_args[@]}" >/dev/null
  run release next --state "$state" | python3 -c 'import json,sys; print("ready:", json.load(sys.stdin)["ready"])'

  say "CI: build, unit tests, test-runner image, tests, runtime image, scan (simulated: recorded as passed)"
  local s
  for s in build unit_test test_image_build test_run image_build vulnerability_scan; do
    run release record gate --state "$state" --step "ci/$s" --by ci >/dev/null
  done

  say "CI: push the image $(json "$plan" 'd["release"]["image"]') (an OCI image written offline, pushed with skopeo)"
  local image digest
  image="$(json "$plan" 'd["release"]["image"]')"
  digest="$(python3 "$ROOT/tests/tools/mkoci.py" image "$WORK/layout" "v$version")"
  skopeo copy -q --preserve-digests --dest-tls-verify=false "oci:$WORK/layout:v$version" "docker://$image"
  check "$(run image digest "$image" | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])')" "$digest" "the registry serves the pushed digest"
  run release record gate --state "$state" --step ci/image_push --digest "$digest" --by ci >/dev/null
  expect_refusal registry_clobber release record gate --state "$state" --step ci/image_push \
    --digest "sha256:$(printf '0%.0s' {1..64})" --by ci

  say "CI: package the chart with chart version = app version = $version"
  run chart package "$WORK/repo/charts/delivery" --version "$version" -d "$WORK/dist" >"$WORK/package.json"
  check "$(json "$WORK/package.json" 'd["file_name"]')" \
    "$(json "$plan" '[s for s in d["services"][0]["stages"][0]["steps"] if s["action"] == "chart_package"][0]["inputs"]["chart_package"]')" \
    "the package is the planned file"
  run chart inspect "$WORK/dist/delivery-$version.tgz" | python3 -c 'import json,sys; m=json.load(sys.stdin)["metadata"]; print("  packaged", m["name"], m["version"], "appVersion", m["appVersion"])'
  run release record gate --state "$state" --step ci/chart_package --by ci >/dev/null

  local chart_ref
  chart_ref="$(json "$plan" '[s for s in d["services"][0]["stages"][0]["steps"] if s["action"] == "chart_push"][0]["inputs"]["chart_reference"]')"
  say "CI: push the chart to ${chart_ref%/*} (as helm push does), pull it back, check it with helm"
  run chart push "$WORK/dist/delivery-$version.tgz" "${chart_ref%/*}" >"$WORK/push.json"
  check "$(json "$WORK/push.json" 'd["reference"]')" "$chart_ref:$version" "pushed where the plan said"
  check "$(json "$WORK/push.json" 'd["chart_digest"]')" "sha256:$(json "$WORK/package.json" 'd["sha256"]')" "the chart layer is the package"
  echo "  $(json "$WORK/push.json" 'd["reference"]') manifest $(json "$WORK/push.json" 'd["digest"]')"
  run chart push "$WORK/dist/delivery-$version.tgz" "${chart_ref%/*}" >"$WORK/push-again.json"
  check "$(json "$WORK/push-again.json" 'd["already_pushed"]')" "True" "pushing the same package again writes nothing"
  run chart package "$WORK/repo/charts/delivery" --version "$version" --mtime 86400 -d "$WORK/other" >/dev/null
  expect_refusal registry_clobber chart push "$WORK/other/delivery-$version.tgz" "${chart_ref%/*}"
  run chart versions "$chart_ref" | python3 -c 'import json,sys; print("  versions:", json.load(sys.stdin)["versions"])'
  run chart pull "$chart_ref" --version "$version" -d "$WORK/pulled" >"$WORK/pull.json"
  cmp "$WORK/dist/delivery-$version.tgz" "$WORK/pulled/delivery-$version.tgz"
  echo "  shiprail pulled $(json "$WORK/pull.json" 'd["path"]'): byte-identical"
  local helm_bin="${SHIPRAIL_HELM4:-${SHIPRAIL_HELM3:-$(command -v helm || true)}}"
  if [[ -n "$helm_bin" ]]; then
    mkdir -p "$WORK/helm-pulled"
    HELM_CONFIG_HOME="$WORK/helm" HELM_CACHE_HOME="$WORK/helm" HELM_DATA_HOME="$WORK/helm" \
      "$helm_bin" pull "$chart_ref" --version "$version" --plain-http -d "$WORK/helm-pulled" >/dev/null 2>&1
    cmp "$WORK/dist/delivery-$version.tgz" "$WORK/helm-pulled/delivery-$version.tgz"
    echo "  $("$helm_bin" version --short) pulled it: byte-identical"
  else
    echo "  (no helm binary: the helm pull check is skipped)"
  fi
  run release record gate --state "$state" --step ci/chart_push --by ci >/dev/null

  say "CI: tag the release commit"
  local tag
  tag="$(json "$plan" 'd["release"]["git_tag"]')"
  git -C "$WORK/repo" tag "$tag" "$commit"
  run release record gate --state "$state" --step ci/git_tag --by ci >/dev/null
  echo "  git tag $tag -> $(git -C "$WORK/repo" rev-parse --short "$tag^{commit}")"

  local env
  for env in dev qa; do
    say "CD: deploy to $env and verify (the planned Helm command; no cluster here)"
    helm_command "$plan" "delivery/$env/deploy"
    run release record deploy --state "$state" --env "$env" --digest "$digest" --by ci >/dev/null
    run release record gate --state "$state" --step "$env/verify" --by ci >/dev/null
  done

  say "Production is gated: QA passed, but nobody approved"
  expect_refusal gate_not_passed release record deploy --state "$state" --env prod --digest "$digest" --by ci
  expect_refusal approval_missing release record promote --state "$state" --env prod --digest "$digest" --by ci
  expect_refusal approval_refused release record approve --state "$state" --env prod --digest "$digest" --by alice
  run release next --state "$state" |
    python3 -c 'import json,sys; [print("  ", s["step"], s["status"], "; ".join(s.get("why", []))) for s in json.load(sys.stdin)["steps"] if s["status"] != "done"]'

  say "Bob approves $digest for production"
  run release record approve --state "$state" --env prod --digest "$digest" --by bob --comment "QA sign-off" |
    python3 -c 'import json,sys; print("  ready:", json.load(sys.stdin)["ready"])'

  say "Promote the image into the production namespace (same digest)"
  local target
  target="$(json "$plan" '[s for st in d["services"][0]["stages"] for s in st["steps"] if s["id"] == "delivery/prod/promote"][0]["inputs"]["target_image"]')"
  run image promote "$image" --env prod --config "$CFG" --expect-digest "$digest" --no-progress >"$WORK/promote.json"
  check "$(json "$WORK/promote.json" 'd["destination"]')" "$target" "promoted where the plan said"
  check "$(skopeo inspect --raw --tls-verify=false "docker://$target" | python3 -c 'import hashlib,sys; print("sha256:" + hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')" \
    "$digest" "skopeo sees the same digest in the production namespace"
  run release record promote --state "$state" --env prod --digest "$digest" --by ci >/dev/null
  echo "  $image -> $target ($digest)"

  say "Deploy to production and verify"
  run release record deploy --state "$state" --env prod --digest "$digest" --by ci >/dev/null
  run release record gate --state "$state" --step prod/verify --by ci | python3 -c 'import json,sys; print("  complete:", json.load(sys.stdin)["complete"])'
  check "$(run release next --state "$state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["complete"])')" "True" "every step is done"
}

release 1.0.1
git -C "$WORK/repo" checkout -q main
echo "retries" >>"$WORK/repo/src/shipping/delivery/RETRIES"
git -C "$WORK/repo" add -A
git -C "$WORK/repo" -c user.name=ci -c user.email=ci@example.com commit -q -m "delivery: retries"
git -C "$WORK/repo" checkout -q -b release/delivery/v1.0.2
release 1.0.2 "$WORK/state-1.0.1.json"

say "Rollback plan for production: back to 1.0.1"
run release rollback-plan --state "$WORK/state-1.0.2.json" --env prod >"$WORK/rollback.json"
check "$(json "$WORK/rollback.json" 'd["previous"]["version"]')" "1.0.1" "the previous production release"
json "$WORK/rollback.json" '"\n".join("  %s %s %s" % (s["action"], s["inputs"].get("release_name"), s["inputs"].get("image", "")) for s in d["steps"])'

say "The audit trail, exported as JSON lines, and a tampered copy refused"
run release audit --state "$WORK/state-1.0.2.json" --jsonl >"$WORK/audit.jsonl"
echo "  $(wc -l <"$WORK/audit.jsonl") entries; the last: $(tail -n 1 "$WORK/audit.jsonl" | cut -c1-120)..."
python3 - "$WORK/state-1.0.2.json" "$WORK/tampered.json" <<'EOF'
import json, sys
state = json.load(open(sys.argv[1]))
for entry in state["audit"]:
    if entry.get("action") == "approve":
        entry["actor"] = "mallory"
json.dump(state, open(sys.argv[2], "w"))
EOF
rc=0
run release next --state "$WORK/tampered.json" >"$WORK/tampered.out" || rc=$?
check "$rc" "2" "a tampered state exits 2"
check "$(json "$WORK/tampered.out" 'd["error"]["code"]')" "state_tampered" "and says so"
echo "  $(json "$WORK/tampered.out" 'd["error"]["message"]')"

printf '\nrelease-e2e: ok\n'
