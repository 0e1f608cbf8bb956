import { TaskName } from '../tasks/common/ledger';
import { AgentRunResult, Endpoint, runTaskLikeAgent } from '../test/harness/agent-run';
import { packagedTaskDir } from '../test/harness/vsix';
import { COMPARTMENT, D, KEY, VAULT, azureRm, kubeconfig, oci } from '../test/blackbox/fixtures';
import { vsixPath } from './project';

/**
 * `npm run demo`: runs the five tasks from the packaged .vsix, in the order of the seed pipeline,
 * the way the agent runs them, and prints what a pipeline log would show.
 */
interface DemoStep {
  task: TaskName;
  title: string;
  inputs: Record<string, string>;
  endpoints?: Record<string, Endpoint>;
}

const steps: DemoStep[] = [
  {
    task: 'KeyVaultToOci',
    title: 'Sync Key Vault credentials into OCI Vault',
    inputs: { azureSubscription: 'azure', keyVaultName: 'shop-kv', secrets: 'db-admin-password => orders-admin', ociConnection: 'oci', compartmentId: COMPARTMENT, vaultId: VAULT, keyId: KEY, dryRun: 'true' },
    endpoints: { azure: azureRm(), oci: oci() },
  },
  {
    task: 'OracleDbProvision',
    title: 'Ensure the orders Autonomous Database',
    inputs: { target: 'ociApi', action: 'ensure', ociConnection: 'oci', compartmentId: COMPARTMENT, displayName: 'orders', dbName: 'ORDERS', adminPassword: 'Demo-Passw0rd-2026' },
    endpoints: { oci: oci() },
  },
  {
    task: 'AcrPromote',
    title: 'Promote web from non-prod to prod by digest',
    inputs: { sourceImage: `nonprod.azurecr.io/shop/web@${D}`, targetRegistry: 'prod.azurecr.io', targetTags: '1.4.2' },
  },
  {
    task: 'CanaryShift',
    title: 'Canary with analysis gates',
    inputs: { kubernetesServiceConnection: 'aks', namespace: 'shop', action: 'run', deployment: 'web', service: 'web', image: `prod.azurecr.io/shop/web@${D}`, route: 'web', steps: '10, analysis, 50, 100' },
    endpoints: { aks: kubeconfig() },
  },
  {
    task: 'SmokeTest',
    title: 'Smoke test the promoted service',
    inputs: { baseUrl: 'https://web.shop.example', checks: '- name: health\n  path: /healthz\n  expect: { status: 200 }\n' },
  },
  {
    task: 'CanaryShift',
    title: 'A bad input is refused before anything changes',
    inputs: { kubernetesServiceConnection: 'aks', action: 'shift', deployment: 'web', service: 'web', route: 'web', weight: '150' },
    endpoints: { aks: kubeconfig() },
  },
];

function describeRun(run: AgentRunResult): string {
  const lines = [`   result: ${run.result} (exit ${run.code})`];
  for (const line of (run.resultMessage ?? '').split('\n')) lines.push(`   ${line}`);
  for (const [name, value] of Object.entries(run.outputs)) lines.push(`   output ${name} = ${value}`);
  if (run.attachments.length) lines.push(`   promotion record: ${run.attachments.map((a) => a.path).join(', ')}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  console.log(`Multicloud DevSecOps demo — tasks run from ${vsixPath()}\n`);
  for (const [i, step] of steps.entries()) {
    console.log(`${i + 1}. ${step.task}: ${step.title}`);
    const run = await runTaskLikeAgent({ taskDir: packagedTaskDir(step.task), inputs: step.inputs, endpoints: step.endpoints });
    console.log(`${describeRun(run)}\n`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
