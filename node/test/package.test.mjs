// The npm package as a user gets it: `npm pack`, installed into an empty project, then required
// (CommonJS), imported (ESM), type-checked (TypeScript against the packed index.d.ts) and used by
// the release example.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { PACKAGE_DIR, REPO_ROOT, SAMPLE_CONFIG } from './helpers.mjs'

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** The typed examples (TypeScript, or JavaScript with `// @ts-check`). */
const EXAMPLES = ['release-plan.ts', 'pipeline-runs.mjs', 'chart-package.mjs', 'affected-matrix.mjs', 'release-gate.mjs']

/** Runs git in `repo` with a fixed identity. */
function git(repo, ...args) {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' })
}

function run(cmd, args, cwd, extra = {}) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...extra })
}

describe('npm package', () => {
  let project
  let files

  before(() => {
    const work = mkdtempSync(join(tmpdir(), 'shiprail-pack-'))
    const [packed] = JSON.parse(run(NPM, ['pack', '--json', '--pack-destination', work], PACKAGE_DIR))
    files = packed.files.map((f) => f.path).sort()
    project = join(work, 'project')
    run('mkdir', ['-p', project], work)
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }))
    run(NPM, ['install', '--offline', '--no-audit', '--no-fund', join(work, packed.filename)], project)
  })

  it('packs the loader, the ESM entry, the types and the addon, and nothing else', () => {
    const addon = files.filter((f) => f.endsWith('.node'))
    assert.equal(addon.length, 1)
    assert.deepStrictEqual(
      files.filter((f) => !f.endsWith('.node')),
      ['index.d.ts', 'index.js', 'index.mjs', 'package.json'],
    )
    assert.deepStrictEqual(readdirSync(join(project, 'node_modules')).filter((d) => !d.startsWith('.')), ['shiprail'])
  })

  it('can be required', () => {
    const out = run(process.execPath, ['-e', "const s = require('shiprail'); console.log(s.classifyBranch('release/delivery/v1.0.2').version, s.ERROR_CODES.length)"], project)
    assert.match(out, /^1\.0\.2 \d+\n$/)
  })

  it('can be imported, by name and as default', () => {
    const code = "import shiprail, { Config, ReleaseVersion } from 'shiprail'; console.log(new ReleaseVersion('v2.0.0').toString(), typeof Config.load, shiprail.Config === Config)"
    assert.equal(run(process.execPath, ['--input-type=module', '-e', code], project), '2.0.0 function true\n')
  })

  it('type-checks the typed examples against the packed types', () => {
    for (const example of EXAMPLES) {
      copyFileSync(join(REPO_ROOT, 'examples', 'node', example), join(project, example))
    }
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          allowJs: true,
          checkJs: true,
          typeRoots: [join(PACKAGE_DIR, 'node_modules', '@types')],
          types: ['node'],
        },
        files: EXAMPLES,
      }),
    )
    run(process.execPath, [join(PACKAGE_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project)
  })

  it('runs the release example', () => {
    copyFileSync(join(REPO_ROOT, 'examples', 'node', 'release-info.mjs'), join(project, 'release-info.mjs'))
    const out = JSON.parse(run(process.execPath, ['release-info.mjs', 'release/delivery/v1.0.2', SAMPLE_CONFIG], project))
    assert.equal(out.service, 'delivery')
    assert.equal(out.version, '1.0.2')
    assert.equal(out.gitTag, 'delivery-v1.0.2')
    assert.equal(out.image, 'myrepo.azurecr.io/delivery:v1.0.2')
    assert.deepStrictEqual(
      out.promotions.map((p) => [p.environment, p.target]),
      [
        ['prod', 'myrepo.azurecr.io/prod/delivery:v1.0.2'],
        ['staging', 'myrepo.azurecr.io/prod/delivery:v1.0.2'],
      ],
    )
  })

  it('runs the pipeline example as a GitHub Actions step', () => {
    copyFileSync(join(REPO_ROOT, 'examples', 'node', 'pipeline-runs.mjs'), join(project, 'pipeline-runs.mjs'))
    const sample = join(REPO_ROOT, 'examples', 'drone-delivery')
    const work = mkdtempSync(join(tmpdir(), 'shiprail-step-'))
    const changed = join(work, 'changed.txt')
    const output = join(work, 'github-output')
    writeFileSync(changed, 'M\tsrc/shipping/delivery/Program.cs\nA\tdocs/delivery.md\n')
    writeFileSync(output, '')
    const services = ['delivery', 'package', 'workflow']
    const files = services.map((s) => join(sample, 'pipelines', 'azure', `${s}.yml`))
    const env = {
      ...process.env,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/release/delivery/v1.0.2',
      GITHUB_OUTPUT: output,
    }
    const out = run(process.execPath, ['pipeline-runs.mjs', '--changed', changed, ...files], project, { env })
    const lines = out.trim().split('\n').map((l) => JSON.parse(l))
    assert.deepStrictEqual(
      lines.map((l) => [l.dialect, l.run]),
      [
        ['azure', true],
        ['azure', false],
        ['azure', false],
      ],
    )
    assert.match(lines[0].reason, /release\/delivery\/v\*/)
    assert.equal(readFileSync(output, 'utf8'), 'delivery=true\npackage=false\nworkflow=false\n')

    const pr = { ...env, GITHUB_EVENT_NAME: 'pull_request', GITHUB_HEAD_REF: 'feature/package/x', GITHUB_BASE_REF: 'master' }
    const workflow = join(sample, '.github', 'workflows', 'package.yml')
    const decision = JSON.parse(run(process.execPath, ['pipeline-runs.mjs', workflow], project, { env: pr }))
    assert.deepStrictEqual([decision.dialect, decision.run], ['github', true])
  })

  it('runs the chart example: packages, checks and names a release', () => {
    copyFileSync(join(REPO_ROOT, 'examples', 'node', 'chart-package.mjs'), join(project, 'chart-package.mjs'))
    const work = mkdtempSync(join(tmpdir(), 'shiprail-chart-'))
    const tags = join(work, 'tags.txt')
    writeFileSync(tags, 'delivery-v0.1.0\ndelivery-v1.0.1\npackage-v3.0.0\n')
    const dist = join(work, 'dist')
    const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000' }
    const args = ['chart-package.mjs', 'release/delivery/v1.0.2', SAMPLE_CONFIG, dist, tags]
    const out = JSON.parse(run(process.execPath, args, project, { env }))
    assert.deepStrictEqual([out.fileName, out.version, out.appVersion], ['delivery-1.0.2.tgz', '1.0.2', '1.0.2'])
    assert.equal(out.path, join(dist, 'delivery-1.0.2.tgz'))
    assert.equal(out.digest, `sha256:${createHash('sha256').update(readFileSync(out.path)).digest('hex')}`)
    assert.equal(out.metadata.appVersion, '1.0.2')
    assert.deepStrictEqual(
      out.deployments.find((d) => d.environment === 'prod'),
      { environment: 'prod', release: 'delivery-v1-0-2-prod', changeCause: 'delivery v1.0.2 to prod from release/delivery/v1.0.2' },
    )
    assert.equal(JSON.parse(run(process.execPath, args, project, { env })).sha256, out.sha256, 'reproducible')

    let failure
    try {
      run(process.execPath, ['chart-package.mjs', 'release/delivery/v1.0.1', SAMPLE_CONFIG, dist, tags], project)
    } catch (err) {
      failure = err
    }
    assert.ok(failure, 'an already released version should fail')
    assert.equal(failure.status, 1)
    assert.match(failure.stderr, /^error\[version_not_higher\]: /)
    assert.deepStrictEqual(readdirSync(dist), ['delivery-1.0.2.tgz'])
  })

  it('runs the affected-services matrix example as a GitHub Actions step', () => {
    copyFileSync(join(REPO_ROOT, 'examples', 'node', 'affected-matrix.mjs'), join(project, 'affected-matrix.mjs'))
    // The monorepo as CI checks it out: a clone, so `origin/main` exists.
    const work = mkdtempSync(join(tmpdir(), 'shiprail-matrix-'))
    const upstream = join(work, 'upstream')
    mkdirSync(upstream)
    git(upstream, 'init', '-q', '-b', 'main')
    copyFileSync(SAMPLE_CONFIG, join(upstream, 'shiprail.yaml'))
    const put = (repo, path) => {
      mkdirSync(dirname(join(repo, path)), { recursive: true })
      writeFileSync(join(repo, path), `${path}\n`)
    }
    for (const service of ['delivery', 'package', 'workflow']) put(upstream, `src/shipping/${service}/Program.cs`)
    git(upstream, 'add', '-A')
    git(upstream, 'commit', '-q', '-m', 'initial')
    const repo = join(work, 'repo')
    git(work, 'clone', '-q', upstream, repo)
    git(repo, 'checkout', '-q', '-b', 'feature/delivery/retry')
    put(repo, 'src/shipping/delivery/Retry.cs')
    put(repo, 'src/shipping/package/README.md')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'retry')
    const head = git(repo, 'rev-parse', 'HEAD').trim()
    const before = git(repo, 'rev-parse', 'HEAD~1').trim()

    const output = join(work, 'github-output')
    const step = (extra) => {
      writeFileSync(output, '')
      const env = { ...process.env, GITHUB_OUTPUT: output, GITHUB_SHA: head, ...extra }
      const args = ['affected-matrix.mjs', '--config', join(repo, 'shiprail.yaml'), '--explain']
      return JSON.parse(run(process.execPath, args, project, { env }))
    }
    const matrix = {
      include: [
        { service: 'delivery', image: 'myrepo.azurecr.io/delivery', chart: 'charts/delivery' },
        { service: 'workflow', image: 'myrepo.azurecr.io/workflow', chart: 'charts/workflow' },
      ],
    }

    const pr = step({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main' })
    assert.deepStrictEqual([pr.compared, pr.changed, pr.services], [`origin/main...${head}`, 2, ['delivery', 'workflow']])
    assert.deepStrictEqual(pr.matrix, matrix)
    assert.deepStrictEqual(pr.explain[1].via, ['delivery'])
    assert.equal(
      readFileSync(output, 'utf8'),
      `matrix=${JSON.stringify(matrix)}\nservices=["delivery","workflow"]\nany=true\n`,
    )

    const event = join(work, 'event.json')
    writeFileSync(event, JSON.stringify({ before, created: false }))
    const push = step({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event })
    assert.deepStrictEqual([push.compared, push.services], [`${before}..${head}`, ['delivery', 'workflow']])

    writeFileSync(event, JSON.stringify({ before: '0'.repeat(40), created: true, repository: { default_branch: 'main' } }))
    const created = step({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event })
    assert.deepStrictEqual([created.compared, created.services], [`origin/main...${head}`, ['delivery', 'workflow']])

    const changed = join(work, 'changed.txt')
    writeFileSync(changed, 'M\tsrc/shipping/package/README.md\n')
    const none = JSON.parse(
      run(process.execPath, ['affected-matrix.mjs', '--config', join(repo, 'shiprail.yaml'), '--changed', changed], project, {
        env: { ...process.env, GITHUB_OUTPUT: output },
      }),
    )
    assert.deepStrictEqual([none.services, none.matrix], [[], { include: [] }])
    assert.match(readFileSync(output, 'utf8'), /any=false\n$/)

    const manual = step({ GITHUB_EVENT_NAME: 'workflow_dispatch' })
    assert.equal(manual.services.length, 5)

    let failure
    try {
      step({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'no-such-branch' })
    } catch (err) {
      failure = err
    }
    assert.ok(failure, 'an unknown base branch should fail')
    assert.equal(failure.status, 1)
    assert.match(failure.stderr, /^error\[git\]: unknown revision `origin\/no-such-branch`/)
  })

  it('runs the release-gate example: plan, state, records, and production refused without approval', () => {
    copyFileSync(join(REPO_ROOT, 'examples', 'node', 'release-gate.mjs'), join(project, 'release-gate.mjs'))
    const work = mkdtempSync(join(tmpdir(), 'shiprail-gate-'))
    const [plan, state, outputs] = ['plan.json', 'state.json', 'outputs'].map((f) => join(work, f))
    const env = { ...process.env, GITHUB_OUTPUT: outputs, GITHUB_ACTOR: 'ci' }
    const gate = (...args) => run(process.execPath, ['release-gate.mjs', ...args, '--state', state], project, { env })
    const ref = 'release/delivery/v1.0.2'
    run(process.execPath, ['release-gate.mjs', 'plan', '--config', SAMPLE_CONFIG, '--ref', ref, '--save', plan], project, { env })
    assert.ok(readFileSync(outputs, 'utf8').includes('\nimage_tag=v1.0.2\n'))
    assert.deepStrictEqual(JSON.parse(gate('init', '--plan', plan, '--author', 'alice')).ready, ['delivery/ci/build', 'delivery/ci/chart_package'])
    const digest = `sha256:${'a'.repeat(64)}`
    // Run whatever is ready until production waits for its approval.
    for (let ready = ['start']; ready.length > 0; ) {
      ready = JSON.parse(gate('next')).ready
      for (const id of ready) {
        const [, stage, action] = id.split('/')
        if (action === 'promote' || action === 'deploy') gate(action, '--env', stage, '--digest', digest)
        else gate('gate', '--step', id, ...(action === 'image_push' ? ['--digest', digest] : []))
      }
    }
    let refused = null
    try {
      gate('deploy', '--env', 'prod', '--digest', digest)
    } catch (err) {
      refused = err
    }
    assert.equal(refused?.status, 1)
    assert.match(refused.stderr, /^error\[approval_missing\]: /)
    gate('approve', '--env', 'prod', '--digest', digest, '--by', 'bob')
    assert.deepStrictEqual(JSON.parse(gate('deploy', '--env', 'prod', '--digest', digest)).ready, ['delivery/prod/verify'])
    assert.equal(JSON.parse(gate('gate', '--step', 'prod/verify')).complete, true)
  })

  it('reports a bad branch from the example with its code and exit status 1', () => {
    let failure
    try {
      run(process.execPath, ['release-info.mjs', 'feature/delivery/retry', SAMPLE_CONFIG], project)
    } catch (err) {
      failure = err
    }
    assert.ok(failure, 'the example should fail')
    assert.equal(failure.status, 1)
    assert.match(failure.stderr, /^error\[not_a_release_branch\]: `feature\/delivery\/retry` is a feature branch/)
  })
})
