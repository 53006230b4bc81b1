// Errors: every core error code reaches JavaScript as an `Error` with `code` and the details.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { shiprail, DIGEST, REPO_ROOT, at, realRegistries, releaseState, thrown, tgz, unique } from './helpers.mjs'

const s = shiprail
const SERVICES = ['delivery', 'dronescheduler', 'ingestion', 'package', 'workflow']
const REAL = realRegistries()

/** A file that exists and holds no certificate. */
function notACertificate() {
  const file = join(mkdtempSync(join(tmpdir(), 'shiprail-node-')), 'ca.pem')
  writeFileSync(file, 'not a certificate\n')
  return file
}

/** One call per code that makes the core fail with it. */
const PRODUCERS = {
  invalid_ref_name: () => s.classifyBranch('feature/a..b'),
  not_a_branch: () => s.classifyBranch('refs/tags/delivery-v1.0.2'),
  unknown_branch_kind: () => s.renderBranch('hotfix'),
  not_a_release_branch: () => new s.Config().releaseForBranch('main'),
  unknown_service: () => s.classifyBranch('feature/delivry/retry', { services: SERVICES }),
  invalid_branch_version: () => s.classifyBranch('release/delivery/v1.0'),
  invalid_version: () => new s.ReleaseVersion('1.0'),
  version_not_higher: () => s.ensureHigher('1.0.2', ['1.0.2']),
  mutable_tag: () => s.checkImmutableTag('latest'),
  invalid_tag: () => s.attributeTag('nightly-build', SERVICES),
  ambiguous_tag: () => s.attributeTag('v1.0.2', SERVICES, { git: 'v{version}' }),
  invalid_template: () => new s.TagTemplate('{service}-v'),
  invalid_image_reference: () => s.parseImage('myrepo.azurecr.io/Delivery:v1'),
  invalid_pattern: () => s.matchPathGlob('/src/**', []),
  unknown_environment: () => new s.Config().environment('prod'),
  invalid_event: () => s.parseEventKind('merge'),
  invalid_pipeline: () => s.Pipeline.fromYaml('trigger: nope\n', { dialect: 'azure' }),
  config_syntax: () => s.Config.fromYaml('services:\n  delivery:\n    path: {}\n'),
  config_invalid: () => s.Config.fromYaml('services: {}\n'),
  invalid_utf8: () => s.Config.fromYamlBytes(Buffer.from('services:\n  d\xffx: 1\n', 'latin1')),
  io: () => s.Config.loadSync(join(tmpdir(), 'shiprail-no-such-dir', 'shiprail.yaml')),
  invalid_chart: () => new s.ChartFile('name: a/b\nversion: 1.0.0\n').validate(),
  invalid_archive: () => s.ChartArchive.readSync(Buffer.from('not a gzip stream')),
  unsafe_archive: () =>
    s.ChartArchive.readSync(
      tgz([
        { name: 'delivery/Chart.yaml', data: 'name: delivery\nversion: 1.0.2\n' },
        { name: 'delivery/../../etc/cron.d/evil', data: '* * * * * root sh\n' },
      ]),
    ),
  git: () => s.changedBetweenSync(tmpdir(), '--output=/tmp/x', 'HEAD'),
  registry_tls: () => new s.RegistryClient({ caFiles: [notACertificate()] }),
  // Nothing listens on port 1: the promise rejects (it does not throw).
  registry: () =>
    new s.RegistryClient({ retries: 0, dockerConfig: new s.DockerConfig() }).resolve('127.0.0.1:1/delivery:v1.0.2'),
  // The release state: a forged audit entry, a newer format, a deployment before the
  // environment before it passed, production without an approval, an approval by the author.
  state_tampered: () => s.ReleaseState.fromJson(releaseState().toJsonString().replace('"actor": "ci"', '"actor": "mallory"')),
  state_version: () => s.ReleaseState.fromJson(releaseState().toJsonString().replace('"format": 1', '"format": 9')),
  gate_not_passed: () => releaseState(['ci']).recordDeployment('qa', DIGEST, { by: 'ci', at: at(30) }),
  approval_missing: () =>
    releaseState(['ci', 'dev', 'qa', 'staging']).recordDeployment('prod', DIGEST, { by: 'ci', at: at(60) }),
  approval_refused: () =>
    releaseState(['ci', 'dev', 'qa', 'staging']).recordApproval('prod', DIGEST, { by: 'alice', at: at(60) }),
}

/** A client of the real registries (tests/services/registry.sh), with `password` for the TLS one. */
function realClient(password = REAL.env.SHIPRAIL_REGISTRY_PASSWORD) {
  const { env } = REAL
  return new s.RegistryClient({
    caFiles: [env.SHIPRAIL_REGISTRY_CA],
    credentials: { [env.SHIPRAIL_REGISTRY_TLS]: { username: env.SHIPRAIL_REGISTRY_USER, password } },
    dockerConfig: new s.DockerConfig(),
    retries: 0,
  })
}

const plain = (rest) => `${REAL.env.SHIPRAIL_REGISTRY_PLAIN}/${rest}`

/** Producers that need the real registries; each promise rejects with the code. */
const REAL_PRODUCERS = {
  registry_unauthorized: () =>
    realClient('not-the-Password-42').resolve(`${REAL.env.SHIPRAIL_REGISTRY_TLS}/${REAL.env.SHIPRAIL_SEED_SINGLE}`),
  registry_not_found: () => realClient().resolve(plain('no/such/repo:v1.0.0')),
  registry_unexpected_digest: () =>
    realClient().promote({
      source: plain(REAL.env.SHIPRAIL_SEED_SINGLE),
      destination: plain(`${unique('prod/delivery')}:v1.0.2`),
      expectedDigest: REAL.env.SHIPRAIL_SEED_INDEX_DIGEST,
    }),
  registry_clobber: async () => {
    const client = realClient()
    const destination = plain(`${unique('prod/app')}:v1.0.2`)
    await client.promote({ source: plain(REAL.env.SHIPRAIL_SEED_SINGLE), destination })
    return client.promote({ source: plain(REAL.env.SHIPRAIL_SEED_INDEX), destination })
  },
}

/** The package of the Drone Delivery chart at `appVersion`, for the chart producers. */
const deliveryChart = (appVersion) =>
  s.packageChart(join(REPO_ROOT, 'examples', 'drone-delivery', 'charts', 'delivery'), { version: '1.0.2', appVersion })

/** The registry codes of the chart operations (push, pull, versions); each promise rejects. */
const CHART_PRODUCERS = {
  registry_clobber: async () => {
    const client = realClient()
    const destination = `oci://${plain(unique('charts'))}`
    await client.pushChart(await deliveryChart('1.0.2'), destination)
    return client.pushChart(await deliveryChart('1.0.3'), destination)
  },
  registry_unauthorized: () => realClient('not-the-Password-42').chartVersions(`oci://${REAL.env.SHIPRAIL_REGISTRY_TLS}/charts/delivery`),
  registry_not_found: () => realClient().pullChart(`oci://${plain(unique('charts'))}/delivery`, { version: '1.0.2' }),
  invalid_chart: () => {
    const [image, tag] = REAL.env.SHIPRAIL_SEED_SINGLE.split(':')
    return realClient().pullChart(`oci://${plain(image)}`, { version: tag })
  },
}

/** Codes no operation of the core produces yet, with the reason. */
const NOT_PRODUCED_YET = {
  registry_digest_mismatch:
    'only a registry that serves bytes other than their digest produces it; core/tests/registry_faults.rs does so with a fake registry, and no real one misbehaves on demand',
}

/** What `produce` threw, or what the promise it returned rejected with. */
async function caught(produce) {
  let result
  try {
    result = produce()
  } catch (err) {
    return err
  }
  try {
    await result
  } catch (err) {
    return err
  }
  throw new Error('expected an error, none was thrown or rejected')
}

function checkError(err, code) {
  assert.ok(err instanceof Error)
  assert.equal(err.code, code, err.message)
  assert.equal(typeof err.reason, 'string')
  assert.ok(err.message.includes(err.reason))
}

describe('error codes', () => {
  it('ERROR_CODES is the core ErrorKind list, in order', () => {
    const source = readFileSync(join(REPO_ROOT, 'core', 'src', 'error.rs'), 'utf8')
    const body = source.slice(source.indexOf('pub const fn code'), source.indexOf('pub const fn is_rule_violation'))
    const codes = [...body.matchAll(/=> "([a-z0-9_]+)"/g)].map((m) => m[1])
    assert.deepStrictEqual([...s.ERROR_CODES], codes)
  })

  it('has a producer or a reason for every code', () => {
    const covered = [...Object.keys(PRODUCERS), ...Object.keys(REAL_PRODUCERS), ...Object.keys(NOT_PRODUCED_YET)]
    assert.deepStrictEqual(covered.sort(), [...s.ERROR_CODES].sort())
  })

  for (const [code, produce] of Object.entries(PRODUCERS)) {
    it(`${code} reaches JavaScript`, async () => checkError(await caught(produce), code))
  }

  for (const [code, produce] of Object.entries(REAL_PRODUCERS)) {
    it(`${code} reaches JavaScript (real registry)`, { skip: REAL.skip }, async () => {
      if (REAL.error) throw REAL.error
      const promise = produce()
      assert.ok(promise instanceof Promise, 'registry operations return promises')
      await assert.rejects(promise, (err) => (checkError(err, code), true))
    })
  }

  for (const [code, produce] of Object.entries(CHART_PRODUCERS)) {
    it(`${code} reaches JavaScript from a chart operation (real registry)`, { skip: REAL.skip }, async () => {
      if (REAL.error) throw REAL.error
      const promise = produce()
      assert.ok(promise instanceof Promise, 'chart registry operations return promises')
      await assert.rejects(promise, (err) => (checkError(err, code), true))
    })
  }
})

describe('error details', () => {
  it('carries input and suggestion, and the message ends with the suggestion', () => {
    const err = thrown(() => s.classifyBranch('relase/delivery/v1.0.2', { services: SERVICES }))
    assert.equal(err.code, 'unknown_branch_kind')
    assert.equal(err.input, 'relase/delivery/v1.0.2')
    assert.equal(err.suggestion, 'release/delivery/v1.0.2')
    assert.ok(err.message.endsWith(' (did you mean `release/delivery/v1.0.2`?)'))
    assert.equal('file' in err, false)
    assert.equal('line' in err, false)
  })

  it('carries file, line and column for a configuration file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiprail-node-'))
    const file = join(dir, 'shiprail.yaml')
    writeFileSync(file, 'services:\n  delivery:\n    path: {}\n')
    const err = thrown(() => s.Config.loadSync(file))
    assert.equal(err.code, 'config_syntax')
    assert.equal(err.file, file)
    assert.equal(err.line, 3)
    assert.equal(err.column, 5)
    assert.equal(err.message, `${file}:3:5: ${err.reason}`)
  })

  it('rejects the promise of Config.load with the same error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiprail-node-'))
    const file = join(dir, 'shiprail.yaml')
    writeFileSync(file, 'services:\n  delivery:\n    path: {}\n')
    const sync = thrown(() => s.Config.loadSync(file))
    await assert.rejects(s.Config.load(file), (err) => {
      assert.ok(err instanceof Error)
      for (const key of ['code', 'message', 'reason', 'file', 'line', 'column']) assert.equal(err[key], sync[key], key)
      return true
    })
  })

  it('carries file, line and column for a pipeline file, thrown and rejected alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiprail-node-'))
    const file = join(dir, 'azure-pipelines.yml')
    writeFileSync(file, 'trigger:\n  branches:\n    include: [main]\n  batch: maybe\n')
    const sync = thrown(() => s.Pipeline.loadSync(file))
    assert.equal(sync.code, 'invalid_pipeline')
    assert.deepStrictEqual([sync.file, sync.line, sync.column], [file, 4, 10])
    assert.equal(sync.message, `${file}:4:10: ${sync.reason}`)
    await assert.rejects(s.Pipeline.load(file), (err) => {
      for (const key of ['code', 'message', 'reason', 'file', 'line', 'column']) assert.equal(err[key], sync[key], key)
      return true
    })
    await assert.rejects(s.Pipeline.load(file, { dialect: 'gitlab' }), (err) => {
      assert.equal(err.code, 'invalid_pipeline')
      assert.equal(err.input, 'gitlab')
      return true
    })
  })

  it('refuses event keys it does not know instead of dropping them', () => {
    const pipeline = s.Pipeline.fromYaml('pr: [main]\n', { dialect: 'azure' })
    let err = thrown(() => pipeline.evaluate({ kind: 'pull_request', ref: 'feature/x', base_ref: 'main' }))
    assert.equal(err.code, 'invalid_event')
    assert.match(err.message, /^invalid event: unknown field `base_ref`, expected one of /)
    err = thrown(() => pipeline.evaluate({ kind: 'push', ref: 'main', changed: ['a', { path: 'b', status: 'moved' }] }))
    assert.equal(err.code, 'invalid_event')
    assert.match(err.message, /^invalid event: `changed\[1\]`: unknown variant `moved`/)
    err = thrown(() => pipeline.evaluate({ kind: 'merge', ref: 'main' }))
    assert.equal(err.code, 'invalid_event')
    assert.equal(err.input, 'merge')
  })

  it('points at the first bad byte of a non-UTF-8 file', () => {
    const err = thrown(PRODUCERS.invalid_utf8)
    assert.equal(err.line, 2)
    assert.equal(err.column, 4)
  })

  it('gives batch items the same details as plain data', () => {
    const [item] = s.classifyBranches(['relase/delivery/v1.0.2'], { services: SERVICES })
    const err = thrown(() => s.classifyBranch('relase/delivery/v1.0.2', { services: SERVICES }))
    assert.equal(item.branch, null)
    assert.deepStrictEqual(item.error, {
      code: err.code,
      message: err.message,
      reason: err.reason,
      input: err.input,
      suggestion: err.suggestion,
      file: null,
      line: null,
      column: null,
    })
  })

  it('reports a policy that does not fit its section as config_syntax', () => {
    const err = thrown(() => s.validateVersionPolicy({ v_prefx: 'accept' }))
    assert.equal(err.code, 'config_syntax')
    assert.match(err.message, /^invalid `versioning` section: unknown field `v_prefx`/)
  })

  it('survives hostile input: empty, huge, control characters, non-ASCII', () => {
    const state = releaseState(['ci'])
    const plan = new s.Config().plan({ kind: 'push', ref: 'main' })
    const inputs = ['', 'x'.repeat(1 << 20), 'feature/\u0000\u001b[31m', 'release/délivery/v1.0.2', '\uFEFF', 'v1.0.2\n']
    for (const input of inputs) {
      for (const call of [
        () => s.classifyBranch(input),
        () => new s.ReleaseVersion(input),
        () => s.parseImage(input),
        () => new s.TagTemplate(input),
        () => s.Config.fromYaml(input),
        () => s.attributeTag(input, SERVICES),
        () => s.Pipeline.fromYaml(input, { dialect: 'azure' }).evaluate({ kind: 'push', ref: input, changed: [input] }),
        () => s.Pipeline.fromYaml(input, { dialect: 'github' }).lint(),
        () => s.githubPatternMatches(input, [input]),
        () => s.azurePatternMatches('path', input, [input]),
        () => s.parseChangedLines(input),
        () => s.parseChart(input),
        () => new s.ChartFile(input).validate(),
        () => s.lintChart({ chartYaml: input, valuesYaml: input, valuesSchema: input, subcharts: [input] }),
        () => s.rewriteChartVersions(input, { version: '1.0.2', appVersion: input }),
        () => s.rewriteChartDependencyVersion(input, input, input),
        () => s.helmIgnoreMatches(input, [input, { path: input, isDir: true }]),
        () => s.releaseNames(input, '1.0.2', input),
        () => s.renderChangeCause({ service: input, reason: input }, input),
        () => s.ChartArchive.readSync(Buffer.from(input)),
        () => new s.Config().affected([input, { path: input, status: 'renamed', previousPath: input }], { explain: true }),
        () => s.Config.fromYaml(`services:\n  a: {paths: {include: [${JSON.stringify(input)}]}}\n`).overlappingPaths([input]),
        () => s.AffectedMatcher.fromRules([{ name: input, include: [input, { written: input, regex: input }] }]).affected([input]),
        () => s.parseNameStatus(input),
        () => s.parseNameStatus(Buffer.from(input)),
        () => s.changedBetweenSync(tmpdir(), input, input),
        () => s.mergeBaseSync(input, input, 'HEAD', { program: input }),
        () => new s.Digest(input),
        () => new s.Platform(input),
        () => new s.PromotionPolicy({ namespace: input, template: input }).request(input, input),
        () => new s.PromotionPolicy({ namespace: input }).request(`r.io/a:${input}`),
        () => new s.PromotionPolicy().checkTag(input),
        () => s.highestRelease([input, `v${input}`], { service: input }),
        () => s.DockerConfig.fromJson(input).credentialsForSync(input),
        () => new s.RegistryClient({ insecure: [input], credentials: { [input]: { token: input } } }),
        () => new s.Config().plan({ kind: 'push', ref: input, baseRef: input, commit: input, changed: [input] }),
        () => new s.Config().plan({ kind: input, ref: input }),
        () => s.Plan.fromJson(input),
        () => s.ReleaseState.fromJson(input),
        () => state.recordGate(input, { by: input, at: input, result: input, digest: input }),
        () => state.recordApproval(input, DIGEST, { by: input, comment: input }),
        () => state.recordDeployment(input, input, { by: 'ci' }),
        () => state.next(input),
        () => state.rollbackPlan(input),
        () => plan.renderCi(input),
      ]) {
        try {
          call()
        } catch (err) {
          assert.ok(s.ERROR_CODES.includes(err.code), `${err.code}: ${err.message.slice(0, 80)}`)
        }
      }
    }
  })
})
