// Shared helpers of the Node suite: the binding under test and the repository paths.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

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
