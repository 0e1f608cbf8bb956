import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';
import { notationSignCose } from './support/notation-cose-sign';
import { cosignKeyPair, cosignSign, notationPki } from './support/supply-chain';

describe('AcrPromote packaged task, run like the agent', function () {
  this.timeout(60_000);
  let layout: OciLayout | undefined;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let image: Descriptor;
  let other: Descriptor;
  let chart: Descriptor;
  const key = cosignKeyPair();
  let pkiDir: string;
  let notaryRootPem: string;

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'bsrc' }), startLocalRegistry({ name: 'bdst' })]);
    layout = new OciLayout(tempDir('blayout'));
    image = layout.image({ layerSizes: [200_000, 100_000] });
    layout.tag('1.4.2', image);
    await skopeoSeed(layout.dir, '1.4.2', src, 'shop/web:1.4.2');
    other = layout.image({ layerSizes: [50_000] });
    layout.tag('1.5.0', other);
    await skopeoSeed(layout.dir, '1.5.0', src, 'shop/web:1.5.0');
    layout.tag('sig', cosignSign(layout, image, key));
    await skopeoSeed(layout.dir, 'sig', src, `shop/web:${image.digest.replace(':', '-')}.sig`);
    chart = layout.artifact(
      'application/vnd.cncf.helm.config.v1+json',
      '{"name":"web","version":"1.4.2","apiVersion":"v2"}',
      'application/vnd.cncf.helm.chart.content.v1.tar.gz',
      Buffer.from('chart-bytes'),
    );
    layout.tag('chart', chart);
    await skopeoSeed(layout.dir, 'chart', src, 'helm/web:1.4.2');
    // An image of its own repository signed by Notation in the COSE envelope, attached as a referrer (fallback tag).
    pkiDir = tempDir('bpki');
    const pki = notationPki(pkiDir, '/C=US/O=Contoso/CN=release');
    notaryRootPem = pki.rootPem;
    const notarised = layout.image({ layerSizes: [30_000] });
    layout.tag('notarised', notarised);
    await skopeoSeed(layout.dir, 'notarised', src, 'shop/notarised:2.0.0');
    const refs = layout.referrersIndex(notarised, [notationSignCose(layout, notarised, pki)]);
    layout.tag('refs', refs.descriptor);
    await skopeoSeed(layout.dir, 'refs', src, `shop/notarised:${refs.tag}`, { all: true });
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    if (pkiDir) fs.rmSync(pkiDir, { recursive: true, force: true });
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  const endpoints = () => ({
    srcconn: registryEndpoint(src, READER),
    dstconn: registryEndpoint(dst, ADMIN),
    badconn: registryEndpoint(dst, { username: ADMIN.username, password: 'Not-The-Password-42' }),
  });

  it('promotes by digest, sets the output variables and attaches a ledger record', async () => {
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: {
        sourceImage: `${src.host}/shop/web:1.4.2`,
        targetRegistry: dst.host,
        targetTags: '1.4.2\nprod',
        sourceRegistryConnection: 'srcconn',
        targetRegistryConnection: 'dstconn',
      },
      endpoints: endpoints(),
      variables: { 'Environment.Name': 'production' },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.result, 'Succeeded');
    assert.equal(run.outputs.imageDigest, image.digest);
    assert.equal(run.outputs.targetImage, `${dst.host}/shop/web@${image.digest}`);
    const probe = new RegistryProbe(dst);
    assert.equal(await probe.manifestDigest('shop/web', 'prod'), image.digest);
    const ledger = run.attachments.find((a) => a.type === 'multicloud-devsecops.ledger');
    assert.ok(ledger, 'ledger attachment');
    const record = JSON.parse(fs.readFileSync(ledger.path, 'utf8'));
    assert.equal(record.task, 'AcrPromote');
    assert.equal(record.status, 'succeeded');
    assert.equal(record.environment, 'production');
    assert.deepEqual(record.artifact, {
      registry: dst.host,
      repository: 'shop/web',
      digest: image.digest,
      tags: ['1.4.2', 'prod'],
    });
    assert.ok(record.details.bytesMoved > 300_000);
    for (const secret of [READER.password, ADMIN.password]) {
      assert.ok(run.secrets.includes(secret), 'password announced with setsecret');
      assert.ok(!visibleOutput(run).includes(secret), 'password never printed');
    }
    // Registry tokens are secrets too.
    const bearer = run.secrets.filter((s) => s.split('.').length === 3 && s.length > 200);
    assert.ok(bearer.length >= 2, 'registry tokens announced');
    for (const t of bearer) assert.ok(!visibleOutput(run).includes(t));
  });

  it('fails with exit 1 and a message naming the connection when the password is wrong', async () => {
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: {
        sourceImage: `${src.host}/shop/web:1.4.2`,
        targetRegistry: dst.host,
        targetRepository: 'shop/denied',
        sourceRegistryConnection: 'srcconn',
        targetRegistryConnection: 'badconn',
      },
      endpoints: endpoints(),
    });
    assert.equal(run.result, 'Failed');
    assert.equal(run.result, 'Failed');
    assert.match(
      run.resultMessage ?? '',
      /rejected the credentials of service connection 'badconn' \(input 'targetRegistryConnection'\)/,
    );
    assert.doesNotMatch(`${run.stdout}${run.stderr}`, /\n\s+at .*\.js:\d+/);
    assert.ok(!visibleOutput(run).includes('Not-The-Password-42'));
    assert.deepEqual(new RegistryProbe(dst).tags('shop/denied'), []);
  });

  it('rejects invalid inputs before touching any registry', async () => {
    const before = src.tokens.requests.length + dst.tokens.requests.length;
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: {
        sourceImage: 'shop/web:1.4.2',
        targetRegistry: `https://${dst.host}`,
        targetTags: 'bad tag!',
        sourceRegistryConnection: 'dstconn',
      },
      endpoints: endpoints(),
    });
    assert.equal(run.result, 'Failed');
    assert.match(run.resultMessage ?? '', /sourceImage/);
    assert.match(run.resultMessage ?? '', /targetRegistry/);
    assert.match(run.resultMessage ?? '', /targetTags/);
    assert.equal(src.tokens.requests.length + dst.tokens.requests.length, before);
  });

  const run = (inputs: Record<string, string>) =>
    runTaskLikeAgent({
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: { sourceRegistryConnection: 'srcconn', targetRegistryConnection: 'dstconn', ...inputs },
      endpoints: endpoints(),
    });

  it("requests a Docker Hub name (nginx:1.27) at Docker Hub's API host, under library/", async () => {
    // A target that accepts and never answers: the source request is the one that fails (no internet in tests).
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const r = await runTaskLikeAgent({
        taskDir: packagedTaskDir('AcrPromote'),
        inputs: {
          sourceImage: 'nginx:1.27',
          targetRegistry: `127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
          timeoutMinutes: '1',
        },
      });
      assert.equal(r.result, 'Failed');
      assert.match(r.resultMessage ?? '', /https:\/\/registry-1\.docker\.io\/v2\/library\/nginx\/manifests\/1\.27/);
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, /https:\/\/docker\.io\/v2/);
    } finally {
      silent.close();
    }
  });

  it('refuses repo:tag@digest when the source tag points at another digest, naming the input; nothing moves', async () => {
    const r = await run({
      sourceImage: `${src.host}/shop/web:1.4.2@${other.digest}`,
      targetRegistry: dst.host,
      targetRepository: 'shop/mismatch',
    });
    assert.equal(r.result, 'Failed');
    assert.match(
      r.resultMessage ?? '',
      new RegExp(
        `Input 'sourceImage': the source tag '1.4.2' points to ${image.digest}.*not the given ${other.digest}.*tagDigestMismatch: useDigest`,
      ),
    );
    assert.deepEqual(new RegistryProbe(dst).tags('shop/mismatch'), []);
    assert.equal(await new RegistryProbe(dst).manifestDigest('shop/mismatch', other.digest), undefined);
  });

  it('with tagDigestMismatch: useDigest, promotes the digest and does not apply the source tag', async () => {
    const r = await run({
      sourceImage: `${src.host}/shop/web:9.9.9@${other.digest}`,
      targetRegistry: dst.host,
      targetRepository: 'shop/digestwins',
      tagDigestMismatch: 'useDigest',
    });
    assert.equal(r.result, 'Succeeded', r.resultMessage);
    assert.equal(r.outputs.imageDigest, other.digest);
    assert.equal(await new RegistryProbe(dst).manifestDigest('shop/digestwins', other.digest), other.digest);
    assert.deepEqual(new RegistryProbe(dst).tags('shop/digestwins'), [], "no tag '9.9.9' in the target");
    assert.match(r.stdout, /source tag '9\.9\.9' does not exist; the digest wins and '9\.9\.9' is not applied/);
  });

  it("promotes a Helm chart written as Helm's oci:// URL", async () => {
    const r = await run({ sourceImage: `oci://${src.host}/helm/web:1.4.2`, targetRegistry: `oci://${dst.host}` });
    assert.equal(r.result, 'Succeeded', r.resultMessage);
    assert.equal(await new RegistryProbe(dst).manifestDigest('helm/web', '1.4.2'), chart.digest);
  });

  it('verifies the cosign signature before copying, and records the verification', async () => {
    const ok = await run({
      sourceImage: `${src.host}/shop/web:1.4.2`,
      targetRegistry: dst.host,
      targetRepository: 'shop/signed',
      verifySignature: 'cosignKey',
      cosignPublicKey: key.publicPem,
    });
    assert.equal(ok.result, 'Succeeded', ok.resultMessage);
    const ledger = ok.attachments.find((a) => a.type === 'multicloud-devsecops.ledger')!;
    const record = JSON.parse(fs.readFileSync(ledger.path, 'utf8'));
    assert.equal(record.details.verification.passed, true);
    assert.equal(record.details.verification.signature.kind, 'cosignKey');
    assert.match(record.details.verified, /signed \(cosignKey\) by key sha256:/);
    const refused = await run({
      sourceImage: `${src.host}/shop/web:1.4.2`,
      targetRegistry: dst.host,
      targetRepository: 'shop/refused',
      verifySignature: 'cosignKey',
      cosignPublicKey: cosignKeyPair().publicPem,
    });
    assert.equal(refused.result, 'Failed');
    assert.match(
      refused.resultMessage ?? '',
      /policy 'signature' failed: the signature in sha256:[a-f0-9]{64} does not verify with key/,
    );
    assert.deepEqual(new RegistryProbe(dst).tags('shop/refused'), []);
  });

  it('verifies a Notation COSE signature with the bundled CBOR reader (lazy-notation.js)', async () => {
    const inputs = {
      sourceImage: `${src.host}/shop/notarised:2.0.0`,
      targetRegistry: dst.host,
      targetRepository: 'shop/notary',
      verifySignature: 'notation',
      notationTrustStore: notaryRootPem,
      notationTrustedIdentities: 'x509.subject: C=US, O=Contoso, CN=release',
    };
    const ok = await run(inputs);
    assert.equal(ok.result, 'Succeeded', ok.resultMessage);
    const ledger = ok.attachments.find((a) => a.type === 'multicloud-devsecops.ledger')!;
    const record = JSON.parse(fs.readFileSync(ledger.path, 'utf8'));
    assert.equal(record.details.verification.signature.kind, 'notation');
    assert.equal(record.details.verification.signature.signer, 'C=US, O=Contoso, CN=release');
    const refused = await run({
      ...inputs,
      targetRepository: 'shop/notary-who',
      notationTrustedIdentities: 'x509.subject: C=US, O=Contoso, CN=someone-else',
    });
    assert.equal(refused.result, 'Failed');
    assert.match(
      refused.resultMessage ?? '',
      /policy 'signature' failed: the signer 'C=US, O=Contoso, CN=release' is not a trusted identity/,
    );
    assert.deepEqual(new RegistryProbe(dst).tags('shop/notary-who'), []);
  });
});
