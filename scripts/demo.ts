import * as path from 'node:path';
import { TaskName } from '../tasks/common/ledger';
import { AgentRunResult, Endpoint, runTaskLikeAgent } from '../devkit/agent/agent-run';
import { packagedTaskDir } from '../devkit/agent/vsix';
import { caPaths, ensureTestCa } from '../devkit/support/test-ca';
import { COMPARTMENT, KEY, VAULT } from '../devkit/stand-ins/kv-world';
import { SUCCESS_QUERY, StandInError, StandIns, startStandIns } from '../devkit/stand-ins/demo-stand-ins';
import { MissingToolError } from '../devkit/support/system-tool';
import { readLedgerFiles, startHubPreview } from './hub-preview';
import { vsixPath } from '../devkit/project';

/**
 * `npm run demo`: the seed pipeline — KeyVaultToOci → OracleDbProvision → AcrPromote →
 * CanaryShift (smoke-check gates) → SmokeTest — run from the packaged .vsix exactly as the agent
 * runs tasks, against local stand-ins; then the Promotions hub preview with the history it made.
 * `--once` exits after the pipeline (used by the tests); otherwise Ctrl-C stops everything.
 */
interface Step {
  task: TaskName;
  title: string;
  stage: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
}

const RUN = {
  'Build.BuildId': '20261123',
  'Build.BuildNumber': '20261123.4',
  'Build.DefinitionName': 'shop-cd',
  'Build.RequestedFor': 'Ada Lovelace',
  'System.TeamProject': 'shop',
  'Build.SourceBranch': 'refs/heads/main',
};

function pipeline(s: StandIns, digest: () => string): (() => Step)[] {
  return [
    () => ({
      task: 'KeyVaultToOci',
      title: 'Sync credentials from Azure Key Vault into OCI Vault',
      stage: 'staging',
      inputs: {
        ...s.kv.inputs,
        secrets: 'orders-admin-password => orders-admin\npayments-*',
        compartmentId: COMPARTMENT,
        vaultId: VAULT,
        keyId: KEY,
      },
      env: { HTTPS_PROXY: s.kv.proxy.url },
    }),
    () => ({
      task: 'OracleDbProvision',
      title: 'Ensure the orders Autonomous Database',
      stage: 'staging',
      inputs: {
        target: 'ociApi',
        action: 'ensure',
        ociConnection: 'oci-db',
        compartmentId: COMPARTMENT,
        displayName: 'orders',
        dbName: 'ORDERS',
        dbWorkload: 'OLTP',
        computeModel: 'ECPU',
        computeCount: '2',
        adminPassword: 'Orders-Adm1n-Passw0rd',
        waitTimeoutMinutes: '2',
      },
    }),
    () => ({
      task: 'AcrPromote',
      title: 'Promote shop/web:1.4.2 by digest, with signature and SBOM',
      stage: 'production',
      inputs: {
        sourceImage: `${s.nonprod.host}/shop/web:1.4.2`,
        sourceRegistryConnection: 'acr-nonprod',
        targetRegistry: s.prod.host,
        targetRegistryConnection: 'acr-prod',
        targetTags: '1.4.2, production',
      },
    }),
    () => ({
      task: 'CanaryShift',
      title: 'Canary through the Gateway API with Prometheus and smoke-check gates',
      stage: 'production',
      inputs: {
        kubernetesServiceConnection: 'aks',
        namespace: 'shop',
        action: 'run',
        deployment: 'web',
        service: 'web',
        image: `${s.prod.host}/shop/web@${digest()}`,
        trafficRouter: 'gatewayApi',
        route: 'web',
        steps: '10, pause 1s, analysis, 50, pause 1s, analysis, 100',
        prometheusUrl: s.prometheus.url,
        query: SUCCESS_QUERY,
        successCondition: 'result >= 0.99',
        interval: '1s',
        measurements: '1',
        smokeBaseUrl: `${s.appUrl}/canary`,
        smokeChecks:
          '- name: canary health\n  path: /healthz\n  expect: { status: 200, json: { "$.status": { equals: ok } } }\n',
        rolloutTimeoutSeconds: '120',
      },
    }),
    () => ({
      task: 'SmokeTest',
      title: 'Smoke test production',
      stage: 'production',
      inputs: {
        baseUrl: s.appUrl,
        p95ThresholdMs: '800',
        checks:
          '- name: health\n  path: /healthz\n  expect: { status: 200, maxDurationMs: 500 }\n- name: catalogue\n  path: /api/products?limit=1\n  expect: { status: 2xx, json: { "$.items[0].id": { exists: true } } }\n',
      },
    }),
  ];
}

function report(run: AgentRunResult): string[] {
  const lines = run.stdout.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('##vso['));
  const out = lines.map((l) => `     ${l}`);
  out.push(`   → ${run.result} (exit ${run.code})${run.result === 'Failed' ? `: ${run.resultMessage}` : ''}`);
  const outputs = Object.entries(run.outputs).map(([k, v]) => `${k}=${v}`);
  if (outputs.length) out.push(`   outputs: ${outputs.join(', ')}`);
  return out;
}

async function main(): Promise<void> {
  const once = process.argv.includes('--once');
  ensureTestCa();
  console.log(`Multicloud DevSecOps demo — tasks run from ${vsixPath()}\n\nStarting local stand-ins:`);
  const standIns = await startStandIns((l) => console.log(l));
  let digest = '';
  const recordFiles: string[] = [];
  let failures = 0;
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      await standIns.stop();
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));
  const steps = pipeline(standIns, () => digest);
  for (const [i, make] of steps.entries()) {
    const step = make();
    console.log(`\n${i + 1}/${steps.length} [${step.stage}] ${step.task}: ${step.title}`);
    const endpoints: Record<string, Endpoint> = standIns.endpoints;
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir(step.task),
      inputs: step.inputs,
      endpoints,
      variables: { ...RUN, 'System.StageName': step.stage, 'Environment.Name': step.stage },
      env: { NODE_EXTRA_CA_CERTS: caPaths().cert, ...step.env },
      timeoutMs: 180_000,
    });
    console.log(report(run).join('\n'));
    recordFiles.push(...run.attachments.map((a) => a.path));
    if (step.task === 'AcrPromote') digest = run.outputs.imageDigest ?? '';
    if (run.result !== 'Succeeded' && run.result !== 'SucceededWithIssues') failures++;
  }
  const records = recordFiles.flatMap((f) =>
    readLedgerFiles(path.dirname(f)).filter((r) => f.endsWith(`${r.id}.json`)),
  );
  console.log(
    `\n${steps.length - failures}/${steps.length} tasks succeeded; ${records.length} promotion records written.`,
  );
  if (once) return stop(failures ? 1 : 0);
  const hub = await startHubPreview({ records });
  console.log(`\nPromotions hub (preview): ${hub.url}\nPress Ctrl-C to stop the hub and every stand-in.`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void hub.stop().then(() => stop(0)));
  }
}

main().catch((err: unknown) => {
  // A stand-in or tool that cannot start is said in one line; anything else is a bug and keeps its stack.
  const expected = err instanceof StandInError || err instanceof MissingToolError;
  console.error(expected ? `demo stopped: ${err.message}` : err);
  process.exit(1);
});
