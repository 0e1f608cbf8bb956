import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { AgentRunResult, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { TestService, startService } from '../../devkit/stand-ins/smoke-service';
import { FaultRates } from '../../devkit/net/fault-proxy';
import { issueCert } from '../../devkit/support/test-ca';
import { ATTEMPTS_BOUND, FAULT_RATES, FaultNet, FaultRuns, SEEDS, recordRun } from '../../devkit/net/fault-net';

/**
 * SmokeTest over HTTPS with a fault proxy in front of the target. Smoke checks report what they see, so
 * the pipeline opts into retries (as users do for a flaky edge): with them every healthy check must pass.
 */
interface Scenario {
  service: TestService;
  net: FaultNet;
  run: AgentRunResult;
}

const TOKEN = 'smoke-Bearer-Token-31';
const ORDERS = 4;
/** Seed 405 made one POST reach the service twice on most runs (the engine resent it on a fresh socket). */
const STORM_SEEDS = [405, 406, 407, 408, 409, 410];
const CHECKS = [
  ...Array.from(
    { length: 8 },
    (_, i) => `- { name: health-${i}, path: /healthz, expect: { status: 200, json: { $.status: UP } } }`,
  ),
  '- { name: api-health, path: /api/healthz, expect: { status: 2xx } }',
  `- { name: auth, path: /auth, headers: { Authorization: "Bearer ${TOKEN}" }, expect: { status: 200, json: { $.user: pipeline } } }`,
  '- { name: redirect, path: /redirect, followRedirects: true, expect: { status: 200 } }',
  ...Array.from(
    { length: ORDERS },
    (_, i) =>
      `- { name: order-${i}, method: POST, path: "/echo?key=order-${i}", json: { order: ${i} }, expect: { status: 200, json: { $.method: POST } } }`,
  ),
].join('\n');

async function scenario(rates: FaultRates, seed?: number): Promise<Scenario> {
  const service = await startService({ tls: issueCert({ days: 30 }), token: TOKEN });
  const net = new FaultNet(rates, seed);
  const proxy = await net.proxy('smoke-target', service.url, { tls: true });
  const run = await runTaskLikeAgent({
    taskDir: packagedTaskDir('SmokeTest'),
    inputs: {
      baseUrl: proxy.url,
      checks: CHECKS,
      retries: '6',
      retryIntervalSeconds: '0.1',
      concurrency: '4',
      timeoutSeconds: '10',
    },
    secretVariables: { smokeToken: TOKEN },
    env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' },
    timeoutMs: 60_000,
  });
  return { service, net, run };
}

/** The verdict users act on: outputs, result, and each JUnit test case's name and outcome. */
function state(s: Scenario): unknown {
  const pub = s.run.commands.find((c) => c.command === 'results.publish');
  const xml = pub ? fs.readFileSync(pub.properties.resultFiles, 'utf8') : '';
  const cases = [...xml.matchAll(/<testcase name="([^"]+)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)].map(
    (m) => `${m[1]}:${/<failure/.test(m[3] ?? '') ? 'failed' : 'passed'}`,
  );
  return { result: s.run.result, passed: s.run.outputs.passed, failed: s.run.outputs.failed, cases };
}

describe('fault proxy: SmokeTest packaged task', function () {
  this.timeout(90_000);
  const runs = new FaultRuns<string, Scenario>();
  const { all, faulty } = runs;
  let clean: Scenario;
  // Smoke runs are quick: more cases with resets only, where lost answers hit POSTs on reused connections.
  const STORM = { resetBefore: 0.1, resetAfter: 0.2 };
  const cases = [
    ...SEEDS.map((seed) => ({ name: `seed ${seed}`, seed, rates: FAULT_RATES })),
    ...STORM_SEEDS.map((seed) => ({ name: `reset storm (30% resets, seed ${seed})`, seed, rates: STORM })),
  ];
  before(async () => {
    clean = await runs.run(
      () => scenario({}),
      cases.map((c) => c.name),
      (name) => {
        const c = cases.find((x) => x.name === name)!;
        return scenario(c.rates, c.seed);
      },
    );
  });
  after(async () => {
    for (const s of all) {
      await s.net.close();
      await s.service.close();
    }
  });

  it('fault-free baseline: every check passes through the proxy', () => {
    assert.equal(clean.run.code, 0, `${clean.run.resultMessage}\n${clean.run.stdout}`);
    assert.deepEqual(state(clean), {
      result: 'Succeeded',
      passed: '15',
      failed: '0',
      cases: (state(clean) as { cases: string[] }).cases,
    });
    assert.ok((state(clean) as { cases: string[] }).cases.length >= 15);
    assert.equal(clean.service.hits.get('/echo'), ORDERS);
    for (let i = 0; i < ORDERS; i++) assert.equal(clean.service.hits.get(`echo:order-${i}`), 1, `order-${i}`);
  });

  for (const { name } of cases)
    it(`${name}: same verdict as without faults (or a named unconfirmed POST), bounded attempts, no POST sent twice`, () => {
      const run = faulty.get(name)!;
      const duplicates = Math.max(0, (run.service.hits.get('/echo') ?? 0) - (clean.service.hits.get('/echo') ?? 0));
      const ratio = recordRun('SmokeTest', clean.net, run.net, duplicates);
      const detail = `${run.net.describe()}\n${run.run.resultMessage}\n${run.run.stdout.slice(-3000)}`;
      assert.ok(run.net.totalInjected() > 0, 'faults were injected');
      assert.ok(ratio <= ATTEMPTS_BOUND, `attempts ${run.net.attempts()} ≤ ${ATTEMPTS_BOUND}× ${clean.net.attempts()}`);
      // Each POST reaches the service at most once, whatever the faults: a lost answer is reported, never resent.
      const reached = Array.from({ length: ORDERS }, (_, i) => run.service.hits.get(`echo:order-${i}`) ?? 0);
      assert.ok(
        reached.every((n) => n <= 1),
        `POSTs reaching the service per order: ${reached.join(', ')}\n${detail}`,
      );
      assert.equal(duplicates, 0);
      // A POST that met a reset or a timeout cannot be confirmed without risking a second one: its check fails,
      // saying so. Every other fault is ridden out to the fault-free verdict.
      if (/not retried: the POST may have been processed/.test(run.run.stdout)) {
        assert.equal(run.run.result, 'Failed', detail);
        const posts = run.net.proxies.get('smoke-target')!.log.filter((r) => r.method === 'POST');
        assert.ok(
          posts.some((r) => /reset|slow/.test(r.fault ?? '')),
          'only after a transport fault on a POST',
        );
        // Only those POST checks fail; every other check still reaches the fault-free verdict.
        const cleanCases = (state(clean) as { cases: string[] }).cases;
        const differ = (state(run) as { cases: string[] }).cases.filter((c, i) => c !== cleanCases[i]);
        for (const c of differ) {
          const name = /^(order-\d+):failed$/.exec(c)?.[1];
          assert.ok(name && new RegExp(`✘ ${name}: .*not retried: the POST`).test(run.run.stdout), `${c}\n${detail}`);
        }
        return;
      }
      assert.equal(run.run.code, 0, detail);
      assert.deepEqual(state(run), state(clean), detail);
    });
});
