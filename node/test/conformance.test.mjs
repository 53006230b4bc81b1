// Runs the shared conformance vectors of tests/conformance/*.json against the Node binding.
//
// Format: core/tests/common/mod.rs. The op dispatch mirrors core/tests/conformance_*.rs: each op
// calls the Node API and reshapes its result into the vector's (core serde) shape, i.e.
// camelCase keys back to snake_case and tuples as arrays. Every JSON file in the folder is run;
// an op this runner does not know fails the file, unless the file's name starts with a prefix in
// PENDING (vectors of core modules whose Node API is not written yet).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { shiprail, REPO_ROOT } from './helpers.mjs'

const {
  ChartFile,
  ChartReference,
  Config,
  Digest,
  DockerConfig,
  Pipeline,
  Platform,
  PromotionPolicy,
  ReleaseState,
  ReleaseVersion,
  TagTemplate,
  attributeTag,
  azurePatternMatches,
  bumpForCommits,
  chartOciTag,
  chartVersionFromOciTag,
  chartVersionsFromRelease,
  chartVersionsFromTags,
  checkCreated,
  checkImmutableTag,
  classifyBranch,
  deriveTags,
  ensureHigher,
  githubPatternAsGlob,
  githubPatternMatches,
  helmAnnotations,
  helmConfigJson,
  helmIgnoreMatches,
  highestRelease,
  isDns1123Label,
  lintChart,
  nextVersion,
  parseBranchPattern,
  parseChart,
  parseImage,
  parseVersion,
  promotionTarget,
  releaseBranch,
  releaseNames,
  releasedVersions,
  renderBranch,
  renderChangeCause,
  rewriteChartDependencyVersion,
  rfc3339Utc,
  rewriteChartVersions,
  sortVersions,
  validateBranchRules,
  validateTagPolicy,
  validateVersionPolicy,
} = shiprail

/** Vector files (by name prefix) whose ops have no Node counterpart yet, with the reason (none now). */
export const PENDING = new Map()

/** Minimum case counts of the files this runner covers (as the Rust runners assert). */
const MINIMUM = {
  branch: 60,
  image: 60,
  tag: 50,
  version: 60,
  trigger_azure: 160,
  trigger_github: 160,
  chart_metadata: 20,
  chart_lint: 40,
  chart_versioning: 15,
  chart_helmignore: 25,
  chart_release_names: 20,
  chart_oci: 35,
  trigger_native: 60,
  registry: 60,
  plan_pipelines: 60,
  plan_state: 30,
  plan_lint: 12,
}

const DIR = join(REPO_ROOT, 'tests', 'conformance')

/** `imageTag` -> `image_tag`, recursively: results back into the core's serde shape. */
function snake(value) {
  if (Array.isArray(value)) return value.map(snake)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(v)]),
  )
}

/** `base_ref` -> `baseRef`, recursively: a core-serde event into the `TriggerEvent` shape. */
function camel(value) {
  if (Array.isArray(value)) return value.map(camel)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), camel(v)]))
}

/** The Drone Delivery services the GitHub lint vectors are checked against. */
const SERVICES = ['delivery', 'dronescheduler', 'ingestion', 'package', 'workflow']

/** A decision projected to `{run}`, as the Rust runners do; the reason and trace are always filled. */
function decided(decision) {
  assert.ok(decision.reason.length > 0, 'a reason is always given')
  assert.ok(decision.explain.length > 0, 'the trace is always filled')
  return { run: decision.run }
}

/** An affected-services explanation in the core's serde shape: an empty `via` is left out. */
function coreReason({ via, ...rest }) {
  return { ...snake(rest), ...(via.length ? { via } : {}) }
}

/** The promotion policy of a registry case, as the Rust runner builds it. */
function promotionPolicy(a) {
  return new PromotionPolicy({
    namespace: a.namespace ?? '',
    template: a.template,
    tags: a.policy,
    releaseTagsOnly: a.release_tags_only ?? true,
  })
}

/** `null` in the vectors means "not given". */
const opt = (v) => (v === null ? undefined : v)

/**
 * A chart lint case as `lintChart` arguments, as the Rust runner builds it: values.yaml
 * defaults to `a: 1`, `null` meaning the file is missing.
 */
function lintArgs(a) {
  const input = {
    chartYaml: a.chart_yaml,
    valuesYaml: 'values_yaml' in a ? a.values_yaml : 'a: 1\n',
    valuesSchema: a.values_schema,
    templates: a.templates,
    subcharts: a.subcharts,
  }
  return [input, { released: a.released, policy: a.policy }]
}

/** A lint report in the core's serde shape: no `passedStrict`/`error`, absent positions left out. */
function coreReport({ passed, errors, warnings, findings }) {
  const finding = ({ line, column, ...rest }) => ({
    ...rest,
    ...(line === null ? {} : { line }),
    ...(column === null ? {} : { column }),
  })
  return { passed, errors, warnings, findings: findings.map(finding) }
}

/** An object without its `null` values (the core's serde leaves absent options out). */
function present(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null))
}

/** `StepInputs` in the core's serde shape: absent inputs and empty `values` left out, keys kept. */
function coreInputs({ values, ...rest }) {
  return { ...snake(present(rest)), ...(Object.keys(values).length ? { values } : {}) }
}

/** A `PlanStep` in the core's serde shape (a gate's empty `approvers` and empty lists left out). */
function coreStep(step) {
  if (step === null) return null
  const gate = ({ approvers, ...rest }) => ({ ...snake(present(rest)), ...(approvers?.length ? { approvers } : {}) })
  return {
    id: step.id,
    action: step.action,
    ...(step.needs.length ? { needs: step.needs } : {}),
    ...(step.gates.length ? { gates: step.gates.map(gate) } : {}),
    inputs: coreInputs(step.inputs),
  }
}

/** `NextSteps` in the core's serde shape. */
function coreNext({ digest, steps, ...rest }) {
  return {
    ...rest,
    ...(digest === null ? {} : { digest }),
    steps: steps.map(({ why, ...s }) => ({ ...s, ...(why.length ? { why } : {}) })),
  }
}

/** A `RollbackPlan` in the core's serde shape. */
function coreRollback({ environment, current, previous, steps, notes }) {
  const deployment = (d) => (d === null ? {} : snake(present(d)))
  return {
    environment,
    ...(current === null ? {} : { current: deployment(current) }),
    ...(previous === null ? {} : { previous: deployment(previous) }),
    steps: steps.map((s) => ({ action: s.action, inputs: coreInputs(s.inputs) })),
    ...(notes.length ? { notes } : {}),
  }
}

/** The plan of a plan or state case: `config` (YAML text), `event` (core serde) and `changed`. */
function planOf(a) {
  const event = camel(a.event)
  if (Array.isArray(a.changed)) event.changed = a.changed
  return Config.fromYaml(a.config).plan(event)
}

/** Applies one record of a state case, as the Rust runner does (`by` defaults to `ci`). */
function applyRecord(state, r) {
  const by = r.by ?? 'ci'
  switch (r.action) {
    case 'gate':
      return state.recordGate(r.step, { by, at: r.at, result: r.result ?? 'passed', digest: opt(r.digest) })
    case 'approve':
      return state.recordApproval(r.env, r.digest, { by, at: r.at, comment: opt(r.comment) })
    case 'promote':
      return state.recordPromotion(r.env, r.digest, { by, at: r.at })
    case 'deploy':
      return state.recordDeployment(r.env, r.digest, { by, at: r.at })
    default:
      throw new Error(`unknown record action ${r.action}`)
  }
}

/** A state from the case's release `event`, `author`, `at`, optional `previous` spec and `records`. */
function stateOf(a) {
  let previous
  if (a.previous !== null && typeof a.previous === 'object') {
    const { previous: spec, ...rest } = a
    previous = stateOf({ ...rest, ...spec })
  }
  const state = new ReleaseState(planOf(a), { author: opt(a.author), actor: 'ci', at: a.at, previous })
  for (const record of a.records ?? []) applyRecord(state, record)
  return state
}

/** Sets the value at a JSON pointer that exists (`/audit/1/actor`). */
function setPointer(document, pointer, value) {
  const keys = pointer
    .split('/')
    .slice(1)
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'))
  const last = keys.pop()
  const parent = keys.reduce((node, key) => node[key], document)
  assert.ok(parent !== undefined && last in parent, `the pointer ${pointer} exists`)
  parent[last] = value
}

/** Text lines as Rust's `str::lines` gives them (no empty last line). */
const lines = (text) => text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined)

const OPS = {
  'branch.classify': (a) => snake(classifyBranch(a.ref, { services: opt(a.services), rules: opt(a.rules) })),
  'branch.render_release': (a) => releaseBranch(a.service, a.version, opt(a.rules)),
  'branch.render': (a) =>
    renderBranch(a.kind, { service: opt(a.service), topic: opt(a.topic), version: opt(a.version) }, opt(a.rules)),
  'branch.validate': (a) => (validateBranchRules(opt(a.rules)), true),
  'branch.parse_pattern': (a) => parseBranchPattern(a.pattern).pattern,

  'image.parse': (a) => snake(parseImage(a.input)),
  'image.promotion_target': (a) => promotionTarget(a.source, a.namespace, a.template),

  'tag.template': (a) => new TagTemplate(a.template).toString(),
  'tag.render': (a) => new TagTemplate(a.template).render(a.service, a.version),
  'tag.parse': (a) => {
    const parsed = new TagTemplate(a.template).parse(a.tag)
    return parsed ? [parsed.service, parsed.version] : false
  },
  'tag.derive': (a) => snake(deriveTags(a.service, a.version, a.policy)),
  'tag.attribute': (a) => {
    const { service, version } = attributeTag(a.tag, a.services, a.policy)
    return [service, version]
  },
  'tag.released_versions': (a) => releasedVersions(a.service, a.tags, a.services, a.policy),
  'tag.chart_oci_tag': (a) => chartOciTag(a.version),
  'tag.chart_version_from_oci_tag': (a) => chartVersionFromOciTag(a.tag),
  'tag.check_immutable': (a) => (checkImmutableTag(a.tag, a.policy), true),
  'tag.policy': (a) => validateTagPolicy(a.policy),

  'version.parse': (a) => parseVersion(a.input, a.policy),
  'version.with_v': (a) => new ReleaseVersion(a.input).withV(),
  'version.bump': (a) => new ReleaseVersion(a.version).bump(a.bump).toString(),
  'version.next_prerelease': (a) => new ReleaseVersion(a.version).nextPrerelease(a.label).toString(),
  'version.with_build': (a) => new ReleaseVersion(a.version).withBuild(a.build).toString(),
  'version.with_commit': (a) => new ReleaseVersion(a.version).withCommit(a.sha).toString(),
  'version.cmp_precedence': (a) => new ReleaseVersion(a.a).comparePrecedence(new ReleaseVersion(a.b)),
  'version.sort': (a) => sortVersions(a.versions),
  'version.bump_for_commits': (a) =>
    'policy' in a ? bumpForCommits(a.messages, a.policy) : bumpForCommits(a.messages),
  'version.next': (a) => nextVersion(a.released, a.commits, { prerelease: a.prerelease, policy: a.policy }),
  'version.ensure_higher': (a) => (ensureHigher(a.version, a.released), true),
  'version.policy': (a) => validateVersionPolicy(a.policy),

  'trigger.azure.eval': (a) =>
    decided(Pipeline.fromYaml(a.pipeline, { dialect: 'azure', azureOptions: a.options }).evaluate(camel(a.event))),
  'trigger.azure.pattern': (a) => azurePatternMatches(a.kind, a.pattern, a.subjects, a.options),

  'trigger.github.pattern': (a) => githubPatternMatches(a.pattern, a.paths),
  'trigger.github.glob': (a) => githubPatternAsGlob(a.pattern),
  'trigger.github.parse': (a) => Pipeline.fromYaml(a.workflow, { dialect: 'github' }).events,
  'trigger.github.eval': (a) => decided(Pipeline.fromYaml(a.workflow, { dialect: 'github' }).evaluate(camel(a.event))),
  'trigger.github.lint': (a) =>
    Pipeline.fromYaml(a.workflow, { dialect: 'github' })
      .lint({ services: SERVICES, repoPaths: opt(a.repo_paths) })
      .map(({ code, severity, suggestion }) => ({ code, severity, suggestion })),

  'chart.parse': (a) => parseChart(a.chart_yaml),
  'chart.validate': (a) => (new ChartFile(a.chart_yaml).validate(), true),
  'chart.archive_name': (a) => new ChartFile(a.chart_yaml).archiveName,
  'chart.lint': (a) => coreReport(lintChart(...lintArgs(a))),
  'chart.lint_rules': (a) => {
    const report = lintChart(...lintArgs(a))
    return { passed: report.passed, rules: report.findings.map((f) => `${f.severity} ${f.rule}`) }
  },
  'chart.set_versions': (a) => rewriteChartVersions(a.chart_yaml, { version: a.version, appVersion: a.app_version }),
  'chart.bump_dependency': (a) => rewriteChartDependencyVersion(a.chart_yaml, a.dependency, a.version),
  'chart.versions_from_release': (a) => snake(chartVersionsFromRelease(a.chart, a.version, a.policy)),
  'chart.helmignore': (a) => helmIgnoreMatches(a.rules, [{ path: a.path, isDir: a.is_dir ?? false }])[0],
  'chart.release_name': (a) => releaseNames(a.service, a.version, opt(a.environment)),
  'chart.change_cause': (a) => renderChangeCause(a.cause, opt(a.template)),
  'chart.is_dns1123_label': (a) => isDns1123Label(a.name),
  'chart.oci_tag': (a) => chartOciTag(a.version),
  'chart.version_from_oci_tag': (a) => chartVersionFromOciTag(a.tag),

  'chart_oci.tag': (a) => chartOciTag(a.version),
  'chart_oci.version_from_tag': (a) => chartVersionFromOciTag(a.tag),
  'chart_oci.versions_from_tags': (a) => chartVersionsFromTags(a.tags),
  'chart_oci.reference': (a) => {
    const r = new ChartReference(a.reference)
    return { registry: r.registry, repository: r.repository, tag: r.tag, name: r.name, string: r.toString() }
  },
  'chart_oci.push_reference': (a) => new ChartReference(a.destination).join(a.name).withVersion(a.version).toString(),
  'chart_oci.config_json': (a) => helmConfigJson(new ChartFile(a.chart_yaml)),
  'chart_oci.annotations': (a) => helmAnnotations(new ChartFile(a.chart_yaml), a.created),
  'chart_oci.created': (a) => rfc3339Utc(a.seconds),
  'chart_oci.check_created': (a) => (checkCreated(a.created), true),

  affected: (a) => Config.fromYaml(a.config).affected(camel(a.changed)).services,
  'affected.explain': (a) => Config.fromYaml(a.config).affected(camel(a.changed), { explain: true }).explain.map(coreReason),
  'affected.overlaps': (a) => Config.fromYaml(a.config).overlappingPaths(a.paths),

  'registry.request': (a) => snake(promotionPolicy(a).request(a.source, opt(a.destination))),
  'registry.check_tag': (a) => promotionPolicy(a).checkTag(a.tag),
  'registry.highest_release': (a) =>
    highestRelease(a.tags, { policy: a.policy, service: opt(a.service), includePrereleases: a.include_prereleases }),
  'registry.digest': (a) => {
    const digest = new Digest(a.digest)
    return { digest: digest.toString(), algorithm: digest.algorithm, hex: digest.hex, tag_form: digest.tagForm }
  },
  'registry.platform': (a) => new Platform(a.platform).toString(),
  'plan.outline': (a) => planOf(a).outline(),
  'plan.step': (a) => coreStep(planOf(a).step(a.step)),
  'plan.release': (a) => snake(planOf(a).release),
  'plan.envs': (a) => {
    const plan = planOf(a)
    return { environments: plan.environments, notes: plan.notes }
  },
  'plan.lint': (a) => Config.fromYaml(a.config).lintRelease(),
  'plan.ci': (a) => lines(planOf(a).renderCi(a.format)),

  'state.next': (a) => coreNext(stateOf(a).next(a.now)),
  'state.ready': (a) => stateOf(a).next(a.now).ready,
  'state.rollback': (a) => coreRollback(stateOf(a).rollbackPlan(a.env)),
  'state.audit': (a) =>
    stateOf(a)
      .audit()
      .map(({ hash, prev, headerSha256, ...entry }) => snake(present(entry))),
  'state.tamper': (a) => {
    const document = JSON.parse(stateOf(a).toJsonString())
    setPointer(document, a.pointer, a.value)
    ReleaseState.fromJson(JSON.stringify(document))
    return 'accepted'
  },

  'registry.credentials': (a) => {
    const { kind, username } = DockerConfig.fromJson(JSON.stringify(a.config)).credentialsForSync(a.registry)
    return kind === 'basic' ? { kind, username } : { kind }
  },
}

/** Runs one case; returns a failure description or null. */
function runCase(op, args, testCase) {
  let got
  try {
    got = op(args)
  } catch (err) {
    if (!(err instanceof Error) || typeof err.code !== 'string') {
      return `threw a value without a code: ${err}`
    }
    if (!testCase.error) return `expected ${JSON.stringify(testCase.ok)}, got error ${err.code}: ${err.message}`
    if (err.code !== testCase.error.code) return `expected error ${testCase.error.code}, got ${err.code}: ${err.message}`
    if (testCase.error.message !== undefined && err.message !== testCase.error.message) {
      return `expected message ${JSON.stringify(testCase.error.message)}, got ${JSON.stringify(err.message)}`
    }
    return null
  }
  if (testCase.error) return `expected error ${testCase.error.code}, got ${JSON.stringify(got)}`
  try {
    assert.deepStrictEqual(got, testCase.ok)
  } catch {
    return `expected ${JSON.stringify(testCase.ok)}, got ${JSON.stringify(got)}`
  }
  return null
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()

describe('conformance vectors', () => {
  it('covers every file this runner knows and finds them all', () => {
    const names = files.map((f) => f.slice(0, -'.json'.length))
    for (const name of Object.keys(MINIMUM)) assert.ok(names.includes(name), `${name}.json is missing`)
  })

  for (const file of files) {
    const name = file.slice(0, -'.json'.length)
    const pending = [...PENDING.entries()].find(([prefix]) => name.startsWith(prefix))
    const vectors = JSON.parse(readFileSync(join(DIR, file), 'utf8'))
    if (pending) {
      it(`${file} (pending: ${pending[1]})`, { skip: pending[1] }, () => {})
      continue
    }
    describe(file, () => {
      it('has every op mapped and enough cases', () => {
        const unknown = [...new Set(vectors.cases.map((c) => c.op).filter((op) => !(op in OPS)))]
        assert.deepStrictEqual(unknown, [], `ops without a Node counterpart in ${file}`)
        if (name in MINIMUM) assert.ok(vectors.cases.length >= MINIMUM[name], `${file}: ${vectors.cases.length} cases`)
      })
      for (const testCase of vectors.cases) {
        const op = OPS[testCase.op]
        if (!op) continue
        it(testCase.name, () => {
          const args = { ...(vectors.defaults ?? {}), ...(testCase.args ?? {}) }
          const failure = runCase(op, args, testCase)
          assert.equal(failure, null, failure ?? '')
        })
      }
    })
  }
})
