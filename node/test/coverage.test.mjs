// Every public operation of the core has a Node counterpart, or a written reason why not.
//
// The core's operations are enumerated from its source (`pub fn` / `pub const fn` /
// `pub async fn` in the public modules of core/src); node/api-coverage.json maps each
// `file::name` to the Node API that exposes it or to a waiver. A new core function without an entry fails here, and so does an
// entry naming a Node counterpart that does not exist or a core function that is gone.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { shiprail, PACKAGE_DIR, REPO_ROOT } from './helpers.mjs'

const SRC = join(REPO_ROOT, 'core', 'src')
const coverage = JSON.parse(readFileSync(join(PACKAGE_DIR, 'api-coverage.json'), 'utf8')).functions

/** Top-level modules declared without `pub` in lib.rs: their `pub fn`s are crate-internal. */
function privateModules() {
  const lib = readFileSync(join(SRC, 'lib.rs'), 'utf8')
  return new Set([...lib.matchAll(/^mod (\w+);/gm)].map((m) => m[1]))
}

function rustFiles(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) return rustFiles(path)
    return entry.endsWith('.rs') ? [path] : []
  })
}

/** `file::name` of every public function of the core. */
function coreFunctions() {
  const hidden = privateModules()
  const found = new Set()
  for (const path of rustFiles(SRC)) {
    const file = relative(SRC, path).split('\\').join('/')
    const module = file.split('/')[0].replace(/\.rs$/, '')
    if (hidden.has(module)) continue
    // Unit tests sit at the end of a file, after `#[cfg(test)]`; they define no public API.
    const text = readFileSync(path, 'utf8').split('#[cfg(test)]')[0]
    for (const m of text.matchAll(/^\s*pub (?:const |async )?fn ([a-z_0-9]+)/gm)) found.add(`${file}::${m[1]}`)
  }
  return found
}

/** Whether a Node API path (`fn`, `Class.static`, `Class#member`) exists. */
function exists(path) {
  const [head, member] = path.split(/[.#]/)
  const value = shiprail[head]
  if (value === undefined) return false
  if (member === undefined) return true
  if (path.includes('#')) return typeof value === 'function' && member in value.prototype
  return typeof value[member] === 'function'
}

describe('public operations coverage', () => {
  const functions = coreFunctions()

  it('finds the core functions', () => {
    assert.ok(functions.size > 50, `only ${functions.size} public functions found`)
  })

  it('maps every core function to Node or to a waiver', () => {
    const missing = [...functions].filter((f) => !(f in coverage))
    assert.deepStrictEqual(missing, [], 'add these to node/api-coverage.json')
  })

  it('has no entries for functions the core no longer has', () => {
    const stale = Object.keys(coverage).filter((f) => !functions.has(f))
    assert.deepStrictEqual(stale, [])
  })

  it('names only Node counterparts that exist, and waivers with a reason', () => {
    for (const [fn, target] of Object.entries(coverage)) {
      if (Array.isArray(target)) {
        assert.ok(target.length > 0, fn)
        for (const path of target) assert.ok(exists(path), `${fn}: ${path} is not in the Node API`)
      } else {
        assert.equal(typeof target.waived, 'string', fn)
        assert.ok(target.waived.length > 20, `${fn}: give the reason of the waiver`)
      }
    }
  })
})
