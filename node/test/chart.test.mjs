// Helm charts beyond the conformance vectors: files and archives (Promise and Sync variants
// alike), the classes, hostile archives, and the plain objects going in and out.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { shiprail as s, REPO_ROOT, thrown, tgz } from './helpers.mjs'

const CHARTS = join(REPO_ROOT, 'examples', 'drone-delivery', 'charts')
const DELIVERY = join(CHARTS, 'delivery')
const SERVICES = ['delivery', 'dronescheduler', 'ingestion', 'package', 'workflow']

const temp = () => mkdtempSync(join(tmpdir(), 'shiprail-node-chart-'))

/** A copy of an example chart in a fresh directory. */
function copyChart(name = 'delivery') {
  const dir = join(temp(), name)
  cpSync(join(CHARTS, name), dir, { recursive: true })
  return dir
}

/** The promise's rejection, checked to be the same error the sync variant throws. */
async function sameError(promise, sync) {
  const expected = thrown(sync)
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Error)
    for (const key of ['code', 'message', 'reason', 'input', 'file', 'line', 'column']) {
      assert.equal(err[key], expected[key], key)
    }
    return true
  })
  return expected
}

describe('Chart.yaml', () => {
  it('parses into the Chart.yaml form, unknown fields kept in order', () => {
    const text = 'apiVersion: v2\nname: delivery\nx-team: drones\nversion: 0.1.0\nappVersion: 1.10\nx-list: [1, true]\n'
    const md = s.parseChart(text)
    assert.deepStrictEqual(Object.keys(md), ['apiVersion', 'name', 'version', 'appVersion', 'x-team', 'x-list'])
    assert.equal(md.appVersion, '1.1')
    assert.deepStrictEqual(md['x-list'], [1, true])
    const file = new s.ChartFile(text)
    assert.deepStrictEqual(file.metadata, md)
    assert.equal(file.text, text)
    assert.equal(String(file), text)
    assert.equal(file.path, null)
    assert.equal(file.archiveName, 'delivery-0.1.0.tgz')
    assert.deepStrictEqual(file.locationOf('version'), { file: null, line: 4, column: 10 })
    assert.equal(file.locationOf('icon'), null)
    assert.equal(JSON.stringify(file), JSON.stringify(md))
  })

  it('validates like Helm loader, with the position', () => {
    const err = thrown(() => new s.ChartFile('name: c\nversion: 1.0.0-01\n').validate())
    assert.equal(err.code, 'invalid_chart')
    assert.deepStrictEqual([err.line, err.column], [2, 10])
    assert.equal(new s.ChartFile('name: c\nversion: 1.0.0\n').validate(), undefined)
  })

  it('loads files and bytes; errors name the file', async () => {
    const path = join(DELIVERY, 'Chart.yaml')
    const sync = s.ChartFile.loadSync(path)
    const loaded = await s.ChartFile.load(path)
    assert.equal(loaded.path, path)
    assert.deepStrictEqual(loaded.metadata, sync.metadata)
    assert.equal(loaded.metadata.name, 'delivery')
    const bytes = s.ChartFile.fromBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(path)]))
    assert.equal(bytes.text, readFileSync(path, 'utf8'))

    const bad = join(temp(), 'Chart.yaml')
    writeFileSync(bad, 'name: c\nkeywords: [a\n')
    const err = await sameError(s.ChartFile.load(bad), () => s.ChartFile.loadSync(bad))
    assert.equal(err.code, 'config_syntax')
    assert.equal(err.file, bad)
    assert.equal(thrown(() => s.ChartFile.fromBytes(Buffer.from('name: \xff\n', 'latin1'))).code, 'invalid_utf8')
  })
})

describe('chart lint', () => {
  it('reports findings with positions and an error to throw', () => {
    const report = s.lintChart(
      { chartYaml: 'apiVersion: v2\nname: delivery\nversion: 1.0.2\nappVersion: "1.0.2"\nicon: https://x.io/i.png\n', valuesYaml: 'image:\n  tag: latest\n' },
      { released: ['v1.0.2'] },
    )
    assert.equal(report.passed, false)
    assert.equal(report.passedStrict, false)
    assert.deepStrictEqual(
      report.findings.map((f) => [f.severity, f.rule, f.file, f.line]),
      [
        ['error', 'version_not_higher', 'Chart.yaml', 3],
        ['error', 'mutable_image_tag', 'values.yaml', 2],
      ],
    )
    assert.equal(report.errors, 2)
    assert.equal(report.error.code, 'version_not_higher')
    assert.match(report.error.message, /^2 lint errors: \[ERROR\] Chart\.yaml:3:10: /)
  })

  it('reads its input strictly', () => {
    let err = thrown(() => s.lintChart({ chart_yaml: 'name: c\n' }))
    assert.equal(err.code, 'invalid_chart')
    assert.match(err.message, /^invalid chart lint input: unknown field `chart_yaml`, expected one of `chartYaml`/)
    err = thrown(() => s.lintChart({ templates: 'folder' }))
    assert.equal(err.code, 'invalid_chart')
    assert.equal(thrown(() => s.lintChart({}, { released: ['1.0'] })).code, 'invalid_version')
    assert.equal(thrown(() => s.lintChart({}, { policy: { imag: 'v{version}' } })).code, 'config_syntax')
    assert.deepStrictEqual(
      s.lintChart({ templates: 'missing', valuesYaml: null }).findings.map((f) => f.rule),
      ['chart_yaml_missing', 'values_missing', 'templates_missing'],
    )
  })

  it('lints every example chart directory, the Promise and the Sync variant alike', async () => {
    for (const service of SERVICES) {
      const dir = join(CHARTS, service)
      const report = await s.lintChartDir(dir, { released: ['0.0.1'] })
      assert.deepStrictEqual(report, s.lintChartDirSync(dir, { released: ['0.0.1'] }))
      assert.equal(report.passed, true, JSON.stringify(report.findings))
      assert.equal(report.error, null)
    }
    const missing = join(temp(), 'nope')
    const err = await sameError(s.lintChartDir(missing), () => s.lintChartDirSync(missing))
    assert.equal(err.code, 'io')
  })

  it('lists its rules with severity, code and loader enforcement', () => {
    const rules = s.chartLintRules()
    const ids = rules.map((r) => r.id)
    assert.equal(new Set(ids).size, ids.length)
    assert.deepStrictEqual(rules.find((r) => r.id === 'version_not_higher'), {
      id: 'version_not_higher',
      severity: 'error',
      code: 'version_not_higher',
      enforcedOnLoad: false,
    })
    assert.equal(rules.find((r) => r.id === 'name_path').enforcedOnLoad, true)
    for (const r of rules) assert.ok(s.ERROR_CODES.includes(r.code), r.code)
  })
})

describe('chart versions', () => {
  it('derives versions from a release and writes them into Chart.yaml text', () => {
    const versions = s.chartVersionsFromRelease('delivery', 'v1.0.2')
    assert.deepStrictEqual(versions, { version: '1.0.2', appVersion: '1.0.2' })
    assert.deepStrictEqual(s.chartVersionsFromRelease('delivery', '1.0.2', { app_version: '{service}-{version}' }), {
      version: '1.0.2',
      appVersion: 'delivery-1.0.2',
    })
    const text = 'name: delivery\n# set by CI\nversion: 0.1.0  # chart\n'
    assert.equal(s.rewriteChartVersions(text, versions), 'name: delivery\n# set by CI\nversion: 1.0.2  # chart\nappVersion: "1.0.2"\n')
    assert.equal(s.rewriteChartVersions(text, {}), text)
    assert.equal(thrown(() => s.rewriteChartVersions(text, { version: '1.0' })).code, 'invalid_version')
  })

  it('edits a chart directory in place, the Promise and the Sync variant alike', async () => {
    const dir = copyChart()
    const before = readFileSync(join(dir, 'Chart.yaml'), 'utf8')
    const change = await s.writeChartVersions(dir, s.chartVersionsFromRelease('delivery', '1.0.2'))
    assert.deepStrictEqual(change, {
      file: join(dir, 'Chart.yaml'),
      previousVersion: s.parseChart(before).version,
      version: '1.0.2',
      previousAppVersion: s.parseChart(before).appVersion ?? null,
      appVersion: '1.0.2',
      dependency: null,
      changed: true,
    })
    assert.equal(s.ChartFile.loadSync(join(dir, 'Chart.yaml')).metadata.version, '1.0.2')
    assert.equal(s.writeChartVersionsSync(dir, { version: '1.0.2', appVersion: '1.0.2' }).changed, false)

    const umbrella = join(temp(), 'umbrella')
    cpSync(dir, umbrella, { recursive: true })
    writeFileSync(join(umbrella, 'Chart.yaml'), 'apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n  - name: delivery\n    version: 0.1.0 # pinned\n')
    const dep = await s.writeChartDependencyVersion(umbrella, 'delivery', '1.0.2')
    assert.deepStrictEqual([dep.dependency, dep.previousVersion, dep.version, dep.changed], ['delivery', '0.1.0', '1.0.2', true])
    assert.match(readFileSync(join(umbrella, 'Chart.yaml'), 'utf8'), /version: 1\.0\.2 # pinned\n$/)
    assert.equal(s.writeChartDependencyVersionSync(umbrella, 'delivery', '1.0.2').changed, false)
    const err = await sameError(s.writeChartDependencyVersion(umbrella, 'delivry', '1.0.3'), () =>
      s.writeChartDependencyVersionSync(umbrella, 'delivry', '1.0.3'),
    )
    assert.equal(err.code, 'invalid_chart')
    assert.equal(err.suggestion, 'delivery')
    await sameError(s.writeChartVersions(dir, { version: 'x' }), () => s.writeChartVersionsSync(dir, { version: 'x' }))
  })
})

describe('.helmignore', () => {
  it('matches many paths in one call, by Helm rules', () => {
    const rules = '*.md\nci/\n/notes.txt\n'
    const paths = ['docs/README.md', { path: 'ci', isDir: true }, 'ci', 'templates/notes.txt', 'templates/.swp']
    const expected = [true, true, false, false, true]
    assert.deepStrictEqual(s.helmIgnoreMatches(rules, paths), expected)
    const ignore = new s.HelmIgnore(rules)
    assert.deepStrictEqual(ignore.matches(paths), expected)
    assert.equal(ignore.isIgnored('ci', true), true)
    assert.equal(ignore.isIgnored('ci'), false)
    assert.deepStrictEqual(ignore.rules, ['*.md', 'ci/', '/notes.txt', 'templates/.?*'])
    assert.equal(String(ignore), '*.md\nci/\n/notes.txt\ntemplates/.?*\n')
    assert.deepStrictEqual(new s.HelmIgnore().rules, ['templates/.?*'])
    const err = thrown(() => new s.HelmIgnore('ok\na/**/b\n'))
    assert.equal(err.code, 'invalid_pattern')
    assert.equal(err.line, 2)
  })
})

describe('chart packages and archives', () => {
  it('packages reproducibly, the Promise and the Sync variant alike', async () => {
    const options = { ...s.chartVersionsFromRelease('delivery', '1.0.2') }
    const pending = s.packageChart(DELIVERY, options)
    assert.ok(pending instanceof Promise)
    const pkg = await pending
    const sync = s.packageChartSync(DELIVERY, options)
    assert.ok(pkg instanceof s.ChartPackage)
    assert.deepStrictEqual(pkg.bytes, sync.bytes)
    assert.equal(pkg.sha256, createHash('sha256').update(pkg.bytes).digest('hex'))
    assert.equal(pkg.digest, `sha256:${pkg.sha256}`)
    assert.equal(pkg.size, pkg.bytes.length)
    assert.deepStrictEqual([pkg.fileName, pkg.name, pkg.version, pkg.appVersion], ['delivery-1.0.2.tgz', 'delivery', '1.0.2', '1.0.2'])
    assert.equal(pkg.files[0], 'delivery/Chart.yaml')
    assert.deepStrictEqual(JSON.parse(JSON.stringify(pkg)), {
      fileName: pkg.fileName,
      name: 'delivery',
      version: '1.0.2',
      appVersion: '1.0.2',
      sha256: pkg.sha256,
      digest: pkg.digest,
      size: pkg.size,
      files: pkg.files,
    })
    assert.notEqual(s.packageChartSync(DELIVERY, { ...options, mtime: 1700000000 }).sha256, pkg.sha256)

    const out = join(temp(), 'dist')
    const written = await pkg.writeTo(out)
    assert.equal(written, join(out, 'delivery-1.0.2.tgz'))
    assert.deepStrictEqual(readFileSync(written), pkg.bytes)
    assert.equal(sync.writeToSync(out), written)
  })

  it('refuses what Helm refuses, rejecting the promise', async () => {
    const dir = copyChart()
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: delivery\nversion: 0.1.0\n')
    let err = await sameError(s.packageChart(dir, { version: '1.0' }), () => s.packageChartSync(dir, { version: '1.0' }))
    assert.equal(err.code, 'invalid_version')
    err = thrown(() => s.packageChartSync(dir, { mtime: -1 }))
    assert.equal(err.code, 'config_syntax')
    err = thrown(() => s.packageChartSync(dir, { limits: { max_file_size: 10 } }))
    assert.equal(err.code, 'unsafe_archive')
    err = thrown(() => s.packageChartSync(dir, { limits: { max_files: 10 } }))
    assert.equal(err.code, 'config_syntax')
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: delivery\nversion: 1.0.0-01\n')
    err = thrown(() => s.packageChartSync(dir))
    assert.equal(err.code, 'invalid_chart')
    assert.deepStrictEqual([err.file, err.line], [join(dir, 'Chart.yaml'), 3])
  })

  it('loads a package again and extracts it, never over an existing directory', async () => {
    const pkg = s.packageChartSync(DELIVERY, { version: '1.0.2', appVersion: '1.0.2' })
    const path = pkg.writeToSync(temp())
    const opened = await s.ChartArchive.open(path)
    const read = await s.ChartArchive.read(pkg.bytes)
    const sync = s.ChartArchive.readSync(pkg.bytes)
    assert.deepStrictEqual(opened.summary(), read.summary())
    assert.deepStrictEqual(s.ChartArchive.openSync(path).summary(), sync.summary())
    assert.equal(read.root, 'delivery')
    assert.deepStrictEqual(
      read.files.map((f) => `delivery/${f}`),
      pkg.files,
    )
    assert.equal(read.metadata.version, '1.0.2')
    assert.ok(read.chart instanceof s.ChartFile)
    assert.equal(read.chart.archiveName, 'delivery-1.0.2.tgz')
    assert.deepStrictEqual(read.file('values.yaml'), readFileSync(join(DELIVERY, 'values.yaml')))
    assert.equal(read.file('nope.yaml'), null)
    const summary = read.summary()
    assert.deepStrictEqual(Object.keys(summary), ['root', 'metadata', 'files', 'size'])
    assert.deepStrictEqual(JSON.parse(JSON.stringify(read)), JSON.parse(JSON.stringify(summary)))

    const target = temp()
    const extracted = await read.extractTo(target)
    assert.equal(extracted, join(target, 'delivery'))
    assert.deepStrictEqual(readFileSync(join(extracted, 'values.yaml')), readFileSync(join(DELIVERY, 'values.yaml')))
    const err = await sameError(read.extractTo(target), () => read.extractToSync(target))
    assert.equal(err.code, 'io')
    assert.equal(sync.extractToSync(join(target, 'again')), join(target, 'again', 'delivery'))
    assert.deepStrictEqual(s.lintChartDirSync(extracted).passed, true)
  })

  it('refuses hostile archives without writing anything', async () => {
    const chart = { name: 'delivery/Chart.yaml', data: 'apiVersion: v2\nname: delivery\nversion: 1.0.2\n' }
    const hostile = {
      'a parent directory': [chart, { name: 'delivery/../../evil.sh', data: 'x' }],
      'an absolute path': [chart, { name: '/etc/evil', data: 'x' }],
      'a symbolic link': [chart, { name: 'delivery/templates/link', type: '2', linkname: '/etc/passwd' }],
      'a Chart.yaml at the root': [{ ...chart, name: 'Chart.yaml' }],
      'two charts': [chart, { ...chart, name: 'other/Chart.yaml' }],
      'a duplicate entry': [chart, chart],
    }
    for (const [what, entries] of Object.entries(hostile)) {
      const bytes = tgz(entries)
      const err = await sameError(s.ChartArchive.read(bytes), () => s.ChartArchive.readSync(bytes))
      assert.equal(err.code, 'unsafe_archive', `${what}: ${err.message}`)
    }
    const big = tgz([chart, { name: 'delivery/values.yaml', data: 'a: 1\n'.repeat(100) }])
    assert.equal(s.ChartArchive.readSync(big).files.length, 2)
    assert.equal(thrown(() => s.ChartArchive.readSync(big, { max_file_size: 100 })).code, 'unsafe_archive')
    assert.equal(thrown(() => s.ChartArchive.readSync(big, { max_entries: 1 })).code, 'unsafe_archive')
    assert.equal(thrown(() => s.ChartArchive.readSync(big, { max_files: 1 })).code, 'config_syntax')
    assert.equal(thrown(() => s.ChartArchive.readSync(Buffer.alloc(0))).code, 'invalid_archive')
    const missing = join(temp(), 'missing.tgz')
    assert.equal((await sameError(s.ChartArchive.open(missing), () => s.ChartArchive.openSync(missing))).code, 'io')
    assert.equal(existsSync(join(tmpdir(), 'evil.sh')), false)
    assert.deepStrictEqual(Object.keys(s.ChartArchive.defaultLimits()), ['max_total_size', 'max_file_size', 'max_entries', 'max_path_len'])
  })
})

describe('release names', () => {
  it('names releases side by side and renders the change cause', () => {
    const names = s.releaseNames('delivery', 'v1.0.3-rc.1', 'qa')
    assert.deepStrictEqual(names, {
      release: 'delivery-v1-0-3-rc-1-qa',
      service: 'delivery',
      version: '1.0.3-rc.1',
      environment: 'qa',
      hashed: false,
      labels: {
        'app.kubernetes.io/instance': 'delivery-v1-0-3-rc-1-qa',
        'app.kubernetes.io/name': 'delivery',
        'app.kubernetes.io/version': '1.0.3-rc.1',
      },
    })
    assert.equal(s.releaseNames('delivery', '1.0.2').environment, null)
    const long = s.releaseNames('drone'.repeat(12), '1.0.2', 'production')
    assert.ok(long.hashed && long.release.length <= s.MAX_RELEASE_NAME_LEN)
    assert.equal(s.isDns1123Label(long.release), true)
    assert.equal(s.MAX_RELEASE_NAME_LEN, 53)

    const cause = { service: 'delivery', version: '1.0.2', environment: 'prod', commit: '4f2a9c1e0b', reason: 'approved by QA' }
    assert.equal(s.renderChangeCause(cause), 'delivery v1.0.2 to prod at 4f2a9c1: approved by QA')
    assert.equal(s.renderChangeCause(cause, '{service}@{version}'), 'delivery@1.0.2')
    assert.equal(s.CHANGE_CAUSE_ANNOTATION, 'kubernetes.io/change-cause')
    assert.ok(s.renderChangeCause({ ...cause, reason: 'x'.repeat(5000) }).length <= s.MAX_CHANGE_CAUSE_LEN)
    let err = thrown(() => s.renderChangeCause({ ...cause, enviroment: 'prod' }))
    assert.equal(err.code, 'invalid_template')
    assert.match(err.message, /unknown field `enviroment`/)
    err = thrown(() => s.renderChangeCause({ ...cause, version: '1.0' }))
    assert.equal(err.code, 'invalid_version')
    assert.equal(thrown(() => s.releaseNames('__', '1.0.2')).code, 'invalid_chart')
    assert.deepStrictEqual([s.CHART_FILE, s.HELMIGNORE], ['Chart.yaml', '.helmignore'])
  })
})
