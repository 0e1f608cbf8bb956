import * as fs from 'node:fs';
import * as path from 'node:path';
import { LedgerRecord, TaskName } from '../tasks/common/ledger';
import { AgentRunResult, runTaskLikeAgent } from '../devkit/agent/agent-run';
import { packagedTaskDir } from '../devkit/agent/vsix';
import { caPaths, ensureTestCa } from '../devkit/support/test-ca';
import { COMPARTMENT, KEY, VAULT } from '../devkit/stand-ins/kv-world';
import { SUCCESS_QUERY, StandIns, startStandIns } from '../devkit/stand-ins/demo-stand-ins';
import { OciLayout } from '../devkit/registry/oci-layout';
import { RegistryProbe, skopeoSeed, tempDir } from '../devkit/registry/world';
import { CosignKeys, cosignKeys, writeCosignAttestations, writeCosignSignature } from '../devkit/registry/cosign';
import { RECORDS_DIR } from '../devkit/ado-host/generated-records';

/**
 * `node out/scripts/hub-fixtures.js` (after `npm run package`): the hub's fixtures, made by running
 * the packaged tasks exactly as the agent runs them against the demo's stand-ins, in four runs of a
 * "shop-cd" pipeline: a success, an aborted canary, failures, and partial results. The records are
 * written to devkit/ado-host/fixtures/records/ and checked in; the hub's tests, preview and bench
 * read them, and test/hub/record-contract.test.ts proves the hub renders every field they carry.
 *
 * The only change made to what the tasks wrote: the stand-ins' 127.0.0.1:<port> origins become the
 * names a real pipeline would show (the shape and every other value stay as written).
 */
interface Step {
  task: TaskName;
  stage: 'staging' | 'prod';
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** Runs before the step (fault injection, seeding). */
  before?: () => Promise<void> | void;
}

interface Run {
  name: 'success' | 'abort' | 'failure' | 'partial';
  buildId: number;
  buildNumber: string;
  requestedFor: string;
  steps: Step[];
}

/** Stage identifiers and environments of the recorded timeline (devkit/ado-host/fixtures/timeline-1042.json). */
const ENVIRONMENTS = { staging: 'shop-staging', prod: 'shop-prod' };
const JOBS = { staging: 'Deploy to shop-staging', prod: 'Canary to shop-prod' };
const FAILING_QUERY =
  'sum(rate(http_requests_total{app="web",track="canary",code!~"5.."}[5m])) / sum(rate(http_requests_total{app="web",track="canary"}[5m]))';
const CANARY_SMOKE =
  '- name: canary health\n  path: /healthz\n  expect: { status: 200, json: { "$.status": { equals: ok } } }\n';
const LONG_TAG = '1.4.3-rc.1.build.20261124.with-a-very-long-prerelease-identifier';

function runs(s: StandIns, keys: CosignKeys): Run[] {
  const kv = (secrets: string): Step => ({
    task: 'KeyVaultToOci',
    stage: 'staging',
    env: { HTTPS_PROXY: s.kv.proxy.url },
    inputs: { ...s.kv.inputs, secrets, compartmentId: COMPARTMENT, vaultId: VAULT, keyId: KEY },
  });
  const db = (action: string, computeCount: string): Step => ({
    task: 'OracleDbProvision',
    stage: 'staging',
    inputs: {
      target: 'ociApi',
      action,
      ociConnection: 'oci-db',
      compartmentId: COMPARTMENT,
      displayName: 'orders',
      dbName: 'ORDERS',
      dbWorkload: 'OLTP',
      computeModel: 'ECPU',
      computeCount,
      adminPassword: 'Orders-Adm1n-Passw0rd',
      waitTimeoutMinutes: '2',
    },
  });
  const promote = (stage: Step['stage'], version: string, tags: string): Step => ({
    task: 'AcrPromote',
    stage,
    inputs: {
      sourceImage: `${s.nonprod.host}/shop/web:${version}`,
      sourceRegistryConnection: 'acr-nonprod',
      targetRegistry: s.prod.host,
      targetRegistryConnection: 'acr-prod',
      targetTags: tags,
      // The supply-chain gate: the record carries what was verified and the signer (the hub's verified mark).
      verifySignature: 'cosignKey',
      cosignPublicKey: keys.publicPem,
      requireSbom: 'true',
    },
  });
  const canary = (action: string, version: string, query: string): Step => ({
    task: 'CanaryShift',
    stage: 'prod',
    inputs: {
      kubernetesServiceConnection: 'aks',
      namespace: 'shop',
      action,
      deployment: 'web',
      service: 'web',
      trafficRouter: 'gatewayApi',
      route: 'web',
      image: `${s.prod.host}/shop/web@{digest:${version}}`,
      steps: '10, pause 1s, analysis, 50, pause 1s, analysis, 100',
      prometheusUrl: s.prometheus.url,
      query,
      successCondition: 'result >= 0.99',
      interval: '1s',
      measurements: '2',
      smokeBaseUrl: `${s.appUrl}/canary`,
      smokeChecks: CANARY_SMOKE,
      rolloutTimeoutSeconds: '120',
    },
  });
  const smoke = (stage: Step['stage'], checks: string, extra: Record<string, string> = {}): Step => ({
    task: 'SmokeTest',
    stage,
    inputs: { baseUrl: s.appUrl, p95ThresholdMs: '800', checks, ...extra },
  });
  const healthy =
    '- name: health\n  path: /healthz\n  expect: { status: 200, maxDurationMs: 500 }\n- name: catalogue\n  path: /api/products?limit=1\n  expect: { status: 2xx, json: { "$.items[0].id": { exists: true } } }\n';
  const broken = `${healthy}- name: cart\n  path: /api/cart\n  expect: { status: 200 }\n- name: version\n  path: /healthz\n  expect: { json: { "$.version": { equals: "1.5.0" } } }\n`;
  return [
    {
      name: 'success',
      buildId: 1041,
      buildNumber: '20261123.4',
      requestedFor: 'Ada Lovelace',
      steps: [
        kv('orders-admin-password => orders-admin\npayments-*'),
        db('ensure', '2'),
        promote('staging', '1.4.2', '1.4.2'),
        smoke('staging', healthy),
        promote('prod', '1.4.2', '1.4.2, production'),
        canary('run', '1.4.2', SUCCESS_QUERY),
        smoke('prod', healthy),
      ],
    },
    {
      name: 'abort',
      buildId: 1042,
      buildNumber: '20261124.1',
      requestedFor: 'Lee Chen',
      steps: [
        promote('staging', '1.4.3', `1.4.3, ${LONG_TAG}`),
        smoke('staging', healthy),
        promote('prod', '1.4.3', '1.4.3'),
        // The metrics' dry run reads the first value; the analysis at 10% then reads 0.998 and 0.93.
        {
          ...canary('run', '1.4.3', FAILING_QUERY),
          before: () => s.prometheus.script(FAILING_QUERY, [0.998, 0.998, 0.93]),
        },
      ],
    },
    {
      name: 'failure',
      buildId: 1043,
      buildNumber: '20261124.2',
      requestedFor: 'Sam Rivera',
      steps: [promote('staging', '1.5.0', '1.5.0'), smoke('staging', broken), db('scale', '4')],
    },
    {
      name: 'partial',
      buildId: 1044,
      buildNumber: '20261125.1',
      requestedFor: 'Dana Okafor',
      steps: [
        {
          ...kv('orders-admin-password => orders-admin\npayments-*'),
          before: () => {
            s.kv.kv.set('payments-api-key', 'pk_live_demo_4243');
            s.kv.kv.set('payments-webhook-secret', 'whsec_demo_1234');
            s.kv.oci.fault({
              op: 'CreateSecret',
              name: 'payments-webhook-secret',
              status: 400,
              code: 'InvalidParameter',
              message: 'Secret content exceeds the vault quota.',
            });
          },
        },
        smoke('staging', broken, { maxFailureRate: '0.5' }),
        canary('deploy', '1.4.3', SUCCESS_QUERY),
      ],
    },
  ];
}

/** The stand-ins' origins → the names a real pipeline shows (readable screenshots, stable fixtures). */
function renamer(s: StandIns): (text: string) => string {
  const hostOf = (url: string): string => new URL(url).host;
  const names: [string, string][] = [
    [s.prod.host, 'shopprod.azurecr.io'],
    [s.nonprod.host, 'shopnonprod.azurecr.io'],
    [hostOf(s.kube.url), 'aks-shop-prod.hcp.westeurope.azmk8s.io'],
    [hostOf(s.appUrl), 'shop.contoso.example'],
    [hostOf(s.prometheus.url), 'prometheus.monitoring.svc:9090'],
    [hostOf(s.db.url), 'database.eu-frankfurt-1.oraclecloud.com'],
  ];
  return (text) =>
    names
      .reduce((t, [from, to]) => t.split(from).join(to), text)
      .replace(/http:\/\/shop\.contoso\.example/g, 'https://shop.contoso.example');
}

/** 1.4.3 next to the demo's 1.4.2; both signed with cosign, with a signed SPDX SBOM attestation. */
async function seedVersions(s: StandIns, keys: CosignKeys): Promise<void> {
  const layout = new OciLayout(tempDir('hub-fixtures'));
  layout.tag('1.4.3', layout.image({ layerSizes: [420_000, 150_000, 50_000] }));
  await skopeoSeed(layout.dir, '1.4.3', s.nonprod, 'shop/web:1.4.3');
  const probe = new RegistryProbe(s.nonprod);
  const sbom = {
    predicateType: 'https://spdx.dev/Document',
    predicate: {
      spdxVersion: 'SPDX-2.3',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'shop-web',
      packages: [
        { name: 'openssl', versionInfo: '3.0.13' },
        { name: 'zlib', versionInfo: '1.3' },
      ],
    },
  };
  for (const version of ['1.4.2', '1.4.3']) {
    const digest = await probe.manifestDigest('shop/web', version);
    if (!digest) throw new Error(`shop/web:${version} is not in the non-prod registry`);
    const tag = digest.replace(':', '-');
    const reference = `shopnonprod.azurecr.io/shop/web`;
    writeCosignSignature(layout, `${tag}.sig`, digest, reference, keys);
    writeCosignAttestations(layout, `${tag}.att`, digest, reference, keys, [sbom]);
    for (const suffix of ['sig', 'att'])
      await skopeoSeed(layout.dir, `${tag}.${suffix}`, s.nonprod, `shop/web:${tag}.${suffix}`);
  }
}

async function main(): Promise<void> {
  ensureTestCa();
  const s = await startStandIns((l) => console.log(l));
  const rename = renamer(s);
  const digests: Record<string, string> = {};
  const keys = cosignKeys();
  try {
    await seedVersions(s, keys);
    fs.rmSync(RECORDS_DIR, { recursive: true, force: true });
    fs.mkdirSync(RECORDS_DIR, { recursive: true });
    for (const run of runs(s, keys)) {
      let n = 0;
      for (const step of run.steps) {
        await step.before?.();
        // The canary deploys the digest its run's AcrPromote reported (known only once that ran).
        const inputs = Object.fromEntries(
          Object.entries(step.inputs).map(([k, v]) => [
            k,
            v.replace(/\{digest:([^}]+)\}/g, (_, tag: string) => digests[tag] ?? 'missing'),
          ]),
        );
        const result: AgentRunResult = await runTaskLikeAgent({
          taskDir: packagedTaskDir(step.task),
          inputs,
          endpoints: s.endpoints,
          variables: {
            'Build.BuildId': String(run.buildId),
            'Build.BuildNumber': run.buildNumber,
            'Build.DefinitionName': 'shop-cd',
            'System.DefinitionId': '17',
            'Build.RequestedFor': run.requestedFor,
            'System.TeamProject': 'shop',
            'Build.SourceBranch': 'refs/heads/main',
            'System.StageName': step.stage,
            'System.JobDisplayName': JOBS[step.stage],
            'Environment.Name': ENVIRONMENTS[step.stage],
          },
          env: { NODE_EXTRA_CA_CERTS: caPaths().cert, ...step.env },
          timeoutMs: 180_000,
        });
        if (step.task === 'AcrPromote' && result.outputs.imageDigest)
          digests[step.inputs.sourceImage.split(':').pop()!] = result.outputs.imageDigest;
        const files = result.attachments.filter((a) => a.type === 'multicloud-devsecops.ledger').map((a) => a.path);
        if (files.length !== 1)
          throw new Error(
            `${run.name}/${step.task}: expected one record, got ${files.length}\n${result.stdout}\n${result.stderr}`,
          );
        if (!(result.buildTags ?? []).length) throw new Error(`${run.name}/${step.task}: no build tag`);
        const record = JSON.parse(rename(fs.readFileSync(files[0], 'utf8'))) as LedgerRecord;
        const file = path.join(
          RECORDS_DIR,
          `${run.buildId}-${run.name}-${String(++n).padStart(2, '0')}-${step.task}.json`,
        );
        fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
        console.log(`${path.basename(file)}: ${result.result} ${record.status} — ${record.summary}`);
      }
    }
  } finally {
    await s.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
