// The Node API beyond the conformance vectors: classes, batch calls, Config, async loading,
// sections passed back as policies, constants.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { shiprail as s, REPO_ROOT, SAMPLE_CONFIG, thrown } from './helpers.mjs'

const SERVICES = ['delivery', 'dronescheduler', 'ingestion', 'package', 'workflow']

describe('ReleaseVersion', () => {
  it('parses, normalises and exposes its parts', () => {
    const v = new s.ReleaseVersion('v1.2.3-rc.1+sha.abc1234')
    assert.equal(v.toString(), '1.2.3-rc.1+sha.abc1234')
    assert.equal(JSON.stringify({ v }), '{"v":"1.2.3-rc.1+sha.abc1234"}')
    assert.deepStrictEqual([v.major, v.minor, v.patch, v.prerelease, v.build], [1, 2, 3, 'rc.1', 'sha.abc1234'])
    assert.equal(v.isPrerelease, true)
    assert.equal(v.withV(), 'v1.2.3-rc.1+sha.abc1234')
    assert.equal(v.base().toString(), '1.2.3')
    assert.equal(v.withoutBuild().toString(), '1.2.3-rc.1')
    assert.equal(v.nextPrerelease('rc').toString(), '1.2.3-rc.2')
    assert.equal(v.bump('patch').toString(), '1.2.3')
    assert.equal(new s.ReleaseVersion('1.0.2').withCommit('ABCDEF0').toString(), '1.0.2+sha.abcdef0')
    assert.equal(new s.ReleaseVersion('1.0.2').withBuild('build.5').build, 'build.5')
  })

  it('applies a policy when parsed through ReleaseVersion.parse', () => {
    assert.equal(s.ReleaseVersion.parse('v1.0.2').toString(), '1.0.2')
    const err = thrown(() => s.ReleaseVersion.parse('1.0.2', { v_prefix: 'require' }))
    assert.equal(err.code, 'invalid_version')
    assert.equal(err.suggestion, 'v1.0.2')
  })

  it('compares by precedence, then build metadata', () => {
    const a = new s.ReleaseVersion('1.0.2+a')
    const b = new s.ReleaseVersion('1.0.2+b')
    assert.equal(a.comparePrecedence(b), 0)
    assert.equal(a.compare(b), -1)
    assert.equal(b.compare(a), 1)
    assert.equal(a.equals(new s.ReleaseVersion('v1.0.2+a')), true)
    const sorted = ['1.0.10', '1.0.2', '1.0.3-rc.1'].map((t) => new s.ReleaseVersion(t)).sort((x, y) => x.compare(y))
    assert.deepStrictEqual(sorted.map(String), ['1.0.2', '1.0.3-rc.1', '1.0.10'])
    assert.equal(s.compareVersions('1.0.10', 'v1.0.2'), 1)
  })
})

describe('version functions', () => {
  it('parses and sorts many versions in one call', () => {
    const items = s.parseVersions(['v1.0.2', 'nope', '2.0.0'])
    assert.deepStrictEqual(
      items.map((i) => [i.input, i.version, i.error?.code ?? null]),
      [
        ['v1.0.2', '1.0.2', null],
        ['nope', null, 'invalid_version'],
        ['2.0.0', '2.0.0', null],
      ],
    )
    assert.deepStrictEqual(s.sortVersions(['v1.0.10', '1.0.2', '1.0.2-rc.1']), ['1.0.2-rc.1', '1.0.2', '1.0.10'])
    assert.equal(thrown(() => s.sortVersions(['1.0.0', 'x'])).code, 'invalid_version')
  })

  it('computes bumps and the next version', () => {
    assert.equal(s.bumpForCommit('feat: retries'), 'minor')
    assert.equal(s.bumpForCommit('tweak things', { other: 'patch' }), 'patch')
    assert.equal(s.effectiveBump('0.3.0', 'major'), 'minor')
    assert.deepStrictEqual(s.nextVersion(['0.1.0'], ['fix: x']), { current: '0.1.0', bump: 'patch', next: '0.1.1' })
    assert.deepStrictEqual(s.nextVersion(['1.0.2'], ['feat: y'], { prerelease: true }), {
      current: '1.0.2',
      bump: 'minor',
      next: '1.1.0-rc.0',
    })
    assert.deepStrictEqual([...s.BUMP_LEVELS], ['none', 'patch', 'minor', 'major'])
  })
})

describe('branches', () => {
  it('classifies many refs in one call', () => {
    const items = s.classifyBranches(['main', 'refs/heads/feature/delivery/retry', 'refs/tags/v1'], { services: SERVICES })
    assert.deepStrictEqual(
      items.map((i) => i.branch?.kind ?? i.error.code),
      ['trunk', 'feature', 'not_a_branch'],
    )
    assert.equal(items[1].branch.topic, 'retry')
  })

  it('renders branches and reads kind patterns', () => {
    assert.equal(s.renderBranch('feature', { service: 'delivery', topic: 'retry' }), 'feature/delivery/retry')
    assert.equal(s.renderBranch('trunk'), 'main')
    assert.equal(s.releaseBranch('delivery', 'v1.0.2'), 'release/delivery/v1.0.2')
    const rules = { kinds: { hotfix: 'hotfix/{service}/v{version}' } }
    assert.deepStrictEqual(s.branchKindPattern('hotfix', rules), {
      pattern: 'hotfix/{service}/v{version}',
      releaseLike: true,
      hasService: true,
      hasTopic: false,
    })
    assert.equal(s.branchKindPattern('trunk'), null)
    assert.equal(s.classifyBranch('hotfix/delivery/v1.0.3', { rules }).kind, 'hotfix')
    assert.deepStrictEqual(s.validateBranchRules(rules).kinds.hotfix, 'hotfix/{service}/v{version}')
  })
})

describe('tags', () => {
  it('works with a TagTemplate', () => {
    const t = new s.TagTemplate('{service}/v{version}')
    assert.equal(t.hasService, true)
    assert.equal(t.render('delivery', 'v1.0.2'), 'delivery/v1.0.2')
    assert.deepStrictEqual(t.parse('delivery/v1.0.2'), { service: 'delivery', version: '1.0.2' })
    assert.equal(t.parse('nope'), null)
    assert.equal(t.parseForService('delivery/v1.0.2', 'delivery'), '1.0.2')
    assert.equal(t.parseForService('delivery/v1.0.2', 'package'), null)
    assert.equal(`${t}`, '{service}/v{version}')
  })

  it('derives, attributes and collects tags', () => {
    assert.deepStrictEqual(s.deriveTags('delivery', '1.0.2+build.5'), {
      version: '1.0.2+build.5',
      imageTag: 'v1.0.2_build.5',
      chartVersion: '1.0.2+build.5',
      appVersion: '1.0.2+build.5',
      gitTag: 'delivery-v1.0.2+build.5',
      chartOciTag: '1.0.2_build.5',
    })
    const items = s.attributeTags(['delivery-v1.0.2', 'latest', 'delivry-v1.0.0'], SERVICES)
    assert.deepStrictEqual(
      items.map((i) => i.attribution ?? i.error.code),
      [{ service: 'delivery', version: '1.0.2' }, 'mutable_tag', 'unknown_service'],
    )
    assert.equal(items[2].error.suggestion, 'delivery')
    assert.deepStrictEqual(s.releasedVersions('delivery', ['delivery-v1.0.2', 'package-v3.0.0', 'delivery-v0.9.0'], SERVICES), [
      '0.9.0',
      '1.0.2',
    ])
    assert.equal(s.chartVersionFromOciTag(s.chartOciTag('1.0.2+b.1')), '1.0.2+b.1')
  })
})

describe('images', () => {
  it('works with an ImageReference', () => {
    const image = new s.ImageReference('myrepo.azurecr.io/delivery:v1.0.2')
    assert.deepStrictEqual(
      [image.registry, image.repository, image.name, image.namespace, image.tag, image.digest, image.fullName, image.familiar],
      ['myrepo.azurecr.io', 'delivery', 'delivery', '', 'v1.0.2', null, 'myrepo.azurecr.io/delivery', 'myrepo.azurecr.io/delivery:v1.0.2'],
    )
    const digest = `sha256:${'a'.repeat(64)}`
    const pinned = image.withDigest(digest)
    assert.equal(pinned.promotionTarget('prod').toString(), `myrepo.azurecr.io/prod/delivery:v1.0.2@${digest}`)
    assert.equal(pinned.withoutDigest().equals(image), true)
    assert.equal(image.withTag('v1.0.3').withoutTag().toString(), 'myrepo.azurecr.io/delivery')
    assert.equal(image.withRepository('team/delivery').toString(), 'myrepo.azurecr.io/team/delivery:v1.0.2')
    assert.equal(JSON.stringify([image]), '["myrepo.azurecr.io/delivery:v1.0.2"]')
    assert.deepStrictEqual(image.parts(), s.parseImage('myrepo.azurecr.io/delivery:v1.0.2'))
    assert.equal(thrown(() => image.promotionTarget('prod', '{registry}/{name}')).code, 'invalid_template')
  })

  it('parses many references in one call', () => {
    const items = s.parseImages(['ubuntu', 'Bad Ref'])
    assert.equal(items[0].image.full, 'docker.io/library/ubuntu')
    assert.equal(items[1].error.code, 'invalid_image_reference')
    assert.equal(s.validatePromotionTemplate(s.DEFAULT_PROMOTION_TEMPLATE), '{registry}/{namespace}/{name}:{tag}')
    assert.equal(s.DOCKER_HUB, 'docker.io')
    assert.ok(s.MAX_NAME_LEN > 0 && s.MAX_TAG_LEN === 128)
  })
})

describe('Config', () => {
  it('loads asynchronously and synchronously to the same configuration', async () => {
    const loaded = await s.Config.load(SAMPLE_CONFIG)
    assert.ok(loaded instanceof s.Config)
    assert.deepStrictEqual(loaded.toJSON(), s.Config.loadSync(SAMPLE_CONFIG).toJSON())
    const text = readFileSync(SAMPLE_CONFIG, 'utf8')
    assert.deepStrictEqual(s.Config.fromYaml(text).toJSON(), loaded.toJSON())
    assert.deepStrictEqual(s.Config.fromYamlBytes(Buffer.from(text)).toJSON(), loaded.toJSON())
  })

  it('loads many files concurrently off the main thread', async () => {
    const configs = await Promise.all(Array.from({ length: 8 }, () => s.Config.load(SAMPLE_CONFIG)))
    assert.ok(configs.every((c) => c.serviceNames().length === 5))
  })

  it('answers the release questions', () => {
    const config = s.Config.loadSync(SAMPLE_CONFIG)
    assert.deepStrictEqual(config.serviceNames(), SERVICES)
    assert.equal(config.registry, 'myrepo.azurecr.io')
    assert.equal(config.imageRepository('delivery'), 'myrepo.azurecr.io/delivery')
    assert.deepStrictEqual(config.serviceDependencies('workflow'), ['delivery'])
    assert.deepStrictEqual(config.service('workflow').depends_on, ['libs/common/**', { service: 'delivery' }])
    assert.equal(config.environment('staging').registry_namespace, 'prod')
    assert.equal(config.classifyBranch('feature/delivery/retry').service, 'delivery')
    assert.equal(config.classifyBranches(['feature/delivry/x'])[0].error.suggestion, 'feature/delivery/x')
    const release = config.releaseForBranch('release/delivery/v1.0.2')
    assert.equal(release.gitTag, 'delivery-v1.0.2')
    assert.equal(release.branch.kind, 'release')
    assert.deepStrictEqual(config.promotionTarget('myrepo.azurecr.io/delivery:v1.0.2', 'staging'), {
      source: 'myrepo.azurecr.io/delivery:v1.0.2',
      target: 'myrepo.azurecr.io/prod/delivery:v1.0.2',
      environment: 'staging',
      namespace: 'prod',
    })
    const next = config.nextVersion('delivery', ['delivery-v1.0.2', 'package-v9.0.0'], ['feat: eta'])
    assert.deepStrictEqual([next.service, next.current, next.bump, next.next, next.tags.gitTag], [
      'delivery',
      '1.0.2',
      'minor',
      '1.1.0',
      'delivery-v1.1.0',
    ])
    assert.equal(config.nextVersion('delivery', ['delivery-v1.0.2'], ['docs: x']).tags, null)
    assert.equal(thrown(() => config.nextVersion('delivry', [], [])).code, 'unknown_service')
  })

  it('gives sections that pass back as policies', () => {
    const config = new s.Config()
    assert.deepStrictEqual(config.serviceNames(), [])
    assert.equal(config.registry, null)
    assert.deepStrictEqual(s.validateVersionPolicy(config.versioning), config.versioning)
    assert.deepStrictEqual(s.validateTagPolicy(config.tags), config.tags)
    assert.deepStrictEqual(s.validateBranchRules(config.branches), config.branches)
    assert.equal(s.releaseBranch('delivery', '1.0.2', config.branches), 'release/delivery/v1.0.2')
    assert.equal(config.releaseForBranch('release/anything/v2.0.0').service, 'anything')
    assert.equal(s.Config.jsonSchema().title, 'shiprail.yaml')
    assert.equal(s.FILE_NAME, 'shiprail.yaml')
    assert.ok(s.MAX_FILE_SIZE >= 1 << 20)
  })
})

describe('triggers', () => {
  const SAMPLE = join(REPO_ROOT, 'examples', 'drone-delivery')
  const azureFile = (service) => join(SAMPLE, 'pipelines', 'azure', `${service}.yml`)
  const githubFile = (service) => join(SAMPLE, '.github', 'workflows', `${service}.yml`)
  const push = (ref, ...changed) => ({ kind: 'push', ref, changed })

  it('loads pipelines of both dialects, detected or named, off the main thread', async () => {
    const [azure, github] = await Promise.all([s.Pipeline.load(azureFile('delivery')), s.Pipeline.load(githubFile('delivery'))])
    assert.ok(azure instanceof s.Pipeline)
    assert.deepStrictEqual([azure.dialect, github.dialect], ['azure', 'github'])
    assert.equal(s.Pipeline.loadSync(githubFile('delivery'), { dialect: 'github' }).dialect, 'github')
    assert.deepStrictEqual(github.events, ['push', 'pull_request'])
    assert.equal(azure.events, null)
    assert.equal(github.azureOptions, null)
    assert.equal(azure.azureOptions.repository, 'github')
    assert.equal(s.detectDialect('.github/workflows/ci.yml', ''), 'github')
    assert.equal(s.detectDialect('ci.yml', 'on: push\n'), 'github')
    assert.equal(s.detectDialect('azure-pipelines.yml', 'trigger: none\n'), 'azure')
  })

  it('decides with a reason and a trace, the same in both dialects for the sample', () => {
    for (const load of [azureFile, githubFile]) {
      const pipeline = s.Pipeline.loadSync(load('delivery'))
      const mine = pipeline.evaluate(push('release/delivery/v1.0.2', 'src/shipping/delivery/Program.cs'))
      assert.equal(mine.run, true, mine.reason)
      assert.ok(mine.reason.length > 0)
      assert.ok(mine.explain.length > 0)
      for (const step of mine.explain) {
        assert.deepStrictEqual(Object.keys(step).sort(), ['filter', 'outcome', 'pattern', 'rule', 'subject'])
      }
      assert.equal(pipeline.evaluate(push('release/delivery/v1.0.2', 'src/shipping/package/a.js')).run, false)
      const pr = { kind: 'pull_request', ref: 'feature/delivery/retry', baseRef: 'master', changed: ['src/shipping/delivery/a.cs'] }
      assert.equal(pipeline.evaluate(pr).run, true)
      assert.equal(pipeline.evaluate({ kind: 'manual', ref: 'master' }).run, pipeline.dialect === 'azure')
    }
  })

  it('evaluates many events in one call, an invalid one included', () => {
    const pipeline = s.Pipeline.loadSync(azureFile('delivery'))
    const items = pipeline.evaluateEvents([
      push('master', 'src/shipping/delivery/a.cs'),
      push('master', 'README.md'),
      { ref: 'master' },
      { kind: 'pull_request', ref: 'feature/delivery/x' },
    ])
    assert.deepStrictEqual(
      items.map((i) => i.decision?.run ?? i.error.code),
      [true, false, 'invalid_event', 'invalid_event'],
    )
    assert.equal(items[0].error, null)
    assert.equal(items[2].decision, null)
    assert.equal(items[2].error.message, 'the event has no `kind`: expected push, pull_request, pull_request_target or manual')
  })

  it('reads git diff --name-status output into changed paths that pass back into an event', () => {
    const changed = s.parseChangedLines('M\tsrc/a.rs\nR087\tsrc/shipping/delivery/old.cs\tdocs/new.cs\nlibs/x\n')
    assert.deepStrictEqual(changed, [
      { path: 'src/a.rs', status: 'modified', previousPath: null },
      { path: 'docs/new.cs', status: 'renamed', previousPath: 'src/shipping/delivery/old.cs' },
      { path: 'libs/x', status: 'modified', previousPath: null },
    ])
    // Both sides of a rename count as changed: the old path is under the service.
    const pipeline = s.Pipeline.fromYaml('trigger:\n  paths:\n    include: [/src/shipping/delivery/]\n', { dialect: 'azure' })
    assert.equal(pipeline.evaluate({ kind: 'push', ref: 'main', changed }).run, true)
    assert.equal(pipeline.evaluate({ kind: 'push', ref: 'main', changed: [changed[0]] }).run, false)
  })

  it('applies Azure options', () => {
    const text = 'trigger:\n  branches:\n    include: [Main]\n'
    const exact = s.Pipeline.fromYaml(text, { dialect: 'azure' })
    const loose = s.Pipeline.fromYaml(text, { dialect: 'azure', azureOptions: { branch_case_insensitive: true } })
    assert.equal(exact.evaluate(push('main')).run, false)
    assert.equal(loose.evaluate(push('main')).run, true)
    assert.equal(loose.azureOptions.branch_case_insensitive, true)
    const err = thrown(() => s.Pipeline.fromYaml(text, { dialect: 'azure', azureOptions: { case_insensitive: true } }))
    assert.equal(err.code, 'config_syntax')
    assert.equal(thrown(() => s.Pipeline.fromYaml(text, { dialect: 'gitlab' })).code, 'invalid_pipeline')
  })

  it('lints against the configured branch rules, services and files', () => {
    const config = s.Config.loadSync(SAMPLE_CONFIG)
    const text = 'on:\n  push:\n    branches: [relase/delivery/v*]\n    paths: [src/shiping/**]\n'
    const findings = s.Pipeline.fromYaml(text, { dialect: 'github' }).lint({
      branchRules: config.branches,
      services: config.serviceNames(),
      repoPaths: ['src/shipping/delivery/Program.cs'],
    })
    assert.deepStrictEqual(
      findings.map((f) => [f.code, f.severity]),
      [
        ['unmatched_branch_pattern', 'error'],
        ['unmatched_path_pattern', 'warning'],
      ],
    )
    assert.deepStrictEqual(findings[0].location, { file: null, line: 3, column: 16 })
    assert.equal(findings[0].suggestion, 'release/delivery/v*')
    const clean = s.Pipeline.loadSync(githubFile('delivery')).lint({ services: config.serviceNames() })
    assert.deepStrictEqual(clean, [])
    // A loaded pipeline knows its file, and its findings name it.
    const loaded = s.Pipeline.loadSync(githubFile('delivery'))
    assert.equal(loaded.path, githubFile('delivery'))
    assert.equal(s.Pipeline.fromYaml(text, { dialect: 'github' }).path, null)
    const named = loaded.lint({ services: ['elsewhere'] })
    assert.ok(named.length > 0)
    for (const f of named) assert.equal(f.location.file, githubFile('delivery'))
    assert.equal(thrown(() => s.Pipeline.fromYaml(text, { dialect: 'github' }).lint({ branchRules: { kinds: 1 } })).code, 'config_syntax')
  })

  it('exposes the pattern language of each dialect', () => {
    assert.deepStrictEqual(s.githubPatternMatches('**/migrate-*.sql', ['migrate-1.sql', 'db/migrate-2.sql', 'x.sql']), [true, true, false])
    assert.deepStrictEqual(s.githubPatternMatches('!docs/**', ['docs/a.md']), [true])
    assert.equal(s.githubPatternToRegex('docs/**/*.md'), '(?s)^docs/(?:.*/)?[^/]*\\.md$')
    assert.equal(s.githubPatternAsGlob('**/migrate-*.sql'), '**/migrate-*.sql')
    assert.equal(s.githubPatternAsGlob('*.jsx?'), null)
    assert.equal(s.githubPatternEscape('a*b'), 'a\\*b')
    assert.deepStrictEqual(s.githubPatternMatches(s.githubPatternEscape('v1.0+b[1]'), ['v1.0+b[1]', 'v1.00+b1']), [true, false])
    assert.equal(s.githubSkipInstruction('Fix typo [skip ci]'), '[skip ci]')
    assert.equal(s.githubSkipInstruction('Fix typo'), null)
    assert.deepStrictEqual(s.azurePatternMatches('branch', 'releases/*', ['releases/2024/q1', 'refs/tags/releases/1']), [true, false])
    assert.deepStrictEqual(s.azurePatternMatches('tag', 'v1.*', ['refs/tags/v1.2', 'v1.2']), [true, false])
    assert.deepStrictEqual(s.azurePatternMatches('path', '/src/app', ['src/app/main.go', 'src/application/main.go']), [true, false])
    assert.deepStrictEqual(s.azurePatternMatches('path', 'src/*', ['src/a/b'], { path_star_crosses_slash: true }), [true])
    const err = thrown(() => s.azurePatternMatches('paths', 'src', []))
    assert.equal(err.code, 'invalid_pattern')
    assert.equal(err.message, 'unknown Azure filter list `paths`: expected branch, tag or path')
  })
})

describe('helpers', () => {
  it('splits git output and refs', () => {
    assert.deepStrictEqual(s.splitCommitMessages('feat: a\n\nbody\n\0fix: b\n\0'), ['feat: a\n\nbody', 'fix: b'])
    assert.deepStrictEqual(s.splitLines(' delivery-v1.0.2 \n\npackage-v1.0.0\n'), ['delivery-v1.0.2', 'package-v1.0.0'])
    assert.equal(s.fullRef('main'), 'refs/heads/main')
    assert.equal(s.fullRef('refs/tags/v1'), 'refs/tags/v1')
    assert.equal(s.parseEventKind('pr'), 'pull_request')
    assert.deepStrictEqual(s.matchPathGlob('src/shipping/delivery/**', ['src/shipping/delivery/a.cs', 'src/x']), [true, false])
    assert.match(s.version(), /^\d+\.\d+\.\d+/)
  })
})
