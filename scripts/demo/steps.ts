/** A step of the series table → the task and the inputs a pipeline author would write for it. */
import type { TaskName } from '../../tasks/common/ledger';
import { COMPARTMENT, KEY, VAULT } from '../../devkit/stand-ins/kv-world';
import { RegistryName, SeriesWorld, successQuery } from '../../devkit/stand-ins/series-world';
import type { Step } from './series';

export interface TaskSpec {
  task: TaskName;
  title: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
}

/** What earlier steps of the same run produced (AcrPromote's imageDigest output, per target registry). */
export interface RunContext {
  version: string;
  digests: Partial<Record<RegistryName, string>>;
}

const CONNECTION: Record<RegistryName, string> = { nonprod: 'acr-nonprod', acr: 'acr-prod', ocir: 'ocir' };
const REGISTRY_LABEL: Record<RegistryName, string> = { nonprod: 'ACR non-prod', acr: 'ACR prod', ocir: 'OCIR' };

const SMOKE_CHECKS =
  '- name: canary health\n  path: /healthz\n  expect: { status: 200, json: { "$.status": { equals: ok } } }\n';

function database(action: 'ensure' | 'scale', computeCount: number): Record<string, string> {
  return {
    target: 'ociApi',
    action,
    ociConnection: 'oci-db',
    compartmentId: COMPARTMENT,
    displayName: 'orders',
    dbName: 'ORDERS',
    dbWorkload: 'OLTP',
    computeModel: 'ECPU',
    computeCount: String(computeCount),
    adminPassword: 'Orders-Adm1n-Passw0rd',
    waitTimeoutMinutes: '2',
  };
}

export function taskFor(step: Step, world: SeriesWorld, ctx: RunContext): TaskSpec {
  switch (step.kind) {
    case 'syncSecrets':
      return {
        task: 'KeyVaultToOci',
        title: `Sync Key Vault secrets into OCI Vault${step.onSourceRemoved ? ` (onSourceRemoved: ${step.onSourceRemoved})` : ''}`,
        inputs: {
          ...world.kv.inputs,
          secrets: 'orders-admin-password => orders-admin\npayments-*',
          compartmentId: COMPARTMENT,
          vaultId: VAULT,
          keyId: KEY,
          ...(step.onSourceRemoved ? { onSourceRemoved: step.onSourceRemoved } : {}),
        },
        env: { HTTPS_PROXY: world.kv.proxy.url },
      };
    case 'ensureDatabase':
      return {
        task: 'OracleDbProvision',
        title: `Ensure the orders Autonomous Database (${step.computeCount} ECPU)`,
        inputs: database('ensure', step.computeCount),
      };
    case 'scaleDatabase':
      return {
        task: 'OracleDbProvision',
        title: `Scale the orders Autonomous Database to ${step.computeCount} ECPU`,
        inputs: database('scale', step.computeCount),
      };
    case 'promote': {
      const from = world.registries[step.from];
      const to = world.registries[step.to];
      return {
        task: 'AcrPromote',
        title: `Promote shop/web:${ctx.version} ${REGISTRY_LABEL[step.from]} → ${REGISTRY_LABEL[step.to]} by digest${step.verifySignature ? ', cosign signature verified' : ''}`,
        inputs: {
          sourceImage: `${from.host}/shop/web:${ctx.version}`,
          sourceRegistryConnection: CONNECTION[step.from],
          targetRegistry: to.host,
          targetRegistryConnection: CONNECTION[step.to],
          targetTags: ctx.version,
          ...(step.verifySignature ? { verifySignature: 'cosignKey', cosignPublicKey: world.cosign.publicPem } : {}),
        },
      };
    }
    case 'release': {
      const t = step.target;
      const digest = ctx.digests[t.registry];
      if (!digest) throw new Error(`no digest promoted to ${t.registry} before releasing to ${t.environment}`);
      return {
        task: 'CanaryShift',
        title: `${t.strategy === 'blueGreen' ? 'Blue/green' : 'Canary'} of ${ctx.version} on ${t.cluster} (Gateway API, Prometheus + smoke gates)`,
        inputs: {
          kubernetesServiceConnection: t.cluster,
          namespace: 'shop',
          action: 'run',
          deployment: 'web',
          service: 'web',
          image: `${world.registries[t.registry].host}/shop/web@${digest}`,
          trafficRouter: 'gatewayApi',
          route: 'web',
          ...(t.strategy === 'blueGreen'
            ? // Argo Rollouts' BlueGreen: the preview is analysed, the active Service switches, then analysed live.
              {
                strategy: 'blueGreen',
                prePromotionAnalysis: 'all',
                postPromotionAnalysis: 'all',
                scaleDownDelaySeconds: '1',
              }
            : { steps: '25, analysis, 100' }),
          prometheusUrl: world.prometheus.url,
          query: successQuery(t.cluster),
          successCondition: 'result >= 0.99',
          interval: '1s',
          measurements: '1',
          smokeBaseUrl: `${world.appUrl}/canary`,
          smokeChecks: SMOKE_CHECKS,
          rolloutTimeoutSeconds: '60',
        },
      };
    }
  }
}
