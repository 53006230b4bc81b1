// The registry client against real registries (tests/services/registry.sh: the distribution
// registry over plain HTTP, and over TLS with basic auth), checked with skopeo as the reference
// client; the promotion policy, digests and platforms; and secrets, which no JS-visible value may
// hold. Without SHIPRAIL_REGISTRY_ENV the real-registry tests fail, unless SHIPRAIL_SKIP_REAL=1.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { shiprail, REPO_ROOT, SAMPLE_CONFIG, realRegistries, thrown, unique } from './helpers.mjs'

const s = shiprail
const REAL = realRegistries()

/** A test that needs the real registries: skipped with SHIPRAIL_SKIP_REAL=1, failed without them. */
function realTest(name, fn) {
  it(name, { skip: REAL.skip }, async () => {
    if (REAL.error) throw REAL.error
    await fn()
  })
}

/** Every text a JS program can get out of a value: JSON, inspection, own properties. */
function everythingShown(value) {
  const names = value !== null && typeof value === 'object' ? Object.getOwnPropertyNames(value) : []
  return [
    String(value),
    inspect(value, { depth: 10, showHidden: true, getters: true }),
    JSON.stringify(value, names.length ? [...names, ...Object.keys(value)] : undefined) ?? '',
    ...names.map((n) => inspect(value[n], { depth: 10 })),
  ].join('\n')
}

describe('PromotionPolicy', () => {
  const config = s.Config.loadSync(SAMPLE_CONFIG)

  it('sends an image where the environment says, by release tags only', () => {
    const policy = s.PromotionPolicy.fromConfig(config, 'prod')
    assert.equal(policy.namespace, 'prod')
    assert.equal(policy.template, s.DEFAULT_PROMOTION_TEMPLATE)
    assert.equal(policy.releaseTagsOnly, true)
    assert.deepStrictEqual(policy.tags, config.tags)
    assert.deepStrictEqual(policy.request('myrepo.azurecr.io/delivery:v1.0.2'), {
      source: 'myrepo.azurecr.io/delivery:v1.0.2',
      destination: 'myrepo.azurecr.io/prod/delivery:v1.0.2',
      expectedDigest: null,
      platforms: [],
      force: false,
      dryRun: false,
      referrers: true,
    })
    assert.equal(policy.checkTag('v1.0.2'), '1.0.2')
    assert.equal(thrown(() => policy.request('myrepo.azurecr.io/delivery:latest')).code, 'mutable_tag')
    assert.equal(thrown(() => policy.checkTag('nightly-5')).code, 'invalid_tag')
    assert.equal(thrown(() => s.PromotionPolicy.fromConfig(config, 'prd')).code, 'unknown_environment')
  })

  it('takes overrides and gives them back as options', () => {
    const policy = s.PromotionPolicy.fromConfig(config, 'prod', { namespace: 'prod/eu', releaseTagsOnly: false })
    assert.equal(policy.request('myrepo.azurecr.io/delivery:nightly-5').destination, 'myrepo.azurecr.io/prod/eu/delivery:nightly-5')
    const again = new s.PromotionPolicy(policy.toJSON())
    assert.deepStrictEqual(again.toJSON(), policy.toJSON())
    assert.equal(thrown(() => new s.PromotionPolicy({ template: '{registry}/{name}' })).code, 'invalid_template')
    assert.equal(thrown(() => new s.PromotionPolicy({ tags: { imagee: 'v{version}' } })).code, 'config_syntax')
    const approved = `sha256:${'4c'.repeat(32)}`
    assert.equal(policy.request(`myrepo.azurecr.io/delivery:v1.0.2@${approved}`).expectedDigest, approved)
  })
})

describe('Digest, Platform, highestRelease', () => {
  it('parse and show digests and platforms', () => {
    const digest = s.Digest.of(Buffer.from('{}'))
    assert.equal(digest.algorithm, 'sha256')
    assert.equal(digest.toString(), `sha256:${digest.hex}`)
    assert.equal(digest.tagForm, `sha256-${digest.hex}`)
    assert.ok(digest.matches(Buffer.from('{}')))
    assert.ok(!digest.matches(Buffer.from('{ }')))
    assert.ok(new s.Digest(digest.toString()).equals(digest))
    assert.equal(JSON.stringify({ digest }), `{"digest":"${digest}"}`)
    assert.equal(thrown(() => new s.Digest('sha256:abc')).code, 'invalid_image_reference')
    const platform = new s.Platform('linux/arm64/v8')
    assert.deepStrictEqual([platform.os, platform.architecture, platform.variant], ['linux', 'arm64', 'v8'])
    assert.ok(new s.Platform('linux/arm64').matches('linux', 'arm64', 'v8'))
    assert.ok(!platform.matches('linux', 'arm64'))
    assert.equal(thrown(() => new s.Platform('linux')).code, 'invalid_image_reference')
  })

  it('finds the highest release tag of a list', () => {
    const tags = ['v1.0.2', 'v1.0.10', 'latest', 'v1.1.0-rc.1', 'sha256-ab.sig', 'v1.0.9']
    assert.deepStrictEqual(s.highestRelease(tags), { tag: 'v1.0.10', version: '1.0.10' })
    assert.deepStrictEqual(s.highestRelease(tags, { includePrereleases: true }), { tag: 'v1.1.0-rc.1', version: '1.1.0-rc.1' })
    assert.equal(s.highestRelease(['latest']), null)
  })
})

describe('secrets', () => {
  const secret = 'hunter2-S3cret-value'

  it('never come out of a client, its options or its errors', async () => {
    const client = new s.RegistryClient({
      credentials: { 'myrepo.azurecr.io': { username: 'ci', password: secret }, 'ghcr.io': { token: secret } },
      dockerConfig: new s.DockerConfig(),
    })
    assert.ok(!everythingShown(client).includes(secret))
    for (const credentials of [
      { 'r.io': secret },
      { 'r.io': { username: 'ci', pasword: secret } },
      { 'r.io': { username: 'ci', password: 42, token: secret } },
      { 'r.io': { username: secret } },
      { 'r.io': { password: secret, token: secret } },
      { 'r.io': [secret] },
    ]) {
      const err = thrown(() => new s.RegistryClient({ credentials }))
      assert.equal(err.code, 'config_syntax', err.message)
      assert.ok(!everythingShown(err).includes(secret), err.message)
    }
    // A bad argument of an operation rejects without showing the client's secrets either.
    await assert.rejects(client.resolve('Bad Reference'), (err) => !everythingShown(err).includes(secret))
  })

  it('of a docker config are described, never shown', () => {
    const auth = Buffer.from(`ci:${secret}`).toString('base64')
    const config = s.DockerConfig.fromJson(JSON.stringify({ auths: { 'https://myrepo.azurecr.io/v1/': { auth }, 'ghcr.io': { registrytoken: secret } } }))
    const basic = config.credentialsForSync('myrepo.azurecr.io')
    assert.deepStrictEqual(basic, { kind: 'basic', username: 'ci', description: 'user `ci`' })
    assert.deepStrictEqual(config.credentialsForSync('ghcr.io'), { kind: 'bearer', username: null, description: 'a bearer token' })
    assert.deepStrictEqual(config.credentialsForSync('docker.io').kind, 'anonymous')
    assert.ok(!everythingShown(config).includes(secret))
    assert.ok(!everythingShown(basic).includes(secret))
    const err = thrown(() => s.DockerConfig.fromJson(JSON.stringify({ auths: { 'r.io': { auth: `${secret}!` } } })))
    assert.equal(err.code, 'config_syntax')
    assert.ok(!everythingShown(err).includes(secret), err.message)
  })

  it('come from credential helpers, off the main thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiprail-helper-'))
    const helper = join(dir, 'docker-credential-nodetest')
    writeFileSync(helper, `#!/bin/sh\nread server\nprintf '{"ServerURL":"%s","Username":"ci","Secret":"${secret}"}' "$server"\n`, { mode: 0o755 })
    const config = s.DockerConfig.fromJson('{"credHelpers": {"r.io": "nodetest"}}').withHelperDirs([dir])
    const info = await config.credentialsFor('r.io')
    assert.deepStrictEqual(info, { kind: 'basic', username: 'ci', description: 'user `ci`' })
  })
})

/** `skopeo` with the access options of a reference on either registry. */
function skopeo(env, args, image, prefix) {
  const access = image.startsWith(`${env.SHIPRAIL_REGISTRY_TLS}/`)
    ? [`${prefix}cert-dir=${env.SHIPRAIL_REGISTRY_CERT_DIR}`, `${prefix}creds=${env.SHIPRAIL_REGISTRY_USER}:${env.SHIPRAIL_REGISTRY_PASSWORD}`]
    : [`${prefix}tls-verify=false`]
  return execFileSync('skopeo', [...args, ...access, ...(prefix === '--' ? [`docker://${image}`] : [])], { maxBuffer: 1 << 26 })
}

/** `skopeo inspect --raw`: the manifest bytes the registry serves. */
const rawManifest = (env, image) => skopeo(env, ['inspect', '--raw'], image, '--')

describe('RegistryClient against real registries', () => {
  let env
  let options
  let source
  let seeded

  before(() => {
    if (!REAL.env) return
    env = REAL.env
    options = {
      caFiles: [env.SHIPRAIL_REGISTRY_CA],
      credentials: { [env.SHIPRAIL_REGISTRY_TLS]: { username: env.SHIPRAIL_REGISTRY_USER, password: env.SHIPRAIL_REGISTRY_PASSWORD } },
      dockerConfig: new s.DockerConfig(),
    }
    // Seed an image of our own, as registry.sh does: an OCI layout written by mkoci.py,
    // pushed by skopeo.
    const layout = mkdtempSync(join(tmpdir(), 'shiprail-oci-'))
    const mkoci = join(REPO_ROOT, 'tests', 'tools', 'mkoci.py')
    const extra = join(layout, 'build-info.txt')
    writeFileSync(extra, `node test ${process.pid} ${Date.now()}\n`)
    seeded = execFileSync('python3', [mkoci, 'image', join(layout, 'oci'), 'v1.0.2', '--file', extra], { encoding: 'utf8' }).trim()
    source = `${env.SHIPRAIL_REGISTRY_PLAIN}/${unique('delivery')}:v1.0.2`
    execFileSync('skopeo', ['copy', '-q', '--preserve-digests', '--dest-tls-verify=false', `oci:${join(layout, 'oci')}:v1.0.2`, `docker://${source}`])
  })

  realTest('promotes an image between registries unchanged, reporting progress, and again as a no-op', async () => {
    const client = new s.RegistryClient(options)
    const namespace = unique('prod')
    const policy = new s.PromotionPolicy({ namespace, template: `${env.SHIPRAIL_REGISTRY_TLS}/{namespace}/{name}:{tag}` })
    const request = policy.request(source)
    assert.equal(request.destination, `${env.SHIPRAIL_REGISTRY_TLS}/${namespace}/delivery:v1.0.2`)
    const events = []
    const pending = client.promote({ ...request, expectedDigest: seeded }, { onProgress: (e) => events.push(e) })
    assert.ok(pending instanceof Promise)
    const promotion = await pending
    assert.equal(promotion.digest, seeded)
    assert.equal(promotion.sourceDigest, seeded)
    assert.deepStrictEqual([promotion.manifests, promotion.blobs.copied, promotion.blobs.mounted], [1, 2, 0])
    assert.ok(promotion.bytesCopied > 0)
    assert.equal(promotion.alreadyPromoted, false)

    // Every event was delivered before the promise resolved, in order, as plain objects.
    assert.deepStrictEqual(events[0], { ...events[0], event: 'resolved', digest: seeded, reference: source })
    assert.deepStrictEqual(events.at(-1), { ...events.at(-1), event: 'tagged', digest: seeded, reference: request.destination })
    assert.equal(events.filter((e) => e.event === 'blob_copied').length, 2)
    const planned = events.find((e) => e.event === 'planned')
    assert.deepStrictEqual([planned.manifests, planned.blobs, planned.bytesToCopy], [1, 2, promotion.bytesCopied])
    assert.equal(Object.keys(events[0]).length, 9, 'every key present, null when not part of the event')

    // The reference client sees the very bytes of the source.
    const copied = rawManifest(env, request.destination)
    assert.ok(Buffer.compare(copied, rawManifest(env, source)) === 0)
    assert.ok(new s.Digest(seeded).matches(copied))

    const again = await client.promote(request)
    assert.deepStrictEqual([again.alreadyPromoted, again.manifests, again.bytesCopied], [true, 0, 0])
  })

  realTest('mounts inside one registry, plans dry runs and filters platforms', async () => {
    const client = new s.RegistryClient(options)
    const destination = `${env.SHIPRAIL_REGISTRY_PLAIN}/${unique('prod/delivery')}:v1.0.2`
    const plan = await client.promote({ source, destination, dryRun: true })
    assert.deepStrictEqual([plan.dryRun, plan.blobs.mounted], [true, 2])
    await assert.rejects(client.resolve(destination), (err) => err.code === 'registry_not_found')
    const promotion = await client.promote({ source, destination })
    assert.deepStrictEqual([promotion.blobs.mounted, promotion.bytesCopied], [2, 0])

    const index = `${env.SHIPRAIL_REGISTRY_PLAIN}/${env.SHIPRAIL_SEED_INDEX}`
    const arm = `${env.SHIPRAIL_REGISTRY_PLAIN}/${unique('prod/multi')}:v2.0.0`
    const filtered = await client.promote({ source: index, destination: arm, platforms: ['linux/arm64'] })
    assert.equal(filtered.sourceDigest, env.SHIPRAIL_SEED_INDEX_DIGEST)
    assert.notEqual(filtered.digest, filtered.sourceDigest)
    assert.equal(s.Digest.of(rawManifest(env, arm)).toString(), filtered.digest)
  })

  realTest('lists tags, resolves digests, finds the highest release and deletes tags', async () => {
    const client = new s.RegistryClient(options)
    const repository = source.slice(0, source.lastIndexOf(':'))
    const next = `${repository}:v1.0.3`
    await client.promote({ source, destination: next })
    assert.deepStrictEqual((await client.listTags(repository)).sort(), ['v1.0.2', 'v1.0.3'])
    assert.deepStrictEqual(await client.highestRelease(repository), { tag: 'v1.0.3', version: '1.0.3' })
    assert.deepStrictEqual(await client.highestRelease(repository, { policy: { image: 'release-{version}' } }), null)
    const resolved = await client.resolve(source)
    assert.deepStrictEqual(resolved, {
      reference: source,
      digest: seeded,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: rawManifest(env, source).length,
    })
    // Two tags name one manifest, and this registry deletes manifests only: refused.
    await assert.rejects(client.deleteTag(next), (err) => err.code === 'registry' && err.message.includes('`v1.0.2`'))
    const other = `${env.SHIPRAIL_REGISTRY_PLAIN}/${unique('scratch')}:v1.0.2`
    await client.promote({ source, destination: other })
    const deleted = await client.deleteTag(other)
    assert.deepStrictEqual([deleted.reference, deleted.digest], [other, seeded])
    assert.ok(['tag', 'manifest'].includes(deleted.method))
    await assert.rejects(client.resolve(other), (err) => err.code === 'registry_not_found')
  })

  realTest('refuses wrong credentials without showing any secret', async () => {
    const wrong = 'not-the-Password-42'
    const image = `${env.SHIPRAIL_REGISTRY_TLS}/${env.SHIPRAIL_SEED_SINGLE}`
    const client = new s.RegistryClient({
      ...options,
      credentials: { [env.SHIPRAIL_REGISTRY_TLS]: { username: env.SHIPRAIL_REGISTRY_USER, password: wrong } },
    })
    for (const call of [() => client.resolve(image), () => client.promote({ source: image, destination: `${image}-x` })]) {
      await assert.rejects(call(), (err) => {
        assert.equal(err.code, 'registry_unauthorized', err.message)
        for (const secret of [wrong, env.SHIPRAIL_REGISTRY_PASSWORD]) assert.ok(!everythingShown(err).includes(secret), err.message)
        return true
      })
    }
    assert.ok(!everythingShown(client).includes(wrong))
    const anonymous = new s.RegistryClient({ ...options, credentials: {} })
    await assert.rejects(anonymous.resolve(image), (err) => {
      assert.equal(err.code, 'registry_unauthorized')
      assert.ok(err.message.includes(`log in with \`docker login ${env.SHIPRAIL_REGISTRY_TLS}\``), err.message)
      return true
    })
  })

  realTest('takes credentials from a docker config', async () => {
    const auth = Buffer.from(`${env.SHIPRAIL_REGISTRY_USER}:${env.SHIPRAIL_REGISTRY_PASSWORD}`).toString('base64')
    const dir = mkdtempSync(join(tmpdir(), 'shiprail-docker-'))
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [`https://${env.SHIPRAIL_REGISTRY_TLS}/v2/`]: { auth } } }))
    const dockerConfig = await s.DockerConfig.load(join(dir, 'config.json'))
    assert.equal(dockerConfig.path, join(dir, 'config.json'))
    const client = new s.RegistryClient({ caFiles: [env.SHIPRAIL_REGISTRY_CA], dockerConfig })
    const resolved = await client.resolve(`${env.SHIPRAIL_REGISTRY_TLS}/${env.SHIPRAIL_SEED_SINGLE}`)
    assert.equal(resolved.digest, env.SHIPRAIL_SEED_SINGLE_DIGEST)
    assert.ok(!everythingShown(dockerConfig).includes(env.SHIPRAIL_REGISTRY_PASSWORD))
  })

  realTest('runs many operations at once on one client', async () => {
    const client = new s.RegistryClient(options)
    const tls = `${env.SHIPRAIL_REGISTRY_TLS}/${env.SHIPRAIL_SEED_SINGLE}`
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => client.resolve(i % 2 ? source : tls)))
    assert.deepStrictEqual(
      all.map((r) => r.digest),
      Array.from({ length: 8 }, (_, i) => (i % 2 ? seeded : env.SHIPRAIL_SEED_SINGLE_DIGEST)),
    )
  })

  realTest('rejects a bad argument instead of throwing', async () => {
    const client = new s.RegistryClient(options)
    const promise = client.promote({ source, destination: source.replace('v1.0.2', 'v1.0.4'), dryrun: true })
    await assert.rejects(promise, (err) => {
      assert.equal(err.code, 'invalid_image_reference')
      assert.match(err.message, /^invalid promote request: unknown field `dryrun`/)
      return true
    })
    await assert.rejects(client.promote({ source: `${source}@${seeded}`, destination: `${source}-x`, expectedDigest: env.SHIPRAIL_SEED_INDEX_DIGEST }), (err) =>
      err.message.startsWith(`the source names ${seeded} but \`expectedDigest\` is`),
    )
    await assert.rejects(client.listTags('Not A Repository'), (err) => err.code === 'invalid_image_reference')
  })
})
