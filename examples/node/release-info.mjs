#!/usr/bin/env node
// What does this branch release? Prints the service, version, every tag, the image to build and
// where it is promoted, as JSON, from the repository's shiprail.yaml.
//
//   node release-info.mjs [BRANCH] [CONFIG]
//   node release-info.mjs release/delivery/v1.0.2 examples/drone-delivery/shiprail.yaml
//
// Exits 1 with `error[<code>]: <message>` when the branch is not a release branch or the
// configuration is invalid (the code is one of shiprail's ERROR_CODES).
import { Config } from 'shiprail'

const [branch = 'release/delivery/v1.0.2', file = 'shiprail.yaml'] = process.argv.slice(2)

try {
  const config = await Config.load(file)
  const release = config.releaseForBranch(branch)
  const image = `${config.imageRepository(release.service)}:${release.imageTag}`
  const promotions = Object.entries(config.environments)
    .filter(([, environment]) => environment.registry_namespace)
    .map(([name]) => config.promotionTarget(image, name))
  console.log(JSON.stringify({ ...release, image, promotions }, null, 2))
} catch (err) {
  console.error(`error[${err.code}]: ${err.message}`)
  if (err.suggestion) console.error(`hint: did you mean \`${err.suggestion}\`?`)
  process.exitCode = 1
}
