import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';

describe('AcrPromote packaged task, run like the agent', function () {
  this.timeout(60_000);
  let layout: OciLayout | undefined;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let image: Descriptor;

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'bsrc' }), startLocalRegistry({ name: 'bdst' })]);
    layout = new OciLayout(tempDir('blayout'));
    image = layout.image({ layerSizes: [200_000, 100_000] });
    layout.tag('1.4.2', image);
    await skopeoSeed(layout.dir, '1.4.2', src, 'shop/web:1.4.2');
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  const endpoints = () => ({ srcconn: registryEndpoint(src, READER), dstconn: registryEndpoint(dst, ADMIN), badconn: registryEndpoint(dst, { username: ADMIN.username, password: 'Not-The-Password-42' }) });

  it('promotes by digest, sets the output variables and attaches a ledger record', async () => {
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: { sourceImage: `${src.host}/shop/web:1.4.2`, targetRegistry: dst.host, targetTags: '1.4.2\nprod', sourceRegistryConnection: 'srcconn', targetRegistryConnection: 'dstconn' },
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
    assert.deepEqual(record.artifact, { registry: dst.host, repository: 'shop/web', digest: image.digest, tags: ['1.4.2', 'prod'] });
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
      inputs: { sourceImage: `${src.host}/shop/web:1.4.2`, targetRegistry: dst.host, targetRepository: 'shop/denied', sourceRegistryConnection: 'srcconn', targetRegistryConnection: 'badconn' },
      endpoints: endpoints(),
    });
    assert.equal(run.result, 'Failed');
    assert.equal(run.result, 'Failed');
    assert.match(run.resultMessage ?? '', /rejected the credentials of service connection 'badconn' \(input 'targetRegistryConnection'\)/);
    assert.doesNotMatch(`${run.stdout}${run.stderr}`, /\n\s+at .*\.js:\d+/);
    assert.ok(!visibleOutput(run).includes('Not-The-Password-42'));
    assert.deepEqual(new RegistryProbe(dst).tags('shop/denied'), []);
  });

  it('rejects invalid inputs before touching any registry', async () => {
    const before = src.tokens.requests.length + dst.tokens.requests.length;
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: { sourceImage: 'shop/web:1.4.2', targetRegistry: `https://${dst.host}`, targetTags: 'bad tag!', sourceRegistryConnection: 'dstconn' },
      endpoints: endpoints(),
    });
    assert.equal(run.result, 'Failed');
    assert.match(run.resultMessage ?? '', /sourceImage/);
    assert.match(run.resultMessage ?? '', /targetRegistry/);
    assert.match(run.resultMessage ?? '', /targetTags/);
    assert.equal(src.tokens.requests.length + dst.tokens.requests.length, before);
  });
});
