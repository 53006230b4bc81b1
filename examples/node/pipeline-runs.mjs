#!/usr/bin/env node
// @ts-check
// Which of the monorepo's pipelines does this push or pull request run? A GitHub Actions step:
// it evaluates the running workflow's event against every pipeline file given (Azure Pipelines
// files or GitHub workflows, the dialect detected), prints one JSON line per file, and in
// Actions writes `<file name>=true|false` to $GITHUB_OUTPUT for the `if:` of later jobs.
//
//   git diff --name-status "$BASE_SHA" "$GITHUB_SHA" > changed.txt
//   node pipeline-runs.mjs --changed changed.txt pipelines/azure/*.yml
//
// The event is read from the runner's environment: GITHUB_EVENT_NAME (push, pull_request,
// workflow_dispatch, ...), GITHUB_REF for a push, GITHUB_HEAD_REF and GITHUB_BASE_REF for a
// pull request. Without --changed the changes are unknown and path filters exclude nothing.
// Exits 1 with `error[<code>]: <message>` on an invalid pipeline or event (the code is one of
// shiprail's ERROR_CODES). Type-checked with the package's types by node/run-tests.sh.
import { appendFileSync, readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import { Pipeline, parseChangedLines } from 'shiprail'

const args = process.argv.slice(2)
const at = args.indexOf('--changed')
const changedFile = at >= 0 ? args.splice(at, 2)[1] : undefined
const env = process.env
const pull = (env.GITHUB_EVENT_NAME ?? '').startsWith('pull_request')

try {
  /** @type {import('shiprail').TriggerEvent} */
  const event = {
    kind: /** @type {import('shiprail').TriggerEvent['kind']} */ (env.GITHUB_EVENT_NAME ?? 'push'),
    ref: (pull ? env.GITHUB_HEAD_REF : env.GITHUB_REF) ?? '',
    baseRef: pull ? env.GITHUB_BASE_REF : null,
    changed: changedFile === undefined ? null : parseChangedLines(readFileSync(changedFile, 'utf8')),
  }
  // Every file is read and parsed on the libuv pool, concurrently.
  const pipelines = await Promise.all(args.map((file) => Pipeline.load(file)))
  const outputs = pipelines.map((pipeline, i) => {
    const { run, reason } = pipeline.evaluate(event)
    console.log(JSON.stringify({ pipeline: args[i], dialect: pipeline.dialect, run, reason }))
    return `${basename(args[i], extname(args[i]))}=${run}\n`
  })
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, outputs.join(''))
} catch (err) {
  const { code, message } = /** @type {{ code?: string, message?: string }} */ (err)
  console.error(`error[${code}]: ${message}`)
  process.exitCode = 1
}
