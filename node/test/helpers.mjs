// Shared helpers of the Node suite: the binding under test and the repository paths.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const require = createRequire(import.meta.url)

/** The package under test, loaded through its CommonJS entry. */
export const shiprail = require('..')

/** The npm package folder (node/). */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The repository root. */
export const REPO_ROOT = join(PACKAGE_DIR, '..')

/** The Drone Delivery sample configuration. */
export const SAMPLE_CONFIG = join(REPO_ROOT, 'examples', 'drone-delivery', 'shiprail.yaml')

/** Calls `fn` and returns what it threw (failing when it did not throw). */
export function thrown(fn) {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an error, none was thrown')
}

/**
 * A gzip-compressed tar archive of `entries` (`{ name, data?, type?, linkname? }`; type `'0'`
 * is a file, `'2'` a symbolic link, `'5'` a directory), written by hand so the tests can build
 * archives no honest packer would: `..` paths, links, a Chart.yaml at the root.
 */
export function tgz(entries) {
  const blocks = []
  for (const { name, data = '', type = '0', linkname = '' } of entries) {
    const body = Buffer.from(data)
    const header = Buffer.alloc(512)
    const put = (text, offset, length) => header.write(text, offset, length, 'latin1')
    put(name, 0, 100)
    put('0000644\0', 100, 8)
    put('0000000\0', 108, 8)
    put('0000000\0', 116, 8)
    put(body.length.toString(8).padStart(11, '0') + '\0', 124, 12)
    put('00000000000\0', 136, 12)
    put(type, 156, 1)
    put(linkname, 157, 100)
    put('ustar\0', 257, 6)
    put('00', 263, 2)
    put('        ', 148, 8)
    let sum = 0
    for (const byte of header) sum += byte
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8)
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(blocks))
}

/**
 * The real registries started by tests/services/registry.sh, from the env file
 * SHIPRAIL_REGISTRY_ENV names (`KEY=value` lines: SHIPRAIL_REGISTRY_PLAIN, _TLS, _CA, _USER,
 * _PASSWORD, the seeded images ...). `{ env }` when set; `{ skip }` when it is not and
 * SHIPRAIL_SKIP_REAL=1 says to skip real-registry tests; otherwise `{ error }`, which the tests
 * that need the registries fail with.
 */
export function realRegistries() {
  const path = process.env.SHIPRAIL_REGISTRY_ENV
  if (!path) {
    if (process.env.SHIPRAIL_SKIP_REAL === '1') return { skip: 'SHIPRAIL_SKIP_REAL=1: real-registry tests skipped' }
    return {
      error: new Error(
        'SHIPRAIL_REGISTRY_ENV is not set: run `bash tests/services/registry.sh start DIR` and set ' +
          'SHIPRAIL_REGISTRY_ENV=DIR/env (or SHIPRAIL_SKIP_REAL=1 to skip real-registry tests)',
      ),
    }
  }
  const env = {}
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const at = line.indexOf('=')
    if (at > 0) env[line.slice(0, at).trim()] = line.slice(at + 1).trim()
  }
  return { env }
}

let uniqueCount = 0

/** A repository path no other test (or earlier run) uses. */
export function unique(name) {
  uniqueCount += 1
  return `node-${process.pid}-${Date.now().toString(36)}-${uniqueCount}/${name}`
}

/** The image digest the sample release pushes, and one it does not. */
export const DIGEST = `sha256:${'a'.repeat(64)}`
export const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`

/** The commit of the sample release. */
export const COMMIT = '4f2a9c1e0b7d3c2a1f0e9d8c7b6a5f4e3d2c1b0a'

/** `minutes` after 2024-06-11T09:00:00Z, as RFC 3339 (the times of the sample release). */
export function at(minutes) {
  return new Date(Date.UTC(2024, 5, 11, 9, minutes)).toISOString().replace('.000Z', 'Z')
}

/** The plan of a push of `release/delivery/v1.0.2` with the Drone Delivery configuration. */
export function releasePlan() {
  const config = shiprail.Config.loadSync(SAMPLE_CONFIG)
  return config.plan({ kind: 'push', ref: 'release/delivery/v1.0.2', commit: COMMIT })
}

/**
 * The state of that release (author `alice`, records by `ci`), with every step of the stages
 * in `through` recorded in plan order (`'ci'`, then environments: promote, deploy and verify
 * of `DIGEST`), one minute apart from `at(1)`.
 */
export function releaseState(through = [], options = {}) {
  const state = new shiprail.ReleaseState(releasePlan(), { author: 'alice', actor: 'ci', at: at(0), ...options })
  let minute = 1
  const who = () => ({ by: 'ci', at: at(minute++) })
  for (const stage of through) {
    for (const step of state.plan.stages.find((s) => s.id === stage).steps) {
      if (step.action === 'promote') state.recordPromotion(stage, DIGEST, who())
      else if (step.action === 'deploy') state.recordDeployment(stage, DIGEST, who())
      else state.recordGate(step.id, { ...who(), digest: step.action === 'image_push' ? DIGEST : undefined })
    }
  }
  return state
}
