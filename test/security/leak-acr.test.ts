import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { LocalRegistry, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';
import { SHAPES, SHAPE_NAMES, ShapeName, describeLeaks, scanRun, unregistered } from './shapes';

/**
 * AcrPromote takes two secrets per run (the source and target registry passwords), so the shapes are
 * spread over runs in pairs, System.Debug alternating, and each shape is also rejected with the other
 * setting. Every run copies into a fresh repository, so the upload path (token with push scope, blob
 * uploads, manifest and tag pushes) runs with both passwords.
 */
describe('security: AcrPromote leak scan (packaged; every shape as a registry connection password)', function () {
  this.timeout(90_000);
  let layout: OciLayout | undefined;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let image: Descriptor;

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'secsrc' }), startLocalRegistry({ name: 'secdst' })]);
    layout = new OciLayout(tempDir('seclayout'));
    image = layout.image({ layerSizes: [20_000, 10_000] });
    layout.tag('1.0.0', image);
    await skopeoSeed(layout.dir, '1.0.0', src, 'shop/web:1.0.0');
  });
  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  // Pairs (source password, target password); with an odd count the last pair reuses the first shape.
  const pairs: [ShapeName, ShapeName][] = [];
  for (let i = 0; i < SHAPE_NAMES.length; i += 2) pairs.push([SHAPE_NAMES[i], SHAPE_NAMES[i + 1] ?? SHAPE_NAMES[0]]);

  // Success runs alternate System.Debug by pair; each shape is also tried and rejected with the other setting.
  const successDebug = (n: ShapeName): boolean => Math.floor(SHAPE_NAMES.indexOf(n) / 2) % 2 === 1;
  pairs.forEach(([a, b], i) => {
    const debug = successDebug(a);
    it(`System.Debug=${debug}: source password '${a}', target password '${b}'`, async () => {
      const srcUser = `sec-reader-${i}`;
      const dstUser = `sec-pusher-${i}`;
      src.users[srcUser] = { password: SHAPES[a], access: { '*': ['pull'] } };
      dst.users[dstUser] = { password: SHAPES[b], access: { '*': ['pull', 'push'] } };
      const tokensBefore = src.tokens.requests.length;
      const run = await runTaskLikeAgent({
        taskDir: packagedTaskDir('AcrPromote'),
        inputs: {
          sourceImage: `${src.host}/shop/web:1.0.0`,
          targetRegistry: dst.host,
          targetRepository: `sec/web-${i}`,
          targetTags: '1.0.0\nprod',
          sourceRegistryConnection: 'srcconn',
          targetRegistryConnection: 'dstconn',
        },
        endpoints: {
          srcconn: registryEndpoint(src, { username: srcUser, password: SHAPES[a] }),
          dstconn: registryEndpoint(dst, { username: dstUser, password: SHAPES[b] }),
        },
        variables: { 'System.Debug': `${debug}` },
      });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.ok(
        src.tokens.requests.slice(tokensBefore).some((r) => r.user === srcUser && r.status === 200),
        'source token obtained with its password',
      );
      assert.ok(
        dst.tokens.requests.some(
          (r) => r.user === dstUser && r.status === 200 && r.scopes.some((sc) => sc.includes('push')),
        ),
        'target push token obtained with its password',
      );
      assert.equal(
        await new RegistryProbe(dst).manifestDigest(`sec/web-${i}`, 'prod'),
        image.digest,
        'the promotion really happened',
      );
      assert.deepEqual(unregistered(run, { [a]: SHAPES[a], [b]: SHAPES[b] }), [], 'announced with setsecret');
      const leaks = scanRun('AcrPromote', run, {
        [`${a}:sourcePassword`]: SHAPES[a],
        [`${b}:targetPassword`]: SHAPES[b],
        // What goes into the Basic header to the token server.
        [`${a}:sourceBasicAuth`]: `${srcUser}:${SHAPES[a]}`,
        [`${b}:targetBasicAuth`]: `${dstUser}:${SHAPES[b]}`,
      });
      assert.equal(leaks.length, 0, describeLeaks(leaks));
    });
  });

  for (const debug of [false, true]) {
    it(`System.Debug=${debug}: rejected passwords (every shape tried against a registry that does not know it) fail without showing them`, async () => {
      const tried = SHAPE_NAMES.filter((n) => successDebug(n) !== debug);
      for (const [i, n] of tried.entries()) {
        const run = await runTaskLikeAgent({
          taskDir: packagedTaskDir('AcrPromote'),
          inputs: {
            sourceImage: `${src.host}/shop/web:1.0.0`,
            targetRegistry: dst.host,
            targetRepository: 'sec/denied',
            sourceRegistryConnection: 'srcconn',
            targetRegistryConnection: 'dstconn',
          },
          endpoints: {
            srcconn: registryEndpoint(src, { username: 'reader', password: SHAPES[n] }),
            dstconn: registryEndpoint(dst, { username: `nobody-${i}`, password: SHAPES[n] }),
          },
          variables: { 'System.Debug': `${debug}` },
        });
        assert.equal(run.result, 'Failed', `${n}: ${run.resultMessage}`);
        assert.match(run.resultMessage ?? '', /rejected the credentials of service connection '(srcconn|dstconn)'/);
        const leaks = scanRun('AcrPromote', run, {
          [`${n}:rejectedPassword`]: SHAPES[n],
          [`${n}:rejectedBasicAuth`]: `nobody-${i}:${SHAPES[n]}`,
        });
        assert.equal(leaks.length, 0, describeLeaks(leaks));
      }
    });
  }
});
