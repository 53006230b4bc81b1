#!/usr/bin/env node
// @ts-check
// The chart step of a release build: packages the service's chart with chart version and
// appVersion from the release branch, loads the package back with the loader's checks, lints
// what was packaged with the release rules, and only then writes `<name>-<version>.tgz`; names
// the Helm release of each environment with its change cause. Prints one JSON document; the
// sources are not modified.
//
//   node chart-package.mjs [BRANCH] [CONFIG] [OUT_DIR] [RELEASED_TAGS_FILE]
//   node chart-package.mjs release/delivery/v1.0.2 examples/drone-delivery/shiprail.yaml dist
//
// RELEASED_TAGS_FILE holds the repository's tags, one a line (`git tag > tags.txt`); the chart
// version must be above every released version of the service. The entries' mtime is
// $SOURCE_DATE_EPOCH (else 0), so the same sources give the same archive and digest.
// Exits 1 with `error[<code>]: <message>` when the branch, the configuration or the chart is
// refused (the code is one of shiprail's ERROR_CODES).
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ChartArchive, Config, lintChartDir, packageChart, releaseNames, releasedVersions, renderChangeCause } from 'shiprail'

const [branch = 'release/delivery/v1.0.2', file = 'shiprail.yaml', outDir = 'dist', tagsFile] = process.argv.slice(2)

try {
  const config = await Config.load(file)
  const release = config.releaseForBranch(branch)
  // The chart folder from shiprail.yaml (relative to it), else the monorepo's `charts/<service>`.
  const chartDir = join(dirname(file), config.service(release.service).chart ?? `charts/${release.service}`)
  const tags = tagsFile ? (await readFile(tagsFile, 'utf8')).split('\n').filter(Boolean) : []
  const released = releasedVersions(release.service, tags, config.serviceNames(), config.tags)

  const pkg = await packageChart(chartDir, {
    version: release.chartVersion,
    appVersion: release.appVersion,
    mtime: Number(process.env.SOURCE_DATE_EPOCH ?? 0),
  })
  const archive = await ChartArchive.read(pkg.bytes)

  // Lint the chart as packaged (the versions set), so the release rules see the new version.
  const scratch = await mkdtemp(join(tmpdir(), 'chart-lint-'))
  const report = await lintChartDir(await archive.extractTo(scratch), { released, policy: config.tags }).finally(() =>
    rm(scratch, { recursive: true, force: true }),
  )
  if (report.error) throw Object.assign(new Error(report.error.message), report.error)
  const path = await pkg.writeTo(outDir)

  const deployments = Object.keys(config.environments).map((environment) => {
    const names = releaseNames(release.service, release.version, environment)
    const changeCause = renderChangeCause({ service: release.service, version: release.version, environment, branch })
    return { environment, release: names.release, changeCause }
  })
  const warnings = report.findings.filter((f) => f.severity === 'warning').map((f) => `${f.file}: ${f.message} (${f.rule})`)
  console.log(JSON.stringify({ ...pkg.toJSON(), path, chartOciTag: release.chartOciTag, metadata: archive.metadata, warnings, deployments }, null, 2))
} catch (err) {
  const { code, message, suggestion } = /** @type {{ code?: string, message?: string, suggestion?: string }} */ (err)
  console.error(`error[${code}]: ${message}`)
  if (suggestion) console.error(`hint: did you mean \`${suggestion}\`?`)
  process.exitCode = 1
}
