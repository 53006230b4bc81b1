#!/usr/bin/env node
// @ts-check
// The release steps of a pipeline in Node: plan the event, keep the release state, and refuse
// what may not run (production without an approval of the digest QA passed with).
//
//   node release-gate.mjs plan --config shiprail.yaml --ref release/delivery/v1.0.2 --save plan.json
//       prints the GitHub Actions outputs (appended to $GITHUB_OUTPUT when it is set)
//   node release-gate.mjs init --state state.json --plan plan.json --author alice
//   node release-gate.mjs gate --state state.json --step ci/image_push --digest sha256:...
//   node release-gate.mjs approve|promote|deploy --state state.json --env prod --digest sha256:...
//   node release-gate.mjs next --state state.json
//
// Every record takes --by (default $GITHUB_ACTOR, then `ci`) and --at (RFC 3339, default now),
// prints the audit entry written and what may run now, and saves the state atomically. A
// refused record exits 1 with `error[<code>]: <message>` and leaves the state file unchanged.
import { appendFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { Config, Plan, ReleaseState } from 'shiprail'

const { positionals, values: o } = parseArgs({
  allowPositionals: true,
  options: Object.fromEntries(
    ['config', 'event', 'ref', 'base-ref', 'commit', 'save', 'state', 'plan', 'author', 'step', 'result', 'env', 'digest', 'by', 'at', 'comment'].map(
      (name) => [name, { type: /** @type {const} */ ('string') }],
    ),
  ),
})
const by = o.by ?? process.env.GITHUB_ACTOR ?? 'ci'
const need = (/** @type {string | undefined} */ value, /** @type {string} */ name) => {
  if (value === undefined) throw Object.assign(new Error(`--${name} is required`), { code: 'usage' })
  return value
}

/** @param {ReleaseState} state @param {import('shiprail').AuditEntry} entry */
async function saved(state, entry) {
  await state.save(need(o.state, 'state'))
  const next = state.next(o.at)
  return { recorded: entry, ready: next.ready, complete: next.complete }
}

async function main() {
  const [command] = positionals
  switch (command) {
    case 'plan': {
      const config = await Config.load(o.config ?? 'shiprail.yaml')
      const kind = /** @type {'push' | 'pull_request' | 'tag' | 'manual'} */ (o.event ?? 'push')
      const plan = config.plan({ kind, ref: need(o.ref, 'ref'), baseRef: o['base-ref'], commit: o.commit })
      if (o.save) writeFileSync(o.save, plan.toJsonString())
      const outputs = plan.renderCi('github')
      if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, outputs)
      return outputs.trimEnd()
    }
    case 'init': {
      const plan = await Plan.load(need(o.plan, 'plan'))
      const state = new ReleaseState(plan, { author: o.author, actor: by, at: o.at })
      await state.save(need(o.state, 'state'))
      return { service: state.release.service, version: state.release.version, ready: state.next(o.at).ready }
    }
    case 'gate': {
      const state = await ReleaseState.load(need(o.state, 'state'))
      const result = /** @type {'passed' | 'failed'} */ (o.result ?? 'passed')
      return saved(state, state.recordGate(need(o.step, 'step'), { by, at: o.at, result, digest: o.digest }))
    }
    case 'approve':
    case 'promote':
    case 'deploy': {
      const state = await ReleaseState.load(need(o.state, 'state'))
      const [env, digest] = [need(o.env, 'env'), need(o.digest, 'digest')]
      const entry =
        command === 'approve'
          ? state.recordApproval(env, digest, { by: need(o.by, 'by'), at: o.at, comment: o.comment })
          : command === 'promote'
            ? state.recordPromotion(env, digest, { by, at: o.at })
            : state.recordDeployment(env, digest, { by, at: o.at })
      return saved(state, entry)
    }
    case 'next':
      return (await ReleaseState.load(need(o.state, 'state'))).next(o.at)
    default:
      throw Object.assign(new Error(`unknown command ${command}: plan, init, gate, approve, promote, deploy or next`), { code: 'usage' })
  }
}

try {
  const out = await main()
  console.log(typeof out === 'string' ? out : JSON.stringify(out, null, 2))
} catch (err) {
  const e = /** @type {Error & { code?: string }} */ (err)
  console.error(`error[${e.code}]: ${e.message}`)
  process.exitCode = 1
}
