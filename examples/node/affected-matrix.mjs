#!/usr/bin/env node
// @ts-check
// Which services does this push or pull request affect? A GitHub Actions step that computes the
// job matrix of the build: it reads shiprail.yaml, asks git what the event changed, evaluates
// the change set against every service in one call, and writes to $GITHUB_OUTPUT
//
//   matrix={"include":[{"service":"delivery","image":"myrepo.azurecr.io/delivery","chart":"charts/delivery"},...]}
//   services=["delivery","workflow"]
//   any=true
//
// for later jobs: `if: needs.affected.outputs.any == 'true'` and
// `strategy: { matrix: ${{ fromJSON(needs.affected.outputs.matrix) }} }`. It prints one JSON
// document ({ event, compared, changed, services, matrix, explain }).
//
//   - uses: actions/checkout@v4
//     with: { fetch-depth: 0 }
//   - id: affected
//     run: node examples/node/affected-matrix.mjs --config shiprail.yaml
//
// What was changed, by event (from the runner's environment): a pull request is compared from
// its merge-base with `origin/$GITHUB_BASE_REF`, so what landed on the target meanwhile does not
// count; a push from the commit before it (`before` in $GITHUB_EVENT_PATH); a push that created
// the branch from where it forked from `origin/<default branch>` (every file for an orphan).
// `--changed FILE` reads the change set instead (bare paths, or `git diff --name-status` lines).
// Any other event (a manual run) builds every service. Exits 1 with `error[<code>]: <message>`
// on a bad configuration or a revision git does not know (the code is one of ERROR_CODES).
import { appendFileSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  AffectedMatcher,
  Config,
  changedBetween,
  changedForNewBranch,
  changedForPullRequest,
  parseChangedLines,
} from 'shiprail'

/**
 * `--name value` of the command line, else `fallback`.
 * @template {string | undefined} T
 * @param {string} name
 * @param {T} fallback
 * @returns {string | T}
 */
function option(name, fallback) {
  const at = process.argv.indexOf(name)
  return at >= 0 ? process.argv[at + 1] : fallback
}

const env = process.env
const NO_COMMIT = /^0+$/

/**
 * The change set of the running event, and what was compared; `null` when every service is
 * built.
 * @param {string} repo
 * @returns {Promise<{ compared: string, changed: import('shiprail').ChangedPath[] } | null>}
 */
async function changeSet(repo) {
  const file = option('--changed', undefined)
  if (file !== undefined) return { compared: file, changed: parseChangedLines(readFileSync(file, 'utf8')) }
  const head = env.GITHUB_SHA ?? 'HEAD'
  const name = env.GITHUB_EVENT_NAME ?? ''
  if (name.startsWith('pull_request')) {
    const base = `origin/${env.GITHUB_BASE_REF}`
    return { compared: `${base}...${head}`, changed: await changedForPullRequest(repo, base, head) }
  }
  if (name === 'push') {
    /** @type {{ before?: string, created?: boolean, repository?: { default_branch?: string } }} */
    const payload = env.GITHUB_EVENT_PATH ? JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) : {}
    const before = payload.before ?? ''
    if (payload.created || before === '' || NO_COMMIT.test(before)) {
      const fork = `origin/${payload.repository?.default_branch ?? 'main'}`
      return { compared: `${fork}...${head}`, changed: await changedForNewBranch(repo, head, fork) }
    }
    return { compared: `${before}..${head}`, changed: await changedBetween(repo, before, head) }
  }
  return null
}

try {
  const file = option('--config', 'shiprail.yaml')
  const repo = option('--repo', dirname(file))
  const [config, changes] = await Promise.all([Config.load(file), changeSet(repo)])
  // One matcher for every service, one call for the whole change set.
  const { services, explain } = changes
    ? new AffectedMatcher(config).affected(changes.changed, { explain: process.argv.includes('--explain') })
    : { services: config.serviceNames(), explain: null }
  const include = services.map((service) => ({
    service,
    image: config.imageRepository(service),
    chart: config.service(service).chart ?? `charts/${service}`,
  }))
  const matrix = { include }
  console.log(
    JSON.stringify({
      event: env.GITHUB_EVENT_NAME ?? null,
      compared: changes?.compared ?? null,
      changed: changes?.changed.length ?? null,
      services,
      matrix,
      explain,
    }),
  )
  if (env.GITHUB_OUTPUT) {
    appendFileSync(
      env.GITHUB_OUTPUT,
      `matrix=${JSON.stringify(matrix)}\nservices=${JSON.stringify(services)}\nany=${services.length > 0}\n`,
    )
  }
} catch (err) {
  const { code, message } = /** @type {{ code?: string, message?: string }} */ (err)
  console.error(`error[${code}]: ${message}`)
  process.exitCode = 1
}
