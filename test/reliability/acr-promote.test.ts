import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { AgentRunResult, Endpoint, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, skopeoSeed, tempDir } from '../../devkit/registry/world';
import { FaultRates } from '../../devkit/net/fault-proxy';
import { ATTEMPTS_BOUND, FAULT_RATES, FaultNet, FaultRuns, SEEDS, recordRun } from '../../devkit/net/fault-net';

/**
 * AcrPromote between two real docker-registry processes, with a fault proxy in front of each registry and
 * each token server. The registries' token realm and upload Locations are rewritten to the proxies, so
 * every request the task makes crosses one.
 */
interface Scenario {
  src: LocalRegistry;
  dst: LocalRegistry;
  net: FaultNet;
  run: AgentRunResult;
}

let layout: OciLayout;
let image: Descriptor;

async function scenario(rates: FaultRates, seed?: number): Promise<Scenario> {
  const [src, dst] = await Promise.all([
    startLocalRegistry({ name: `fsrc${seed ?? 0}` }),
    startLocalRegistry({ name: `fdst${seed ?? 0}` }),
  ]);
  await skopeoSeed(layout.dir, '2.0.1', src, 'shop/api:2.0.1');
  const net = new FaultNet(rates, seed);
  const front = async (name: string, registry: LocalRegistry): Promise<string> => {
    const tokenBase = registry.tokens.realm.replace(/\/token$/, '');
    const tokens = await net.proxy(`${name}-token-server`, tokenBase);
    const { proxy } = await net.rewritten(`${name}-registry`, registry.url, { also: [[tokenBase, tokens.url]] });
    return proxy.url;
  };
  const [srcUrl, dstUrl] = [await front('src', src), await front('dst', dst)];
  const host = (url: string): string => new URL(url).host;
  const endpoint = (url: string, creds: { username: string; password: string }): Endpoint => ({
    url,
    scheme: 'UsernamePassword',
    auth: { registry: url, ...creds },
  });
  const run = await runTaskLikeAgent({
    taskDir: packagedTaskDir('AcrPromote'),
    inputs: {
      sourceImage: `${host(srcUrl)}/shop/api:2.0.1`,
      targetRegistry: host(dstUrl),
      targetTags: '2.0.1\nprod',
      sourceRegistryConnection: 'srcconn',
      targetRegistryConnection: 'dstconn',
    },
    endpoints: { srcconn: endpoint(srcUrl, READER), dstconn: endpoint(dstUrl, ADMIN) },
    timeoutMs: 60_000,
  });
  return { src, dst, net, run };
}

/** The target registry read without the task: tags, what they point at, and which blobs it stores. */
async function state(s: Scenario): Promise<unknown> {
  const probe = new RegistryProbe(s.dst);
  const tags = probe.tags('shop/api');
  const digests = await Promise.all(tags.map((t) => probe.manifestDigest('shop/api', t)));
  // targetImage names the proxy's host, which differs per run: compare it without the host.
  return {
    tags,
    digests,
    blobs: probe.storedBlobs().sort(),
    digest: s.run.outputs.imageDigest,
    targetImage: s.run.outputs.targetImage?.replace(/^[^/]+\//, '<registry>/'),
  };
}

/** Manifest PUTs that reached the target: idempotent per digest, counted to show retries stay bounded. */
const manifestPuts = (s: Scenario): number =>
  s.net.proxies
    .get('dst-registry')!
    .log.filter(
      (r) =>
        r.method === 'PUT' &&
        /\/manifests\//.test(r.path) &&
        r.fault !== 'resetBefore' &&
        !/^(throttle|throttleWithRetryAfter|unavailable)$/.test(r.fault ?? ''),
    ).length;

describe('fault proxy: AcrPromote packaged task', function () {
  this.timeout(90_000);
  const runs = new FaultRuns<number, Scenario>();
  const { all, faulty } = runs;
  let clean: Scenario;
  before(async () => {
    layout = new OciLayout(tempDir('fault-layout'));
    image = layout.image({ layerSizes: [60_000, 30_000, 10_000] });
    layout.tag('2.0.1', image);
    clean = await runs.run(
      () => scenario({}),
      SEEDS,
      (seed) => scenario(FAULT_RATES, seed),
    );
  });
  after(async () => {
    for (const s of all) {
      await s.net.close();
      await Promise.all([s.src.stop(), s.dst.stop()]);
    }
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
  });

  it('fault-free baseline: promoted by digest, registries and token servers all reached through proxies', async () => {
    assert.equal(clean.run.code, 0, `${clean.run.resultMessage}\n${clean.run.stderr}`);
    assert.equal(clean.run.outputs.imageDigest, image.digest);
    for (const [name, p] of clean.net.proxies) assert.ok(p.log.length > 0, `${name} reached through its proxy`);
    assert.ok(
      clean.net.proxies
        .get('dst-registry')!
        .log.some((r) => r.method === 'PATCH' || (r.method === 'PUT' && /blobs\/uploads/.test(r.path))),
      'uploads follow the rewritten Location through the proxy',
    );
    assert.deepEqual(((await state(clean)) as { tags: string[] }).tags, ['2.0.1', 'prod']);
  });

  for (const seed of SEEDS)
    it(`seed ${seed}: converges to the fault-free end state, bounded attempts`, async () => {
      const run = faulty.get(seed)!;
      // Registry writes are content-addressed (blobs, manifests by digest) so a repeat cannot duplicate:
      // what could is a second tag or manifest, which the end-state comparison catches.
      const ratio = recordRun('AcrPromote', clean.net, run.net, 0);
      const detail = `${run.net.describe()}\n${run.run.resultMessage}\n${run.run.stdout.slice(-2500)}\n${run.run.stderr.slice(-1500)}`;
      assert.ok(run.net.totalInjected() > 0, 'faults were injected');
      assert.equal(run.run.code, 0, detail);
      assert.deepEqual(await state(run), await state(clean), detail);
      assert.ok(
        manifestPuts(run) <= ATTEMPTS_BOUND * manifestPuts(clean),
        `manifest PUTs ${manifestPuts(run)} vs ${manifestPuts(clean)}`,
      );
      assert.ok(ratio <= ATTEMPTS_BOUND, `attempts ${run.net.attempts()} ≤ ${ATTEMPTS_BOUND}× ${clean.net.attempts()}`);
    });
});
