// The affected-services benchmark from Node (run by tests/bench/node_affected.sh, which builds
// the release addon and the CLI and writes the workload).
//
// usage: node node_affected.mjs ADDON.node SHIPRAIL_CLI WORKDIR PICOMATCH_PARENT [RUNS]
//   WORKDIR holds workload.json (tests/bench/gen_monorepo.py) and input/shiprail.yaml +
//   input/changed.txt (tests/bench/to_shiprail.py); PICOMATCH_PARENT is the folder whose
//   node_modules holds picomatch@4.
//
// In one process, on the same workload held in memory as JS values (the configuration text and
// an array of 100,002 path strings), it times (median of RUNS, after one warm-up):
//   - shiprail: `new AffectedMatcher(config)` + `matcher.affected(paths)` (compile + match, the
//     array converted at the boundary), `config.affected(paths)` (the same in one call), a reused
//     matcher's `affected(paths)`, and `Config.fromYaml(text)` + compile + match;
//   - the picomatch peer (one run: it takes tens of seconds): one picomatch matcher per service,
//     every path tested against each, `dot: true`, as tests/bench/peer_picomatch.mjs does;
//   - the Rust CLI on the same files, `shiprail affected --config shiprail.yaml --changed-from
//     changed.txt --timings`, RUNS times: its whole-process wall time and its phases inside the
//     library (load the configuration, read the change set, compile, match).
// It checks that the three affected sets are identical, prints a Markdown table, and exits 1
// when they differ or a target is missed: Node's evaluation at least 100x faster than
// picomatch's; within 2x of the CLI answering the same question (the whole `shiprail affected`
// process), and within 2x of the same work inside the CLI (change set into memory, compile,
// match); Node's load + evaluation within 2x of the CLI's load + read + compile + match.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'

const [addonFile, cli, work, picomatchParent, runsArg = '7'] = process.argv.slice(2)
const RUNS = Number(runsArg)
const require = createRequire(import.meta.url)
const shiprail = require(resolve(addonFile))
const picomatch = createRequire(join(resolve(picomatchParent), 'package.json'))('picomatch')

const workload = JSON.parse(readFileSync(join(work, 'workload.json'), 'utf8'))
const yamlFile = join(work, 'input', 'shiprail.yaml')
const changedFile = join(work, 'input', 'changed.txt')
const text = readFileSync(yamlFile, 'utf8')
const paths = readFileSync(changedFile, 'utf8').split('\n').filter(Boolean)

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Median wall time (ms) of `fn` over RUNS runs after one warm-up, and its last result. */
function timed(fn) {
  let result = fn()
  const times = []
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint()
    result = fn()
    times.push(ms(start))
  }
  return { ms: median(times), result }
}

const config = shiprail.Config.fromYaml(text)
const evaluation = timed(() => new shiprail.AffectedMatcher(config).affected(paths).services)
const oneCall = timed(() => config.affected(paths).services)
const matcher = new shiprail.AffectedMatcher(config)
const reused = timed(() => matcher.affected(paths).services)
const explained = timed(() => matcher.affected(paths, { explain: true }).services)
const whole = timed(() => {
  const c = shiprail.Config.fromYaml(text)
  return new shiprail.AffectedMatcher(c).affected(paths).services
})
const load = timed(() => shiprail.Config.fromYaml(text))

// The CLI on the same files, whole processes; `--timings` reports its phases on stderr.
const cliArgs = ['affected', '--config', yamlFile, '--changed-from', changedFile]
execFileSync(cli, cliArgs) // warm the page cache
const cliRuns = []
let cliServices
for (let i = 0; i < RUNS; i++) {
  const start = process.hrtime.bigint()
  const child = spawnSync(cli, [...cliArgs, '--timings'], { encoding: 'utf8', maxBuffer: 1 << 26 })
  const wall = ms(start)
  if (child.status !== 0) throw new Error(`${cli} failed: ${child.stderr}`)
  cliServices = JSON.parse(child.stdout).affected
  cliRuns.push({ wall, timings: JSON.parse(child.stderr.trim().split('\n').at(-1)).timings_ms })
}
const cliWall = median(cliRuns.map((r) => r.wall))
const cliEval = median(cliRuns.map((r) => r.timings.evaluate))
// The same work as Node's evaluation: the change set into memory (read and split the file, where
// Node converts the JS array), compile, match.
const cliChangesEval = median(cliRuns.map(({ timings: t }) => t.read_changes + t.evaluate))
const cliTotal = median(cliRuns.map(({ timings: t }) => t.load_config + t.read_changes + t.evaluate))

// The peer, once, in this same process.
const peerStart = process.hrtime.bigint()
const peer = []
for (const service of workload.services) {
  const included = picomatch(service.include, { dot: true })
  const excluded = picomatch(service.exclude, { dot: true })
  if (workload.changed.some((p) => included(p) && !excluded(p))) peer.push(service.name)
}
const peerMs = ms(peerStart)
peer.sort()

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])
const ours = evaluation.result
const sets = {
  picomatch: peer,
  cli: cliServices,
  'config.affected': oneCall.result,
  reused: reused.result,
  explained: explained.result,
  whole: whole.result,
}
let failed = false
for (const [name, other] of Object.entries(sets)) {
  if (!same(ours, other)) {
    console.log(`MISMATCH: ${name} found ${other.length} services, Node's AffectedMatcher ${ours.length}`)
    failed = true
  }
}

const f = (x) => x.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
const ratio = (x) => `${Math.round(x).toLocaleString('en-US')}x`
console.log(
  `workload: ${workload.services.length} services, ${matcher.patternCount} distinct patterns, ${paths.length} changed paths` +
    ` (a JS array of strings); ${ours.length} services affected, identical for Node, the CLI and picomatch` +
    `; median of ${RUNS} runs, picomatch once; node ${process.version}; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} at the end`,
)
console.log()
console.log('| contender | ms | picomatch / this |')
console.log('|---|---:|---:|')
const row = (name, value) => console.log(`| ${name} | ${f(value)} | ${ratio(peerMs / value)} |`)
row('Node: `new AffectedMatcher(config)` + `affected(paths)`: compile, convert the array, match', evaluation.ms)
row('Node: `config.affected(paths)`, the same in one call', oneCall.ms)
row('Node: a reused matcher, `affected(paths)`: convert the array, match', reused.ms)
row('Node: a reused matcher, `affected(paths, {explain: true})`', explained.ms)
row('Node: `Config.fromYaml(text)` + compile + convert + match', whole.ms)
row('CLI `shiprail affected`, whole process (wall)', cliWall)
row('CLI, in the library: read changed.txt + compile + match', cliChangesEval)
row('CLI, in the library: compile + match (`--timings` evaluate)', cliEval)
row('CLI, in the library: load shiprail.yaml + read + compile + match', cliTotal)
row('picomatch@4, one matcher per service, in the same Node process', peerMs)

const targets = [
  ['Node evaluation at least 100x faster than picomatch', peerMs / evaluation.ms >= 100, `${ratio(peerMs / evaluation.ms)}`],
  [
    'Node evaluation within 2x of the CLI answering the same question (`shiprail affected`, whole process)',
    evaluation.ms <= 2 * cliWall,
    `${(evaluation.ms / cliWall).toFixed(2)}x`,
  ],
  [
    'Node evaluation within 2x of the same work in the CLI (change set into memory + compile + match)',
    evaluation.ms <= 2 * cliChangesEval,
    `${(evaluation.ms / cliChangesEval).toFixed(2)}x`,
  ],
  [
    'Node load + evaluation within 2x of the CLI in the library (load + read + compile + match)',
    whole.ms <= 2 * cliTotal,
    `${(whole.ms / cliTotal).toFixed(2)}x`,
  ],
]
console.log()
console.log('| target | result |')
console.log('|---|---|')
for (const [name, met, value] of targets) {
  console.log(`| ${name} | ${met ? 'met' : 'MISSED'} (${value}) |`)
  if (!met) failed = true
}
console.log()
console.log(
  `Node's evaluation is ${(evaluation.ms / cliEval).toFixed(2)}x the CLI's compile + match alone: the difference is` +
    ` the conversion of ${paths.length} JS strings at the boundary (a reused matcher: ${f(reused.ms)} ms).`,
)
process.exitCode = failed ? 1 : 0
