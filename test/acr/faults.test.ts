import * as fs from 'node:fs';
import * as assert from 'node:assert/strict';
import { Endpoint, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryFront, startRegistryFront } from '../../devkit/registry/registry-front';
import { runAcrPromote } from './support/run-in-process';
import { RegistryProbe, skopeoSeed, tempDir } from '../../devkit/registry/world';
import { abortWhen } from '../../devkit/agent/abort-when';

/** Connections point at the fronts, so the task sees ACR's lock API and the injected faults. */
function frontEndpoint(front: RegistryFront, creds: { username: string; password: string }): Endpoint {
  return {
    url: `http://${front.host}`,
    scheme: 'UsernamePassword',
    auth: { registry: `http://${front.host}`, username: creds.username, password: creds.password },
  };
}

describe('AcrPromote against an ACR-like front: lock API, outages, corrupt content', function () {
  this.timeout(60_000);
  let layout: OciLayout | undefined;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let srcFront: RegistryFront;
  let dstFront: RegistryFront;
  let image: Descriptor;
  let sbom: Descriptor;
  let big: Descriptor;
  let endpoints: Record<string, Endpoint>;

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'fsrc' }), startLocalRegistry({ name: 'fdst' })]);
    [srcFront, dstFront] = await Promise.all([startRegistryFront(src.url), startRegistryFront(dst.url)]);
    layout = new OciLayout(tempDir('flayout'));
    image = layout.image({ layerSizes: [150_000, 60_000] });
    layout.tag('v1', image);
    sbom = layout.referrer(image, 'application/spdx+json', '{"spdxVersion":"SPDX-2.3"}');
    const fallback = layout.referrersIndex(image, [sbom]);
    layout.tag(fallback.tag, fallback.descriptor);
    big = layout.image({ layerSizes: [1 << 20, 1 << 20, 1 << 20] });
    layout.tag('big', big);
    await skopeoSeed(layout.dir, 'v1', src, 'team/app:v1');
    await skopeoSeed(layout.dir, fallback.tag, src, `team/app:${fallback.tag}`, { all: true });
    await skopeoSeed(layout.dir, 'big', src, 'team/big:v1');
    endpoints = { src: frontEndpoint(srcFront, READER), dst: frontEndpoint(dstFront, ADMIN) };
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all([srcFront?.close(), dstFront?.close()]);
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  const inputs = (over: Record<string, string>): Record<string, string> => ({
    sourceImage: `${srcFront.host}/team/app:v1`,
    targetRegistry: dstFront.host,
    sourceRegistryConnection: 'src',
    targetRegistryConnection: 'dst',
    ...over,
  });

  it('refuses corrupt source content: nothing committed, no tag moved', async () => {
    srcFront.corruptBlobs(true);
    try {
      const run = await runAcrPromote(inputs({ targetRepository: 'corrupt/app' }), endpoints);
      assert.equal(run.host.result?.result, 'Failed');
      assert.match(
        run.host.result.message,
        /from the source has \d+ bytes with digest sha256:[a-f0-9]{64}: the source served corrupt content/,
      );
      const probe = new RegistryProbe(dst);
      assert.deepEqual(probe.tags('corrupt/app'), []);
      const layers = (await new RegistryProbe(src).manifest('team/app', image.digest)).layers as Descriptor[];
      for (const l of layers) assert.equal(await probe.hasBlob('corrupt/app', l.digest), false);
    } finally {
      srcFront.corruptBlobs(false);
    }
  });

  it('restarts a blob transfer after a 503 and locks the promoted manifest through the ACR API', async () => {
    dstFront.failUploads(2);
    const run = await runAcrPromote(inputs({ targetRepository: 'locked/app', lockTarget: 'true' }), endpoints);
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.equal(await new RegistryProbe(dst).manifestDigest('locked/app', 'v1'), image.digest);
    assert.deepEqual(
      dstFront.locks.map((l) => [l.repository, l.digest, l.body]),
      [['locked/app', image.digest, { writeEnabled: false }]],
    );
    assert.equal(run.record!.details.locked, 'locked');
    assert.ok(
      run.host.lines.some((l) => /restarting the transfer/.test(l)),
      'the restart is logged',
    );
  });

  it('warns and succeeds with issues when the registry has no lock API', async () => {
    const direct = {
      src: endpoints.src,
      dst: {
        url: dst.url,
        scheme: 'UsernamePassword',
        auth: { registry: dst.url, username: ADMIN.username, password: ADMIN.password },
      },
    };
    const run = await runAcrPromote(
      inputs({ targetRegistry: dst.host, targetRepository: 'unlocked/app', lockTarget: 'true' }),
      direct,
    );
    assert.equal(run.host.result?.result, 'SucceededWithIssues', run.host.result?.message);
    assert.ok(run.host.lines.some((l) => /^warning: .*no ACR lock API/.test(l)));
    assert.equal(run.record!.details.locked, 'unsupported');
    assert.equal(await new RegistryProbe(dst).manifestDigest('unlocked/app', 'v1'), image.digest);
  });

  it('finds referrers through the OCI referrers API and publishes them in the target fallback index', async () => {
    srcFront.referrersApi(true);
    try {
      const before = srcFront.referrerRequests;
      const direct = {
        src: endpoints.src,
        dst: {
          url: dst.url,
          scheme: 'UsernamePassword',
          auth: { registry: dst.url, username: ADMIN.username, password: ADMIN.password },
        },
      };
      const run = await runAcrPromote(inputs({ targetRegistry: dst.host, targetRepository: 'viaapi/app' }), direct);
      assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
      assert.ok(srcFront.referrerRequests > before, 'the referrers API was asked');
      const refs = run.record!.details.referrers as { digest: string; via: string; artifactType?: string }[];
      assert.deepEqual(
        refs.map((r) => [r.digest, r.via, r.artifactType]),
        [[sbom.digest, 'api', 'application/spdx+json']],
      );
      const index = await new RegistryProbe(dst).manifest('viaapi/app', image.digest.replace(':', '-'));
      assert.deepEqual(
        (index.manifests as Descriptor[]).map((m) => m.digest),
        [sbom.digest],
      );
    } finally {
      srcFront.referrersApi(false);
    }
  });

  it('a packaged run killed mid-copy moves no tag; the next run converges', async () => {
    // ~2 s per blob; the SIGTERM is sent once a blob is mid-stream (not after a fixed 1.2 s, which a loaded
    // machine can spend starting the task: a signal before its handler is installed kills it outright).
    srcFront.throttleBlobs(512 * 1024);
    const started = srcFront.throttledDownloads;
    const cancel = abortWhen(() => srcFront.throttledDownloads > started);
    const args = {
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: inputs({ sourceImage: `${srcFront.host}/team/big:v1`, targetRepository: 'killed/big' }),
      endpoints,
    };
    let killed;
    try {
      killed = await runTaskLikeAgent({ ...args, signal: cancel.signal });
    } finally {
      cancel.dispose();
      srcFront.throttleBlobs(0);
    }
    assert.ok(cancel.signal.aborted, 'cancelled while a blob was mid-stream');
    assert.equal(killed.code, 0, 'a cancelled task still exits 0: the result is in task.complete');
    assert.equal(killed.result, 'Canceled', killed.resultMessage);
    const probe = new RegistryProbe(dst);
    assert.deepEqual(probe.tags('killed/big'), []);
    assert.equal(await probe.manifestDigest('killed/big', big.digest), undefined);
    const rerun = await runTaskLikeAgent(args);
    assert.equal(rerun.code, 0, rerun.resultMessage);
    assert.notEqual(rerun.result, 'Failed', rerun.resultMessage);
    assert.equal(await probe.manifestDigest('killed/big', 'v1'), big.digest);
  });
});
