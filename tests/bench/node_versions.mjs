// Sorting 10,000 version strings: shiprail's Node binding against npm `semver`.
//
//   node tests/bench/node_versions.mjs [COUNT]
//
// The inputs are generated (fixed seed): majors 0-19, minors 0-29, patches 0-49, a fifth of them
// pre-releases (alpha/beta/rc.N), one in ten with build metadata, a third written with `v`.
// Every contender must produce the same order (checked), as normalised strings. Prints the
// median of 7 runs of each.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node', 'package.json'))
const shiprail = require('shiprail')
const semver = require('semver')

const COUNT = Number(process.argv[2] ?? 10000)
const RUNS = 7

let seed = 0x5eed
const random = (n) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed % n
}

const inputs = Array.from({ length: COUNT }, () => {
  let v = `${random(20)}.${random(30)}.${random(50)}`
  if (random(5) === 0) v += `-${['alpha', 'beta', 'rc'][random(3)]}.${random(10)}`
  if (random(10) === 0) v += `+build.${random(1000)}`
  return random(3) === 0 ? `v${v}` : v
})

function median(fn) {
  const times = []
  let result
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint()
    result = fn()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return { ms: times[RUNS >> 1], result }
}

/** semver's normalised form with its build metadata (`version` leaves it out). */
const full = (v) => (v.build.length ? `${v.version}+${v.build.join('.')}` : v.version)

const contenders = [
  ['shiprail sortVersions(strings), one call', () => shiprail.sortVersions(inputs)],
  ['shiprail ReleaseVersion objects, compare() per pair', () =>
    inputs.map((s) => new shiprail.ReleaseVersion(s)).sort((a, b) => a.compare(b)).map(String)],
  ['semver.sort(strings) (compareBuild, parses per compare)', () => semver.sort([...inputs]).map((s) => full(semver.parse(s)))],
  ['semver: parse once, sort SemVer objects by compareBuild', () =>
    inputs.map((s) => new semver.SemVer(s)).sort((a, b) => semver.compareBuild(a, b)).map(full)],
]

const results = contenders.map(([name, fn]) => ({ name, ...median(fn) }))
const reference = results[0].result
const base = results.find((r) => r.name.startsWith('semver.sort')).ms
console.log(`sorting ${COUNT} version strings (median of ${RUNS} runs, node ${process.version})`)
console.log('| contender | ms | vs semver.sort |')
console.log('| --- | ---: | ---: |')
let mismatch = 0
for (const r of results) {
  const same = JSON.stringify(r.result) === JSON.stringify(reference)
  if (!same) mismatch++
  console.log(`| ${r.name}${same ? '' : ' (DIFFERENT ORDER)'} | ${r.ms.toFixed(2)} | ${(base / r.ms).toFixed(1)}x |`)
}
if (mismatch) {
  console.error(`${mismatch} contender(s) sorted differently`)
  process.exitCode = 1
}

