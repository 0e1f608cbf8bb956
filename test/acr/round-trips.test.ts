import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Endpoint, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { FaultProxy, startFaultProxy } from '../../devkit/net/fault-proxy';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, skopeoSeed, tempDir } from '../../devkit/registry/world';

/**
 * The requests a promotion makes, as both registries see them (docker-registry 2.8 behind logging proxies
 * that keep the Host header, so upload Locations point back through them), run as the agent runs the
 * packaged task: what bench/acr-copy's first-copy and re-promotion figures rest on.
 */
describe('AcrPromote round trips against docker-registry (packaged task)', function () {
  this.timeout(60_000);
  let layout: OciLayout | undefined;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let srcProxy: FaultProxy;
  let dstProxy: FaultProxy;
  let image: Descriptor;
  let signed: Descriptor;
  let referrer: Descriptor;
  const host = (p: FaultProxy): string => new URL(p.url).host;
  const endpoint = (p: FaultProxy, creds: { username: string; password: string }): Endpoint => ({
    url: p.url,
    scheme: 'UsernamePassword',
    auth: { registry: p.url, username: creds.username, password: creds.password },
  });

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'rsrc' }), startLocalRegistry({ name: 'rdst' })]);
    [srcProxy, dstProxy] = await Promise.all([
      startFaultProxy({ target: src.url, preserveHost: true }),
      startFaultProxy({ target: dst.url, preserveHost: true }),
    ]);
    layout = new OciLayout(tempDir('rlayout'));
    image = layout.image({ layerSizes: [120_000, 60_000, 30_000] });
    layout.tag('v1', image);
    await skopeoSeed(layout.dir, 'v1', src, 'team/app:v1');
    signed = layout.image({ layerSizes: [40_000] });
    layout.tag('signed', signed);
    await skopeoSeed(layout.dir, 'signed', src, 'team/signed:v1');
    referrer = layout.referrer(signed, 'application/spdx+json', '{"spdxVersion":"SPDX-2.3"}');
    const fallback = layout.referrersIndex(signed, [referrer]);
    layout.tag(fallback.tag, fallback.descriptor);
    await skopeoSeed(layout.dir, fallback.tag, src, `team/signed:${fallback.tag}`, { all: true });
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all([srcProxy?.close(), dstProxy?.close()]);
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  const promote = async (repository: string, env: Record<string, string> = {}) => {
    srcProxy.log.length = 0;
    dstProxy.log.length = 0;
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: {
        sourceImage: `${host(srcProxy)}/team/${repository}:v1`,
        targetRegistry: host(dstProxy),
        targetRepository: `prod/${repository}`,
        sourceRegistryConnection: 'srcconn',
        targetRegistryConnection: 'dstconn',
      },
      endpoints: { srcconn: endpoint(srcProxy, READER), dstconn: endpoint(dstProxy, ADMIN) },
      env,
    });
    assert.equal(run.result, 'Succeeded', `${run.resultMessage}\n${run.stderr}`);
    const lines = (p: FaultProxy) => p.log.map((e) => `${e.method} ${e.path.split('?')[0]}`);
    return { run, src: lines(srcProxy), dst: lines(dstProxy) };
  };

  it('first copy, no referrer: one source manifest GET, one manifest PUT under the tag, no TLS loaded', async () => {
    const modules = path.join(tempDir('rmods'), 'modules.txt');
    const preload = path.join(__dirname, 'support', 'loaded-modules.js');
    const {
      run,
      src: s,
      dst: d,
    } = await promote('app', {
      NODE_OPTIONS: `-r ${preload}`,
      MCDSO_LOADED_MODULES: modules,
    });
    // One GET by tag gives the digest and the bytes: no HEAD by tag, no second GET by digest.
    assert.deepEqual(
      s.filter((l) => /\/v2\/team\/app\/manifests\/(v1|sha256:)/.test(l)),
      ['GET /v2/team/app/manifests/v1'],
    );
    // Nothing to copy after the image: it goes in under its tag, the only manifest PUT.
    assert.deepEqual(
      d.filter((l) => l.startsWith('PUT /v2/prod/app/manifests/')),
      ['PUT /v2/prod/app/manifests/v1'],
    );
    assert.equal(await new RegistryProbe(dst).manifestDigest('prod/app', 'v1'), image.digest);
    const details = JSON.parse(fs.readFileSync(run.attachments[0].path, 'utf8')).details as Record<string, number>;
    assert.equal(details.blobsCopied, 4, 'config and three layers');
    assert.equal(details.manifestsPushed, 1);
    // Plain-HTTP registries: node:tls is never loaded, and nothing reaches stderr (no Node warning).
    const loaded = fs.readFileSync(modules, 'utf8').split('\n');
    assert.ok(loaded.includes('NativeModule http'), 'the preload saw the run');
    assert.ok(!loaded.includes('NativeModule tls'), 'TLS loaded for plain-HTTP registries');
    assert.ok(!loaded.includes('NativeModule https'), 'node:https loaded for plain-HTTP registries');
    assert.equal(run.stderr, '');
  });

  it('re-promotion: the target tag already pointing at the digest is proof enough; no other target read', async () => {
    const { run, dst: d } = await promote('app');
    assert.deepEqual(
      d.filter((l) => l !== 'GET /v2/'),
      ['HEAD /v2/prod/app/manifests/v1'],
    );
    const details = JSON.parse(fs.readFileSync(run.attachments[0].path, 'utf8')).details as Record<string, number>;
    assert.equal(details.bytesMoved, 0);
    assert.equal(details.manifestsPushed, 0);
  });

  it('with a referrer: the image goes in by digest, its referrer after it, the tag last', async () => {
    const { dst: d } = await promote('signed');
    const puts = d.filter((l) => l.startsWith('PUT /v2/prod/signed/manifests/'));
    assert.deepEqual(puts.slice(0, 2), [
      `PUT /v2/prod/signed/manifests/${signed.digest}`,
      `PUT /v2/prod/signed/manifests/${referrer.digest}`,
    ]);
    assert.equal(puts.at(-1), 'PUT /v2/prod/signed/manifests/v1');
    assert.equal(await new RegistryProbe(dst).manifestDigest('prod/signed', 'v1'), signed.digest);
  });

  it('docker-registry 2.8 drops a single-POST upload (digest and body on the POST): hence POST, then PUT', async () => {
    // OCI distribution-spec lets a registry answer POST /v2/<name>/blobs/uploads/?digest=<d> with 202 and keep
    // nothing; distribution does (registry/handlers/blobupload.go StartBlobUpload reads only mount/from), so a
    // client sending the body there would send every blob twice.
    const bytes = Buffer.from('single-post-body');
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const service = /service: (\S+)/.exec(fs.readFileSync(path.join(dst.dir, 'config.yml'), 'utf8'))![1];
    const tokenRes = await fetch(`${dst.tokens.realm}?service=${service}&scope=repository:single/post:pull,push`, {
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` },
    });
    const { token } = (await tokenRes.json()) as { token: string };
    const res = await fetch(`${dst.url}/v2/single/post/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.length),
      },
      body: bytes,
    });
    await res.arrayBuffer();
    assert.equal(res.status, 202, 'an upload session, not a stored blob (201)');
    const head = await fetch(`${dst.url}/v2/single/post/blobs/${digest}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(head.status, 404, 'the body sent with the POST was not kept');
  });
});
