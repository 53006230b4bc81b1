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
