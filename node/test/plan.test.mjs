// Plans and release state from Node: Config#plan, the Plan and ReleaseState classes, CI
// renderings, the release lint, state files and their audit trail.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { shiprail, COMMIT, DIGEST, OTHER_DIGEST, SAMPLE_CONFIG, at, releasePlan, releaseState, thrown } from './helpers.mjs'

const s = shiprail
const tmp = () => mkdtempSync(join(tmpdir(), 'shiprail-node-plan-'))

describe('Config#plan', () => {
  it('plans a release-branch push of the sample: CI, then dev, qa, staging and prod', () => {
    const plan = releasePlan()
    assert.ok(plan instanceof s.Plan)
    assert.equal(plan.format, s.PLAN_FORMAT)
    assert.equal(plan.pipeline, 'release')
    assert.equal(plan.run, true)
    assert.equal(plan.reason, 'push to `release/delivery/v1.0.2` (a release branch) runs `release` (pipelines.rules[3])')
    assert.deepStrictEqual(plan.event, {
      kind: 'push',
      ref: 'refs/heads/release/delivery/v1.0.2',
      baseRef: null,
      commit: COMMIT,
      changedPaths: null,
    })
    assert.deepStrictEqual(plan.branch, { name: 'release/delivery/v1.0.2', kind: 'release', service: 'delivery', version: '1.0.2' })
    assert.deepStrictEqual(plan.release, {
      service: 'delivery',
      version: '1.0.2',
      imageTag: 'v1.0.2',
      image: 'myrepo.azurecr.io/delivery:v1.0.2',
      chartVersion: '1.0.2',
      appVersion: '1.0.2',
      gitTag: 'delivery-v1.0.2',
      releaseName: 'delivery-v1-0-2',
    })
    assert.deepStrictEqual(plan.environments, ['dev', 'qa', 'staging', 'prod'])
    assert.deepStrictEqual(plan.notes, [])
    assert.deepStrictEqual(
      plan.services.map((svc) => svc.service),
      ['delivery'],
    )
    assert.deepStrictEqual(plan.outline().services.delivery.slice(-6), [
      'qa/verify',
      'staging/promote [passed:qa]',
      'staging/deploy',
      'staging/verify',
      'prod/deploy [passed:staging, approval:1]',
      'prod/verify',
    ])
  })

  it('gives steps with their needs, gates and inputs', () => {
    const plan = releasePlan()
    const push = plan.step('delivery/ci/image_push')
    assert.equal(push.inputs.image, 'myrepo.azurecr.io/delivery:v1.0.2')
    assert.equal(push.inputs.push, true)
    assert.ok(push.needs.includes('delivery/ci/vulnerability_scan'))
    assert.deepStrictEqual(push.gates, [])
    const deploy = plan.step('delivery/prod/deploy')
    assert.equal(deploy.action, 'deploy')
    assert.equal(deploy.inputs.image, 'myrepo.azurecr.io/prod/delivery:v1.0.2')
    assert.equal(deploy.inputs.releaseName, 'delivery-v1-0-2')
    assert.equal(deploy.inputs.cluster, 'prod-aks')
    assert.deepStrictEqual(deploy.inputs.values, {
      'image.repository': 'myrepo.azurecr.io/prod/delivery',
      'image.tag': 'v1.0.2',
    })
    const approval = deploy.gates.find((g) => g.gate === 'approval')
    assert.deepStrictEqual(
      [approval.environment, approval.reviewers, approval.allowSelfApproval, approval.timeout, approval.waitTimer],
      ['prod', 1, false, '30d', '0s'],
    )
    assert.equal(approval.step, null)
    assert.equal(plan.step('delivery/prod/nope'), null)
    assert.equal(plan.service('package'), null)
    assert.deepStrictEqual(
      plan.steps('delivery').map((step) => step.id),
      plan.service('delivery').stages.flatMap((stage) => stage.steps.map((step) => step.id)),
    )
    assert.deepStrictEqual(plan.steps('package'), [])
    assert.equal(plan.steps().length, plan.steps('delivery').length)
  })

  it('plans pull requests from the changed paths, ChangedPath objects or bare paths', async () => {
    const config = await s.Config.load(SAMPLE_CONFIG)
    const changed = s.parseChangedLines('M\tsrc/shipping/delivery/Program.cs\n')
    const plan = config.plan({ kind: 'pull_request', ref: 'feature/delivery/eta', baseRef: 'main', changed })
    assert.equal(plan.pipeline, 'pull_request')
    assert.equal(plan.event.baseRef, 'refs/heads/main')
    assert.equal(plan.event.changedPaths, 1)
    const bare = config.plan({ kind: 'pull_request', ref: 'feature/delivery/eta', baseRef: 'main', changed: ['src/shipping/delivery/Program.cs'] })
    assert.deepStrictEqual(bare.outline(), plan.outline())
    assert.equal(plan.release, null)
    const notRun = config.plan({ kind: 'tag', ref: 'delivery-v1.0.2' })
    assert.equal(notRun.run, false)
    assert.equal(notRun.pipeline, null)
    assert.match(notRun.reason, /no rule of `pipelines.rules` matches/)
  })

  it('refuses a bad event with the core codes', () => {
    const config = s.Config.loadSync(SAMPLE_CONFIG)
    let err = thrown(() => config.plan({ kind: 'push', ref: 'relase/delivery/v1.0.2' }))
    assert.equal(err.code, 'unknown_branch_kind')
    assert.equal(err.suggestion, 'release/delivery/v1.0.2')
    err = thrown(() => config.plan({ kind: 'push', ref: 'main', base_ref: 'main' }))
    assert.equal(err.code, 'invalid_event')
    assert.match(err.message, /unknown field `base_ref`/)
    err = thrown(() => config.plan({ kind: 'merge', ref: 'main' }))
    assert.equal(err.code, 'invalid_event')
    assert.equal(err.input, 'merge')
    err = thrown(() => config.plan({ kind: 'pull_request', ref: 'feature/delivery/x', changed: [{ path: 'a', status: 'moved' }] }))
    assert.equal(err.code, 'invalid_event')
    assert.match(err.message, /`changed\[0\]`/)
  })

  it('exposes the pipelines section and lints the release configuration', () => {
    const config = s.Config.loadSync(SAMPLE_CONFIG)
    assert.deepStrictEqual(Object.keys(config.pipelines).sort(), ['change_cause', 'chart_repository', 'kinds', 'rules'])
    assert.equal(config.pipelines.kinds.release.deploy, true)
    assert.deepStrictEqual(config.lintRelease(), [
      {
        rule: 'any_branch',
        severity: 'warning',
        path: 'environments.prod.allowed_branches',
        message: 'any branch kind may deploy to production environment `prod`: consider `allowed_branches: [release]`',
      },
    ])
    const shared = s.Config.fromYaml(
      'services:\n  delivery: {paths: {include: [src/**]}}\nenvironments:\n' +
        '  qa: {cluster: aks, namespace: qa}\n' +
        '  prod: {cluster: aks, namespace: prod, registry_namespace: prod, production: true, allowed_branches: [release], approval: {required: true}}\n',
    )
    assert.deepStrictEqual(
      shared.lintRelease().map((f) => [f.rule, f.severity]),
      [['shared_cluster', 'error']],
    )
  })
})

describe('CI renderings', () => {
  const plan = releasePlan()

  it('writes GitHub Actions outputs', () => {
    const text = plan.renderCi('github')
    assert.ok(text.startsWith('run=true\npipeline=release\n'))
    assert.ok(text.includes('\nmatrix={"include":[{"service":"delivery","image":"myrepo.azurecr.io/delivery:v1.0.2","chart":"charts/delivery"}]}\n'))
    assert.ok(text.endsWith('environments=["dev","qa","staging","prod"]\n'))
  })

  it('writes Azure Pipelines logging commands and a GitLab dotenv report', () => {
    assert.ok(plan.renderCi('azure').startsWith('##vso[task.setvariable variable=run;isoutput=true]true\n'))
    assert.ok(plan.renderCi('azure').includes('variable=matrix;isoutput=true]{"delivery":{'))
    const gitlab = plan.renderCi('gitlab')
    assert.ok(gitlab.includes('\nSHIPRAIL_SERVICE_LIST=delivery\n'))
    assert.ok(gitlab.includes('\nSHIPRAIL_IMAGE_TAG=v1.0.2\n'))
  })

  it('gives the variables themselves, in output order', () => {
    const vars = plan.ciVariables('gitlab')
    assert.deepStrictEqual(
      vars.map((v) => v.name),
      ['run', 'pipeline', 'reason', 'services', 'service_list', 'matrix', 'service', 'version', 'image', 'image_tag', 'chart_version', 'git_tag', 'release_name', 'environments'],
    )
    assert.deepStrictEqual(JSON.parse(vars.find((v) => v.name === 'matrix').value)[0].service, 'delivery')
    assert.deepStrictEqual(s.CI_FORMATS, ['github', 'azure', 'gitlab'])
    const err = thrown(() => plan.renderCi('jenkins'))
    assert.equal(err.code, 'invalid_pipeline')
    assert.equal(err.input, 'jenkins')
  })
})

describe('plan files', () => {
  it('saves and reads back a plan (shiprail plan --save)', async () => {
    const plan = releasePlan()
    const file = join(tmp(), 'plan.json')
    writeFileSync(file, plan.toJsonString())
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).release.image_tag, 'v1.0.2')
    const loaded = await s.Plan.load(file)
    assert.deepStrictEqual(loaded.toJSON(), plan.toJSON())
    assert.deepStrictEqual(s.Plan.loadSync(file).toJSON(), plan.toJSON())
    assert.deepStrictEqual(s.Plan.fromJson(plan.toJsonString()).outline(), plan.outline())
    assert.deepStrictEqual(JSON.parse(JSON.stringify(plan)), plan.toJSON())
    assert.equal(s.Plan.jsonSchema().title, 'shiprail plan')
  })

  it('refuses a newer plan format and a broken plan file, naming the file', async () => {
    const dir = tmp()
    const newer = join(dir, 'newer.json')
    writeFileSync(newer, releasePlan().toJsonString().replace('"format": 1', '"format": 2'))
    const err = thrown(() => s.Plan.loadSync(newer))
    assert.equal(err.code, 'state_version')
    assert.equal(err.file, newer)
    await assert.rejects(s.Plan.load(newer), (e) => e.code === 'state_version' && e.file === newer)
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{"format": 1}')
    assert.equal(thrown(() => s.Plan.loadSync(broken)).code, 'config_syntax')
    await assert.rejects(s.Plan.load(join(dir, 'missing.json')), (e) => e.code === 'io')
  })
})

describe('ReleaseState', () => {
  it('walks a release: gates, approval, promotion and deployments, then completes', async () => {
    const state = releaseState(['ci', 'dev', 'qa', 'staging'])
    assert.equal(state.digest, DIGEST)
    assert.deepStrictEqual(state.deployedEnvironments(), ['dev', 'qa', 'staging'])
    assert.deepStrictEqual(state.next(at(100)).ready, [])
    const blocked = state.next(at(100)).steps.find((step) => step.step === 'delivery/prod/deploy')
    assert.equal(blocked.status, 'blocked')
    assert.ok(blocked.why.length > 0)

    // Production is refused without an approval of the digest QA (and staging) passed with.
    let err = thrown(() => state.recordDeployment('prod', DIGEST, { by: 'ci', at: at(100) }))
    assert.equal(err.code, 'approval_missing')
    err = thrown(() => state.recordApproval('prod', OTHER_DIGEST, { by: 'bob', at: at(100) }))
    assert.equal(err.code, 'approval_refused')
    err = thrown(() => state.recordApproval('prod', DIGEST, { by: 'alice', at: at(100) }))
    assert.equal(err.code, 'approval_refused')
    assert.equal(err.input, 'alice')

    const approval = state.recordApproval('prod', DIGEST, { by: 'bob', at: at(101), comment: 'QA sign-off' })
    assert.deepStrictEqual(
      [approval.action, approval.environment, approval.digest, approval.actor, approval.comment, approval.at],
      ['approve', 'prod', DIGEST, 'bob', 'QA sign-off', at(101)],
    )
    assert.deepStrictEqual(state.next(at(102)).ready, ['delivery/prod/deploy'])
    err = thrown(() => state.recordDeployment('prod', OTHER_DIGEST, { by: 'ci', at: at(102) }))
    assert.equal(err.code, 'gate_not_passed')

    const deployed = state.recordDeployment('prod', DIGEST, { by: 'ci', at: at(102) })
    assert.deepStrictEqual(
      [deployed.action, deployed.image, deployed.releaseName, deployed.chartVersion, deployed.step],
      ['deploy', 'myrepo.azurecr.io/prod/delivery:v1.0.2', 'delivery-v1-0-2', '1.0.2', null],
    )
    state.recordGate('prod/verify', { by: 'ci', at: at(110) })
    const next = state.next(at(111))
    assert.equal(next.complete, true)
    assert.deepStrictEqual(next.ready, [])
    assert.ok(next.steps.every((step) => step.status === 'done'))
    assert.deepStrictEqual(state.deployment('prod').digest, DIGEST)
    assert.equal(state.deployment('nowhere'), null)
  })

  it('refuses records whose step may not run, and a moved release tag', () => {
    const state = releaseState()
    let err = thrown(() => state.recordGate('ci/image_push', { by: 'ci', at: at(1), digest: DIGEST }))
    assert.equal(err.code, 'gate_not_passed')
    err = thrown(() => state.recordGate('ci/biuld', { by: 'ci', at: at(1) }))
    assert.equal(err.code, 'invalid_event')
    assert.equal(err.suggestion, 'delivery/ci/build')
    err = thrown(() => state.recordDeployment('prdo', DIGEST, { by: 'ci', at: at(1) }))
    assert.equal(err.code, 'unknown_environment')
    assert.equal(err.suggestion, 'prod')
    err = thrown(() => state.recordGate('ci/build', { by: 'ci', at: 'yesterday' }))
    assert.equal(err.code, 'invalid_event')
    err = thrown(() => state.recordGate('ci/build', { by: 'ci', result: 'maybe' }))
    assert.equal(err.code, 'invalid_event')
    const ci = releaseState(['ci'])
    err = thrown(() => ci.recordGate('ci/image_push', { by: 'ci', at: at(30), digest: OTHER_DIGEST }))
    assert.equal(err.code, 'registry_clobber')
    ci.recordDeployment('dev', DIGEST, { by: 'ci', at: at(30) })
    const failed = ci.recordGate('dev/verify', { by: 'ci', at: at(31), result: 'failed' })
    assert.equal(failed.result, 'failed')
    assert.equal(ci.next(at(32)).steps.find((step) => step.step === 'delivery/dev/verify').status, 'failed')
  })

  it('refuses a plan that releases nothing', () => {
    const plan = s.Config.loadSync(SAMPLE_CONFIG).plan({ kind: 'push', ref: 'main' })
    assert.equal(thrown(() => new s.ReleaseState(plan)).code, 'not_a_release_branch')
  })

  it('saves atomically, loads, and refuses a tampered state file with its file', async () => {
    const dir = tmp()
    const file = join(dir, 'state.json')
    const state = releaseState(['ci'])
    await state.save(file)
    const loaded = await s.ReleaseState.load(file)
    assert.deepStrictEqual(loaded.toJSON(), state.toJSON())
    assert.equal(readFileSync(file, 'utf8'), state.toJsonString())
    loaded.recordDeployment('dev', DIGEST, { by: 'ci', at: at(20) })
    loaded.saveSync(file)
    assert.deepStrictEqual(s.ReleaseState.loadSync(file).deployedEnvironments(), ['dev'])

    // A forged actor breaks the hash chain: refused, the file named.
    writeFileSync(file, readFileSync(file, 'utf8').replace('"actor": "ci"', '"actor": "mallory"'))
    const err = thrown(() => s.ReleaseState.loadSync(file))
    assert.equal(err.code, 'state_tampered')
    assert.deepStrictEqual([err.file, err.line, err.column], [file, 1, 1])
    assert.match(err.reason, /^the release state was changed outside shiprail: audit entry 0 does not match its hash/)
    await assert.rejects(s.ReleaseState.load(file), (e) => e.code === 'state_tampered' && e.file === file)

    // Gates removed from the plan afterwards: refused as well.
    const document = JSON.parse(state.toJsonString())
    delete document.plan.stages[4].steps[0].gates
    assert.equal(thrown(() => s.ReleaseState.fromJson(JSON.stringify(document))).code, 'state_tampered')
    const newer = state.toJsonString().replace('"format": 1', '"format": 2')
    assert.equal(thrown(() => s.ReleaseState.fromJson(newer)).code, 'state_version')
    state.verify()
  })

  it('gives the rollback plan to the release before', () => {
    const before = new s.ReleaseState(
      s.Config.loadSync(SAMPLE_CONFIG).plan({ kind: 'push', ref: 'release/delivery/v1.0.1', commit: COMMIT }),
      { author: 'alice', actor: 'ci', at: '2024-06-01T09:00:00Z' },
    )
    const old = `sha256:${'1'.repeat(64)}`
    let minute = 1
    for (const stage of before.plan.stages.slice(0, 2)) {
      for (const step of stage.steps) {
        const who = { by: 'ci', at: `2024-06-01T10:${String(minute++).padStart(2, '0')}:00Z` }
        if (step.action === 'deploy') before.recordDeployment(stage.id, old, who)
        else before.recordGate(step.id, { ...who, digest: step.action === 'image_push' ? old : undefined })
      }
    }
    const state = releaseState(['ci', 'dev'], { previous: before })
    assert.deepStrictEqual(Object.keys(state.previous), ['dev'])
    const rollback = state.rollbackPlan('dev')
    assert.equal(rollback.environment, 'dev')
    assert.equal(rollback.current.version, '1.0.2')
    assert.equal(rollback.previous.version, '1.0.1')
    assert.equal(rollback.previous.digest, old)
    assert.deepStrictEqual(
      rollback.steps.map((step) => step.action),
      ['redeploy', 'verify', 'uninstall'],
    )
    assert.equal(rollback.steps[0].inputs.image, `myrepo.azurecr.io/delivery@${old}`)
    assert.equal(rollback.steps[2].inputs.releaseName, 'delivery-v1-0-2')
    const nothing = releaseState(['ci']).rollbackPlan('prod')
    assert.equal(nothing.current, null)
    assert.ok(nothing.notes.length > 0)
    assert.equal(thrown(() => state.rollbackPlan('prdo')).code, 'unknown_environment')
  })

  it('exports the audit trail, hash-chained, as entries and JSON lines', () => {
    const state = releaseState(['ci'])
    const audit = state.audit()
    assert.equal(audit[0].action, 'init')
    assert.match(audit[0].headerSha256, /^[0-9a-f]{64}$/)
    assert.equal(audit[0].prev, '0'.repeat(64))
    for (let i = 1; i < audit.length; i++) {
      assert.equal(audit[i].seq, i)
      assert.equal(audit[i].prev, audit[i - 1].hash)
      assert.equal(audit[i].commit, COMMIT)
    }
    const push = audit.find((e) => e.step === 'delivery/ci/image_push')
    assert.deepStrictEqual([push.action, push.result, push.digest, push.actor], ['gate', 'passed', DIGEST, 'ci'])
    const lines = state.auditJsonLines().trimEnd().split('\n').map((l) => JSON.parse(l))
    assert.equal(lines.length, audit.length)
    assert.deepStrictEqual(lines.map((l) => l.hash), audit.map((e) => e.hash))
    assert.equal(lines[0].header_sha256, audit[0].headerSha256)
    const document = state.toJSON()
    assert.equal(document.format, s.STATE_FORMAT)
    assert.equal(document.author, 'alice')
    assert.equal(document.release.version, '1.0.2')
    assert.deepStrictEqual(document.audit, audit)
    assert.deepStrictEqual([state.author, state.commit, state.release.gitTag], ['alice', COMMIT, 'delivery-v1.0.2'])
  })
})
