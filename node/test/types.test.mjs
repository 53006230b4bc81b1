// index.d.ts: the section interfaces match the core's JSON Schema of shiprail.yaml, and the
// declared exports match the runtime ones. (Drift of index.d.ts against the Rust code itself is
// checked by run-tests.sh, which regenerates it.)
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { shiprail, PACKAGE_DIR, SAMPLE_CONFIG } from './helpers.mjs'

const dts = readFileSync(join(PACKAGE_DIR, 'index.d.ts'), 'utf8')

/** `{ key: optional }` of each `export interface` in index.d.ts. */
function interfaces() {
  const found = {}
  for (const m of dts.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const fields = {}
    for (const f of m[2].matchAll(/^ {2}(\w+)(\??): /gm)) fields[f[1]] = f[2] === '?'
    found[m[1]] = fields
  }
  return found
}

/** TypeScript interface -> JSON Schema definition (`null`: the schema root). */
const SECTIONS = {
  ConfigDocument: null,
  ServiceConfig: 'Service',
  PathFilterConfig: 'PathFilter',
  ServiceDependency: 'ServiceDependency',
  BranchRules: 'BranchRules',
  VersionPolicy: 'VersionPolicy',
  PreStablePolicy: 'PreStablePolicy',
  TagPolicy: 'TagPolicy',
  PromotionSection: 'Promotion',
  EnvironmentConfig: 'Environment',
  ApprovalConfig: 'Approval',
  PipelinesSection: 'Pipelines',
  PipelineKindConfig: 'PipelineKind',
  PipelineRuleConfig: 'PipelineRule',
}

describe('index.d.ts', () => {
  const declared = interfaces()
  const schema = shiprail.Config.jsonSchema()

  for (const [name, def] of Object.entries(SECTIONS)) {
    it(`${name} has the keys of the schema's ${def ?? 'root'}`, () => {
      const section = def === null ? schema : schema.$defs[def]
      assert.ok(section, `the schema has no ${def}`)
      assert.ok(declared[name], `index.d.ts has no interface ${name}`)
      assert.deepStrictEqual(Object.keys(declared[name]).sort(), Object.keys(section.properties).sort())
      for (const key of section.required ?? []) assert.equal(declared[name][key], false, `${name}.${key} is required`)
    })
  }

  it('AzureOptions has the keys of the core options', () => {
    const options = shiprail.Pipeline.fromYaml('', { dialect: 'azure' }).azureOptions
    assert.deepStrictEqual(Object.keys(declared.AzureOptions).sort(), Object.keys(options).sort())
  })

  it('TriggerEvent has the keys the event conversion accepts', () => {
    assert.equal(declared.TriggerEvent.ref, false, 'ref is required')
    const pipeline = shiprail.Pipeline.fromYaml('', { dialect: 'azure' })
    const values = { kind: 'push', ref: 'main', baseRef: null, changed: ['a'], commitMessages: ['m'], newBranch: false }
    assert.deepStrictEqual(Object.keys(declared.TriggerEvent).sort(), Object.keys(values).sort())
    assert.equal(pipeline.evaluate(values).run, true)
    assert.equal(declared.ChangedPath.previousPath, false)
  })

  it('ChartMetadata, ChartDependency and ChartMaintainer have the keys of a full Chart.yaml', () => {
    const md = shiprail.parseChart(
      'apiVersion: v1\nname: c\nversion: 1.0.0\nkubeVersion: ">=1.20.0-0"\ndescription: d\ntype: application\n' +
        'keywords: [k]\nhome: https://h\nsources: [https://s]\nicon: https://i\nappVersion: "1"\ndeprecated: true\n' +
        'annotations: {a: b}\ncondition: c.enabled\ntags: t\n' +
        'dependencies:\n- {name: d, version: 1.0.0, repository: oci://r, condition: d.on, tags: [t], enabled: true, import-values: [x], alias: e}\n' +
        'maintainers:\n- {name: m, email: m@x.io, url: https://m}\n',
    )
    assert.deepStrictEqual(Object.keys(declared.ChartMetadata).sort(), Object.keys(md).sort())
    for (const key of ['apiVersion', 'name', 'version']) assert.equal(declared.ChartMetadata[key], false, key)
    const dependencyKeys = Object.keys(md.dependencies[0]).sort()
    const declaredDependency = dts.match(/^export interface ChartDependency \{\n([\s\S]*?)^\}/m)[1]
    const dependencyFields = [...declaredDependency.matchAll(/^ {2}'?([\w-]+)'?\??: /gm)].map((m) => m[1]).sort()
    assert.deepStrictEqual(dependencyFields, dependencyKeys)
    assert.deepStrictEqual(Object.keys(declared.ChartMaintainer).sort(), Object.keys(md.maintainers[0]).sort())
  })

  it('ChartLintInput and ChangeCause have the keys their conversions accept', () => {
    const accepted = (call) => {
      try {
        call()
      } catch (err) {
        return [...err.message.split('expected one of ')[1].matchAll(/`(\w+)`/g)].map((m) => m[1]).sort()
      }
      throw new Error('an unknown key was accepted')
    }
    assert.deepStrictEqual(Object.keys(declared.ChartLintInput).sort(), accepted(() => shiprail.lintChart({ nope: 1 })))
    assert.deepStrictEqual(
      Object.keys(declared.ChangeCause).sort(),
      accepted(() => shiprail.renderChangeCause({ service: 'd', nope: 1 })),
    )
    assert.equal(declared.ChangeCause.service, false, 'service is required')
  })

  it('ServiceRules, PatternSpec and PromoteRequestInput have the keys their conversions accept', () => {
    const accepted = (call) => {
      try {
        call()
      } catch (err) {
        return [...err.message.split('expected one of ')[1].matchAll(/`(\w+)`/g)].map((m) => m[1]).sort()
      }
      throw new Error('an unknown key was accepted')
    }
    assert.deepStrictEqual(
      Object.keys(declared.ServiceRules).sort(),
      accepted(() => shiprail.AffectedMatcher.fromRules([{ name: 'a', nope: 1 }])),
    )
    assert.equal(declared.ServiceRules.name, false, 'name is required')
    const rules = shiprail.affectedRules(shiprail.Config.loadSync(SAMPLE_CONFIG))
    assert.deepStrictEqual(Object.keys(declared.ServiceRules).sort(), Object.keys(rules[0]).sort())
    assert.deepStrictEqual(Object.keys(declared.PatternSpec).sort(), Object.keys(rules[0].include[0]).sort())
    const request = new shiprail.PromotionPolicy({ namespace: 'prod' }).request('r.io/delivery:v1.0.2')
    assert.deepStrictEqual(Object.keys(declared.PromoteRequestInput).sort(), Object.keys(request).sort())
    for (const key of ['source', 'destination']) assert.equal(declared.PromoteRequestInput[key], false, `${key} is required`)
  })

  it('PlanEvent has the keys the plan event conversion accepts', () => {
    let err
    try {
      new shiprail.Config().plan({ kind: 'push', ref: 'main', nope: 1 })
    } catch (e) {
      err = e
    }
    assert.equal(err.code, 'invalid_event')
    const accepted = [...err.message.split('expected one of ')[1].matchAll(/`(\w+)`/g)].map((m) => m[1]).sort()
    assert.deepStrictEqual(Object.keys(declared.PlanEvent).sort(), accepted)
    for (const key of ['kind', 'ref']) assert.equal(declared.PlanEvent[key], false, `${key} is required`)
  })

  it('the plan and state interfaces have the keys of the objects returned', () => {
    const config = shiprail.Config.loadSync(SAMPLE_CONFIG)
    const plan = config.plan({ kind: 'push', ref: 'release/delivery/v1.0.2', commit: 'abc' })
    const same = (object, iface) => assert.deepStrictEqual(Object.keys(object).sort(), Object.keys(declared[iface]).sort(), iface)
    const doc = plan.toJSON()
    same(doc, 'PlanDocument')
    same(doc.event, 'PlanEventSummary')
    same(doc.branch, 'PlanBranch')
    same(doc.release, 'PlanRelease')
    same(doc.services[0], 'ServicePlan')
    same(doc.services[0].stages[1], 'PlanStage')
    const deploy = plan.step('delivery/prod/deploy')
    same(deploy, 'PlanStep')
    same(deploy.inputs, 'StepInputs')
    same(deploy.gates[0], 'PlanGate')
    same(plan.outline(), 'PlanOutline')
    same(plan.ciVariables('github')[0], 'CiVariable')
    const state = new shiprail.ReleaseState(plan, { author: 'alice' })
    same(state.toJSON(), 'ReleaseStateDocument')
    same(state.audit()[0], 'AuditEntry')
    same(state.next(), 'NextSteps')
    same(state.next().steps[0], 'StepState')
    same(state.rollbackPlan('prod'), 'RollbackPlan')
  })

  it('RegistryCredentials has the keys a client accepts', () => {
    const keys = Object.keys(declared.RegistryCredentials).sort()
    assert.deepStrictEqual(keys, ['password', 'token', 'username'])
    const client = new shiprail.RegistryClient({
      credentials: { 'a.io': { username: 'u', password: 'p' }, 'b.io': { token: 't' }, 'c.io': {} },
    })
    assert.ok(client instanceof shiprail.RegistryClient)
    const err = (() => {
      try {
        return new shiprail.RegistryClient({ credentials: { 'a.io': { user: 'u' } } })
      } catch (e) {
        return e
      }
    })()
    assert.equal(err.code, 'config_syntax')
  })

  it('ArchiveLimits has the keys of the core limits', () => {
    assert.deepStrictEqual(Object.keys(declared.ArchiveLimits).sort(), Object.keys(shiprail.ChartArchive.defaultLimits()).sort())
  })

  it('declares exactly the runtime exports', () => {
    const names = new Set()
    for (const m of dts.matchAll(/^export declare (?:const|function|class) (\w+)/gm)) names.add(m[1])
    const runtime = Object.keys(shiprail).filter((k) => k !== 'Bump')
    assert.deepStrictEqual([...names].sort(), runtime.sort())
  })

  it('describes the sections a loaded Config returns', () => {
    const config = shiprail.Config.loadSync(SAMPLE_CONFIG)
    const doc = config.toJSON()
    const keysOf = (object) => Object.keys(object).sort()
    const within = (object, iface) =>
      assert.deepStrictEqual(
        keysOf(object).filter((k) => !(k in declared[iface])),
        [],
        `${iface} lacks keys of ${JSON.stringify(object)}`,
      )
    within(doc, 'ConfigDocument')
    within(config.versioning, 'VersionPolicy')
    within(config.tags, 'TagPolicy')
    within(config.branches, 'BranchRules')
    within(config.promotion, 'PromotionSection')
    for (const service of Object.values(config.services)) within(service, 'ServiceConfig')
    for (const env of Object.values(config.environments)) {
      within(env, 'EnvironmentConfig')
      if (env.approval) within(env.approval, 'ApprovalConfig')
    }
    within(config.pipelines, 'PipelinesSection')
    for (const kind of Object.values(config.pipelines.kinds)) within(kind, 'PipelineKindConfig')
    for (const rule of config.pipelines.rules) within(rule, 'PipelineRuleConfig')
  })
})
