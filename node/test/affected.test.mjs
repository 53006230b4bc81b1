// Affected services and changed paths: Config#affected, AffectedMatcher, affectedRules, and the
// git-backed change sets (changedBetween, changedForPullRequest, changedForNewBranch, mergeBase,
// repositoryFiles, each a Promise and a Sync variant), the name-status parsers and lintConfig, on
// real repositories built by the test.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { shiprail, SAMPLE_CONFIG, thrown } from './helpers.mjs'

const s = shiprail

describe('Config#affected', () => {
  const config = s.Config.loadSync(SAMPLE_CONFIG)

  it('answers one change set in one call, sorted, with reasons on request', () => {
    const changed = ['src/shipping/delivery/Program.cs', 'src/shipping/package/README.md', 'docs/x.md']
    assert.deepStrictEqual(config.affected(changed), { services: ['delivery', 'workflow'], explain: null })
    const { explain } = config.affected(changed, { explain: true })
    assert.deepStrictEqual(explain, [
      {
        service: 'delivery',
        path: 'src/shipping/delivery/Program.cs',
        pattern: 'src/shipping/delivery/**',
        matchedBy: 'paths.include',
        via: [],
      },
      {
        service: 'workflow',
        path: 'src/shipping/delivery/Program.cs',
        pattern: 'src/shipping/delivery/**',
        matchedBy: 'paths.include',
        via: ['delivery'],
      },
    ])
    assert.deepStrictEqual(config.affected([]), { services: [], explain: null })
    assert.deepStrictEqual(config.affected([], { explain: true }), { services: [], explain: [] })
  })

  it('takes ChangedPath objects: both paths of a rename count', () => {
    const moved = { path: 'src/shipping/ingestion/a.cs', status: 'renamed', previousPath: 'src/shipping/package/a.cs' }
    assert.deepStrictEqual(config.affected([moved]).services, ['ingestion', 'package'])
    const parsed = s.parseChangedLines('R100\tsrc/shipping/package/a.cs\tsrc/shipping/ingestion/a.cs\n')
    assert.deepStrictEqual(config.affected(parsed).services, ['ingestion', 'package'])
    assert.deepStrictEqual(config.affected([{ path: 'libs/common/retry.cs', status: 'added' }]).services, ['delivery', 'workflow'])
  })

  it('refuses an item it cannot read instead of dropping it', () => {
    let err = thrown(() => config.affected(['a', { path: 'b', status: 'moved' }]))
    assert.equal(err.code, 'invalid_event')
    assert.match(err.message, /^invalid changed path `changed\[1\]`: unknown variant `moved`/)
    err = thrown(() => config.affected([{ path: 'b', status: 'added', previous_path: 'a' }]))
    assert.match(err.message, /^invalid changed path `changed\[0\]`: unknown field `previous_path`/)
    err = thrown(() => config.affected([42]))
    assert.equal(err.code, 'invalid_event')
  })

  it('lists the paths two services claim', () => {
    const wide = s.Config.fromYaml('services:\n  a: {paths: {include: ["src/**"]}}\n  b: {paths: {include: ["src/b/**"]}}\n')
    assert.deepStrictEqual(wide.overlappingPaths(['src/a/x.cs', 'src/b/y.cs']), [{ path: 'src/b/y.cs', services: ['a', 'b'] }])
    assert.deepStrictEqual(config.overlappingPaths(['src/shipping/delivery/a.cs']), [])
  })
})

describe('AffectedMatcher', () => {
  const config = s.Config.loadSync(SAMPLE_CONFIG)

  it('is compiled once and answers like Config#affected', () => {
    const matcher = new s.AffectedMatcher(config)
    assert.deepStrictEqual(matcher.serviceNames, config.serviceNames())
    assert.equal(matcher.patternCount, 7, 'the shared `**/*.md` and `libs/common/**` count once')
    for (const changed of [['src/shipping/workflow/a.cs'], ['libs/common/README.md'], ['libs/common/x.cs', 'docs/a']]) {
      for (const explain of [false, true]) {
        assert.deepStrictEqual(matcher.affected(changed, { explain }), config.affected(changed, { explain }))
      }
    }
    assert.deepStrictEqual(matcher.overlaps(['src/shipping/delivery/a.cs']), [])
  })

  it('is built from rules that come from elsewhere: globs and regular expressions', () => {
    const matcher = s.AffectedMatcher.fromRules([
      { name: 'web', include: ['web/**'], dependsOnServices: ['api'] },
      {
        name: 'api',
        include: [{ glob: 'api/**' }],
        exclude: [{ written: 'api/**/*_test.go', regex: 'api/(?:.*/)?[^/]*_test\\.go' }],
      },
    ])
    assert.deepStrictEqual(matcher.serviceNames, ['api', 'web'])
    assert.deepStrictEqual(matcher.affected(['api/x/y_test.go']).services, [])
    assert.deepStrictEqual(matcher.affected(['api/x/y.go'], { explain: true }).explain[1], {
      service: 'web',
      path: 'api/x/y.go',
      pattern: 'api/**',
      matchedBy: 'paths.include',
      via: ['api'],
    })
  })

  it('round-trips the rules of a configuration', () => {
    const rules = s.affectedRules(config)
    assert.deepStrictEqual(
      rules.map((r) => r.name),
      config.serviceNames(),
    )
    const workflow = rules.find((r) => r.name === 'workflow')
    assert.deepStrictEqual(workflow.dependsOnServices, ['delivery'])
    assert.deepStrictEqual(workflow.dependsOnPaths, [{ written: 'libs/common/**', glob: 'libs/common/**', regex: null }])
    const rebuilt = s.AffectedMatcher.fromRules(rules)
    const changed = ['libs/common/a.cs', 'src/shipping/package/b.js']
    assert.deepStrictEqual(rebuilt.affected(changed, { explain: true }), config.affected(changed, { explain: true }))
  })

  it('refuses rules that do not fit, naming the item', () => {
    let err = thrown(() => s.AffectedMatcher.fromRules([{ name: 'a', includes: ['a/**'] }]))
    assert.equal(err.code, 'config_invalid')
    assert.match(err.message, /^invalid service rules `rules\[0\]`: unknown field `includes`/)
    err = thrown(() => s.AffectedMatcher.fromRules([{ name: 'a' }, { name: 'b', include: [{ glob: 'b/**', regex: 'b/.*' }] }]))
    assert.equal(err.message, 'invalid service rules `rules[1]`: a pattern object has exactly one of `glob` and `regex`')
    err = thrown(() => s.AffectedMatcher.fromRules([{ name: 'a', dependsOnServices: ['bee'] }, { name: 'b' }]))
    assert.equal(err.code, 'config_invalid')
    assert.equal(err.suggestion, undefined)
    err = thrown(() => s.AffectedMatcher.fromRules([{ name: 'a', include: [{ written: 'a/(', regex: 'a/(' }] }]))
    assert.equal(err.code, 'invalid_pattern')
    err = thrown(() => s.AffectedMatcher.fromRules([{ name: 'a' }, { name: 'a' }]))
    assert.equal(err.message, 'service `a` is declared twice')
  })
})

/** Runs git in `repo` with a fixed identity; returns stdout. */
function git(repo, ...args) {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd: repo,
    encoding: 'utf8',
  })
}

function write(repo, path, text = path) {
  mkdirSync(dirname(join(repo, path)), { recursive: true })
  writeFileSync(join(repo, path), text)
}

describe('changed paths from git', () => {
  let repo
  const commit = (message) => {
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', message)
    return git(repo, 'rev-parse', 'HEAD').trim()
  }

  before(() => {
    repo = mkdtempSync(join(tmpdir(), 'shiprail-git-'))
    git(repo, 'init', '-q', '-b', 'main')
    write(repo, 'README.md')
    write(repo, 'src/shipping/delivery/Program.cs', 'class Program {}\n'.repeat(20))
    commit('one')
    git(repo, 'checkout', '-q', '-b', 'feature/delivery/retry')
    write(repo, 'src/shipping/delivery/Retry.cs')
    write(repo, 'src/shipping/package/a name\nwith a newline.js')
    mkdirSync(join(repo, 'src/shipping/ingestion'))
    renameSync(join(repo, 'src/shipping/delivery/Program.cs'), join(repo, 'src/shipping/ingestion/Program.cs'))
    commit('two')
    git(repo, 'checkout', '-q', 'main')
    write(repo, 'docs/landed-on-main.md')
    commit('three')
    git(repo, 'checkout', '-q', '--orphan', 'pages')
    git(repo, 'rm', '-rq', '--cached', '.')
    write(repo, 'index.html')
    git(repo, 'add', 'index.html')
    git(repo, 'commit', '-q', '-m', 'pages')
    git(repo, 'checkout', '-q', '-f', 'main')
  })

  it('compares two commits (a push): renames carry both paths, any file name survives', async () => {
    const changed = await s.changedBetween(repo, 'main~1', 'feature/delivery/retry')
    assert.deepStrictEqual(s.changedBetweenSync(repo, 'main~1', 'feature/delivery/retry'), changed)
    assert.deepStrictEqual(
      changed.map((c) => [c.status, c.path, c.previousPath]),
      [
        ['renamed', 'src/shipping/ingestion/Program.cs', 'src/shipping/delivery/Program.cs'],
        ['added', 'src/shipping/delivery/Retry.cs', null],
        ['added', 'src/shipping/package/a name\nwith a newline.js', null],
      ].sort((a, b) => (a[1] < b[1] ? -1 : 1)),
    )
    const config = s.Config.loadSync(SAMPLE_CONFIG)
    assert.deepStrictEqual(config.affected(changed).services, ['delivery', 'ingestion', 'package', 'workflow'])
  })

  it('compares a pull request from the merge-base: what landed on the base does not count', async () => {
    const pr = await s.changedForPullRequest(repo, 'main', 'feature/delivery/retry')
    assert.deepStrictEqual(s.changedForPullRequestSync(repo, 'main', 'feature/delivery/retry'), pr)
    assert.ok(!pr.some((c) => c.path.startsWith('docs/')))
    assert.equal(pr.length, 3)
    const twoDots = s.changedBetweenSync(repo, 'main', 'feature/delivery/retry')
    assert.ok(twoDots.some((c) => c.path === 'docs/landed-on-main.md' && c.status === 'deleted'))
  })

  it('compares a new branch with where it forked; an orphan changed every file', async () => {
    assert.equal((await s.changedForNewBranch(repo, 'feature/delivery/retry', 'main')).length, 3)
    assert.deepStrictEqual(s.changedForNewBranchSync(repo, 'pages', 'main'), [
      { path: 'index.html', status: 'added', previousPath: null },
    ])
  })

  it('finds the merge-base, or null without common history', async () => {
    const fork = git(repo, 'rev-parse', 'main~1').trim()
    assert.equal(await s.mergeBase(repo, 'main', 'feature/delivery/retry'), fork)
    assert.equal(s.mergeBaseSync(repo, 'main', 'feature/delivery/retry'), fork)
    assert.equal(await s.mergeBase(repo, 'main', 'pages'), null)
  })

  it('rejects with the error the Sync variant throws', async () => {
    for (const [rev, message] of [
      ['--output=/tmp/x', 'invalid revision `--output=/tmp/x`: a revision cannot start with `-`'],
      ['v9.9.9', null],
    ]) {
      const sync = thrown(() => s.changedBetweenSync(repo, rev, 'HEAD'))
      assert.equal(sync.code, 'git')
      if (message) assert.equal(sync.message, message)
      else assert.ok(sync.message.startsWith('unknown revision `v9.9.9` in `'), sync.message)
      await assert.rejects(s.changedBetween(repo, rev, 'HEAD'), (err) => {
        for (const key of ['code', 'message', 'reason', 'input']) assert.equal(err[key], sync[key], key)
        return true
      })
    }
    const err = thrown(() => s.changedForPullRequestSync(repo, 'main', 'pages'))
    assert.match(err.message, /^`main` and `pages` have no common history in `/)
    await assert.rejects(s.mergeBase(tmpdir(), 'main', 'HEAD'), (e) => e.code === 'git' && /is not a git repository/.test(e.message))
  })

  it('runs another git binary when asked', () => {
    const program = join(tmpdir(), 'no-such-git-binary')
    const err = thrown(() => s.changedBetweenSync(repo, 'main~1', 'main', { program }))
    assert.equal(err.code, 'git')
    assert.equal(err.message, `cannot run \`${program}\`: git is not installed or not on PATH`)
    assert.equal(s.changedBetweenSync(repo, 'main~1', 'main', { program: 'git' }).length, 1)
  })

  it('parses `git diff --name-status -z` output given as bytes or text', () => {
    const raw = execFileSync('git', ['diff', '--name-status', '-z', '-M', 'main~1', 'feature/delivery/retry'], { cwd: repo })
    assert.deepStrictEqual(s.parseNameStatus(raw), s.changedBetweenSync(repo, 'main~1', 'feature/delivery/retry'))
    assert.deepStrictEqual(s.parseNameStatus('M\0a b\0C050\0src\0copy\0'), [
      { path: 'a b', status: 'modified', previousPath: null },
      { path: 'copy', status: 'added', previousPath: null },
    ])
    assert.deepStrictEqual(s.parseNameStatus(Buffer.from('M\0caf\xff\0', 'latin1')), [
      { path: 'caf\ufffd', status: 'modified', previousPath: null },
    ])
    // An unmerged path (`U`) is in conflict, so it has changed.
    assert.deepStrictEqual(s.parseNameStatus('U\0conflict\0'), [
      { path: 'conflict', status: 'modified', previousPath: null },
    ])
    const err = thrown(() => s.parseNameStatus('X\0broken\0'))
    assert.equal(err.code, 'git')
    assert.match(err.message, /^malformed `git diff --name-status -z` output, entry 1: status `X` is git's "unknown" change type/)
  })

  it('parses `git diff --name-status` lines strictly, as a --changed-from file', () => {
    const raw = execFileSync('git', ['diff', '--name-status', '-M', 'main~1', 'feature/delivery/retry'], { cwd: repo, encoding: 'utf8' })
    assert.deepStrictEqual(s.parseNameStatusLines(raw), s.changedBetweenSync(repo, 'main~1', 'feature/delivery/retry'))
    assert.deepStrictEqual(s.parseNameStatusLines('M100\tbig\nR087\t"old\\tname"\tnew\nsrc/x\n'), [
      { path: 'big', status: 'modified', previousPath: null },
      { path: 'new', status: 'renamed', previousPath: 'old\tname' },
      { path: 'src/x', status: 'modified', previousPath: null },
    ])
    const err = thrown(() => s.parseNameStatusLines('M\ta\nR100\tonly-old\n'))
    assert.equal(err.code, 'git')
    assert.match(err.message, /^malformed `git diff --name-status` output, line 2: /)
  })

  it('lists the repository files and lints shiprail.yaml against them', async () => {
    const files = await s.repositoryFiles(repo)
    assert.deepStrictEqual(files, s.repositoryFilesSync(repo))
    assert.ok(files.length > 0)
    assert.deepStrictEqual(files, [...files].sort())
    const config = s.Config.loadSync(SAMPLE_CONFIG)
    const findings = s.lintConfig(config, ['src/shipping/delivery/Program.cs'])
    const unmatched = findings.filter((f) => f.code === 'unmatched_service_paths').map((f) => f.message)
    assert.equal(unmatched.length, config.serviceNames().length - 1)
    assert.ok(unmatched.every((m) => !m.includes('`delivery`')), unmatched.join('\n'))
    await assert.rejects(s.repositoryFiles(tmpdir()), (e) => e.code === 'git')
  })
})
