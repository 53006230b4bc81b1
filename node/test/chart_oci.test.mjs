// Helm charts as OCI artifacts from Node: references and the formats Helm writes (offline), and
// push, versions and pull against the real registries of tests/services/registry.sh (plain HTTP,
// and TLS with basic auth). Without SHIPRAIL_REGISTRY_ENV the real-registry tests fail, unless
// SHIPRAIL_SKIP_REAL=1.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { shiprail, REPO_ROOT, realRegistries, thrown, unique } from './helpers.mjs'

const s = shiprail
const REAL = realRegistries()
const DELIVERY = join(REPO_ROOT, 'examples', 'drone-delivery', 'charts', 'delivery')

/** A test that needs the real registries: skipped with SHIPRAIL_SKIP_REAL=1, failed without them. */
function realTest(name, fn) {
  it(name, { skip: REAL.skip }, async () => {
    if (REAL.error) throw REAL.error
    await fn()
  })
}

/** The manifest the pure formats give for a package at `created`: what a push writes. */
function manifestOf(pkg, created = s.DEFAULT_CREATED) {
  const chart = s.ChartArchive.readSync(pkg.bytes).chart
  return s.helmManifestJson(s.helmConfigJson(chart), pkg.bytes, s.helmAnnotations(chart, created))
}

describe('chart references and Helm formats', () => {
  it('parses oci:// references and derives the push reference', () => {
    const base = new s.ChartReference('oci://myrepo.azurecr.io/helm')
    assert.deepStrictEqual([base.registry, base.repository, base.tag, base.name], ['myrepo.azurecr.io', 'helm', null, 'helm'])
    const pushed = base.join('delivery').withVersion('1.0.2+build.5')
    assert.equal(pushed.toString(), 'oci://myrepo.azurecr.io/helm/delivery:1.0.2_build.5')
    assert.equal(JSON.stringify({ pushed }), '{"pushed":"oci://myrepo.azurecr.io/helm/delivery:1.0.2_build.5"}')
    assert.ok(pushed.withoutTag().equals(base.join('delivery')))
    const image = pushed.image()
    assert.ok(image instanceof s.ImageReference)
    assert.equal(image.toString(), 'myrepo.azurecr.io/helm/delivery:1.0.2_build.5')
    for (const bad of ['myrepo.azurecr.io/helm', 'oci://registry/helm', 'oci://r.io/helm@sha256:00', '', 'oci://r.io/\u0000']) {
      assert.equal(thrown(() => new s.ChartReference(bad)).code, 'invalid_image_reference', bad)
    }
    assert.equal(thrown(() => new s.ChartReference('oci://r.io').image()).code, 'invalid_image_reference')
    assert.equal(thrown(() => base.join('Bad Name')).code, 'invalid_image_reference')
  })

  it('writes the config blob and annotations from a ChartFile or its metadata alike', () => {
    const file = new s.ChartFile('apiVersion: v2\nname: delivery\nversion: 1.0.2\nappVersion: "1.0.2"\nhome: https://x.io\n')
    const json = s.helmConfigJson(file)
    assert.equal(json, '{"name":"delivery","home":"https://x.io","version":"1.0.2","apiVersion":"v2","appVersion":"1.0.2"}')
    assert.equal(s.helmConfigJson(file.metadata), json)
    assert.deepStrictEqual(s.helmAnnotations(file.metadata, '2024-05-01T12:00:00Z'), s.helmAnnotations(file, '2024-05-01T12:00:00Z'))
    assert.equal(s.helmAnnotations(file, s.DEFAULT_CREATED)['org.opencontainers.image.created'], '1970-01-01T00:00:00Z')
    assert.equal(thrown(() => s.helmConfigJson({ name: 'x', version: 3, maintainers: 'nobody' })).code, 'invalid_chart')
    const manifest = JSON.parse(s.helmManifestJson(json, Buffer.from('tgz'), { a: 'b' }))
    assert.deepStrictEqual(
      [manifest.config.mediaType, manifest.config.digest, manifest.layers[0].mediaType, manifest.annotations],
      [s.HELM_CONFIG_MEDIA_TYPE, s.Digest.of(Buffer.from(json)).toString(), s.HELM_CHART_LAYER_MEDIA_TYPE, { a: 'b' }],
    )
    assert.equal(s.OCI_MANIFEST_MEDIA_TYPE, 'application/vnd.oci.image.manifest.v1+json')
    assert.equal(s.HELM_LEGACY_CHART_LAYER_MEDIA_TYPE, 'application/tar+gzip')
    assert.equal(s.HELM_PROV_LAYER_MEDIA_TYPE, 'application/vnd.cncf.helm.chart.provenance.v1.prov')
  })

  it('lists versions from tags and writes and checks creation times', () => {
    assert.deepStrictEqual(s.chartVersionsFromTags(['1.0.2', 'latest', '1.0.3_rc', 'v2.0.0', '1.0.3-rc.1']), ['1.0.3+rc', '1.0.3-rc.1', '1.0.2'])
    assert.equal(s.rfc3339Utc(1714564800), '2024-05-01T12:00:00Z')
    assert.equal(thrown(() => s.rfc3339Utc(-1)).code, 'config_syntax')
    s.checkCreated('2024-05-01T14:00:00.5+02:00')
    for (const bad of ['2024-05-01', 'yesterday', '', '2024-05-01T12:00:00Z\n']) {
      assert.equal(thrown(() => s.checkCreated(bad)).code, 'invalid_chart', bad)
    }
  })
})

describe('charts in real registries', () => {
  let env
  let client
  let pkg

  before(async () => {
    if (!REAL.env) return
    env = REAL.env
    client = new s.RegistryClient({
      caFiles: [env.SHIPRAIL_REGISTRY_CA],
      credentials: { [env.SHIPRAIL_REGISTRY_TLS]: { username: env.SHIPRAIL_REGISTRY_USER, password: env.SHIPRAIL_REGISTRY_PASSWORD } },
      dockerConfig: new s.DockerConfig(),
      retries: 0,
    })
    pkg = await s.packageChart(DELIVERY, { version: '1.0.2', appVersion: '1.0.2' })
  })

  realTest('pushes a packaged chart, lists it, pulls it byte for byte, and pushes again as a no-op', async () => {
    const destination = `oci://${env.SHIPRAIL_REGISTRY_PLAIN}/${unique('charts')}`
    const pending = client.pushChart(pkg, destination)
    assert.ok(pending instanceof Promise)
    const pushed = await pending
    assert.deepStrictEqual(pushed, {
      reference: `${destination}/delivery:1.0.2`,
      name: 'delivery',
      version: '1.0.2',
      tag: '1.0.2',
      digest: pushed.digest,
      chartDigest: pkg.digest,
      configDigest: s.Digest.of(Buffer.from(s.helmConfigJson(s.ChartArchive.readSync(pkg.bytes).chart))).toString(),
      size: pkg.size,
      alreadyPushed: false,
      replaced: null,
    })
    // The manifest is the one the pure formats describe (created: the epoch by default).
    assert.equal(pushed.digest, s.Digest.of(Buffer.from(manifestOf(pkg))).toString())

    const repository = `${destination}/delivery`
    const build = await s.packageChart(DELIVERY, { version: '1.0.3+build.5' })
    const second = await client.pushChart(build.bytes, destination, { created: '2024-05-01T12:00:00Z' })
    assert.deepStrictEqual([second.tag, second.version], ['1.0.3_build.5', '1.0.3+build.5'])
    assert.equal(second.digest, s.Digest.of(Buffer.from(manifestOf(build, '2024-05-01T12:00:00Z'))).toString())
    assert.deepStrictEqual(await client.chartVersions(repository), ['1.0.3+build.5', '1.0.2'])

    const pull = await client.pullChart(repository, { version: '1.0.2' })
    assert.ok(pull instanceof s.ChartPull)
    assert.ok(Buffer.compare(pull.bytes, pkg.bytes) === 0, 'the pulled archive is the pushed one')
    assert.deepStrictEqual(pull.toJSON(), {
      reference: `${repository}:1.0.2`,
      name: 'delivery',
      version: '1.0.2',
      digest: pushed.digest,
      chartDigest: pkg.digest,
      size: pkg.size,
      fileName: 'delivery-1.0.2.tgz',
      metadata: s.ChartArchive.readSync(pkg.bytes).metadata,
    })
    const dir = mkdtempSync(join(tmpdir(), 'shiprail-pull-'))
    const path = await pull.writeTo(join(dir, 'out'))
    assert.equal(path, join(dir, 'out', 'delivery-1.0.2.tgz'))
    assert.ok(Buffer.compare(readFileSync(path), pkg.bytes) === 0)
    assert.equal(pull.writeToSync(dir), join(dir, 'delivery-1.0.2.tgz'))

    // No version: the highest, as helm pull does; a tag in the reference works too.
    assert.equal((await client.pullChart(repository)).version, '1.0.3+build.5')
    assert.equal((await client.pullChart(`${repository}:1.0.2`)).digest, pushed.digest)

    // The same archive again, whatever its creation time: nothing written, the manifest found.
    const again = await client.pushChart(pkg.bytes, destination, { created: '2030-01-01T00:00:00Z' })
    assert.deepStrictEqual([again.alreadyPushed, again.digest, again.replaced], [true, pushed.digest, null])
  })

  realTest('refuses another archive under a pushed version unless forced', async () => {
    const destination = `oci://${env.SHIPRAIL_REGISTRY_PLAIN}/${unique('charts')}`
    const first = await client.pushChart(pkg, destination)
    const other = await s.packageChart(DELIVERY, { version: '1.0.2', appVersion: '9.9.9' })
    await assert.rejects(client.pushChart(other, destination), (err) => {
      assert.equal(err.code, 'registry_clobber', err.message)
      assert.equal(err.input, `${destination}/delivery:1.0.2`)
      assert.ok(err.message.includes(first.digest) && err.message.includes(other.digest), err.message)
      return true
    })
    const forced = await client.pushChart(other, destination, { force: true })
    assert.deepStrictEqual([forced.alreadyPushed, forced.replaced], [false, first.digest])
    const pull = await client.pullChart(`${destination}/delivery`, { version: '1.0.2' })
    assert.equal(pull.metadata.appVersion, '9.9.9')
  })

  realTest('pushes and pulls over TLS with basic auth; a wrong password is registry_unauthorized', async () => {
    const destination = `oci://${env.SHIPRAIL_REGISTRY_TLS}/${unique('charts')}`
    const pushed = await client.pushChart(pkg, destination)
    const pull = await client.pullChart(`${destination}/delivery`, { version: '1.0.2' })
    assert.equal(pull.digest, pushed.digest)
    assert.ok(Buffer.compare(pull.bytes, pkg.bytes) === 0)

    const wrong = 'not-the-Password-42'
    const intruder = new s.RegistryClient({
      caFiles: [env.SHIPRAIL_REGISTRY_CA],
      credentials: { [env.SHIPRAIL_REGISTRY_TLS]: { username: env.SHIPRAIL_REGISTRY_USER, password: wrong } },
      dockerConfig: new s.DockerConfig(),
      retries: 0,
    })
    for (const call of [
      () => intruder.pushChart(pkg, destination, { force: true }),
      () => intruder.pullChart(`${destination}/delivery`, { version: '1.0.2' }),
      () => intruder.chartVersions(`${destination}/delivery`),
    ]) {
      await assert.rejects(call(), (err) => {
        assert.equal(err.code, 'registry_unauthorized', err.message)
        const shown = `${err.message}\n${inspect(err, { showHidden: true })}\n${JSON.stringify(err)}`
        for (const secret of [wrong, env.SHIPRAIL_REGISTRY_PASSWORD]) assert.ok(!shown.includes(secret), err.message)
        return true
      })
    }
  })

  realTest('rejects what is not a chart, no such version, and bad arguments', async () => {
    const plain = env.SHIPRAIL_REGISTRY_PLAIN
    const [image, tag] = env.SHIPRAIL_SEED_SINGLE.split(':')
    await assert.rejects(client.pullChart(`oci://${plain}/${image}`, { version: tag }), (err) => {
      assert.equal(err.code, 'invalid_chart', err.message)
      assert.match(err.message, /is not a Helm chart/)
      return true
    })
    const destination = `oci://${plain}/${unique('charts')}`
    await client.pushChart(pkg, destination)
    await assert.rejects(client.pullChart(`${destination}/delivery`, { version: '9.9.9' }), (err) => err.code === 'registry_not_found')
    await assert.rejects(client.pullChart(`${destination}/delivery:1.0.2`, { version: '1.0.3' }), (err) => err.code === 'invalid_image_reference')
    // Bad arguments reject the promise rather than throw.
    const rejected = async (promise, code) => assert.rejects(promise, (err) => (assert.equal(err.code, code, err.message), true))
    await rejected(client.pushChart(pkg, `${destination}:1.0.2`), 'invalid_image_reference')
    await rejected(client.pushChart(pkg, 'Not A Reference'), 'invalid_image_reference')
    await rejected(client.pushChart(Buffer.from('not a gzip stream'), destination), 'invalid_archive')
    await rejected(client.pushChart(pkg, destination, { created: 'yesterday' }), 'invalid_chart')
    await rejected(client.pushChart(pkg, destination, { limits: { max_fil_size: 1 } }), 'config_syntax')
    await rejected(client.pullChart(`${destination}/delivery`, { limits: { max_file_size: 10 } }), 'unsafe_archive')
    await rejected(client.chartVersions('oci://registry/x'), 'invalid_image_reference')
  })
})
