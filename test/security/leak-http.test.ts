import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { PrometheusEmulator } from '../../devkit/emulators/prometheus';
import { CANARY_RUN, NS, seedApp } from '../../devkit/stand-ins/kube-fixture';
import { EchoService, startEcho } from './echo';
import {
  SHAPES,
  SHAPE_NAMES,
  ShapeName,
  describeLeaks,
  findLeaks,
  headerSafe,
  scanRun,
  shownText,
  unregistered,
} from './shapes';

const env = { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' };
type Values = Partial<Record<ShapeName, string>>;
const namesOf = (values: Values): ShapeName[] => SHAPE_NAMES.filter((n) => values[n] !== undefined);
const variablesOf = (values: Values): Record<string, string> =>
  Object.fromEntries(namesOf(values).map((n) => [`sec.${n}`, values[n]!]));
/**
 * Inline checks hold what the agent expanded: the value verbatim where `"$(sec.x)"` stood. Values with `"`, `\`
 * or a newline cannot survive that inside YAML for any user, so inline runs use the others (the checks-file runs
 * cover all). The dollar shape keeps its "$(System.AccessToken)": inline text is not expanded a second time.
 */
const INLINE_VALUES: Values = Object.fromEntries(Object.entries(SHAPES).filter(([, v]) => !/["\\\n]/.test(v)));

/**
 * One check per shape, sending the secret in a credential header (when HTTP allows it) and in the body, to a
 * service that echoes both back; `fail` makes every check fail on its body, so the echoed text is reported.
 * `value` renders the secret: a $(reference) (checks file) or the value the agent expanded inline.
 */
function checksFor(values: Values, value: (n: ShapeName) => string, fail: boolean): string {
  return namesOf(values)
    .map((n) =>
      [
        `- name: sec-${n}`,
        '  method: POST',
        `  path: /echo/${n}`,
        ...(headerSafe(values[n]!) ? [`  headers: { X-Probe-Token: ${value(n)} }`] : []),
        `  body: ${value(n)}`,
        `  expect: { status: 200${fail ? ', body: { contains: nothing-like-this }' : ''} }`,
      ].join('\n'),
    )
    .join('\n');
}

/** Every shape arrived at the service: in the body always, in the header when it can travel there. */
function assertDelivered(echo: EchoService, from: number, values: Values = SHAPES): void {
  const got = echo.received.slice(from);
  for (const n of namesOf(values)) {
    const req = got.find((r) => r.url === `/echo/${n}`);
    assert.ok(req, `check for ${n} was sent`);
    assert.equal(req.body, values[n], `${n}: body byte-exact`);
    if (headerSafe(values[n]!)) assert.equal(req.headers['x-probe-token'], values[n], `${n}: header`);
  }
}

const asSecrets = (place: string, values: Values = SHAPES): Record<string, string> =>
  Object.fromEntries(namesOf(values).map((n) => [`${n}:${place}`, values[n]!]));

describe('security: CanaryShift leak scan (packaged; Kubernetes token, prometheusToken, smoke-check secret variables)', function () {
  this.timeout(60_000);
  let echo: EchoService;
  before(async () => {
    echo = await startEcho();
  });
  after(() => echo.close());

  // Header-safe shapes only: a bearer token travels in an HTTP header.
  const placements = {
    false: { kube: 'percentAt', prom: 'backslash', endpoint: 'kubeconfig' },
    // A bearer token holds no space: the API server reads the word after "Bearer " and nothing more
    // (k8s.io/apiserver pkg/authentication/request/bearertoken/bearertoken.go), as the kube emulator does.
    true: { kube: 'urlEmbedded', prom: 'dollar', endpoint: 'serviceAccount' },
  } as const;

  for (const debug of [false, true]) {
    it(`System.Debug=${debug}: a failing smoke analysis aborts the canary, and nothing secret is shown`, async () => {
      const place = placements[`${debug}`];
      const kube = await KubeApiServer.start({
        namespaces: [NS],
        token: SHAPES[place.kube],
        rollout: { outcome: 'available', delayMs: 20 },
      });
      const prom = await PrometheusEmulator.start({ bearerToken: SHAPES[place.prom] });
      try {
        seedApp(kube);
        prom.script('canary_success_ratio', [0.999]);
        const from = echo.received.length;
        const run = await runTaskLikeAgent({
          taskDir: packagedTaskDir('CanaryShift'),
          inputs: {
            ...CANARY_RUN,
            steps: '20, analysis, 100',
            prometheusUrl: prom.url,
            prometheusToken: SHAPES[place.prom],
            query: 'canary_success_ratio',
            successCondition: 'result >= 0.99',
            smokeChecks: checksFor(INLINE_VALUES, (n) => `"${INLINE_VALUES[n]}"`, true),
            smokeBaseUrl: echo.url,
            interval: '1s',
            measurements: '1',
            rolloutTimeoutSeconds: '60',
          },
          endpoints: { k8s: place.endpoint === 'kubeconfig' ? kube.endpoint() : kube.serviceAccountEndpoint() },
          variables: { 'System.Debug': `${debug}` },
          secretVariables: variablesOf(SHAPES),
          env,
        });
        assert.equal(run.result, 'Failed', `${run.resultMessage}\n${run.stderr}`);
        assert.equal(run.outputs.outcome, 'aborted');
        assert.match(run.resultMessage ?? '', /smoke check\(s\) failed/);
        assert.ok(
          kube.requests.some((r) => r.method === 'PATCH' && r.status < 300),
          'the kube token was accepted',
        );
        assert.ok(prom.queries.length >= 1, 'the Prometheus token was accepted');
        assertDelivered(echo, from, INLINE_VALUES);
        assert.deepEqual(
          unregistered(run, { kube: SHAPES[place.kube], prom: SHAPES[place.prom], ...SHAPES }),
          [],
          'announced with setsecret',
        );
        const leaks = scanRun('CanaryShift', run, {
          ...asSecrets('smokeSecretVariable'),
          [`${place.kube}:kubeToken`]: SHAPES[place.kube],
          [`${place.prom}:prometheusToken`]: SHAPES[place.prom],
        });
        assert.equal(leaks.length, 0, describeLeaks(leaks));
      } finally {
        await kube.close();
        await prom.close();
      }
    });
  }
  const wrongTokens = {
    false: ['unicode', 'pem', 'trailingNewline', 'vso'],
    true: ['short', 'json', 'urlEmbedded', 'spaces'],
  } as const;
  for (const debug of [false, true]) {
    it(`System.Debug=${debug}: Kubernetes tokens the cluster rejects (or HTTP cannot carry) fail the task without being shown`, async () => {
      const kube = await KubeApiServer.start({ namespaces: [NS] });
      try {
        seedApp(kube);
        for (const n of wrongTokens[`${debug}`]) {
          const run = await runTaskLikeAgent({
            taskDir: packagedTaskDir('CanaryShift'),
            inputs: {
              ...CANARY_RUN,
              steps: '20, 100',
              rolloutTimeoutSeconds: '60',
            },
            endpoints: { k8s: kube.endpoint({ token: SHAPES[n] }) },
            variables: { 'System.Debug': `${debug}` },
            env,
          });
          assert.equal(run.result, 'Failed', `${n}: ${run.resultMessage}`);
          assert.equal(kube.writes().filter((r) => r.status < 300).length, 0, 'nothing changed');
          const leaks = scanRun('CanaryShift', run, { [`${n}:rejectedKubeToken`]: SHAPES[n] });
          assert.equal(leaks.length, 0, describeLeaks(leaks));
        }
      } finally {
        await kube.close();
      }
    });
  }
});

describe('security: SmokeTest leak scan (packaged; secret variables in headers and bodies, inline and in a checks file)', function () {
  this.timeout(60_000);
  let echo: EchoService;
  before(async () => {
    echo = await startEcho();
  });
  after(() => echo.close());

  it('control: a value that is not secret, echoed by the service, is shown and the scan finds it in the live output', async () => {
    const planted = `${SHAPES.percentAt}-not-secret`;
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('SmokeTest'),
      inputs: {
        baseUrl: echo.url,
        checks: `- { name: planted, method: POST, path: /echo/planted, headers: { X-Note: ${JSON.stringify(planted)} }, body: ${JSON.stringify(planted)}, expect: { body: { contains: nothing-like-this } } }\n`,
      },
      env,
    });
    assert.equal(run.result, 'Failed');
    assert.ok(findLeaks(shownText(run), { planted }).length > 0, 'the scanner sees what the task printed');
  });

  for (const debug of [false, true]) {
    for (const where of ['inline', 'checksFile'] as const) {
      it(`System.Debug=${debug}, ${where}: every check fails showing the echoed request, and no shape is shown`, async () => {
        const values = where === 'inline' ? INLINE_VALUES : SHAPES;
        const inputs: Record<string, string> = { baseUrl: echo.url, retries: '0' };
        const variables: Record<string, string> = { 'System.Debug': `${debug}` };
        let dir: string | undefined;
        if (where === 'inline') {
          // The agent expands $(sec.x) in an inline input before the task starts: the text holds the values.
          inputs.checks = checksFor(values, (n) => `"${values[n]}"`, true);
        } else {
          dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'mcdso-sec-checks-'));
          fs.writeFileSync(
            path.join(dir, 'smoke.yml'),
            checksFor(values, (n) => `$(sec.${n})`, true),
          );
          inputs.checksFile = path.join(dir, 'smoke.yml');
          variables['System.DefaultWorkingDirectory'] = dir;
        }
        const from = echo.received.length;
        const run = await runTaskLikeAgent({
          taskDir: packagedTaskDir('SmokeTest'),
          inputs,
          variables,
          secretVariables: variablesOf(values),
          env,
          timeoutMs: 30_000,
        });
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(run.result, 'Failed', `${run.resultMessage}\n${run.stderr}`);
        assert.equal(run.outputs.failed, String(namesOf(values).length), run.resultMessage);
        assert.ok(
          run.commands.some((c) => c.command === 'results.publish'),
          'JUnit results published (and scanned)',
        );
        assertDelivered(echo, from, values);
        assert.match(shownText(run), /check 'sec-percentAt'[^\n]*\*\*\*/, 'the echoed body is reported, masked');
        assert.deepEqual(unregistered(run, asSecrets('', values)), [], 'announced with setsecret');
        const leaks = scanRun(
          'SmokeTest',
          run,
          asSecrets(where === 'inline' ? 'inlineSecret' : 'checksFileSecret', values),
        );
        assert.equal(leaks.length, 0, describeLeaks(leaks));
      });
    }
  }
});
